// The bursary ledger: every amount of every application is an entry (db/schema/bursaries.ts), and
// every figure a page, report or CSV shows is worked out here from those entries, so they agree.
//
// For one application, with A approved, C claim approved, P paid out (advances + settlements),
// O owed back, R repaid, W written off and L released (each the sum of its entries):
//
//   allowed       E = C once the claim is approved, else A            (C ≤ A: claims are capped)
//   still to pay  D = E − L − P + O                                  (never negative)
//   owed back     O = max(0, P − (E − L))                            (written as entries when it arises)
//   still owed    Q = O − R − W                                      (never negative)
//   committed     K = E − L + O − R = D + (P − R)                    (what it takes from the budget)
//
// Settled means D = 0 and Q = 0, and then P − R = E − L + W: the money that left the Hub for
// good is what was allowed plus what was written off. For a fund with budget B:
//
//   B = remaining + Σ D + Σ (P − R)
//
// i.e. the budget is what is left, plus what is still to be paid, plus what was paid and not
// repaid. tests/bursaries/ledger.property.test.ts checks all of these after every step of random
// sequences of real actions.
import { asc, eq, inArray, sql, type SQLWrapper } from 'drizzle-orm';
import { bursaryFunds, bursaryLedger, type BursaryLedgerKind } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../errors.ts';
import { londonDay } from '../format.ts';

export interface Balances {
  approvedPence: number;
  /** Null until the claim is approved. */
  claimApprovedPence: number | null;
  allowedPence: number;
  releasedPence: number;
  advancePence: number;
  settlementPence: number;
  paidOutPence: number;
  owedBackPence: number;
  repaidPence: number;
  writtenOffPence: number;
  /** What the Hub still has to pay the applicant. */
  toPayPence: number;
  /** What the applicant still owes the Hub (paid more than the claim allows, not yet repaid or written off). */
  stillOwedPence: number;
  /** What this application takes from the fund's budget. */
  committedPence: number;
}

/** Sums of one application's entries by kind. */
export type KindTotals = Partial<Record<BursaryLedgerKind, number>>;

export function totalsOf(entries: ReadonlyArray<{ kind: BursaryLedgerKind; amountPence: number }>): KindTotals {
  const totals: KindTotals = {};
  for (const e of entries) totals[e.kind] = (totals[e.kind] ?? 0) + e.amountPence;
  return totals;
}

export function balancesOf(t: KindTotals): Balances {
  const approvedPence = t.approved ?? 0;
  const claimApprovedPence = t.claim_approved ?? null;
  const allowedPence = claimApprovedPence ?? approvedPence;
  const releasedPence = t.released ?? 0;
  const advancePence = t.advance ?? 0;
  const settlementPence = t.settlement ?? 0;
  const paidOutPence = advancePence + settlementPence;
  const owedBackPence = t.owed_back ?? 0;
  const repaidPence = t.repaid ?? 0;
  const writtenOffPence = t.written_off ?? 0;
  return {
    approvedPence,
    claimApprovedPence,
    allowedPence,
    releasedPence,
    advancePence,
    settlementPence,
    paidOutPence,
    owedBackPence,
    repaidPence,
    writtenOffPence,
    toPayPence: allowedPence - releasedPence - paidOutPence + owedBackPence,
    stillOwedPence: owedBackPence - repaidPence - writtenOffPence,
    committedPence: allowedPence - releasedPence + owedBackPence - repaidPence,
  };
}

/** How much more is owed back now than the entries say (0 when nothing new): written by the services. */
export function newlyOwedBack(b: Balances): number {
  return Math.max(0, b.paidOutPence - (b.allowedPence - b.releasedPence) - b.owedBackPence);
}

export interface EntryInput {
  fundId: string;
  applicationId: string;
  kind: BursaryLedgerKind;
  amountPence: number;
  occurredOn?: string;
  method?: string;
  reference?: string;
  reason?: string;
  recordedBy: string | null;
  now?: Date;
}

/** Appends one entry (nothing for 0: the ledger holds only amounts that happened). */
export async function addEntry(tx: Db, input: EntryInput): Promise<void> {
  if (input.amountPence <= 0) return;
  const now = input.now ?? new Date();
  await tx.insert(bursaryLedger).values({
    fundId: input.fundId,
    applicationId: input.applicationId,
    kind: input.kind,
    amountPence: input.amountPence,
    occurredOn: input.occurredOn ?? londonDay(now),
    method: input.method ?? '',
    reference: input.reference ?? '',
    reason: input.reason ?? '',
    recordedBy: input.recordedBy,
    recordedAt: now,
  });
}

