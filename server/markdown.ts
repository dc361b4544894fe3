// Markdown written by people (event descriptions, comments) becomes safe HTML: marked parses it,
// sanitize-html keeps only plain formatting, so nothing typed can run as script on our pages.
import { marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

const allowed: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'h2', 'h3', 'h4', 'blockquote', 'code', 'pre'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { class: 'govuk-link' }),
    p: sanitizeHtml.simpleTransform('p', { class: 'govuk-body' }),
    ul: sanitizeHtml.simpleTransform('ul', { class: 'govuk-list govuk-list--bullet' }),
    ol: sanitizeHtml.simpleTransform('ol', { class: 'govuk-list govuk-list--number' }),
    h2: sanitizeHtml.simpleTransform('h2', { class: 'govuk-heading-m' }),
    h3: sanitizeHtml.simpleTransform('h3', { class: 'govuk-heading-s' }),
    h4: sanitizeHtml.simpleTransform('h4', { class: 'govuk-heading-s' }),
  },
};
allowed.allowedAttributes = { a: ['href', 'class'], p: ['class'], ul: ['class'], ol: ['class'], h2: ['class'], h3: ['class'], h4: ['class'] };

// Parsing and sanitising cost more than the rest of an event page together, and the same text is
// shown again and again: the HTML is kept for texts seen recently, up to a bound on their size.
// (The same as storing it when saved, with nothing to keep in step when the rules above change.)
const RENDERED_LIMIT_CHARS = 2_000_000;
const rendered = new Map<string, string>();
let renderedChars = 0;

export function renderMarkdown(source: string): string {
  if (!source.trim()) return '';
  const known = rendered.get(source);
  if (known !== undefined) return known;
  const html = sanitizeHtml(marked.parse(source, { async: false, gfm: true, breaks: false }), allowed);
  if (renderedChars + source.length + html.length > RENDERED_LIMIT_CHARS) {
    rendered.clear();
    renderedChars = 0;
  }
  rendered.set(source, html);
  renderedChars += source.length + html.length;
  return html;
}

// The same Markdown as plain text, for the text part of an email: marked's lexer reads it (the
// same parser as the HTML), and each piece is written as words: no **, # or [](), a link as its
// words followed by its address, a list as "- " or numbered lines, a quote indented.
type Token = Tokens.Generic | ReturnType<typeof marked.lexer>[number];

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, name: string) => ENTITIES[name] ?? '');
}

/** Tags typed as HTML are left out; their words stay. */
function withoutTags(html: string): string {
  return decode(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }));
}

/** A link's address as the text part writes it: only the schemes the HTML part keeps (else none). */
function safeHref(href: string): string {
  // Browsers read "java\tscript:" as javascript: too, so the scheme is judged with spaces and
  // control characters (every code point up to U+0020) taken out.
  const squeezed = [...decode(href)].filter((c) => c.codePointAt(0)! > 0x20).join('');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(squeezed)?.[1]?.toLowerCase();
  return scheme === undefined || allowed.allowedSchemes === undefined || (allowed.allowedSchemes as string[]).includes(scheme) ? href : '';
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function inline(tokens: Token[] | undefined): string {
  // Words and typed HTML kept apart: when a paragraph has HTML in it, its tags are taken out at
  // the end, and words that only look like tags ("&lt;under 16&gt;") must not go with them.
  const pieces: { text: string; html?: true }[] = [];
  const word = (text: string) => pieces.push({ text });
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'link': {
        const words = inline(token.tokens);
        const href = safeHref(token.href).replace(/^mailto:/, '');
        word(!href ? words : words === href || words === token.href || !words.trim() ? href : `${words} (${href})`);
        break;
      }
      case 'image': {
        const href = safeHref(token.href);
        word(token.text && href ? `${token.text} (${href})` : token.text || href);
        break;
      }
      case 'br':
        word('\n');
        break;
      case 'html':
        // Kept until the end: a tag's contents (a script's) may be in the tokens after it.
        if (/^<br\s*\/?>$/i.test(token.text.trim())) word('\n');
        else pieces.push({ text: token.text, html: true });
        break;
      case 'codespan':
      case 'escape':
        word(decode(token.text));
        break;
      case 'text':
        word('tokens' in token && token.tokens ? inline(token.tokens) : decode(token.text));
        break;
      default:
        word('tokens' in token && token.tokens ? inline(token.tokens) : decode('text' in token ? String(token.text) : token.raw));
    }
  }
  if (!pieces.some((p) => p.html)) return pieces.map((p) => p.text).join('');
  return withoutTags(pieces.map((p) => (p.html ? p.text : escapeText(p.text))).join(''));
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line ? by + line : line))
    .join('\n');
}

function blocks(tokens: Token[]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
        break;
      case 'heading':
      case 'paragraph':
        out.push(inline(token.tokens).trim());
        break;
      case 'text':
        out.push('tokens' in token && token.tokens ? inline(token.tokens) : decode(token.text));
        break;
      case 'list': {
        const start = Number(token.start) || 1;
        const items = token.items.map((item: Tokens.ListItem, i: number) => {
          const marker = token.ordered ? `${start + i}. ` : '- ';
          return marker + indent(blocks(item.tokens).join(item.loose ? '\n\n' : '\n'), ' '.repeat(marker.length));
        });
        out.push(items.join(token.loose ? '\n\n' : '\n'));
        break;
      }
      case 'blockquote':
        out.push(
          blocks(token.tokens ?? [])
            .join('\n\n')
            .split('\n')
            .map((line) => (line ? `  ${line}` : line))
            .join('\n'),
        );
        break;
      case 'code':
        out.push(token.text);
        break;
      case 'hr':
        out.push('---');
        break;
      case 'html':
        out.push(withoutTags(token.text).trim());
        break;
      case 'table':
        out.push([token.header, ...token.rows].map((row: { tokens: Token[] }[]) => row.map((cell) => inline(cell.tokens)).join(' | ')).join('\n'));
        break;
      default:
        out.push('tokens' in token && token.tokens ? inline(token.tokens) : token.raw.trim());
    }
  }
  return out.filter((b) => b.trim() !== '');
}

/** Markdown written by people, as plain text that reads well in an email's text part. */
export function markdownToText(source: string): string {
  if (!source.trim()) return '';
  return blocks(marked.lexer(source, { gfm: true, breaks: false })).join('\n\n');
}
