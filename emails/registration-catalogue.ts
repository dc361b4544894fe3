// The registration feature's emails (booking, waiting list, reminders, messages to attendees).
// Merged into EmailCatalogue in catalogue.ts. Every link is a site path; joinUrl is absolute.

interface EventFacts {
  eventTitle: string;
  when: string;
  /** At an event in person and online, the person's own place: the venue, or online (registration/place-facts.ts). */
  where: string;
  eventPath: string;
}

/** At an event in person and online, which place the person has; '' or absent elsewhere (and in older messages). */
interface PlaceKind {
  placeKind?: '' | 'in the room' | 'online';
}

export interface RegistrationEmails {
  'registration-confirmed': EventFacts &
    PlaceKind & {
    name: string;
    managePath: string;
    ticketName: string;
    companionName: string;
    travelInfo: string;
    joinUrl: string;
    dayContact: string;
  };
  'registration-waitlisted': EventFacts &
    PlaceKind & { name: string; managePath: string; /** Waiting for the room of a hybrid event (online may have places). */ inRoom?: boolean };
  'registration-offer': EventFacts &
    PlaceKind & { name: string; managePath: string; expires: string };
  'registration-offer-expired': EventFacts & { name: string };
  /**
   * `refunded`: the amount, once a refund was made (card) or recorded (invoice: the Hub pays it
   * back by hand, so the email says what will happen). `byRegistrant`: they asked, so they are
   * thanked; nobody is thanked for a cancellation an organiser made.
   */
  'registration-cancelled': EventFacts &
    PlaceKind & {
    name: string;
    leftWaitingList: boolean;
    refunded: string;
    refundMethod?: 'stripe' | 'invoice';
    byRegistrant?: boolean;
    eventCancelled?: boolean;
    /** The event is over: only a refund closes a booking then, and no place is given up. */
    eventOver?: boolean;
    /** The credit note that cancels the booking's invoice (attached), and that invoice's number; '' for none. */
    creditNote?: string;
    invoiceNumber?: string;
    /** The place was released because its invoice was not paid in time. */
    invoiceUnpaid?: boolean;
    /** What was paid by card and not yet refunded: the organisers will refund it; '' or absent for none. */
    cardPaid?: string;
    /** Who paid the invoice when it was not the booker (an organisation); '' or absent when they did. */
    paidBy?: string;
    /** An organiser cancelled it (the email says so); absent in older messages. */
    byOrganiser?: boolean;
  };
  /**
   * To the organisers: a booker cancelled a paid place before the event, so its money is owed
   * back. `method`: how it was paid (a card place is refunded with the Refund action; an
   * invoice's money is paid back by hand and recorded). `attendeesPath`: the event's attendee list.
   */
  'registration-refund-owed': EventFacts & {
    payerName: string;
    amount: string;
    method: 'stripe' | 'invoice';
    attendeesPath: string;
    /** Who paid the invoice when it was not the booker (an organisation); '' or absent when they did. */
    paidBy?: string;
  };
  /** The invoice is attached. `releaseDate`: when the place is released if unpaid, '' when it is not. Absent in messages queued before invoices had numbers. */
  'registration-invoice': EventFacts &
    PlaceKind & { name: string; managePath: string; amount: string; ticketName: string; invoiceNumber?: string; dueDate?: string; releaseDate?: string };
  /** `asked`: sent because someone asked for it again; otherwise someone booked again with the address. */
  'registration-link': EventFacts & { name: string; managePath: string; reason?: 'booked_again' | 'asked' };
  /** Someone asked to book with this address without signing in: the link to confirm it (nothing is booked until then). */
  'registration-confirm-request': EventFacts & { confirmPath: string };
  'registration-reminder': EventFacts &
    PlaceKind & {
    name: string;
    managePath: string;
    lead: string;
    travelInfo: string;
    joinUrl: string;
    dayContact: string;
  };
  'attendee-message': EventFacts & { subjectLine: string; message: string; managePath: string };
  /**
   * To the payer: money arrived after their held place had ended. `eventCancelled` when the
   * event itself was cancelled (so only a refund is possible); absent in messages queued before it.
   */
  'payment-arrived-late': EventFacts & {
    name: string;
    amount: string;
    eventCancelled?: boolean;
    /** What was done: a place was free and is booked (confirmation sent too), or the money is being refunded through Stripe. Absent in older messages. */
    outcome?: 'booked' | 'refunding';
  };
}

export const registrationSubjects: { [K in keyof RegistrationEmails]: (data: RegistrationEmails[K]) => string } = {
  'registration-confirmed': (d) => `Your place is booked: ${d.eventTitle}`,
  'registration-waitlisted': (d) => `You are on the waiting list: ${d.eventTitle}`,
  'registration-offer': (d) => `A place is free for you: ${d.eventTitle}`,
  'registration-offer-expired': (d) => `Your offer of a place has ended: ${d.eventTitle}`,
  'registration-cancelled': (d) =>
    d.leftWaitingList
      ? `You have left the waiting list: ${d.eventTitle}`
      : d.invoiceUnpaid
        ? `Your place has been released: ${d.eventTitle}`
        : d.eventOver
          ? `Your refund: ${d.eventTitle}`
          : `Your booking is cancelled: ${d.eventTitle}`,
  // No member-typed text in the subject (the payer's name is in the body only).
  'registration-refund-owed': (d) => `A cancelled booking is owed ${d.amount} back: ${d.eventTitle}`,
  'registration-invoice': (d) => `Your place is reserved, payment by invoice: ${d.eventTitle}`,
  'registration-link': (d) => `Your link to manage your booking: ${d.eventTitle}`,
  'registration-confirm-request': (d) => `Confirm your booking: ${d.eventTitle}`,
  'registration-reminder': (d) => `Reminder: ${d.eventTitle} ${d.lead}`,
  'attendee-message': (d) => `${d.subjectLine} (${d.eventTitle})`,
  'payment-arrived-late': (d) => (d.outcome === 'booked' ? `Your payment came late, and your place is booked: ${d.eventTitle}` : `We received your payment for ${d.eventTitle}`),
};