/** One application's balances (call with its row locked when deciding on them). */
export async function applicationBalances(tx: Db, applicationId: string): Promise<Balances> {
  const rows = await tx
    .select({ kind: bursaryLedger.kind, amountPence: sql<number>`sum(${bursaryLedger.amountPence})::int` })
    .from(bursaryLedger)
    .where(eq(bursaryLedger.applicationId, applicationId))
    .groupBy(bursaryLedger.kind);
  return balancesOf(totalsOf(rows.map((r) => ({ kind: r.kind, amountPence: Number(r.amountPence) }))));
}

/** If more has now been paid than is allowed, records the difference as owed back. */
export async function recordOverpayment(tx: Db, input: { fundId: string; applicationId: string; recordedBy: string | null; now?: Date }): Promise<number> {
  const owed = newlyOwedBack(await applicationBalances(tx, input.applicationId));
  await addEntry(tx, { ...input, kind: 'owed_back', amountPence: owed });
  return owed;
}

/** Every entry of the given applications, oldest first, for their pages. */
export async function entriesOf(db: Db, applicationIds: string[] | SQLWrapper) {
  if (Array.isArray(applicationIds) && applicationIds.length === 0) return [];
  return db
    .select({
      applicationId: bursaryLedger.applicationId,
      kind: bursaryLedger.kind,
      amountPence: bursaryLedger.amountPence,
      occurredOn: bursaryLedger.occurredOn,
      method: bursaryLedger.method,
      reference: bursaryLedger.reference,
      reason: bursaryLedger.reason,
      recordedAt: bursaryLedger.recordedAt,
    })
    .from(bursaryLedger)
    .where(inArray(bursaryLedger.applicationId, applicationIds))
    .orderBy(asc(bursaryLedger.recordedAt), asc(bursaryLedger.id));
}

export type LedgerRow = Awaited<ReturnType<typeof entriesOf>>[number];

/** Each application of a fund with its balances (only those with entries). */
export async function fundBalances(db: Db, fundId: string): Promise<Map<string, Balances>> {
  const rows = await db
    .select({ applicationId: bursaryLedger.applicationId, kind: bursaryLedger.kind, amountPence: sql<number>`sum(${bursaryLedger.amountPence})::int` })
    .from(bursaryLedger)
    .where(eq(bursaryLedger.fundId, fundId))
    .groupBy(bursaryLedger.applicationId, bursaryLedger.kind);
  const totals = new Map<string, KindTotals>();
  for (const r of rows) {
    const t = totals.get(r.applicationId) ?? {};
    t[r.kind] = Number(r.amountPence);
    totals.set(r.applicationId, t);
  }
  return new Map([...totals].map(([id, t]) => [id, balancesOf(t)]));
}

export interface FundFigures {
  budgetPence: number;
  /** What approved applications take from the budget (committed): still to pay + paid out − repaid. */
  approvedPence: number;
  paidPence: number;
  repaidPence: number;
  writtenOffPence: number;
  toPayPence: number;
  stillOwedPence: number;
  remainingPence: number;
}

export function sumFigures(budgetPence: number, balances: Iterable<Balances>): FundFigures {
  const f = { budgetPence, approvedPence: 0, paidPence: 0, repaidPence: 0, writtenOffPence: 0, toPayPence: 0, stillOwedPence: 0, remainingPence: 0 };
  for (const b of balances) {
    f.approvedPence += b.committedPence;
    f.paidPence += b.paidOutPence;
    f.repaidPence += b.repaidPence;
    f.writtenOffPence += b.writtenOffPence;
    f.toPayPence += b.toPayPence;
    f.stillOwedPence += b.stillOwedPence;
  }
  f.remainingPence = budgetPence - f.approvedPence;
  return f;
}

/** The fund's figures from its ledger. Lock the fund first when deciding. */
export async function fundFigures(db: Db, fundId: string, options: { excludeApplicationId?: string } = {}): Promise<FundFigures> {
  const [fund] = await db.select({ budgetPence: bursaryFunds.budgetPence }).from(bursaryFunds).where(eq(bursaryFunds.id, fundId));
  if (!fund) throw new NotFoundError('We could not find that bursary fund.');
  const balances = await fundBalances(db, fundId);
  if (options.excludeApplicationId) balances.delete(options.excludeApplicationId);
  return sumFigures(fund.budgetPence, balances.values());
}
