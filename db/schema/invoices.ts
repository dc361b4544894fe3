// Invoices and credit notes for places sold by invoice (when Stripe is not set up). Their numbers
// are gap-free: each comes from a counter row locked in the booking's own transaction, so a
// booking that rolls back takes its number with it (a sequence would leave a hole).
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { events } from './events.ts';
import { payments, registrations } from './registration.ts';

/** One row per kind of numbered document ('invoice', 'credit_note'): the last number given. */
export const documentCounters = pgTable('document_counters', {
  name: text('name').primaryKey(),
  last: integer('last').notNull().default(0),
});

/** open: not paid yet; paid: an organiser recorded the money; credited: cancelled by a credit note. */
export const invoiceStatuses = ['open', 'paid', 'credited'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: integer('number').notNull().unique(),
    // An invoice is a financial record: it stays when its booking or event goes.
    registrationId: uuid('registration_id').references(() => registrations.id, { onDelete: 'set null' }),
    paymentId: uuid('payment_id').references(() => payments.id, { onDelete: 'set null' }),
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'set null' }),
    /** Who pays: an organisation, or the person's own name. */
    payerName: text('payer_name').notNull(),
    payerAddress: text('payer_address').notNull().default(''),
    purchaseOrder: text('purchase_order').notNull().default(''),
    /** Where the invoice goes (lower-case); the booker's address unless they gave another. */
    invoiceEmail: text('invoice_email').notNull(),
    /** The line on the invoice, e.g. "Mental health and work (Tue 3 March 2026): Standard place". */
    description: text('description').notNull(),
    amountPence: integer('amount_pence').notNull(),
    status: text('status', { enum: invoiceStatuses }).notNull().default('open'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** When an unpaid invoice's place is given up (a warning goes out first); null: it is not. */
    releaseAt: timestamp('release_at', { withTimezone: true }),
    reminderSentAt: timestamp('reminder_sent_at', { withTimezone: true }),
    warningSentAt: timestamp('warning_sent_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    creditedAt: timestamp('credited_at', { withTimezone: true }),
  },
  (t) => [index('invoices_registration_idx').on(t.registrationId), index('invoices_open_due_idx').on(t.status, t.dueAt)],
);

/** A credit note cancels an invoice (unpaid, or paid and to be refunded). */
export const creditNotes = pgTable(
  'credit_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: integer('number').notNull().unique(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .unique()
      .references(() => invoices.id, { onDelete: 'restrict' }),
    amountPence: integer('amount_pence').notNull(),
    /** Why, in words for the document: "Booking cancelled", "Place released: invoice not paid". */
    reason: text('reason').notNull(),
    /** Whether money goes back (the invoice had been paid). */
    refundDue: integer('refund_due_pence').notNull().default(0),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('credit_notes_invoice_idx').on(t.invoiceId)],
);
