// Claims, receipts and payments. The applicant claims actual costs against approved items with
// receipts; the panel approves the claim and records payments (advances before, settlement
// after). The balance is what the claim (or decision) allows minus what was paid, either way.
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { DateTime } from 'luxon';
import {
  bursaryApplications,
  bursaryClaims,
  bursaryItems,
  bursaryMessages,
  bursaryReceipts,
  events,
  people,
  type BursaryPaymentKind,
} from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { applicationPath, lockForPanel } from './applications.ts';
import { eraseBankDetails } from './bank-details.ts';
import { getFund } from './funds.ts';
import { tellPanel } from './notices.ts';
import type { BursarySettings } from './money.ts';
import { isOnPanel, type Actor } from './panel.ts';
import { formatPence, parsePounds } from '../money.ts';
import { addEntry, applicationBalances, recordOverpayment } from './ledger.ts';

export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;

/** What a receipt may be, judged from its content. */
const allowedTypes: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/heic': 'heic',
  'image/heif': 'heic',
};

async function lockApplicantsApproved(tx: Db, applicationId: string, actor: Actor) {
  const [app] = await tx
    .select({ id: bursaryApplications.id, status: bursaryApplications.status, fundId: bursaryApplications.fundId })
    .from(bursaryApplications)
    .where(and(eq(bursaryApplications.id, applicationId), eq(bursaryApplications.applicantId, actor.id)))
    .for('update');
  if (!app) throw new NotFoundError('We could not find that application.');
  if (app.status !== 'approved' && app.status !== 'part_approved')
    throw new ConflictError('bursary_not_approved', 'You can claim once your application has been approved.');
  const [claim] = await tx.select({ status: bursaryClaims.status }).from(bursaryClaims).where(eq(bursaryClaims.applicationId, applicationId));
  return { app, claim: claim ?? null };
}

export interface ReceiptUpload {
  itemId: string;
  filename: string;
  data: Buffer | null;
}

/** Keeps a name safe to show and to offer in a download header. */
function cleanFilename(name: string, extension: string): string {
  const base =
    name
      .replace(/\.[^.]*$/, '')
      .replace(/[^A-Za-z0-9 _-]/g, '')
      .trim()
      .slice(0, 80) || 'receipt';
  return `${base}.${extension}`;
}

/** The applicant's approved application, locked, while receipts may still be added to it. */
async function lockOpenForReceipts(tx: Db, applicationId: string, actor: Actor): Promise<void> {
  const { claim } = await lockApplicantsApproved(tx, applicationId, actor);
  if (claim && claim.status !== 'submitted')
    throw new ConflictError('bursary_claim_closed', 'Your claim has been approved, so receipts can no longer be added.');
}

/** Refuses anyone who may not add a receipt to this application now; checked before a file is read. */
export async function checkReceiptUpload(db: Database, applicationId: string, actor: Actor): Promise<void> {
  await db.transaction((tx) => lockOpenForReceipts(tx, applicationId, actor));
}

export async function uploadReceipt(db: Database, applicationId: string, upload: ReceiptUpload, actor: Actor): Promise<void> {
  if (!upload.data || upload.data.length === 0) throw new InvalidInputError([{ field: 'receipt', message: 'Choose a receipt file to upload' }]);
  if (upload.data.length > MAX_RECEIPT_BYTES) throw new InvalidInputError([{ field: 'receipt', message: 'The file must be smaller than 10 MB' }]);
  // The name and the browser's type are the sender's word; the content is the file's.
  const detected = await fileTypeFromBuffer(upload.data);
  const extension = detected ? allowedTypes[detected.mime] : undefined;
  if (!detected || !extension) throw new InvalidInputError([{ field: 'receipt', message: 'The receipt must be a PDF, JPEG, PNG or HEIC file' }]);
  await db.transaction(async (tx) => {
    await lockOpenForReceipts(tx, applicationId, actor);
    const [item] = await tx
      .select({ id: bursaryItems.id, approvedPence: bursaryItems.approvedPence })
      .from(bursaryItems)
      .where(and(eq(bursaryItems.id, upload.itemId), eq(bursaryItems.applicationId, applicationId)));
    if (!item?.approvedPence) throw new InvalidInputError([{ field: 'itemId', message: 'Select which cost the receipt is for' }]);
    const storageKey = randomBytes(24).toString('base64url');
    await tx.insert(bursaryReceipts).values({
      storageKey,
      applicationId,
      itemId: item.id,
      filename: cleanFilename(upload.filename, extension),
      contentType: detected.mime,
      sizeBytes: upload.data!.length,
      content: upload.data!,
      uploadedBy: actor.id,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.receipt.uploaded',
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { itemId: item.id, sizeBytes: upload.data!.length },
    });
  });
}

