// The public event list shows 20 events a page, each marked if co-produced or by invitation. With
// thousands of events those marks (a subquery each) must be worked out for the 20 shown, not for
// every matching event before the sort: that made the list of 10,000 events cost about 40 ms of
// PostgreSQL a request. And choosing the page and counting the matches read every matching event's
// row; an index with every column they use lets them read the index alone. This runs the real pages
// over HTTP, records the list's statement, and asks PostgreSQL how it runs it. (A list filtered by
// type, month or words still reads the rows of the events it filters.)
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../server/db/database.ts';
import { EVENTS_PER_PAGE } from '../../server/events/queries.ts';
import { insertEvents } from '../bench/dataset.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type PlanNode, planOf } from './plans.ts';

let database: TestDatabase;
let t: TestApp;
let admin: postgres.Sql;
const statements: { text: string; parameters: unknown[] }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await insertEvents(database.db, 3000);
  const capturing = connectPostgres(database.url!, { onQuery: (text, parameters) => statements.push({ text, parameters }) });
  t = await startTestApp({ database: { ...capturing, url: database.url }, env: { PAGE_CACHE_SECONDS: '0' } });
  admin = postgres(database.url!, { max: 1, onnotice: () => {} });
  await allVisible(admin, 'events');
}, 180_000);

/**
 * Vacuums until every page of the table is marked all-visible, as autovacuum leaves a live
 * table: only then may PostgreSQL answer from the index alone, and the planner prefers it. A
 * vacuum that runs while an older transaction is still open (the suite's other files run beside
 * this one) leaves pages unmarked, and the plan then reads the table, whatever the code does.
 */
async function allVisible(sql: postgres.Sql, table: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await sql.unsafe(`vacuum analyze ${table}`);
    const [row] = await sql.unsafe(`select relpages, relallvisible from pg_class where relname = '${table}'`);
    if (Number(row!.relallvisible) >= Number(row!.relpages)) return;
    if (attempt >= 60) {
      // Who holds the horizon back: every other session of the cluster with a snapshot.
      const holders = await sql.unsafe(
        `select datname, state, backend_xmin::text, xact_start::text, left(query, 80) as query from pg_stat_activity where backend_xmin is not null and pid <> pg_backend_pid()`,
      );
      throw new Error(`${table}: ${row!.relallvisible} of ${row!.relpages} pages all-visible after ${attempt + 1} vacuums; open: ${JSON.stringify(holders)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
afterAll(async () => {
  await admin?.end();
  await t?.close();
  await t?.database.close();
  await database?.close();
});

/** The most times any subquery in the plan ran. */
function mostSubqueryLoops(node: PlanNode, inSubPlan = false): number {
  const here = inSubPlan ? (node['Actual Loops'] ?? 0) : 0;
  return Math.max(here, ...(node.Plans ?? []).map((child) => mostSubqueryLoops(child, inSubPlan || child['Parent Relationship'] === 'SubPlan')));
}

/** Event rows read from the table (not from an index alone), over the whole plan. */
function eventRowsRead(node: PlanNode): number {
  const here = node['Relation Name'] === 'events' && node['Node Type'] !== 'Index Only Scan' ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  return here + (node.Plans ?? []).reduce((sum, child) => sum + eventRowsRead(child), 0);
}

describe('the public event list of 3,000 events', () => {
  it.each([
    ['upcoming', '/events'],
    ['the archive, page 3', '/events?when=past&page=3'],
  ])('%s: chooses and counts from the index, then reads and marks only the events shown', async (_, path) => {
    statements.length = 0;
    const response = await t.client().get(path);
    expect(response.statusCode).toBe(200);
    const list = statements.find((s) => /select count\(\*\) from "events"/.test(s.text));
    expect(list, `the list's statement for ${path}`).toBeDefined();
    const plan = await planOf(admin, list!.text, list!.parameters, { analyze: true });
    expect(eventRowsRead(plan)).toBeLessThanOrEqual(EVENTS_PER_PAGE);
    expect(mostSubqueryLoops(plan)).toBeLessThanOrEqual(EVENTS_PER_PAGE);
  });

  it.each([
    ['upcoming', '/events'],
    ['the archive', '/events?when=past'],
  ])('%s: reads the months to offer from the index alone, with the organisations, in one statement', async (_, path) => {
    statements.length = 0;
    expect((await t.client().get(path)).statusCode).toBe(200);
    const choices = statements.filter((s) => /'month'/.test(s.text));
    expect(choices, 'the statement of choices').toHaveLength(1);
    expect(choices[0]!.text).toContain('organisation');
    const plan = await planOf(admin, choices[0]!.text, choices[0]!.parameters, { analyze: true });
    expect(eventRowsRead(plan)).toBe(0);
  });

  it.each([
    ['a place', '/events?q=Birmingham'],
    ['a platform, in the archive', '/events?when=past&q=zoom'],
  ])('a search for %s is one statement that marks only the events shown', async (_, path) => {
    statements.length = 0;
    const response = await t.client().get(path);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/[1-9]\d* events found/);
    const lists = statements.filter((s) => /select count\(\*\) from "events"/.test(s.text));
    expect(lists, "the list's statements").toHaveLength(1);
    const plan = await planOf(admin, lists[0]!.text, lists[0]!.parameters, { analyze: true });
    expect(mostSubqueryLoops(plan)).toBeLessThanOrEqual(EVENTS_PER_PAGE);
  });
});
