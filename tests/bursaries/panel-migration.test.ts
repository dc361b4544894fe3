// The migration that ends the planning role 'bursary_reviewer': whoever had accepted it on an
// event with its own fund moves to that fund's panel (with an audit entry naming the planner who
// appointed them); nobody keeps the old role, and nobody who had only been invited gains a panel.
// It runs on a database with rows in it, migration by migration, as an upgrade would.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const folder = path.resolve(import.meta.dirname, '../../db/migrations');
const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
const entries = [...journal.entries].sort((a, b) => a.idx - b.idx);
const panelIndex = entries.findIndex((e) => e.tag.endsWith('_bursary_panel'));

let db: PGlite;

async function apply(tag: string) {
  for (const statement of fs.readFileSync(path.join(folder, `${tag}.sql`), 'utf8').split('--> statement-breakpoint')) {
    if (statement.trim()) await db.exec(statement);
  }
}

async function one<T>(query: string, params: unknown[] = []): Promise<T> {
  return (await db.query<T>(query, params)).rows[0]!;
}

let lead: string;
let reviewer: string;
let fundId: string;

beforeAll(async () => {
  // A new database with no tables yet, from the run's kept dump (starting one from nothing is slow).
  db = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(inject('pgliteEmpty'))]) });
  expect(panelIndex).toBeGreaterThan(0);
  for (const entry of entries.slice(0, panelIndex)) await apply(entry.tag);
  const person = async (email: string) => (await one<{ id: string }>('insert into people (email) values ($1) returning id', [email])).id;
  const event = async (slug: string) =>
    (await one<{ id: string }>(`insert into events (slug, title, type) values ($1, $1, 'seminar') returning id`, [slug])).id;
  lead = await person('lead@example.org');
  reviewer = await person('reviewer@example.org');
  const invited = await person('invited@example.org');
  const speaker = await person('speaker@example.org');
  const withFund = await event('with-fund');
  const withoutFund = await event('without-fund');
  fundId = (await one<{ id: string }>(`insert into bursary_funds (event_id, name, budget_pence) values ($1, 'Fund', 100) returning id`, [withFund])).id;
  const member = `insert into planning_members (event_id, person_id, role, status, invited_by) values ($1, $2, $3, $4, $5)`;
  await db.query(member, [withFund, lead, 'lead', 'accepted', null]);
  await db.query(member, [withFund, reviewer, 'bursary_reviewer', 'accepted', lead]);
  await db.query(member, [withFund, invited, 'bursary_reviewer', 'invited', lead]);
  await db.query(member, [withFund, speaker, 'speaker', 'accepted', lead]);
  await db.query(member, [withoutFund, reviewer, 'bursary_reviewer', 'accepted', lead]);
  for (const entry of entries.slice(panelIndex)) await apply(entry.tag);
});
afterAll(async () => {
  await db?.close();
});

describe('moving bursary reviewers to the panel', () => {
  it('puts only accepted reviewers of an event with a fund on that fund’s panel, audited', async () => {
    const panel = (
      await db.query<{ fund_id: string; person_id: string; added_by: string | null }>('select fund_id, person_id, added_by from bursary_panel_members')
    ).rows;
    expect(panel).toEqual([{ fund_id: fundId, person_id: reviewer, added_by: null }]);
    const audit = (
      await db.query<{ action: string; subject_id: string; actor_id: string | null; details: unknown }>(
        'select action, subject_id, actor_id, details from audit_entries',
      )
    ).rows;
    expect(audit).toEqual([
      { action: 'bursary.panel.member_migrated', subject_id: fundId, actor_id: null, details: { personId: reviewer, appointedByPlanner: lead } },
    ]);
  });

  it('leaves nobody with the old role: reviewers stay in the group as note-takers', async () => {
    const roles = (
      await db.query<{ email: string; role: string }>(
        'select p.email, m.role from planning_members m join people p on p.id = m.person_id order by p.email, m.role',
      )
    ).rows;
    expect(roles).toEqual([
      { email: 'invited@example.org', role: 'note_taker' },
      { email: 'lead@example.org', role: 'lead' },
      { email: 'reviewer@example.org', role: 'note_taker' },
      { email: 'reviewer@example.org', role: 'note_taker' },
      { email: 'speaker@example.org', role: 'speaker' },
    ]);
  });
});
