// Invoices over time (the payments job): a reminder before the due date, a warning before an
// unpaid invoice's place is released, then the release — the booking cancelled, the invoice
// cancelled by a credit note, the place passed on. Each step happens once, in one transaction
// with its email; several processes can run it at once (rows taken with SKIP LOCKED, and each
// step marked done in the same transaction).
import { and, eq } from 'drizzle-orm';
import { invoices, payments, registrations } from '../../db/schema/index.ts';
import type { Database } from '../db/database.ts';
import { formatDate } from '../format.ts';
import {
  invoiceAttachment,
  invoiceNumberText,
  invoicesNeedingReminder,
  invoicesNeedingWarning,
  invoicesToRelease,
  markInvoiceReminded,
  type InvoiceTerms,
} from '../invoices/service.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { formatPence } from '../money.ts';
import { cancelRegistration, eventFacts, getEvent, mintManagePath } from '../registration/api.ts';

const BATCH = 50;
const DAY = 86_400_000;

export interface InvoiceJobResult {
  reminded: number;
  warned: number;
  released: number;
}

/** The booking an invoice is for, when it still waits for payment at an event still to come. */
async function waitingBooking(db: Database, invoice: typeof invoices.$inferSelect, now: Date) {
  if (!invoice.registrationId || !invoice.eventId) return null;
  const [booking] = await db
    .select({ id: registrations.id, name: registrations.name, email: registrations.email, status: registrations.status })
    .from(registrations)
    .where(and(eq(registrations.id, invoice.registrationId), eq(registrations.status, 'pending_payment')));
  const event = booking ? await getEvent(db, invoice.eventId) : null;
  if (!booking || !event || event.status !== 'published' || !event.startsAt || event.startsAt <= now) return null;
  return { booking, event };
}

export async function runInvoiceJobs(db: Database, terms: InvoiceTerms, now = new Date()): Promise<InvoiceJobResult> {
  const result: InvoiceJobResult = { reminded: 0, warned: 0, released: 0 };

  await db.transaction(async (tx) => {
    for (const invoice of await invoicesNeedingReminder(tx, { now, daysBefore: terms.reminderDaysBefore, limit: BATCH })) {
      await markInvoiceReminded(tx, { id: invoice.id, now, which: 'reminder' });
      const found = await waitingBooking(tx, invoice, now);
      if (!found) continue;
      await enqueueEmail(tx, {
        because: 'invoice.reminder-due',
        to: found.booking.email,
        template: 'invoice-reminder',
        data: {
          ...eventFacts(found.event),
          name: found.booking.name,
          managePath: await mintManagePath(tx, found.booking.id),
          invoiceNumber: invoiceNumberText(invoice.number),
          amount: formatPence(invoice.amountPence),
          dueDate: formatDate(invoice.dueAt),
          releaseDate: invoice.releaseAt ? formatDate(invoice.releaseAt) : '',
        },
        attachments: [await invoiceAttachment(invoice, terms.paymentInstructions)],
      });
      result.reminded++;
    }
  });

  await db.transaction(async (tx) => {
    for (const invoice of await invoicesNeedingWarning(tx, { now, daysBefore: terms.warningDaysBefore, limit: BATCH })) {
      // The warning gives the whole warning time: a release due sooner (the job did not run, or
      // the terms are short) moves to the end of it, so the date the email gives is the real one.
      const earliest = new Date(now.getTime() + terms.warningDaysBefore * DAY);
      const releaseAt = invoice.releaseAt! < earliest ? earliest : invoice.releaseAt!;
      const found = await waitingBooking(tx, invoice, now);
      const startsAt = found?.event.startsAt ?? null;
      if (!found || (startsAt && releaseAt >= startsAt)) {
        // No booking waiting, or the release would come once the event has started: none then.
        await tx
          .update(invoices)
          .set({ warningSentAt: now, releaseAt: found ? null : invoice.releaseAt })
          .where(eq(invoices.id, invoice.id));
        continue;
      }
      await tx.update(invoices).set({ warningSentAt: now, releaseAt }).where(eq(invoices.id, invoice.id));
      await enqueueEmail(tx, {
        because: 'invoice.release-warning-due',
        to: found.booking.email,
        template: 'invoice-release-warning',
        data: {
          ...eventFacts(found.event),
          name: found.booking.name,
          managePath: await mintManagePath(tx, found.booking.id),
          invoiceNumber: invoiceNumberText(invoice.number),
          amount: formatPence(invoice.amountPence),
          releaseDate: formatDate(releaseAt),
        },
      });
      result.warned++;
    }
  });

  for (const invoice of await invoicesToRelease(db, { now, limit: BATCH })) {
    await db.transaction(async (tx) => {
      // cancelRegistration locks the event and the booking, then credits the open invoice; a
      // payment recorded meanwhile leaves nothing to release.
      const [open] = await tx
        .select({ id: invoices.id })
        .from(invoices)
        .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'open')));
      const found = open ? await waitingBooking(tx, invoice, now) : null;
      if (!found) return;
      const [payment] = await tx
        .select({ status: payments.status })
        .from(payments)
        .where(and(eq(payments.registrationId, found.booking.id), eq(payments.status, 'open')));
      if (!payment) return;
      const { cancelled } = await cancelRegistration(db, found.booking.id, null, { now, reason: 'invoice not paid', invoiceUnpaid: true, tx });
      if (cancelled) result.released++;
    });
  }
  return result;
}
