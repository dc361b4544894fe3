// What other features may use from registration. Bursaries hold a place for a pending
// application with holdPlace(tx, { eventId, kind: 'bursary', reference, personId, expiresAt })
// inside their own transaction (null means the event is full), end it with releaseHold (a booking
// by that person takes it up), and may show availability(). See holds.ts for the rules these follow.
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import { placeHolds, registrations } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { releaseHold as releaseHoldOnly } from './holds.ts';
import { passOnFreedPlaces } from './offers.ts';
import { getSettings, listTicketTypes } from './queries.ts';

export { availability, holdPlace, placesLeft, type Availability, type Hold, type HoldInput } from './holds.ts';
export { closePlacesForCancelledEvent, type ClosedPlaces } from './event-cancelled.ts';
export { attendeeIcs, type AttendeeEvent } from './ics.ts';
export { mintManagePath, registrationIdForToken } from './links.ts';
// For payments: a paid booking is confirmed, or cancelled when refunded, and a place that comes free passes on.
export { passOnFreedPlaces } from './offers.ts';
export { eventFacts, getBookingParty, getEvent, getEventBySlug } from './queries.ts';
export { cancelRegistration, confirmPaidRegistration, register } from './service.ts';

/** Gives a held place back and offers it to the waiting list, in the caller's transaction. */
export function releaseHold(tx: Db, holdId: string): Promise<boolean> {
  return releaseHoldOnly(tx, holdId, { passOn: (t, eventId) => passOnFreedPlaces(t, eventId) });
}

/** Whether this person (by account or address) holds a place at the event: booked, paying or attended. */
export async function hasPlaceAt(tx: Db, input: { eventId: string; personId: string; email: string }): Promise<boolean> {
  const [row] = await tx
    .select({ id: registrations.id })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, input.eventId),
        isNull(registrations.companionOfId),
        inArray(registrations.status, ['pending_payment', 'confirmed', 'attended']),
        or(eq(registrations.personId, input.personId), eq(registrations.email, input.email)),
      ),
    )
    .limit(1);
  return Boolean(row);
}

/** Sets when a live hold ends (the expiry job then passes its place on), in the caller's transaction. */
export async function setHoldExpiry(tx: Db, holdId: string, expiresAt: Date): Promise<void> {
  await tx
    .update(placeHolds)
    .set({ expiresAt })
    .where(and(eq(placeHolds.id, holdId), eq(placeHolds.state, 'live')));
}

/**
 * For publishing: whether people have a way to get a place. True when the organisers said no
 * booking is needed or it happens elsewhere; otherwise a kind of place must be on sale (or due to
 * go on sale) here.
 */
export async function placesReady(tx: Db, eventId: string, now: Date = new Date()): Promise<boolean> {
  const settings = await getSettings(tx, eventId);
  if (settings.bookingMode !== 'here') return true;
  const types = await listTicketTypes(tx, eventId);
  return types.some((t) => !t.salesEndAt || t.salesEndAt > now);
}
export { bookingState, type PaymentFacts } from './booking-state.ts';
