// View models are built in the feature's view-models.ts, never in routes (STYLE.md, Ghost's
// formatters): a route reads input, calls a service or query, hands the result to a view-model
// function and renders. Reads every file under server/ that registers a route and fails where it
// turns rows into what a page shows itself:
// - it calls a display formatter (dates, times, money, numbers in words, form fields' London
//   time, Markdown to HTML);
// - it uses a label map (any `…Labels`: the words for a stored value), or defines a word map of
//   its own (`const x: Record<SomeType, string> = {`);
// - a `.map(` callback builds an object (`=> ({`, or a block body `=> {`);
// - a `.map(` hands rows to a builder the route file defines itself (moving the callback into a
//   local function is the same thing under another name);
// - it counts rows for display (`.filter(…).length`).
// Exceptions are on the allow-lists below, each with its reason; both only shrink: an entry that no
// longer matches anything must be taken off.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeFiles, serverRoot as root } from './route-files.ts';

/** Route files whose view models are not moved yet, with why. Only shrinks. */
const ALLOWED_FILES: Record<string, string> = {};

/**
 * Single lines that look like view-model building but are not, keyed `file: line` (the line's text
 * trimmed), with why. Only shrinks.
 */
const ALLOWED_LINES: Record<string, string> = {
  'bursaries/routes.ts: itemSlots.map((slot) => ({': 'reads the draft form’s cost fields into the service’s DraftInput: form input, not a view model',
};

const formatters = [
  'formatDate',
  'formatTime',
  'formatDateTime',
  'formatTimeRange',
  'formatPence',
  'formatPrice',
  'formatRate',
  'londonDay',
  'londonClock',
  'londonDate',
  'poundsField',
  'poundsCell',
  'poundsText',
  'utcToLondonFields',
  'renderMarkdown',
  'hoursText',
  'eventDateText',
  'toLocaleString',
  'toLocaleDateString',
  'toLocaleTimeString',
];

const param = String.raw`(?:async\s+)?(?:\((?:[^()]|\([^()]*\))*\)|[A-Za-z_$][\w$]*)\s*=>\s*`;
const checks: [string, RegExp][] = [
  ['calls a display formatter', new RegExp(String.raw`(?<![\w$])(?:${formatters.join('|')})\s*\(`, 'g')],
  ['uses a label map', /(?<![\w$'"`])[a-z][\w$]*Labels\b/g],
  ['builds objects in a .map( callback', new RegExp(String.raw`\.map\(\s*(?:${param}\(?\s*\{|(?:async\s+)?function\b)`, 'g')],
  ['counts rows for display', /\.filter\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\.length\b/g],
  ['defines a word map', /^(?:export\s+)?const\s+[\w$]+\s*:\s*Record<[A-Z][\w$]*,\s*string>\s*=/gm],
];

/** `.map(name)` or `.map((x) => name(x…))` where `name` is declared in the same file. */
function localBuilders(source: string): { index: number; text: string }[] {
  const found: { index: number; text: string }[] = [];
  const calls = new RegExp(String.raw`\.map\(\s*(?:([A-Za-z_$][\w$]*)\s*[,)]|${param}([A-Za-z_$][\w$]*)\s*\()`, 'g');
  for (const match of source.matchAll(calls)) {
    const name = match[1] ?? match[2]!;
    const declared = new RegExp(String.raw`(?:function\s+${name}\b|(?:const|let)\s+${name}\s*(?::[^=]+)?=)`);
    if (declared.test(source)) found.push({ index: match.index, text: name });
  }
  return found;
}

interface Finding {
  file: string;
  line: number;
  text: string;
  what: string;
}

/** Line comments are blanked (keeping offsets), so a comment that mentions a formatter is no finding. */
function withoutComments(source: string): string {
  return source.replace(/(^|[^:'"`\w])\/\/[^\n]*/g, (m, before: string) => before + ' '.repeat(m.length - before.length));
}

function findings(file: string, original = fs.readFileSync(path.join(root, file), 'utf8')): Finding[] {
  const source = withoutComments(original);
  const lines = original.split('\n');
  const at = (index: number) => source.slice(0, index).split('\n').length;
  const out: Finding[] = [];
  for (const [what, pattern] of checks) {
    for (const match of source.matchAll(pattern)) {
      const line = at(match.index);
      out.push({ file, line, text: lines[line - 1]!.trim(), what });
    }
  }
  for (const { index, text } of localBuilders(source)) {
    const line = at(index);
    out.push({ file, line, text: lines[line - 1]!.trim(), what: `maps rows through ${text}, a builder defined in the route file` });
  }
  return out;
}

describe('view models', () => {
  const files = routeFiles();
  const all = files.flatMap((file) => findings(file));

  it('finds the route files', () => {
    expect(files.length, 'route files found').toBeGreaterThan(15);
  });

  it('recognises each way of building a view model, and not reading input or a comment', () => {
    const sample = [
      "import { formatDate } from '../format.ts';",
      '// formatPrice(p) in a comment is no finding',
      'const when = formatDate(row.startsAt);',
      'const label = statusLabels[row.status];',
      "const words: Record<SurveyAudience, string> = { attendees: 'People who came' };",
      'const rows = found.map((r) => ({ id: r.id }));',
      'const more = found.map(async (r) => {',
      '  return r;',
      '});',
      'function toRow(r: Row) {',
      '  return { id: r.id };',
      '}',
      'const again = found.map(toRow);',
      'const through = found.map((r) => toRow(r));',
      'const n = found.filter((r) => r.status === "attended").length;',
      'const ids = found.map((r) => r.id);',
      'const fromList = found.map(imported);',
      'const schema = Type.Union(kinds.map((k) => Type.Literal(k)));',
    ].join('\n');
    const found = findings('sample.ts', sample).map((f) => `${f.line} ${f.what}`);
    expect(found.sort()).toEqual(
      [
        '3 calls a display formatter',
        '4 uses a label map',
        '5 defines a word map',
        '6 builds objects in a .map( callback',
        '7 builds objects in a .map( callback',
        '13 maps rows through toRow, a builder defined in the route file',
        '14 maps rows through toRow, a builder defined in the route file',
        '15 counts rows for display',
      ].sort(),
    );
  });

  it('no route file builds a view model itself, beyond the shrinking allow-lists', () => {
    const unexplained = all.filter((f) => !(f.file in ALLOWED_FILES) && !(`${f.file}: ${f.text}` in ALLOWED_LINES));
    expect(
      unexplained.map((f) => `${f.file}:${f.line} ${f.what}: ${f.text}`),
      'route files building view models: move it into the feature’s view-models.ts',
    ).toEqual([]);
  });

  it('the allow-lists only hold what is still there', () => {
    const stale = [
      ...Object.keys(ALLOWED_FILES).filter((file) => !all.some((f) => f.file === file)),
      ...Object.keys(ALLOWED_LINES).filter((key) => !all.some((f) => `${f.file}: ${f.text}` === key)),
    ];
    expect(stale, 'entries that no longer match: take them off the allow-lists').toEqual([]);
  });
});