/** A receipt's bytes, for its applicant or the event's panel (or an admin); audited. */
export async function downloadReceipt(db: Database, storageKey: string, actor: Actor): Promise<{ filename: string; contentType: string; content: Buffer }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        applicationId: bursaryReceipts.applicationId,
        filename: bursaryReceipts.filename,
        contentType: bursaryReceipts.contentType,
        content: bursaryReceipts.content,
        applicantId: bursaryApplications.applicantId,
        fundId: bursaryApplications.fundId,
      })
      .from(bursaryReceipts)
      .innerJoin(bursaryApplications, eq(bursaryApplications.id, bursaryReceipts.applicationId))
      .where(eq(bursaryReceipts.storageKey, storageKey));
    if (!row) throw new NotFoundError('We could not find that receipt.');
    const allowed = row.applicantId === actor.id || (await isOnPanel(tx, actor, row.fundId));
    if (!allowed) throw new NotFoundError('We could not find that receipt.');
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.receipt.downloaded', subjectType: 'bursary_application', subjectId: row.applicationId });
    return { filename: row.filename, contentType: row.contentType, content: row.content };
  });
}

/** Claimed amounts, in pounds as typed, by item id. */
export async function submitClaim(
  db: Database,
  applicationId: string,
  amounts: Record<string, string>,
  actor: Actor,
  settings: BursarySettings,
  now = new Date(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const { app, claim } = await lockApplicantsApproved(tx, applicationId, actor);
    if (claim) throw new ConflictError('bursary_claim_exists', 'You have already sent your claim.');
    const items = await tx
      .select({ id: bursaryItems.id, approvedPence: bursaryItems.approvedPence, miles: bursaryItems.miles })
      .from(bursaryItems)
      .where(eq(bursaryItems.applicationId, applicationId));
    const receipts = await tx.select({ itemId: bursaryReceipts.itemId }).from(bursaryReceipts).where(eq(bursaryReceipts.applicationId, applicationId));
    const errors: FieldError[] = [];
    const claimed = new Map<string, number>();
    for (const item of items.filter((i) => (i.approvedPence ?? 0) > 0)) {
      const value = parsePounds(amounts[item.id]);
      if (value === null) {
        claimed.set(item.id, 0);
        continue;
      }
      if (Number.isNaN(value)) {
        errors.push({ field: `claim-${item.id}`, message: 'Enter what it cost in pounds, like 12.50' });
        continue;
      }
      // Mileage needs no receipt, nor do small amounts under the Hub's threshold; fares claimed
      // on top of mileage in the same travel item still do.
      const mileage = item.miles === null ? 0 : item.miles * settings.mileagePencePerMile;
      const needsReceipt = value - mileage > 0 && value - mileage >= settings.receiptThresholdPence;
      if (needsReceipt && !receipts.some((r) => r.itemId === item.id)) {
        errors.push({
          field: `claim-${item.id}`,
          message: `Upload a receipt for this cost first (amounts of ${formatPence(settings.receiptThresholdPence)} or more need one)`,
        });
      }
      claimed.set(item.id, value);
    }
    if (errors.length) throw new InvalidInputError(errors);
    if ([...claimed.values()].every((v) => v === 0))
      throw new InvalidInputError([
        { field: `claim-${items.find((i) => (i.approvedPence ?? 0) > 0)?.id ?? ''}`, message: 'Enter what at least one cost came to' },
      ]);
    for (const [itemId, value] of claimed) await tx.update(bursaryItems).set({ claimedPence: value }).where(eq(bursaryItems.id, itemId));
    await tx.insert(bursaryClaims).values({ applicationId, status: 'submitted', submittedAt: now });
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.claim.submitted', subjectType: 'bursary_application', subjectId: applicationId });
    await acknowledgeClaim(tx, applicationId);
    await tellPanel(tx, { fund: await getFund(tx, app.fundId), applicationId, applicantId: actor.id, kind: 'claim' });
  });
}

