// Invoices and credit notes: the bookkeeping side of places sold by invoice (when Stripe is not
// set up). Registration issues an invoice in the booking's transaction and credits it when the
// booking ends; payments records it paid and runs the reminders and releases (payments/invoices.ts).
// This module knows nothing of bookings beyond their ids, so any feature may use it.
import { and, asc, eq, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { creditNotes, invoices, payments, type StoredAttachment } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { creditNoteNumberText, invoiceNumberText, nextNumber } from './numbers.ts';
import type { PayerInput } from './payer.ts';
import { creditNotePdf, invoicePdf } from './pdf.ts';
import { invoiceDates, type InvoiceTerms } from './terms.ts';

export type InvoiceRow = typeof invoices.$inferSelect;
export type CreditNoteRow = typeof creditNotes.$inferSelect;

export interface NewInvoice {
  registrationId: string;
  paymentId: string;
  eventId: string;
  eventStartsAt: Date | null;
  /** The line on the invoice. */
  description: string;
  amountPence: number;
  payer: PayerInput;
  /** Stand in for payer fields left empty. */
  booker: { name: string; email: string };
  terms: InvoiceTerms;
  now: Date;
}

export interface IssuedDocument {
  numberText: string;
  attachment: StoredAttachment;
}

function pdfAttachment(filename: string, pdf: Buffer): StoredAttachment {
  return { filename, contentType: 'application/pdf', content: pdf.toString('base64'), encoding: 'base64' };
}

/** Issues an invoice with the next number, in the caller's (booking's) transaction. */
export async function issueInvoice(tx: Db, input: NewInvoice): Promise<IssuedDocument & { invoice: InvoiceRow }> {
  const number = await nextNumber(tx, 'invoice');
  const { dueAt, releaseAt } = invoiceDates(input.terms, input.now, input.eventStartsAt);
  const [invoice] = await tx
    .insert(invoices)
    .values({
      number,
      registrationId: input.registrationId,
      paymentId: input.paymentId,
      eventId: input.eventId,
      payerName: input.payer.payerName || input.booker.name,
      payerAddress: input.payer.payerAddress,
      purchaseOrder: input.payer.purchaseOrder,
      invoiceEmail: input.payer.invoiceEmail || input.booker.email,
      description: input.description,
      amountPence: input.amountPence,
      issuedAt: input.now,
      dueAt,
      releaseAt,
    })
    .returning();
  return { invoice: invoice!, numberText: invoiceNumberText(number), attachment: await invoiceAttachment(invoice!, input.terms.paymentInstructions) };
}

export function renderInvoice(invoice: InvoiceRow, paymentInstructions: string): Promise<Buffer> {
  return invoicePdf({ ...invoice, numberText: invoiceNumberText(invoice.number), paymentInstructions });
}

/** An invoice's PDF as an email attachment (sent again with a reminder). */
export async function invoiceAttachment(invoice: InvoiceRow, paymentInstructions: string): Promise<StoredAttachment> {
  return pdfAttachment(`invoice-${invoiceNumberText(invoice.number)}.pdf`, await renderInvoice(invoice, paymentInstructions));
}

export function renderCreditNote(note: CreditNoteRow, invoice: InvoiceRow): Promise<Buffer> {
  return creditNotePdf({
    ...note,
    numberText: creditNoteNumberText(note.number),
    invoiceNumberText: invoiceNumberText(invoice.number),
    payerName: invoice.payerName,
    payerAddress: invoice.payerAddress,
    description: invoice.description,
    refundDuePence: note.refundDue,
  });
}

/**
 * Cancels a booking's invoice with a credit note, in the caller's transaction: an unpaid one
 * always; a paid one only when its money is going back (`refund`). Null when there is nothing to
 * credit (no invoice, already credited, or paid and not refunded).
 */
export async function creditInvoice(
  tx: Db,
  input: { registrationId: string; reason: string; refund: boolean; now: Date },
): Promise<(IssuedDocument & { refundDuePence: number; invoiceNumberText: string; payerName: string }) | null> {
  const [invoice] = await tx
    .select()
    .from(invoices)
    .where(and(eq(invoices.registrationId, input.registrationId), inArray(invoices.status, input.refund ? ['open', 'paid'] : ['open'])))
    .for('update');
  if (!invoice) return null;
  const number = await nextNumber(tx, 'credit_note');
  const refundDue = invoice.status === 'paid' ? invoice.amountPence : 0;
  const [note] = await tx
    .insert(creditNotes)
    .values({ number, invoiceId: invoice.id, amountPence: invoice.amountPence, reason: input.reason, refundDue, issuedAt: input.now })
    .returning();
  await tx.update(invoices).set({ status: 'credited', creditedAt: input.now }).where(eq(invoices.id, invoice.id));
  const pdf = await renderCreditNote(note!, invoice);
  const numberText = creditNoteNumberText(number);
  return {
    numberText,
    invoiceNumberText: invoiceNumberText(invoice.number),
    refundDuePence: refundDue,
    /** Who the invoice was made out to (the booker's name unless an organisation was given). */
    payerName: invoice.payerName,
    attachment: pdfAttachment(`credit-note-${numberText}.pdf`, pdf),
  };
}

/** Records a booking's open invoice as paid; false when it has none open. */
export async function markInvoiceRowPaid(tx: Db, input: { registrationId: string; now: Date }): Promise<boolean> {
  const done = await tx
    .update(invoices)
    .set({ status: 'paid', paidAt: input.now })
    .where(and(eq(invoices.registrationId, input.registrationId), eq(invoices.status, 'open')))
    .returning({ id: invoices.id });
  return done.length > 0;
}

/** An invoice's payer once erased: PDFs made later say "Erased" where the payer was. */
const ERASED_PAYER = { payerName: 'Erased', payerAddress: '', purchaseOrder: '', invoiceEmail: '' } as const;

/**
 * Erasure: the payer's details go from a person's invoices, leaving the numbers and amounts the
 * accounts need (THREATS.md, never 8). PDFs made later say "Erased" where the payer was.
 */
export async function forgetPayers(tx: Db, registrationIds: string[]): Promise<number> {
  if (registrationIds.length === 0) return 0;
  const rows = await tx
    .update(invoices)
    .set({ ...ERASED_PAYER })
    .where(inArray(invoices.registrationId, registrationIds))
    .returning({ id: invoices.id });
  return rows.length;
}

/** The credit notes of some invoices (a person's data export). */
export async function creditNotesOf(db: Db, invoiceIds: string[]): Promise<CreditNoteRow[]> {
  if (invoiceIds.length === 0) return [];
  return db.select().from(creditNotes).where(inArray(creditNotes.invoiceId, invoiceIds)).orderBy(asc(creditNotes.number));
}

/** The Hub's financial year ends on 31 March (as the UK government's and most charities' do). */
const YEAR_END_MONTH = 3;

/**
 * The newest moment whose records may now lose their payer's details: the end of the financial
 * year `years` full years back. HMRC asks for business records to be kept for 6 years from the end
 * of the financial year they belong to; an invoice belongs to the year of its last entry (issued,
 * paid, or cancelled by a credit note).
 */
export function payerRetentionCutoff(now: Date, years: number): Date {
  const london = DateTime.fromJSDate(now, { zone: 'Europe/London' });
  let yearEnd = DateTime.fromObject({ year: london.year, month: YEAR_END_MONTH, day: 31 }, { zone: 'Europe/London' }).endOf('day');
  if (yearEnd > london) yearEnd = yearEnd.minus({ years: 1 });
  return yearEnd.minus({ years }).toJSDate();
}

/**
 * Retention: invoices whose financial year ended more than `years` years ago keep their number,
 * dates, amount, what they were for and their credit notes (the accounts), and lose the payer's
 * name, address, purchase order and invoice address (THREATS.md, never 8). Returns how many.
 */
export async function forgetOldPayers(db: Db, input: { now: Date; years: number }): Promise<number> {
  const cutoff = payerRetentionCutoff(input.now, input.years).toISOString();
  const lastEntry = sql`greatest(${invoices.issuedAt}, coalesce(${invoices.paidAt}, ${invoices.issuedAt}), coalesce(${invoices.creditedAt}, ${invoices.issuedAt}))`;
  const rows = await db
    .update(invoices)
    .set({ ...ERASED_PAYER })
    .where(
      and(
        sql`${lastEntry} <= ${cutoff}::timestamptz`,
        or(ne(invoices.payerName, ERASED_PAYER.payerName), ne(invoices.payerAddress, ''), ne(invoices.invoiceEmail, '')),
      ),
    )
    .returning({ id: invoices.id });
  return rows.length;
}

/** A booking's open invoice, for its emails (reminders, warnings). */
export async function openInvoiceOf(db: Db, registrationId: string): Promise<InvoiceRow | null> {
  const [row] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.registrationId, registrationId), eq(invoices.status, 'open')));
  return row ?? null;
}

