// Hostile input to every form: generated and nasty values, posted by a signed-in admin (who may
// reach every route) and by an anonymous visitor. Whatever arrives, the answer is never a 500,
// never raw JSON on a page, never what was typed echoed back unescaped (on the answer, or on the
// page a redirect leads to), and a refused post leaves the database exactly as it was.
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmins } from '../../server/accounts/people.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { FormFields, TestClient } from '../support/client.ts';

const MARKER = '<script>alert("hostile")</script>';

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    MARKER,
    '"><img src=x onerror=alert(1)>',
    "'; drop table people; --",
    '1 OR 1=1',
    '\u0000',
    '\u202e\u0645\u0631\u062d\u0628\u0627',
    '👩🏽‍🦽🏳️‍🌈',
    'Ω≈ç√∫˜µ≤≥÷',
    '%00%0d%0a',
    '../../etc/passwd',
    '{{7*7}}<%= 7*7 %>',
    '-1',
    '0',
    '99999999999999999999',
    '1e308',
    'NaN',
    '2026-02-30',
    '25:61',
    'true',
    '',
    ' ',
  ),
  fc.string({ minLength: 2000, maxLength: 6000 }),
  fc.integer().map(String),
);

const fieldValue = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.array(hostileText, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

let t: TestApp;
let admin: TestClient;
let demoSlug: string;

/** Route parameters: a real demo event where the route takes a slug, otherwise hostile values. */
function concrete(url: string, pick: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    if (name === 'slug') return demoSlug;
    return encodeURIComponent(pick);
  });
}

beforeAll(async () => {
  // The site-wide limiter would answer most of these with 429 and hide what the forms do.
  t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '10000000', FORM_RATE_LIMIT_PER_MINUTE: '10000000' } });
  await seedDemo(t.db);
  await ensureAdmins(t.db, ['fuzzer@example.org']);
  admin = await t.signedIn('fuzzer@example.org');
  await watchEveryTable();
  demoSlug = 'hub-launch-and-discussion-day';
});
afterAll(async () => {
  await t.close();
});

function formRoutes() {
  return t.app.routeAccess.filter(
    // Signing out and deleting the account take no input and would end the signed-in visitor.
    (r) => r.method === 'POST' && r.csrf && !['/sign-out', '/sign-out-everywhere', '/account/delete'].includes(r.url),
  );
}

// Tables that record an attempt whether or not it is refused: sign-in requests are counted to
// limit them, and sessions are touched by every visit.
const RECORDS_ATTEMPTS = new Set(['sign_in_tokens', 'sessions']);

async function rows(query: string): Promise<Record<string, unknown>[]> {
  const result = (await t.db.execute(sql.raw(query))) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
}

/**
 * Counts every row written, changed or deleted by a committed transaction, in any table: a
 * trigger per table (test database only) adds one to a counter, and a rolled-back transaction
 * takes its additions back with it. A refused post must leave the counter where it was.
 */
async function watchEveryTable(): Promise<void> {
  await rows('create table hostile_changes (n bigint not null)');
  await rows('insert into hostile_changes values (0)');
  await rows(`create function hostile_bump() returns trigger language plpgsql as $$
    begin update hostile_changes set n = n + 1; return null; end $$`);
  const tables = await rows(`select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'hostile_changes'`);
  for (const { name } of tables) {
    if (RECORDS_ATTEMPTS.has(String(name))) continue;
    await rows(`create trigger hostile_watch after insert or update or delete on "${String(name)}" for each row execute function hostile_bump()`);
  }
}

async function changes(): Promise<number> {
  return Number((await rows('select n from hostile_changes'))[0]!.n);
}

async function postAndCheck(client: TestClient, url: string, fields: FormFields): Promise<void> {
  const before = await changes();
  const response = await client.post(url, fields);
  const where = `POST ${url} ${JSON.stringify(fields).slice(0, 300)}`;
  expect(response.statusCode, where).toBeLessThan(500);
  expect(response.statusCode, where).not.toBe(429);
  if (response.statusCode === 303 || response.statusCode === 302) {
    // Accepted: the page it leads to shows what was typed escaped too.
    const next = await client.get(String(response.headers.location));
    expect(next.statusCode, `${where} → ${response.headers.location}`).toBeLessThan(500);
    expect(next.body, where).not.toContain(MARKER);
    return;
  }
  expect(response.headers['content-type'], where).toMatch(/text\/html/);
  expect(response.body, where).not.toContain(MARKER);
  expect(response.body, where).not.toContain('<img src=x onerror');
  // Refused (a page that shows a result, such as a new private feed link, is a 200): nothing half-saved.
  if (response.statusCode >= 400) expect(await changes(), where).toBe(before);
}

describe('hostile input to every form', () => {
  it('counts committed changes and ignores rolled-back ones (so the check below means something)', async () => {
    const before = await changes();
    await rows("update events set title = title || '' where slug = 'hub-launch-and-discussion-day'");
    expect(await changes()).toBe(before + 1);
    await t.db
      .transaction(async (tx) => {
        await tx.execute(sql.raw("update events set title = title || '' where slug = 'hub-launch-and-discussion-day'"));
        tx.rollback();
      })
      .catch(() => {});
    expect(await changes()).toBe(before + 1);
  });

  it('never answers with a server error or unescaped input', async () => {
    const routes = formRoutes();
    expect(routes.length).toBeGreaterThan(3);
    const runsPerRoute = Math.max(20, Math.ceil(Number(process.env.HOSTILE_POSTS ?? 10_000) / routes.length));
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(
          fc.record(Object.fromEntries([...route.bodyFields, 'unexpected'].map((f) => [f, fieldValue])), { requiredKeys: [] }),
          fc.oneof(fc.uuid(), hostileText.filter((s) => s.length < 200)),
          fc.boolean(),
          async (fields, pick, asAdmin) => {
            const client = asAdmin ? admin : t.client();
            await postAndCheck(client, concrete(route.url, pick), fields as FormFields);
          },
        ),
        // A fixed seed keeps CI repeatable; HOSTILE_SEED=<n> explores other inputs.
        { numRuns: runsPerRoute, seed: Number(process.env.HOSTILE_SEED ?? 20261122) + routes.indexOf(route) },
      );
    }
    // Thousands of posts: time enough for a busy two-core machine.
  }, 600_000);

  it('still works for everyone afterwards', async () => {
    expect((await admin.get('/account')).statusCode).toBe(200);
    expect((await t.client().get('/')).statusCode).toBe(200);
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
  });
});
