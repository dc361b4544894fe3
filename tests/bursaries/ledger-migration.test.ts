// The migration that moves bursary money into the ledger (0011): on a database with rows in it,
// migration by migration as an upgrade would run, every decision, payment, approved claim,
// overpayment and closing becomes its entry, and the balances are what they were before.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balancesOf, totalsOf } from '../../server/bursaries/ledger.ts';
import type { BursaryLedgerKind } from '../../db/schema/index.ts';

const folder = path.resolve(import.meta.dirname, '../../db/migrations');
const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
const entries = [...journal.entries].sort((a, b) => a.idx - b.idx);
const ledgerIndex = entries.findIndex((e) => e.tag.endsWith('_bursary_ledger'));

let db: PGlite;
const ids: Record<string, string> = {};

async function apply(tag: string) {
  for (const statement of fs.readFileSync(path.join(folder, `${tag}.sql`), 'utf8').split('--> statement-breakpoint')) {
    if (statement.trim()) await db.exec(statement);
  }
}

async function one<T>(query: string, params: unknown[] = []): Promise<T> {
  return (await db.query<T>(query, params)).rows[0]!;
}

async function application(name: string, fundId: string, eventId: string, personId: string, status: string, approved: number[], closed = false) {
  const { id } = await one<{ id: string }>(
    `insert into bursary_applications (fund_id, event_id, applicant_id, status, decided_at, closed_at) values ($1, $2, $3, $4, '2026-10-01T10:00:00Z', $5) returning id`,
    [fundId, eventId, personId, status, closed ? '2026-11-30T10:00:00Z' : null],
  );
  const categories = ['travel', 'care', 'other'];
  for (const [n, pence] of approved.entries()) {
    await db.query('insert into bursary_items (application_id, category, estimate_pence, approved_pence) values ($1, $2, $3, $4)', [
      id,
      categories[n],
      pence + 500,
      pence,
    ]);
  }
  ids[name] = id;
  return id;
}

const payment = (appId: string, kind: string, pence: number, on: string) =>
  db.query(`insert into bursary_payments (application_id, kind, amount_pence, paid_on, method, reference) values ($1, $2, $3, $4, 'Bank transfer', 'REF')`, [
    appId,
    kind,
    pence,
    on,
  ]);
const claim = (appId: string, status: string, approvedPence: number | null) =>
  db.query(`insert into bursary_claims (application_id, status, approved_at, approved_pence) values ($1, $2, '2026-11-10T10:00:00Z', $3)`, [
    appId,
    status,
    approvedPence,
  ]);

beforeAll(async () => {
  db = await PGlite.create();
  expect(ledgerIndex).toBeGreaterThan(0);
  for (const entry of entries.slice(0, ledgerIndex)) await apply(entry.tag);
  const person = (await one<{ id: string }>(`insert into people (email) values ('a@example.org') returning id`)).id;
  const event = (await one<{ id: string }>(`insert into events (slug, title, type) values ('e', 'E', 'seminar') returning id`)).id;
  const fund = (await one<{ id: string }>(`insert into bursary_funds (event_id, name, budget_pence) values ($1, 'Fund', 100000) returning id`, [event])).id;
  ids.fund = fund;
  // Approved, an advance, no claim yet.
  await payment(await application('advanced', fund, event, person, 'approved', [4000]), 'advance', 1500, '2026-10-05');
  // Claim approved below the advance: £2 overpaid.
  const over = await application('overpaid', fund, event, person, 'approved', [3000, 1000]);
  await payment(over, 'advance', 4000, '2026-10-05');
  await claim(over, 'paid', 3800);
  // Claim approved and paid in full.
  const settled = await application('settled', fund, event, person, 'part_approved', [2000]);
  await claim(settled, 'paid', 1800);
  await payment(settled, 'settlement', 1800, '2026-11-12');
  // Closed unclaimed after a part advance: the rest went back to the budget.
  await payment(await application('closed', fund, event, person, 'approved', [5000], true), 'advance', 1000, '2026-10-06');
  // Declined and waiting: nothing.
  await application('declined', fund, event, person, 'declined', [0]);
  await application('waiting', fund, event, person, 'submitted', []);
  for (const entry of entries.slice(ledgerIndex)) await apply(entry.tag);
});
afterAll(async () => {
  await db?.close();
});

async function balances(name: string) {
  const rows = (
    await db.query<{ kind: BursaryLedgerKind; amount_pence: number }>('select kind, amount_pence from bursary_ledger where application_id = $1', [ids[name]])
  ).rows;
  return balancesOf(totalsOf(rows.map((r) => ({ kind: r.kind, amountPence: r.amount_pence }))));
}

describe('moving bursary money into the ledger', () => {
  it('keeps what each application was approved, paid and owes, either way', async () => {
    expect(await balances('advanced')).toMatchObject({
      approvedPence: 4000,
      claimApprovedPence: null,
      advancePence: 1500,
      toPayPence: 2500,
      stillOwedPence: 0,
    });
    expect(await balances('overpaid')).toMatchObject({
      approvedPence: 4000,
      claimApprovedPence: 3800,
      paidOutPence: 4000,
      owedBackPence: 200,
      toPayPence: 0,
      stillOwedPence: 200,
    });
    expect(await balances('settled')).toMatchObject({ approvedPence: 2000, claimApprovedPence: 1800, settlementPence: 1800, toPayPence: 0, stillOwedPence: 0 });
    expect(await balances('closed')).toMatchObject({ approvedPence: 5000, paidOutPence: 1000, releasedPence: 4000, toPayPence: 0, committedPence: 1000 });
    expect(await balances('declined')).toMatchObject({ approvedPence: 0, committedPence: 0 });
    expect(await balances('waiting')).toMatchObject({ approvedPence: 0, committedPence: 0 });
  });

  it('keeps how and when each payment was made, and drops the old table', async () => {
    const paid = (
      await db.query<{ kind: string; occurred_on: string; method: string; reference: string; fund_id: string }>(
        `select kind, occurred_on::text, method, reference, fund_id from bursary_ledger where kind in ('advance', 'settlement') order by occurred_on, kind`,
      )
    ).rows;
    expect(paid).toHaveLength(4);
    expect(paid[0]).toEqual({ kind: 'advance', occurred_on: '2026-10-05', method: 'Bank transfer', reference: 'REF', fund_id: ids.fund });
    expect((await db.query(`select to_regclass('bursary_payments') as t`)).rows).toEqual([{ t: null }]);
  });
});