export interface DocumentListItem {
  kind: 'invoice' | 'credit_note';
  numberText: string;
  amountPence: number;
  issuedAt: Date;
  /** The invoice's state, or the credit note's reason. */
  note: string;
  dueAt: Date | null;
  payerName: string;
  purchaseOrder: string;
  invoiceEmail: string;
  registrationId: string | null;
}

const invoiceNotes: Record<string, string> = { open: 'Not paid yet', paid: 'Paid', credited: 'Cancelled by credit note' };

/** Invoices and credit notes of some bookings (or of an event), oldest first. */
export async function documentsOf(db: Db, scope: { registrationIds: string[] } | { eventId: string }): Promise<DocumentListItem[]> {
  const where: SQL =
    'eventId' in scope ? eq(invoices.eventId, scope.eventId) : inArray(invoices.registrationId, scope.registrationIds.length ? scope.registrationIds : ['']);
  if ('registrationIds' in scope && scope.registrationIds.length === 0) return [];
  const rows = await db
    .select({ invoice: invoices, note: creditNotes })
    .from(invoices)
    .leftJoin(creditNotes, eq(creditNotes.invoiceId, invoices.id))
    .where(where)
    .orderBy(asc(invoices.number));
  // A credit note's stored reason says the money is "to be" paid back (it was issued before it
  // was): once an organiser records the refund paid, the pages say it has been.
  const owedBack = rows.filter((r) => r.note && r.note.refundDue > 0 && r.invoice.registrationId).map((r) => r.invoice.registrationId!);
  const paidBack = new Set(
    owedBack.length
      ? (
          await db
            .select({ registrationId: payments.registrationId })
            .from(payments)
            .where(and(inArray(payments.registrationId, owedBack), eq(payments.method, 'invoice'), eq(payments.status, 'refunded')))
        ).map((r) => r.registrationId)
      : [],
  );
  const items: DocumentListItem[] = [];
  for (const { invoice, note } of rows) {
    const common = {
      payerName: invoice.payerName,
      purchaseOrder: invoice.purchaseOrder,
      invoiceEmail: invoice.invoiceEmail,
      registrationId: invoice.registrationId,
    };
    items.push({
      kind: 'invoice',
      numberText: invoiceNumberText(invoice.number),
      amountPence: invoice.amountPence,
      issuedAt: invoice.issuedAt,
      note: invoiceNotes[invoice.status]!,
      dueAt: invoice.dueAt,
      ...common,
    });
    if (note)
      items.push({
        kind: 'credit_note',
        numberText: creditNoteNumberText(note.number),
        amountPence: note.amountPence,
        issuedAt: note.issuedAt,
        note:
          note.refundDue > 0 && invoice.registrationId && paidBack.has(invoice.registrationId)
            ? `${note.reason.split(':')[0]}: the amount paid has been paid back`
            : note.reason,
        dueAt: null,
        ...common,
      });
  }
  return items;
}

