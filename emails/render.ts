// Renders an outbox message's stored template and data into subject, HTML and plain text.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { markdownToText } from '../server/markdown.ts';
import { subjects, type EmailCatalogue, type EmailName } from './catalogue.ts';

const folder = path.dirname(fileURLToPath(import.meta.url));
const html = new Eta({ views: folder, cache: true, autoEscape: true, autoTrim: false });
// Plain text must not be HTML-escaped.
const text = new Eta({ views: folder, cache: true, autoEscape: false, autoTrim: false });

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface EmailSite {
  baseUrl: string;
  siteName: string;
  /** The Hub's contact address (CONTACT_EMAIL), for emails that tell people how to reach a person. */
  contactEmail?: string;
}

/**
 * The full stop after text people typed, such as a title: none when it already ends a sentence,
 * so "Who cares?" is never followed by "?.".
 */
export function fullStop(text: unknown): string {
  return /[.?!…]["'’”)]*\s*$/.test(String(text ?? '')) ? '' : '.';
}

/**
 * Text written for the site (an announcement's markdown, or its HTML) with its links to the
 * site's own pages made whole: "/events/x" means nothing in a mail program.
 */
export function onSite(text: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return text.replace(/(href="|src="|\]\()\/(?!\/)/g, `$1${base}/`);
}

export function renderEmail<K extends EmailName>(name: K, data: EmailCatalogue[K], site: EmailSite): RenderedEmail {
  if (!(name in subjects)) throw new Error(`No email template called ${name}`);
  const subject = subjects[name](data);
  const it = {
    ...data,
    site,
    subject,
    url: (p: string) => new URL(p, site.baseUrl).href,
    stop: fullStop,
    onSite: (text: string) => onSite(text, site.baseUrl),
    // Markdown people wrote, for a text part: plain words, links written out in full.
    plain: (markdown: string) => markdownToText(onSite(markdown, site.baseUrl)),
  };
  return {
    subject,
    html: html.render(`./${name}.html.eta`, it),
    text: text.render(`./${name}.text.eta`, it).replace(/\n{3,}/g, '\n\n').trim() + '\n',
  };
}