/** The panel accepts the claim: each item's claimed amount, capped at what was approved for it. */
export async function approveClaim(db: Database, fundId: string, applicationId: string, actor: Actor, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await lockForPanel(tx, fundId, applicationId, actor);
    const [claim] = await tx.select({ status: bursaryClaims.status }).from(bursaryClaims).where(eq(bursaryClaims.applicationId, applicationId)).for('update');
    if (claim?.status !== 'submitted') throw new ConflictError('bursary_claim_not_waiting', 'There is no claim waiting for approval.');
    const [sum] = await tx
      .select({ total: sql<string>`coalesce(sum(least(coalesce(${bursaryItems.claimedPence}, 0), coalesce(${bursaryItems.approvedPence}, 0))), 0)::int` })
      .from(bursaryItems)
      .where(eq(bursaryItems.applicationId, applicationId));
    const approvedPence = Number(sum!.total);
    await addEntry(tx, { fundId, applicationId, kind: 'claim_approved', amountPence: approvedPence, recordedBy: actor.id, now });
    await recordOverpayment(tx, { fundId, applicationId, recordedBy: actor.id, now });
    const balances = await applicationBalances(tx, applicationId);
    await tx
      .update(bursaryClaims)
      .set({ status: balances.toPayPence > 0 ? 'approved' : 'paid', approvedAt: now, approvedBy: actor.id, approvedPence })
      .where(eq(bursaryClaims.applicationId, applicationId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.claim.approved',
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { approvedPence, owedBackPence: balances.stillOwedPence },
    });
    await tellApplicantOfClaim(tx, applicationId, 'approved', '', balances.stillOwedPence > 0 ? 'overpaid' : balances.toPayPence > 0 ? 'to_pay' : 'settled');
  });
}

/**
 * The panel cannot approve the claim as sent: it goes back to the applicant with the panel's
 * reason (also kept as a message on the application), to change and send again. What they had
 * claimed is kept in the form for them.
 */
export async function returnClaim(db: Database, fundId: string, applicationId: string, reason: string, actor: Actor): Promise<void> {
  const text = reason.trim();
  if (!text) throw new InvalidInputError([{ field: 'reason', message: 'Enter the reason, for the applicant' }]);
  await db.transaction(async (tx) => {
    await lockForPanel(tx, fundId, applicationId, actor);
    const [claim] = await tx.select({ status: bursaryClaims.status }).from(bursaryClaims).where(eq(bursaryClaims.applicationId, applicationId)).for('update');
    if (claim?.status !== 'submitted') throw new ConflictError('bursary_claim_not_waiting', 'There is no claim waiting for approval.');
    await tx.delete(bursaryClaims).where(eq(bursaryClaims.applicationId, applicationId));
    await tx.insert(bursaryMessages).values({ applicationId, authorId: actor.id, body: text });
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.claim.returned', subjectType: 'bursary_application', subjectId: applicationId });
    await tellApplicantOfClaim(tx, applicationId, 'returned', text, '');
  });
}

async function applicantOf(tx: Db, applicationId: string) {
  const [row] = await tx
    .select({ email: people.email, name: people.displayName, eventTitle: events.title })
    .from(bursaryApplications)
    .innerJoin(people, eq(people.id, bursaryApplications.applicantId))
    .innerJoin(events, eq(events.id, bursaryApplications.eventId))
    .where(eq(bursaryApplications.id, applicationId));
  return row ?? null;
}

/** A receipt for the claim, so that the applicant knows it arrived and what happens next. */
async function acknowledgeClaim(tx: Db, applicationId: string): Promise<void> {
  const row = await applicantOf(tx, applicationId);
  if (!row) return;
  await enqueueEmail(tx, {
    because: 'claim.submitted',
    to: row.email,
    template: 'bursary-claim-received',
    data: { name: row.name, eventTitle: row.eventTitle, applicationPath: applicationPath(applicationId) },
  });
}

async function tellApplicantOfClaim(
  tx: Db,
  applicationId: string,
  outcome: 'approved' | 'returned',
  reason: string,
  money: '' | 'to_pay' | 'settled' | 'overpaid',
): Promise<void> {
  const row = await applicantOf(tx, applicationId);
  if (!row) return;
  await enqueueEmail(tx, {
    because: 'claim.decided',
    to: row.email,
    template: 'bursary-claim-decided',
    data: { name: row.name, eventTitle: row.eventTitle, outcome, reason, money, applicationPath: applicationPath(applicationId) },
  });
}

export interface PaymentInput {
  kind: BursaryPaymentKind;
  amount: string;
  paidOn: string;
  method: string;
  reference: string;
}

