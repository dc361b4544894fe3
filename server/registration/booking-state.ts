// What a booking is, as every page shows it: worked out from the booking AND its event, in one
// place, so the person's own page, "Your bookings", the organiser's list and check-in never
// disagree. A confirmed booking of a cancelled event stays `confirmed` in the database (the
// record of who was booked, and who may be owed a refund), but nobody holds a place at it any
// more, so no page may call it booked, show its joining link or offer to cancel it.
import type { EventStatus, PaymentStatus, RegistrationStatus } from '../../db/schema/index.ts';
import { eventOver } from '../event-over.ts';
import { formatPence } from '../format.ts';
import { statusLabels } from './view-models.ts';

export const EVENT_CANCELLED_LABEL = 'Cancelled — the event was cancelled';

const activeStatuses: RegistrationStatus[] = ['pending_payment', 'confirmed', 'waitlisted', 'offered'];

export interface BookingState {
  /** "Booked", "On the waiting list", "Cancelled — the event was cancelled", ... */
  label: string;
  eventCancelled: boolean;
  /** The person (or an organiser) can still change or cancel it. */
  active: boolean;
  /** Holds a place at an event that is going ahead: joining link and calendar file shown. */
  holdsPlace: boolean;
  /** What happens about money, in words that are true for how they paid; '' when nothing to say. */
  money: string;
}

export interface PaymentFacts {
  method: 'stripe' | 'invoice';
  status: PaymentStatus;
  amountPence: number;
}

function moneyText(status: RegistrationStatus, eventCancelled: boolean, payment: PaymentFacts | null, contactEmail: string, paidBy: string): string {
  if (!payment) return '';
  const amount = formatPence(payment.amountPence);
  // An invoice made out to an organisation was paid by them, not by the booker.
  const whoPaid = payment.method === 'invoice' && paidBy ? `that ${paidBy} paid` : 'you paid';
  // A page that says "contact the Hub" gives the address to write to.
  const contact = contactEmail ? `email the Hub at ${contactEmail}` : 'contact the Hub';
  if (payment.status === 'refunded') {
    // A card refund has gone back through Stripe; an invoice's is paid back by the organisers by hand.
    return payment.method === 'stripe'
      ? `Your payment of ${amount} has been refunded to your card.`
      : `The Hub has paid back the ${amount} ${whoPaid}. If it has not reached ${paidBy || 'you'} within a week, ${contact}.`;
  }
  if (payment.status === 'refund_failed') {
    return `The refund of ${amount} to your card did not go through. The Hub still owes you ${amount} and will contact you to pay it back another way.`;
  }
  if (payment.status === 'refund_due') {
    return payment.method === 'stripe'
      ? `Your payment of ${amount} is being refunded to your card. We will email you when it has been.`
      : `The Hub will pay back the ${amount} ${whoPaid}, and will email you when it has.`;
  }
  const ended = eventCancelled || status === 'cancelled';
  if (!ended) return '';
  if (payment.status === 'paid') {
    // A card place cancelled before the event is owed back, as an invoice's is (refund_due,
    // above); the organisers refund it with the Refund action, which the payment stays paid until.
    if (!eventCancelled)
      return payment.method === 'stripe'
        ? `You paid ${amount} by card. The organisers will refund it to your card, and we will email you when they have. If you have not heard from us within two weeks, ${contact}.`
        : '';
    return payment.method === 'stripe'
      ? `You paid ${amount} by card. The organisers will refund it to your card, and we will email you when they have.`
      : `You paid ${amount} by invoice. The organisers will arrange to give it back to you, and we will email you when they have.`;
  }
  // Open or expired: nothing was taken.
  return payment.method === 'invoice' ? 'Your invoice is cancelled: you do not need to pay it.' : 'You had not paid, so no money was taken.';
}

export function bookingState(
  booking: { status: RegistrationStatus },
  event: { status: EventStatus },
  payment: PaymentFacts | null = null,
  /** The Hub's contact address (CONTACT_EMAIL), given wherever the words may ask people to contact it. */
  contactEmail = '',
  /** Who the invoice was made out to, when not the booker (an organisation); '' otherwise. */
  paidBy = '',
): BookingState {
  const eventCancelled = event.status === 'cancelled';
  const status = booking.status;
  return {
    label: eventCancelled ? EVENT_CANCELLED_LABEL : statusLabels[status],
    eventCancelled,
    active: !eventCancelled && activeStatuses.includes(status),
    holdsPlace: !eventCancelled && (status === 'confirmed' || status === 'attended'),
    money: moneyText(status, eventCancelled, payment, contactEmail, paidBy),
  };
}

/**
 * Whether refunding a booking now also cancels it and frees its place: only a booking still
 * holding or waiting for a place, at an event going ahead and not yet over. Otherwise (attended,
 * the event over, the booking already ended, the event cancelled) there is no place to give up:
 * the booking stays the record of what happened (an attended place stays attended, for
 * certificates and counts) and only the money goes back. The words on the attendee list and the
 * confirmation page, and what refundRegistration does, all follow this.
 */
export function refundCancelsPlace(
  booking: { status: RegistrationStatus },
  event: { status: EventStatus; startsAt: Date | null; endsAt: Date | null },
  now: Date,
): boolean {
  return event.status !== 'cancelled' && activeStatuses.includes(booking.status) && !eventOver(event, now);
}

/** A booking payment's method and status in words (attendee list CSV, the person's data export). */
export const paymentMethodLabels: Record<string, string> = { stripe: 'Card (online)', invoice: 'Invoice' };
export const paymentStatusLabels: Record<string, string> = {
  open: 'Not paid yet',
  paid: 'Paid',
  expired: 'Not completed',
  refund_due: 'Refund to pay back',
  refunded: 'Refunded',
  refund_failed: 'Refund failed: to pay back another way',
};
