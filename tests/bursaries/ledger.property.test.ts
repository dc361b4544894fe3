// The bursary ledger adds up, whatever the panel and applicants do and in whatever order: random
// sequences of real actions (through the services, on the real database) with the identities of
// server/bursaries/ledger.ts checked after every step, for each application and for the fund, and
// the finance CSV and the pages' states checked against them. Refused actions (a claim before an
// approval, a repayment of nothing …) are part of the sequences: refusing must leave no trace.
import { eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryClaims, bursaryFunds, bursaryItems, bursaryLedger, people } from '../../db/schema/index.ts';
import { decideApplication, loadApplications, saveDraft, startApplication, submitApplication } from '../../server/bursaries/applications.ts';
import { approveClaim, closeApplication, recordPayment, submitClaim } from '../../server/bursaries/claims.ts';
import { balancesOf, fundFigures, totalsOf } from '../../server/bursaries/ledger.ts';
import type { BursarySettings } from '../../server/bursaries/money.ts';
import type { Actor } from '../../server/bursaries/panel.ts';
import { recordRepayment, writeOff } from '../../server/bursaries/repayments.ts';
import { fundReport, reportCsv } from '../../server/bursaries/reporting.ts';
import { applicationView } from '../../server/bursaries/view-models.ts';
import { ConflictError, InvalidInputError } from '../../server/errors.ts';
import { poundsField } from '../../server/money.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createEvent } from './support.ts';

// Receipts are tested elsewhere (claims.test.ts); here every claimed amount is under the threshold.
const settings: BursarySettings = { mileagePencePerMile: 45, receiptThresholdPence: 100_000_000, writeOffBelowPence: 500, retentionMonths: 12 };

let t: TestApp;
let boss: Actor;
let run = 0;

async function person(email: string): Promise<Actor> {
  const [row] = await t.db
    .insert(people)
    .values({ email, displayName: email.split('@')[0]! })
    .returning({ id: people.id });
  return { id: row!.id, isOrganiser: false, isAdmin: false };
}

beforeAll(async () => {
  t = await startTestApp();
  boss = { ...(await person('treasurer@example.org')), isOrganiser: true };
});
afterAll(async () => {
  await t.close();
});

/** A pounds amount as typed, from pence. */
const typed = (pence: number) => poundsField(pence);

