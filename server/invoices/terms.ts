// When an invoice is due, when its reminder goes, and when an unpaid invoice's place is given up.
// Set from the configuration (INVOICE_* settings, README).

export interface InvoiceTerms {
  /** Days after issue that payment is due (but never later than the event's start). */
  paymentDays: number;
  /** Days before the due date that a reminder goes. */
  reminderDaysBefore: number;
  /** Days after the due date that an unpaid invoice's place is released. */
  releaseDaysAfterDue: number;
  /** Days before the release that a warning goes. */
  warningDaysBefore: number;
  /** How to pay, printed on every invoice. */
  paymentInstructions: string;
}

/** The terms the configuration sets (README: INVOICE_* settings). */
export function termsFromConfig(config: {
  invoicePaymentDays: number;
  invoiceReminderDaysBefore: number;
  invoiceReleaseDaysAfterDue: number;
  invoiceWarningDaysBefore: number;
  invoicePaymentInstructions: string;
}): InvoiceTerms {
  return {
    paymentDays: config.invoicePaymentDays,
    reminderDaysBefore: config.invoiceReminderDaysBefore,
    releaseDaysAfterDue: config.invoiceReleaseDaysAfterDue,
    warningDaysBefore: config.invoiceWarningDaysBefore,
    paymentInstructions: config.invoicePaymentInstructions,
  };
}

/** The configuration's defaults, for callers given no terms. */
export const DEFAULT_TERMS: InvoiceTerms = {
  paymentDays: 14,
  reminderDaysBefore: 3,
  releaseDaysAfterDue: 7,
  warningDaysBefore: 2,
  paymentInstructions: 'Please pay by bank transfer, quoting the invoice number. For our bank details, reply to the email this invoice came with.',
};

const DAY = 86_400_000;

/**
 * The due date and the release date of an invoice issued `now` for an event starting `startsAt`.
 * Payment is due by the event at the latest. A place is released only before the event: when the
 * release would come at or after its start, there is none (null), and the person may still come
 * and pay, as the check-in list shows them.
 */
export function invoiceDates(terms: InvoiceTerms, now: Date, startsAt: Date | null): { dueAt: Date; releaseAt: Date | null } {
  let dueAt = new Date(now.getTime() + terms.paymentDays * DAY);
  if (startsAt && startsAt < dueAt) dueAt = startsAt < now ? now : startsAt;
  const releaseAt = new Date(dueAt.getTime() + terms.releaseDaysAfterDue * DAY);
  return { dueAt, releaseAt: startsAt && releaseAt >= startsAt ? null : releaseAt };
}

export function daysBefore(date: Date, days: number): Date {
  return new Date(date.getTime() - days * DAY);
}
