// Retention: bursary applications hold health-related personal data, kept only as long as the
// Hub needs it. After the retention period the applicant's link, payment name and arrangement,
// notes, messages, item descriptions, mileage and receipts are erased; the amounts stay, with
// no way back to the person, for reporting.
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { bursaryApplications, bursaryClaims, bursaryItems, bursaryMessages, bursaryPayments, bursaryReceipts } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database } from '../db/database.ts';

/**
 * Erases every application whose retention period has ended by `now`: for paid or closed
 * applications, `months` after the last payment; for declined and withdrawn ones, after the
 * decision or withdrawal. Returns the ids erased.
 */
export async function eraseExpiredApplications(db: Database, options: { now: Date; months: number }): Promise<string[]> {
  const cutoff = DateTime.fromJSDate(options.now).minus({ months: options.months }).toJSDate();
  const cutoffDay = DateTime.fromJSDate(cutoff, { zone: 'Europe/London' }).toISODate()!;
  const lastPaid = sql<string | null>`(select max(${bursaryPayments.paidOn}) from ${bursaryPayments} where ${bursaryPayments.applicationId} = ${bursaryApplications.id})`;
  const candidates = await db
    .select({ id: bursaryApplications.id, status: bursaryApplications.status, closedAt: bursaryApplications.closedAt, decidedAt: bursaryApplications.decidedAt, updatedAt: bursaryApplications.updatedAt, claimStatus: bursaryClaims.status, lastPaid })
    .from(bursaryApplications)
    .leftJoin(bursaryClaims, eq(bursaryClaims.applicationId, bursaryApplications.id))
    .where(and(isNull(bursaryApplications.erasedAt), inArray(bursaryApplications.status, ['approved', 'part_approved', 'declined', 'withdrawn'])));
  const due = candidates.filter((c) => {
    if (c.status === 'declined' || c.status === 'withdrawn') return (c.decidedAt ?? c.updatedAt).getTime() <= cutoff.getTime();
    // Approved: only once it is settled (claim paid, or closed) and the last payment is old enough.
    const settled = c.claimStatus === 'paid' || c.closedAt !== null;
    if (!settled) return false;
    const last = c.lastPaid ? String(c.lastPaid).slice(0, 10) : null;
    if (last) return last <= cutoffDay;
    return (c.closedAt ?? c.updatedAt).getTime() <= cutoff.getTime();
  });
  const erased: string[] = [];
  for (const { id } of due) {
    await db.transaction(async (tx) => {
      const [row] = await tx
        .update(bursaryApplications)
        .set({ applicantId: null, paymentName: '', paymentArrangement: '', note: '', overrideReason: '', decidedBy: null, erasedAt: options.now })
        .where(and(eq(bursaryApplications.id, id), isNull(bursaryApplications.erasedAt)))
        .returning({ id: bursaryApplications.id });
      if (!row) return;
      await tx.update(bursaryItems).set({ description: '', miles: null }).where(eq(bursaryItems.applicationId, id));
      await tx.delete(bursaryMessages).where(eq(bursaryMessages.applicationId, id));
      await tx.delete(bursaryReceipts).where(eq(bursaryReceipts.applicationId, id));
      await tx.update(bursaryPayments).set({ reference: '', recordedBy: null }).where(eq(bursaryPayments.applicationId, id));
      await recordAudit(tx, { actorId: null, action: 'bursary.application.erased', subjectType: 'bursary_application', subjectId: id });
      erased.push(id);
    });
  }
  return erased;
}

/** Unused drafts are also personal data: they go after the same period without changes. */
export async function deleteStaleDrafts(db: Database, options: { now: Date; months: number }): Promise<number> {
  const cutoff = DateTime.fromJSDate(options.now).minus({ months: options.months }).toJSDate();
  const rows = await db
    .delete(bursaryApplications)
    .where(and(eq(bursaryApplications.status, 'draft'), lte(bursaryApplications.updatedAt, cutoff)))
    .returning({ id: bursaryApplications.id });
  return rows.length;
}
