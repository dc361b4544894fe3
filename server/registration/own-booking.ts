// Whose booking is it? Separation of duties on money (THREATS "never" 2): no organiser, admin
// included, refunds their own booking or records its invoice or its refund as paid. A booking is
// theirs when it was made while signed in as them, or with their email address (as "Your
// bookings" counts them). The attendee list offers them no such button; payments refuses it.
import type { Me } from '../me.ts';

export type OwnBookingAction = 'refund' | 'invoice-paid' | 'refund-paid';

const doing: Record<OwnBookingAction, string> = {
  refund: 'refund it',
  'invoice-paid': 'record its invoice as paid',
  'refund-paid': 'record its refund as paid',
};

/** What an organiser is told when they try a money action on their own booking. */
export function ownBookingMessage(action: OwnBookingAction): string {
  return `This is your own booking, so another organiser must ${doing[action]}.`;
}

/** Whether a booking is the signed-in person's own. */
export function isOwnBooking(booking: { personId: string | null; email: string }, actor: Pick<Me, 'id' | 'email'>): boolean {
  return (booking.personId !== null && booking.personId === actor.id) || booking.email.trim().toLowerCase() === actor.email.trim().toLowerCase();
}
