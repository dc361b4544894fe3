// The emails about money for places: invoices' reminders and warnings, and refunds made.
// Merged into EmailCatalogue in catalogue.ts. Every link is a site path.

interface EventFacts {
  eventTitle: string;
  when: string;
  where: string;
  eventPath: string;
}

export interface PaymentEmails {
  /** Before an unpaid invoice's due date; the invoice is attached again. `releaseDate`: '' when the place is not released. */
  'invoice-reminder': EventFacts & { name: string; managePath: string; invoiceNumber: string; amount: string; dueDate: string; releaseDate: string };
  /** Before an unpaid invoice's place is released. */
  'invoice-release-warning': EventFacts & { name: string; managePath: string; invoiceNumber: string; amount: string; releaseDate: string };
  /**
   * Money has gone back: a card refund made through Stripe, or an invoice's refund an organiser
   * recorded as paid. `late`: the card payment came after its place had gone, so it was refunded
   * without a booking. `another_way`: a card refund failed at Stripe and the Hub then paid it
   * back by other means, which an organiser recorded.
   */
  'payment-refunded': EventFacts & { name: string; amount: string; method: 'stripe' | 'invoice' | 'another_way'; late: boolean };
  /** A card refund we told them of failed or was cancelled at Stripe: the money is still owed, and the Hub will pay it another way. */
  'payment-refund-failed': EventFacts & { name: string; amount: string };
}

export const paymentSubjects: { [K in keyof PaymentEmails]: (data: PaymentEmails[K]) => string } = {
  'invoice-reminder': (d) => `Reminder: invoice ${d.invoiceNumber} is due on ${d.dueDate}`,
  'invoice-release-warning': (d) => `Your place will be released unless invoice ${d.invoiceNumber} is paid: ${d.eventTitle}`,
  'payment-refunded': (d) => `${d.method === 'another_way' ? 'We have paid you back' : 'You have been refunded'} ${d.amount}: ${d.eventTitle}`,
  'payment-refund-failed': (d) => `Your refund of ${d.amount} did not go through: ${d.eventTitle}`,
};
