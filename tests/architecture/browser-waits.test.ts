// A browser test that presses a button and then calls `page.waitForLoadState('load')` reads the
// page it was already on whenever the next one has not started loading yet: the old page has
// loaded, so the wait returns at once. CI failed once on exactly that (the mailing list test read
// "Done" instead of "Your choices are saved."). Browser tests wait for the next page with
// `loadsNextPage` or `waitForURL` from tests/browser/support.ts; this reads them and fails on the
// racy waits.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../browser');

const racy: [string, RegExp][] = [
  ['waitForLoadState (returns at once when the old page has loaded)', /\.waitForLoadState\s*\(/],
  ['waitForEvent("framenavigated") (fires before the new page has loaded)', /waitForEvent\(\s*['"]framenavigated/],
];

describe('browser tests wait for the next page, not the one already shown', () => {
  it('no browser test uses a wait that can return before the next page loads', () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length, 'browser test files found').toBeGreaterThan(5);
    const found = files.flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => racy.filter(([, pattern]) => pattern.test(line)).map(([what]) => `${file}:${i + 1}: ${what}`)),
    );
    expect(found, 'use loadsNextPage(page, () => …) from support.ts').toEqual([]);
  });
});
