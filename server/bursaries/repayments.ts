// Money an applicant was overpaid: the panel records what they pay back, or writes it off with a
// reason. Both are ledger entries (ledger.ts), so the application and the fund settle exactly.
// The applicant is told kindly either way; nothing here ever chases anyone.
import { eq } from 'drizzle-orm';
import { events, people } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, type FieldError } from '../errors.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { formatPence, parsePounds } from '../money.ts';
import { applicationPath, lockForPanel } from './applications.ts';
import { isCalendarDate } from './claims.ts';
import { addEntry, applicationBalances } from './ledger.ts';
import type { Actor } from './panel.ts';

export interface RepaymentInput {
  amount: string;
  paidOn: string;
  method: string;
  reference: string;
}

export interface WriteOffInput {
  /** Pounds as typed; empty: all that is still owed. */
  amount: string;
  reason: string;
}

/** The amount typed, which must be more than 0 and no more than is still owed. */
function readAmount(raw: string, stillOwed: number, field: string, errors: FieldError[], emptyMeansAll: boolean): number {
  const pence = parsePounds(raw);
  if (pence === null && emptyMeansAll) return stillOwed;
  if (pence === null || Number.isNaN(pence) || pence === 0) {
    errors.push({ field, message: 'Enter the amount in pounds, like 2 or 12.50' });
    return 0;
  }
  if (pence > stillOwed) errors.push({ field, message: `That is more than is owed back (${formatPence(stillOwed)})` });
  return pence;
}

async function lockOwed(tx: Db, fundId: string, applicationId: string, actor: Actor) {
  const app = await lockForPanel(tx, fundId, applicationId, actor);
  const balances = await applicationBalances(tx, applicationId);
  if (balances.stillOwedPence <= 0) throw new ConflictError('bursary_nothing_owed', 'Nothing is owed back on this application.');
  return { app, balances };
}

async function tellApplicant(
  tx: Db,
  app: { applicantId: string | null; eventId: string },
  applicationId: string,
  because: 'bursary.repaid' | 'bursary.written-off',
  settled: boolean,
) {
  if (!app.applicantId) return;
  const [person] = await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, app.applicantId));
  const [event] = await tx.select({ title: events.title }).from(events).where(eq(events.id, app.eventId));
  if (!person || !event) return;
  await enqueueEmail(tx, {
    because,
    to: person.email,
    template: because === 'bursary.repaid' ? 'bursary-repaid' : 'bursary-written-off',
    data: { name: person.displayName, eventTitle: event.title, settled, applicationPath: applicationPath(applicationId) },
  });
}

/** The applicant paid back some or all of what they were overpaid. */
export async function recordRepayment(
  db: Database,
  fundId: string,
  applicationId: string,
  input: RepaymentInput,
  actor: Actor,
  now = new Date(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const { app, balances } = await lockOwed(tx, fundId, applicationId, actor);
    const errors: FieldError[] = [];
    const amountPence = readAmount(input.amount, balances.stillOwedPence, 'repaidAmount', errors, false);
    if (!isCalendarDate(input.paidOn.trim())) errors.push({ field: 'repaidOn', message: 'Enter the date it was paid back, like 2026-12-09' });
    if (!input.method.trim()) errors.push({ field: 'repaidMethod', message: 'Enter how it was paid back, for example bank transfer' });
    if (errors.length) throw new InvalidInputError(errors);
    await addEntry(tx, {
      fundId,
      applicationId,
      kind: 'repaid',
      amountPence,
      occurredOn: input.paidOn.trim(),
      method: input.method.trim().slice(0, 100),
      reference: input.reference.trim().slice(0, 200),
      recordedBy: actor.id,
      now,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.repayment.recorded',
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { amountPence },
    });
    await tellApplicant(tx, app, applicationId, 'bursary.repaid', amountPence === balances.stillOwedPence);
  });
}

/** The Hub will not ask for some or all of an overpayment back; the reason is kept for the panel. */
export async function writeOff(db: Database, fundId: string, applicationId: string, input: WriteOffInput, actor: Actor, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const { app, balances } = await lockOwed(tx, fundId, applicationId, actor);
    const errors: FieldError[] = [];
    const amountPence = readAmount(input.amount, balances.stillOwedPence, 'writeOffAmount', errors, true);
    const reason = input.reason.trim();
    if (!reason) errors.push({ field: 'writeOffReason', message: 'Enter why the Hub is writing this off' });
    if (errors.length) throw new InvalidInputError(errors);
    await addEntry(tx, { fundId, applicationId, kind: 'written_off', amountPence, reason: reason.slice(0, 2000), recordedBy: actor.id, now });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.written_off',
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { amountPence },
    });
    await tellApplicant(tx, app, applicationId, 'bursary.written-off', amountPence === balances.stillOwedPence);
  });
}
