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
  'payment-refunded': EventFacts & {
    name: string;
    amount: string;
    method: 'stripe' | 'invoice' | 'another_way';
    late: boolean;
    /** Who paid an invoice made out to someone other than the booker (an organisation). */
    paidBy?: string;
  };
  /**
   * A card refund failed or was cancelled at Stripe, or Stripe refused to make it: the money is
   * still owed, and the Hub will pay it another way. `toldRefunded`: we had emailed them that it
   * was refunded (otherwise only that it was being refunded).
   */
  'payment-refund-failed': EventFacts & { name: string; amount: string; toldRefunded: boolean };
  /**
   * An organiser refunded an invoice's payment without cancelling the booking (it was attended,
   * the event is over, or the booking had already ended): the Hub will pay it back by hand. The
   * credit note is attached when the invoice had one. `attended`: the booking stays attended.
   */
  'payment-refund-due': EventFacts & {
    name: string;
    amount: string;
    creditNote: string;
    invoiceNumber: string;
    attended: boolean;
    /** Who paid the invoice when it was not the booker (an organisation); '' or absent when they did. */
    paidBy?: string;
  };
  /** To the organisers: a card refund did not go through, so someone must pay it back another way. `why` is a full sentence. */
  'payment-refund-failed-organisers': EventFacts & {
    /** The payer's name, or "the person who paid", or "a person whose details were erased": never blank. */
    payerName: string;
    /** Their details were erased: nobody can write to them. Older emails lack it. */
    payerErased?: boolean;
    amount: string;
    why: string;
    /** Whether the payer's own email was queued. */
    payerTold: boolean;
    attendeesPath: string;
  };
}

export const paymentSubjects: { [K in keyof PaymentEmails]: (data: PaymentEmails[K]) => string } = {
  'invoice-reminder': (d) => `Reminder: invoice ${d.invoiceNumber} is due on ${d.dueDate}`,
  'invoice-release-warning': (d) => `Your place will be released unless invoice ${d.invoiceNumber} is paid: ${d.eventTitle}`,
  'payment-refunded': (d) => `${d.method === 'another_way' ? 'We have paid you back' : 'You have been refunded'} ${d.amount}: ${d.eventTitle}`,
  'payment-refund-failed': (d) => `Your refund of ${d.amount} did not go through: ${d.eventTitle}`,
  'payment-refund-due': (d) => `We will pay back ${d.amount}: ${d.eventTitle}`,
  // No member-typed text in the subject (the payer's name is in the body only).
  'payment-refund-failed-organisers': (d) => `A card refund of ${d.amount} did not go through: ${d.eventTitle}`,
};