export async function recordPayment(db: Database, fundId: string, applicationId: string, input: PaymentInput, actor: Actor): Promise<void> {
  const errors: FieldError[] = [];
  const amountPence = parsePounds(input.amount) ?? 0;
  if (Number.isNaN(amountPence) || amountPence === 0) errors.push({ field: 'amount', message: 'Enter the amount paid in pounds, like 40 or 12.50' });
  if (!isCalendarDate(input.paidOn.trim())) errors.push({ field: 'paidOn', message: 'Enter the date it was paid' });
  if (!input.method.trim()) errors.push({ field: 'method', message: 'Enter how it was paid, for example bank transfer' });
  if (errors.length) throw new InvalidInputError(errors);
  await db.transaction(async (tx) => {
    const app = await lockForPanel(tx, fundId, applicationId, actor);
    if (app.status !== 'approved' && app.status !== 'part_approved')
      throw new ConflictError('bursary_not_approved', 'Payments can only be recorded for an approved application.');
    const [claim] = await tx.select({ status: bursaryClaims.status }).from(bursaryClaims).where(eq(bursaryClaims.applicationId, applicationId)).for('update');
    if (input.kind === 'settlement' && (!claim || claim.status === 'submitted')) {
      throw new InvalidInputError([{ field: 'kind', message: 'Approve the claim before paying it; before that, record an advance' }]);
    }
    if (input.kind === 'advance' && claim && claim.status !== 'submitted') {
      throw new InvalidInputError([{ field: 'kind', message: 'The claim is approved, so this is a payment of the claim, not an advance' }]);
    }
    if (app.closedAt) throw new ConflictError('bursary_closed_application', 'This application is closed, so no more payments can be recorded.');
    await addEntry(tx, {
      fundId,
      applicationId,
      kind: input.kind,
      amountPence,
      occurredOn: input.paidOn.trim(),
      method: input.method.trim().slice(0, 100),
      reference: input.reference.trim().slice(0, 200),
      recordedBy: actor.id,
    });
    // Paid more than is allowed (a slip, or an advance above the claim): the rest is owed back.
    const owedBack = await recordOverpayment(tx, { fundId, applicationId, recordedBy: actor.id });
    const balances = await applicationBalances(tx, applicationId);
    if (claim && claim.status === 'approved' && balances.toPayPence === 0) {
      await tx.update(bursaryClaims).set({ status: 'paid' }).where(eq(bursaryClaims.applicationId, applicationId));
      // Settled: nothing more will be paid to them, so their bank details go with this payment.
      await eraseBankDetails(tx, applicationId);
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: `bursary.payment.${input.kind}`,
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { amountPence, owedBackPence: owedBack },
    });
    if (app.applicantId) {
      const [person] = await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, app.applicantId));
      const [event] = await tx.select({ title: events.title }).from(events).where(eq(events.id, app.eventId));
      await enqueueEmail(tx, {
        because: 'bursary.paid',
        to: person!.email,
        template: 'bursary-paid',
        data: { name: person!.displayName, eventTitle: event!.title, overpaid: balances.stillOwedPence > 0, applicationPath: applicationPath(applicationId) },
      });
    }
  });
}

/**
 * Closes an approved application: whatever was allowed but not paid returns to the budget (a
 * 'released' entry). Money still owed back must be repaid or written off first, so a closed
 * application is always settled.
 */
export async function closeApplication(db: Database, fundId: string, applicationId: string, actor: Actor, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const app = await lockForPanel(tx, fundId, applicationId, actor);
    if (app.status !== 'approved' && app.status !== 'part_approved')
      throw new ConflictError('bursary_not_approved', 'Only an approved application can be closed.');
    if (app.closedAt) throw new ConflictError('bursary_closed_application', 'This application is already closed.');
    const balances = await applicationBalances(tx, applicationId);
    if (balances.stillOwedPence > 0) {
      throw new ConflictError(
        'bursary_still_owed',
        `The applicant still owes ${formatPence(balances.stillOwedPence)} back. Record their repayment or write it off before closing.`,
      );
    }
    await addEntry(tx, { fundId, applicationId, kind: 'released', amountPence: balances.toPayPence, recordedBy: actor.id, now });
    await tx.update(bursaryApplications).set({ closedAt: now, updatedAt: now }).where(eq(bursaryApplications.id, applicationId));
    await eraseBankDetails(tx, applicationId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.application.closed',
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { releasedPence: balances.toPayPence },
    });
  });
}

export function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid;
}
