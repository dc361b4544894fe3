// Retention: bursary applications hold health-related personal data, kept only as long as the
// Hub needs it. Bank details go once the application is settled. After the retention period the
// applicant's link, perspective, payment name and arrangement, notes, messages, item
// descriptions, mileage and receipts are erased, with every copy: the emails about it in the
// outbox and the applicant's own entries in the audit log. The amounts stay, with no way back to
// the person, for the fund's totals. Deleting an account erases applications the same way
// (eraseApplication; see server/accounts/erase.ts).
import { and, eq, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { bursaryApplications, bursaryClaims, bursaryItems, bursaryLedger, bursaryMessages, bursaryReceipts, events, people } from '../../db/schema/index.ts';
import { recordAudit, unlinkActor } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { londonDate } from '../london-time.ts';
import { forgetEmails } from '../mail/outbox.ts';
import { releaseHeldPlace } from './places.ts';
import { eraseBankDetails, eraseSettledBankDetails as eraseEncryptedBankDetails } from './bank-details.ts';

/**
 * Erases one application's personal data, keeping its amounts. Returns false if it was already
 * erased. Runs inside the caller's transaction.
 */
export async function eraseApplication(tx: Db, applicationId: string, now: Date): Promise<boolean> {
  const [row] = await tx
    .select({ applicantId: bursaryApplications.applicantId, email: people.email })
    .from(bursaryApplications)
    .leftJoin(people, eq(people.id, bursaryApplications.applicantId))
    .where(and(eq(bursaryApplications.id, applicationId), isNull(bursaryApplications.erasedAt)))
    .for('update', { of: bursaryApplications });
  if (!row) return false;
  await tx
    .update(bursaryApplications)
    .set({ applicantId: null, perspective: null, paymentName: '', paymentArrangement: '', note: '', overrideReason: '', decidedBy: null, erasedAt: now })
    .where(eq(bursaryApplications.id, applicationId));
  await eraseBankDetails(tx, applicationId);
  await tx.update(bursaryItems).set({ description: '', miles: null }).where(eq(bursaryItems.applicationId, applicationId));
  await tx.delete(bursaryMessages).where(eq(bursaryMessages.applicationId, applicationId));
  await tx.delete(bursaryReceipts).where(eq(bursaryReceipts.applicationId, applicationId));
  // The ledger keeps its amounts (anonymous, for the accounts); references and reasons may name people.
  await tx.update(bursaryLedger).set({ reference: '', reason: '', recordedBy: null }).where(eq(bursaryLedger.applicationId, applicationId));
  await tx.update(bursaryClaims).set({ approvedBy: null }).where(eq(bursaryClaims.applicationId, applicationId));
  // A place still held for it (an account deleted before the event) passes on.
  await releaseHeldPlace(tx, applicationId);
  // Every email about it carries its address (the application's page), and went to the applicant.
  await forgetEmails(tx, { mentions: [applicationId] });
  if (row.applicantId) await unlinkActor(tx, { actorId: row.applicantId, subjectType: 'bursary_application', subjectId: applicationId });
  await recordAudit(tx, { actorId: null, action: 'bursary.application.erased', subjectType: 'bursary_application', subjectId: applicationId });
  return true;
}

/**
 * Erases every application whose retention period has ended by `now`, and the bank details of
 * every settled one. An application goes `months` after the later of its event and its last
 * payment, whatever its state; sooner if it is over: paid or closed ones `months` after the last
 * payment, declined and withdrawn ones after the decision or withdrawal. Returns the ids erased.
 */
export async function eraseExpiredApplications(db: Database, options: { now: Date; months: number }): Promise<string[]> {
  await eraseSettledBankDetails(db);
  const cutoff = DateTime.fromJSDate(options.now).minus({ months: options.months }).toJSDate();
  const cutoffDay = londonDate(cutoff);
  const lastPaid = sql<
    string | null
  >`(select max(${bursaryLedger.occurredOn}) from ${bursaryLedger} where ${bursaryLedger.applicationId} = ${bursaryApplications.id} and ${bursaryLedger.kind} in ('advance', 'settlement', 'repaid'))`;
  const eventEnded = sql<Date | string | null>`coalesce(${events.endsAt}, ${events.startsAt})`;
  const candidates = await db
    .select({
      id: bursaryApplications.id,
      status: bursaryApplications.status,
      closedAt: bursaryApplications.closedAt,
      decidedAt: bursaryApplications.decidedAt,
      updatedAt: bursaryApplications.updatedAt,
      claimStatus: bursaryClaims.status,
      lastPaid,
      eventEnded,
    })
    .from(bursaryApplications)
    .innerJoin(events, eq(events.id, bursaryApplications.eventId))
    .leftJoin(bursaryClaims, eq(bursaryClaims.applicationId, bursaryApplications.id))
    .where(and(isNull(bursaryApplications.erasedAt), ne(bursaryApplications.status, 'draft')));
  const due = candidates.filter((c) => {
    const last = c.lastPaid ? String(c.lastPaid).slice(0, 10) : null;
    // The terminal rule: long after the event (and the last payment), whatever happened.
    const ended = c.eventEnded === null ? null : new Date(c.eventEnded);
    if (ended && ended.getTime() <= cutoff.getTime() && (!last || last <= cutoffDay)) return true;
    if (c.status === 'declined' || c.status === 'withdrawn') return (c.decidedAt ?? c.updatedAt).getTime() <= cutoff.getTime();
    if (c.status === 'submitted') return false;
    // Approved: only once it is settled (claim paid, or closed) and the last payment is old enough.
    const settled = c.claimStatus === 'paid' || c.closedAt !== null;
    if (!settled) return false;
    if (last) return last <= cutoffDay;
    return (c.closedAt ?? c.updatedAt).getTime() <= cutoff.getTime();
  });
  const erased: string[] = [];
  for (const { id } of due) {
    const done = await db.transaction((tx) => eraseApplication(tx, id, options.now));
    if (done) erased.push(id);
  }
  return erased;
}

/**
 * Bank details are needed only to pay: once the claim is paid or the application closed, they go
 * (the encrypted ones in bank-details.ts, and a name on the account kept before they were).
 */
export async function eraseSettledBankDetails(db: Db): Promise<number> {
  const encrypted = await eraseEncryptedBankDetails(db);
  const settled = sql`(${bursaryApplications.closedAt} is not null or exists (select 1 from ${bursaryClaims} where ${bursaryClaims.applicationId} = ${bursaryApplications.id} and ${bursaryClaims.status} = 'paid'))`;
  const rows = await db
    .update(bursaryApplications)
    .set({ paymentName: '', paymentArrangement: '' })
    .where(and(settled, or(ne(bursaryApplications.paymentName, ''), ne(bursaryApplications.paymentArrangement, ''))))
    .returning({ id: bursaryApplications.id });
  return encrypted + rows.length;
}

/**
 * Unused drafts are also personal data: they go after the same period without changes, or once
 * their event is that long past.
 */
export async function deleteStaleDrafts(db: Database, options: { now: Date; months: number }): Promise<number> {
  const cutoff = DateTime.fromJSDate(options.now).minus({ months: options.months }).toJSDate();
  const longPast = sql`exists (select 1 from ${events} where ${events.id} = ${bursaryApplications.eventId} and coalesce(${events.endsAt}, ${events.startsAt}) <= ${cutoff.toISOString()}::timestamptz)`;
  const rows = await db
    .delete(bursaryApplications)
    .where(and(eq(bursaryApplications.status, 'draft'), or(lte(bursaryApplications.updatedAt, cutoff), longPast)))
    .returning({ id: bursaryApplications.id });
  return rows.length;
}

/** The applications of one person (for erasing them with their account). */
export async function applicationsOf(db: Db, personId: string): Promise<{ id: string; paid: boolean }[]> {
  const rows = await db
    .select({
      id: bursaryApplications.id,
      payments: sql<number>`(select count(*) from ${bursaryLedger} where ${bursaryLedger.applicationId} = ${bursaryApplications.id} and ${bursaryLedger.kind} in ('advance', 'settlement'))::int`,
    })
    .from(bursaryApplications)
    .where(eq(bursaryApplications.applicantId, personId));
  return rows.map((r) => ({ id: r.id, paid: Number(r.payments) > 0 }));
}

/** An application that never paid anything goes entirely when its applicant deletes their account. */
export async function deleteUnpaidApplication(tx: Db, applicationId: string): Promise<void> {
  const unpaid = sql`not exists (select 1 from ${bursaryLedger} where ${bursaryLedger.applicationId} = ${bursaryApplications.id} and ${bursaryLedger.kind} in ('advance', 'settlement'))`;
  await tx.delete(bursaryApplications).where(and(eq(bursaryApplications.id, applicationId), unpaid));
}