const app = fc.integer({ min: 0, max: 1 });
const pence = fc.integer({ min: 1, max: 9000 });
const action = fc.oneof(
  fc.record({
    kind: fc.constant('decide' as const),
    app,
    outcome: fc.constantFrom('approve_all' as const, 'approve_part' as const, 'decline' as const),
    share: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), app, amount: pence }),
  fc.record({ kind: fc.constant('claim' as const), app, share: fc.integer({ min: 0, max: 130 }) }),
  fc.record({ kind: fc.constant('approveClaim' as const), app }),
  fc.record({ kind: fc.constant('settle' as const), app, amount: pence, exact: fc.boolean() }),
  fc.record({ kind: fc.constant('repay' as const), app, amount: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({
    kind: fc.constant('writeOff' as const),
    app,
    amount: fc.option(fc.integer({ min: 1, max: 3000 })),
    reason: fc.constantFrom('', 'Small amount: not worth asking for'),
  }),
  fc.record({ kind: fc.constant('close' as const), app }),
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

async function setUp() {
  run += 1;
  const event = await createEvent(t.db);
  const [fund] = await t.db
    .insert(bursaryFunds)
    .values({ eventId: event.id, name: `Ledger ${run}`, budgetPence: 20_000 })
    .returning({ id: bursaryFunds.id });
  const apps: { id: string; applicant: Actor }[] = [];
  for (const n of [1, 2]) {
    const applicant = await person(`ledger-${run}-${n}@example.org`);
    const id = await startApplication(t.db, event.slug, applicant);
    await saveDraft(
      t.db,
      id,
      {
        perspective: 'service_user',
        inAdvance: true,
        hubBooksTickets: false,
        paymentMethod: 'other',
        paymentName: '',
        paymentArrangement: 'Cash',
        note: '',
        items: [
          { category: 'travel', description: 'Train', amount: typed(4000 + n * 350) },
          { category: 'subsistence', description: 'Lunch', amount: typed(1200) },
        ],
      },
      applicant,
      settings,
    );
    await submitApplication(t.db, id, applicant);
    apps.push({ id, applicant });
  }
  return { fundId: fund!.id, apps };
}

async function apply(fundId: string, apps: { id: string; applicant: Actor }[], a: Action): Promise<void> {
  const target = apps[a.app]!;
  const items = await t.db
    .select({ id: bursaryItems.id, estimatePence: bursaryItems.estimatePence, approvedPence: bursaryItems.approvedPence })
    .from(bursaryItems)
    .where(eq(bursaryItems.applicationId, target.id));
  const [balances] = (await loadApplications(t.db, { ids: [target.id] })).map((l) => balancesOf(totalsOf(l.ledger)));
  switch (a.kind) {
    case 'decide':
      return decideApplication(
        t.db,
        fundId,
        target.id,
        {
          outcome: a.outcome,
          amounts: Object.fromEntries(items.map((i) => [i.id, typed(Math.floor((i.estimatePence * a.share) / 100))])),
          message: 'Decided',
          overrideReason: 'Test',
        },
        boss,
      );
    case 'advance':
      return recordPayment(
        t.db,
        fundId,
        target.id,
        { kind: 'advance', amount: typed(a.amount), paidOn: '2026-11-20', method: 'Bank transfer', reference: '' },
        boss,
      );
    case 'claim':
      return submitClaim(
        t.db,
        target.id,
        Object.fromEntries(items.map((i) => [i.id, typed(Math.floor(((i.approvedPence ?? 0) * a.share) / 100))])),
        target.applicant,
        settings,
      );
    case 'approveClaim':
      return approveClaim(t.db, fundId, target.id, boss);
    case 'settle':
      return recordPayment(
        t.db,
        fundId,
        target.id,
        {
          kind: 'settlement',
          amount: typed(a.exact && balances!.toPayPence > 0 ? balances!.toPayPence : a.amount),
          paidOn: '2026-11-22',
          method: 'Cash',
          reference: '',
        },
        boss,
      );
    case 'repay':
      return recordRepayment(
        t.db,
        fundId,
        target.id,
        { amount: typed(Math.min(a.amount, Math.max(1, balances!.stillOwedPence))), paidOn: '2026-11-25', method: 'Bank transfer', reference: '' },
        boss,
      );
    case 'writeOff':
      return writeOff(t.db, fundId, target.id, { amount: a.amount === null ? '' : typed(a.amount), reason: a.reason }, boss);
    case 'close':
      return closeApplication(t.db, fundId, target.id, boss);
  }
}

/** The identities stated in server/bursaries/ledger.ts, from the stored rows. */
async function checkIdentities(fundId: string, appIds: string[]) {
  const loaded = await loadApplications(t.db, { ids: appIds });
  let toPay = 0;
  let netPaid = 0;
  let paidOut = 0;
  for (const app of loaded) {
    const b = balancesOf(totalsOf(app.ledger));
    expect(b.toPayPence).toBeGreaterThanOrEqual(0);
    expect(b.stillOwedPence).toBeGreaterThanOrEqual(0);
    expect(b.owedBackPence).toBe(Math.max(0, b.paidOutPence - (b.allowedPence - b.releasedPence)));
    expect(b.toPayPence).toBe(b.allowedPence - b.releasedPence - b.paidOutPence + b.owedBackPence);
    expect(b.stillOwedPence).toBe(b.owedBackPence - b.repaidPence - b.writtenOffPence);
    expect(b.committedPence).toBe(b.toPayPence + b.paidOutPence - b.repaidPence);
    expect(b.claimApprovedPence ?? 0).toBeLessThanOrEqual(b.approvedPence);
    // The ledger agrees with the decision and the claim it records.
    const approvedItems = app.items.reduce((s, i) => s + (i.approvedPence ?? 0), 0);
    if (app.status === 'approved' || app.status === 'part_approved') expect(b.approvedPence).toBe(approvedItems);
    else expect(b.approvedPence).toBe(0);
    const [claim] = await t.db
      .select({ status: bursaryClaims.status, approvedPence: bursaryClaims.approvedPence })
      .from(bursaryClaims)
      .where(eq(bursaryClaims.applicationId, app.id));
    if (claim && claim.status !== 'submitted') expect(b.claimApprovedPence).toBe(claim.approvedPence);
    else expect(b.claimApprovedPence).toBeNull();
    // Settled when closed: nothing left either way.
    if (app.closedAt) expect([b.toPayPence, b.stillOwedPence]).toEqual([0, 0]);
    // The page never calls it settled while money is owed either way.
    const view = applicationView(app, settings);
    if (view.money && /Settled/.test(view.money.label)) expect([b.toPayPence, b.stillOwedPence]).toEqual([0, 0]);
    if (b.paidOutPence > 0 && !app.claim && !app.closedAt && b.stillOwedPence === 0) expect(view.money?.label).toBe('Advance paid — waiting for your receipts');
    toPay += b.toPayPence;
    netPaid += b.paidOutPence - b.repaidPence;
    paidOut += b.paidOutPence;
  }
  // The fund: budget = remaining + still to pay + paid out and not paid back.
  const figures = await fundFigures(t.db, fundId);
  expect(figures.budgetPence).toBe(figures.remainingPence + toPay + netPaid);
  expect(figures.toPayPence).toBe(toPay);
  expect(figures.paidPence).toBe(paidOut);
  // The finance CSV says the same: its Paid out and Still to pay columns add up to the fund's.
  const csv = reportCsv(await fundReport(t.db, fundId))
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  const header = csv[0]!.split(',');
  const column = (name: string) => csv.slice(1).reduce((s, line) => s + Math.round(Number(line.split(',')[header.indexOf(name)]) * 100), 0);
  expect(column('Paid out')).toBe(figures.paidPence);
  expect(column('Still to pay')).toBe(figures.toPayPence);
  expect(column('Still owed to the Hub')).toBe(figures.stillOwedPence);
}

describe('the bursary ledger', () => {
  it('adds up after every step of any sequence of decisions, advances, claims, payments, repayments, write-offs and closings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 14 }), async (actions) => {
        const { fundId, apps } = await setUp();
        const ids = apps.map((a) => a.id);
        await checkIdentities(fundId, ids);
        for (const a of actions) {
          const before = await t.db.select({ id: bursaryLedger.id }).from(bursaryLedger).where(inArray(bursaryLedger.applicationId, ids));
          try {
            await apply(fundId, apps, a);
          } catch (error) {
            if (!(error instanceof ConflictError || error instanceof InvalidInputError)) throw error;
            // A refused action leaves the ledger as it was.
            expect(await t.db.select({ id: bursaryLedger.id }).from(bursaryLedger).where(inArray(bursaryLedger.applicationId, ids))).toHaveLength(
              before.length,
            );
          }
          await checkIdentities(fundId, ids);
        }
      }),
      {
        // A fixed seed keeps CI repeatable; LEDGER_SEED and LEDGER_RUNS explore further, and any
        // sequence found that way is added to the examples below.
        numRuns: Number(process.env.LEDGER_RUNS ?? 12),
        seed: Number(process.env.LEDGER_SEED ?? 20261130),
        examples: [
          // Found by CI on 30 November: an advance over a part approval, the extra paid back, no
          // claim yet. The page said "Settled" while the receipts were still to come.
          [
            [
              { kind: 'decide', app: 0, outcome: 'approve_part', share: 1 },
              { kind: 'advance', app: 0, amount: 56 },
              { kind: 'repay', app: 0, amount: 1 },
              { kind: 'settle', app: 0, amount: 1, exact: false },
              { kind: 'approveClaim', app: 0 },
              { kind: 'decide', app: 0, outcome: 'approve_all', share: 1 },
            ],
          ],
        ],
      },
    );
  }, 600_000);

  it('a £2 overpayment: owed back, kindly; written off with a reason; the fund adds up', async () => {
    const { fundId, apps } = await setUp();
    const { id } = apps[0]!;
    await decideApplication(t.db, fundId, id, { outcome: 'approve_all', amounts: {}, message: 'Yes', overrideReason: '' }, boss);
    const items = await t.db
      .select({ id: bursaryItems.id, approvedPence: bursaryItems.approvedPence })
      .from(bursaryItems)
      .where(eq(bursaryItems.applicationId, id));
    const approved = items.reduce((s, i) => s + (i.approvedPence ?? 0), 0);
    await recordPayment(t.db, fundId, id, { kind: 'advance', amount: typed(approved), paidOn: '2026-11-20', method: 'Bank transfer', reference: '' }, boss);
    let [app] = await loadApplications(t.db, { ids: [id] });
    expect(applicationView(app!, settings).money!.label).toBe('Advance paid — waiting for your receipts');
    // Claims £2 less than the advance.
    await submitClaim(
      t.db,
      id,
      { [items[0]!.id]: typed(items[0]!.approvedPence! - 200), [items[1]!.id]: typed(items[1]!.approvedPence!) },
      apps[0]!.applicant,
      settings,
    );
    await approveClaim(t.db, fundId, id, boss);
    [app] = await loadApplications(t.db, { ids: [id] });
    const owing = applicationView(app!, settings);
    expect(owing.money!.label).toBe('£2 overpaid — nothing needed straight away');
    expect(owing.money!.detail).toContain('pay it back by bank transfer');
    expect(owing.money!.detail).toContain('writing it off');
    expect(owing.money!.detail).not.toMatch(/must|immediately|legal|debt/i);
    expect(owing.offerWriteOff).toBe(true);
    expect(owing.canClose).toBe(false);
    await expect(closeApplication(t.db, fundId, id, boss)).rejects.toThrow('write it off');
    // A write-off needs a reason.
    await expect(writeOff(t.db, fundId, id, { amount: '', reason: ' ' }, boss)).rejects.toBeInstanceOf(InvalidInputError);
    await writeOff(t.db, fundId, id, { amount: '', reason: 'Under £5' }, boss);
    [app] = await loadApplications(t.db, { ids: [id] });
    expect(applicationView(app!, settings).money!.label).toBe('£2 overpaid — the Hub has written this off');
    const figures = await fundFigures(t.db, fundId);
    expect(figures).toMatchObject({ paidPence: approved, writtenOffPence: 200, toPayPence: 0, stillOwedPence: 0, remainingPence: 20_000 - approved });
    await checkIdentities(fundId, [id]);
    const [row] = await t.db.select({ status: bursaryApplications.status }).from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(row!.status).toBe('approved');
  });
});
