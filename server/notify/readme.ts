// The who-is-told table as Markdown, for the README's "Who is told" section, which
// `npm run who-is-told` writes and `npm run who-is-told -- --check` (run by the tests) compares.
import { changeNames, rowOf } from './who-is-told.ts';

export const README_START = '<!-- who-is-told:start (generated from server/notify/who-is-told.ts by npm run who-is-told) -->';
export const README_END = '<!-- who-is-told:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function whoIsToldMarkdown(): string {
  const lines = ['| change | emailed (template: who) | not emailed, and why |', '| --- | --- | --- |'];
  for (const name of changeNames) {
    const row = rowOf(name);
    const emailed = row.emails.length ? row.emails.map((e) => `\`${e.template}\`: ${e.to}`).join('<br>') : 'nobody';
    const notEmailed = [...row.notEmailed.map((n) => `${n.who}: ${n.why}`), ...(row.gap ? [`**Not yet:** ${row.gap}`] : [])].join('<br>') || '—';
    lines.push(`| \`${name}\` (${row.record}): ${cell(row.change)} | ${cell(emailed)} | ${cell(notEmailed)} |`);
  }
  return lines.join('\n');
}

/** The README with its generated section replaced by the table as the code has it. */
export function withWhoIsTold(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error('README.md has no who-is-told section markers');
  return `${readme.slice(0, start + README_START.length)}\n${whoIsToldMarkdown()}\n${readme.slice(end)}`;
}