/**
 * One document's PDF, found by its number and scoped by its booking or its event (a number
 * alone opens nothing). Null when there is no such document in that scope.
 */
export async function documentPdf(
  db: Db,
  input: { kind: 'invoice' | 'credit_note'; number: number; scope: { registrationId: string } | { eventId: string }; paymentInstructions: string },
): Promise<{ filename: string; pdf: Buffer } | null> {
  const scoped = 'registrationId' in input.scope ? eq(invoices.registrationId, input.scope.registrationId) : eq(invoices.eventId, input.scope.eventId);
  if (input.kind === 'invoice') {
    const [invoice] = await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.number, input.number), scoped));
    if (!invoice) return null;
    return { filename: `invoice-${invoiceNumberText(invoice.number)}.pdf`, pdf: await renderInvoice(invoice, input.paymentInstructions) };
  }
  const [row] = await db
    .select({ invoice: invoices, note: creditNotes })
    .from(creditNotes)
    .innerJoin(invoices, eq(invoices.id, creditNotes.invoiceId))
    .where(and(eq(creditNotes.number, input.number), scoped));
  if (!row) return null;
  return { filename: `credit-note-${creditNoteNumberText(row.note.number)}.pdf`, pdf: await renderCreditNote(row.note, row.invoice) };
}

/** Open invoices whose reminder is due (their due date is `daysBefore` away or less). */
export async function invoicesNeedingReminder(db: Db, input: { now: Date; daysBefore: number; limit: number }) {
  const horizon = new Date(input.now.getTime() + input.daysBefore * 86_400_000);
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), isNull(invoices.reminderSentAt), lte(invoices.dueAt, horizon)))
    .orderBy(asc(invoices.dueAt))
    .limit(input.limit)
    .for('update', { skipLocked: true });
}

/** Open invoices whose place is released within `daysBefore` days and not yet warned. */
export async function invoicesNeedingWarning(db: Db, input: { now: Date; daysBefore: number; limit: number }) {
  const horizon = new Date(input.now.getTime() + input.daysBefore * 86_400_000);
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), isNull(invoices.warningSentAt), lte(invoices.releaseAt, horizon)))
    .orderBy(asc(invoices.releaseAt))
    .limit(input.limit)
    .for('update', { skipLocked: true });
}

/** Open invoices whose release time has come, and whose warning went (a release is never unannounced). */
export async function invoicesToRelease(db: Db, input: { now: Date; limit: number }) {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), lte(invoices.releaseAt, input.now), lte(invoices.warningSentAt, input.now)))
    .orderBy(asc(invoices.releaseAt))
    .limit(input.limit);
}

export async function markInvoiceReminded(tx: Db, input: { id: string; now: Date; which: 'reminder' | 'warning' }) {
  await tx
    .update(invoices)
    .set(input.which === 'reminder' ? { reminderSentAt: input.now } : { warningSentAt: input.now })
    .where(eq(invoices.id, input.id));
}

export { creditNoteNumberText, invoiceNumberText, parseCreditNoteNumber, parseInvoiceNumber } from './numbers.ts';
export { checkPayer, EMPTY_PAYER, type PayerInput } from './payer.ts';
export { DEFAULT_TERMS, termsFromConfig, type InvoiceTerms } from './terms.ts';
