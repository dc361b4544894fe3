// Markdown written by people (event descriptions, comments) becomes safe HTML: marked parses it,
// sanitize-html keeps only plain formatting, so nothing typed can run as script on our pages.
import { marked } from 'marked';
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
