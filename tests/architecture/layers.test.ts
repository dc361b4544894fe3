// Routes call services; services own queries and audit entries (STYLE.md, habit 3). Reads every
// file under server/ that registers a route and fails on one that builds a query itself: an
// import from drizzle-orm, an import of server/audit.ts, or a call like `db.select(` or
// `app.db.transaction(`. Route files that still do are on the allow-list below, which only shrinks.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeFiles, serverRoot as root } from './route-files.ts';

/** Route files that still query the database themselves: none since issue 19; keep it empty. */
const ALLOWED = new Set<string>([]);

const checks: [string, RegExp][] = [
  ['imports drizzle-orm', /^\s*import\b[^;]*?from\s+'drizzle-orm(?:\/[^']*)?'/m],
  ['imports server/audit.ts', /^\s*import\b[^;]*?from\s+'(?:\.\.\/)+audit\.ts'/m],
  ['builds a query', /\bdb\s*\.\s*(?:select|selectDistinct|insert|update|delete|execute|transaction)\s*\(/],
];

describe('layers', () => {
  it('no route file queries the database or writes audit entries itself, beyond the shrinking allow-list', () => {
    const files = routeFiles();
    expect(files.length, 'route files found').toBeGreaterThan(15);
    const found = files.flatMap((file) => {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      return checks.some(([, pattern]) => pattern.test(source)) ? [file] : [];
    });
    const described = (file: string) => {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      return `${file}: ${checks.flatMap(([what, pattern]) => (pattern.test(source) ? [what] : [])).join(', ')}`;
    };
    expect(found.filter((f) => !ALLOWED.has(f)).map(described), 'route files building queries: move them into a service').toEqual([]);
    expect(
      [...ALLOWED].filter((f) => !found.includes(f)),
      'route files no longer building queries: take them off ALLOWED',
    ).toEqual([]);
  });
});
