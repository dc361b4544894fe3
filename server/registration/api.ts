// What other features may use from registration. Bursaries hold a place for a pending
// application with holdPlace(tx, { eventId, kind: 'bursary', reference, personId, expiresAt })
// inside their own transaction (null means the event is full), end it with releaseHold (a booking
// by that person takes it up), and may show availability(). See holds.ts for the rules these follow.
import { and, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { placeHolds, registrations, registrationSettings } from '../../db/schema/index.ts';
import { lockEvent } from '../db/event-lock.ts';
import type { Db } from '../db/database.ts';
import { availability as availabilityNow, placesLeft as placesLeftOf, releaseHold as releaseHoldOnly } from './holds.ts';
import { passOnFreedPlaces } from './offers.ts';
import { getSettings, listTicketTypes } from './queries.ts';

export { availability, holdPlace, placesLeft, type Availability, type Hold, type HoldInput } from './holds.ts';
export { closePlacesForCancelledEvent, type ClosedPlaces } from './event-cancelled.ts';
export { attendeeIcs, type AttendeeEvent } from './ics.ts';
export { mintManagePath, registrationIdForToken } from './links.ts';
// For payments: a paid booking is confirmed, or cancelled when refunded, and a place that comes free passes on.
export { passOnFreedPlaces } from './offers.ts';
export { refundCancelsPlace } from './booking-state.ts';
export { isOwnBooking, ownBookingMessage, type OwnBookingAction } from './own-booking.ts';
export { eventFacts, getBookingParty, getEvent, getEventBySlug } from './queries.ts';
export { cancelRegistration, confirmPaidRegistration, REFUNDED_BY_ORGANISER, register } from './service.ts';

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

/** Whether the event is invitation-only (nobody books it here; organisers invite people). */
export async function isInvitationOnly(tx: Db, eventId: string): Promise<boolean> {
  return (await getSettings(tx, eventId)).bookingMode === 'invitation';
}

/**
 * The same test as invitationOnlyAmong, as a column a list of events reads in its own statement
 * (`"events"."id"` named in full: inside a one-table select Drizzle leaves column names bare).
 */
export function invitationOnlyColumn(): SQL<boolean> {
  return sql<boolean>`exists (select 1 from registration_settings rs where rs.event_id = "events"."id" and rs.booking_mode = 'invitation')`;
}

/** Of these events, the invitation-only ones (for "by invitation" in lists). */
export async function invitationOnlyAmong(tx: Db, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await tx
    .select({ eventId: registrationSettings.eventId })
    .from(registrationSettings)
    .where(and(inArray(registrationSettings.eventId, eventIds), eq(registrationSettings.bookingMode, 'invitation')));
  return new Set(rows.map((r) => r.eventId));
}

/**
 * Makes the event invitation-only, or gives it back to booking here, in the caller's transaction
 * and under the event's lock (so a booking deciding now sees the change). The caller audits it.
 */
export async function setInvitationOnly(tx: Db, eventId: string, on: boolean): Promise<void> {
  await lockEvent(tx, eventId);
  const bookingMode = on ? 'invitation' : 'here';
  await tx
    .insert(registrationSettings)
    .values({ eventId, bookingMode })
    .onConflictDoUpdate({ target: registrationSettings.eventId, set: { bookingMode, updatedAt: new Date() } });
}

/**
 * Invitation-only events: an accepted invitation is a confirmed place like any booking, so the
 * attendee list, check-in, reminders, certificates and surveys all include the invitee. Takes a
 * place under the event's lock, in the caller's transaction, and returns the booking's id, or
 * null when every place is taken. Sends nothing: the invitations feature confirms the acceptance
 * in its own email, so the invitee gets one confirmation, not two.
 */
export async function placeForInvitee(
  tx: Db,
  input: { eventId: string; name: string; email: string; organisation: string; perspective: string; accessRequirements: string },
  now: Date = new Date(),
): Promise<string | null> {
  await lockEvent(tx, input.eventId);
  if (placesLeftOf(await availabilityNow(tx, input.eventId, now), null) < 1) return null;
  const [row] = await tx
    .insert(registrations)
    .values({
      eventId: input.eventId,
      // No kind of place: an invitation-only event sells none; the place counts against the event's capacity.
      ticketTypeId: null,
      status: 'confirmed',
      name: input.name,
      email: input.email,
      organisation: input.organisation,
      perspective: input.perspective,
      accessRequirements: input.accessRequirements,
      confirmedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: registrations.id });
  return row!.id;
}

/** An invitee changed what they need to take part: their place's access requirements follow. */
export async function setInviteeNeeds(tx: Db, input: { eventId: string; registrationId: string; accessRequirements: string }): Promise<void> {
  await tx
    .update(registrations)
    .set({ accessRequirements: input.accessRequirements, updatedAt: new Date() })
    .where(and(eq(registrations.id, input.registrationId), eq(registrations.eventId, input.eventId)));
}

/**
 * An invitee's place ends (they declined after accepting, or the organisers withdrew the
 * invitation): the booking is cancelled, its access needs cleared (not kept for someone who is not
 * coming), and the freed place passed on, in the caller's transaction. Sends nothing: the caller
 * says what happened in its own words. Returns false when the place had already ended (the
 * invitee cancelled it from a booking link) or has been used (they attended).
 */
export async function endInviteePlace(tx: Db, input: { eventId: string; registrationId: string }, now: Date = new Date()): Promise<boolean> {
  await lockEvent(tx, input.eventId);
  const ended = await tx
    .update(registrations)
    .set({ status: 'cancelled', cancelledAt: now, updatedAt: now, accessRequirements: '' })
    .where(
      and(
        eq(registrations.id, input.registrationId),
        eq(registrations.eventId, input.eventId),
        inArray(registrations.status, ['confirmed', 'pending_payment']),
      ),
    )
    .returning({ id: registrations.id });
  if (ended.length) await passOnFreedPlaces(tx, input.eventId, now);
  return ended.length > 0;
}

/** Of these bookings, the ones that still hold a place (booked or attended), with their state. */
export async function placesHeld(tx: Db, registrationIds: string[]): Promise<Map<string, 'confirmed' | 'attended'>> {
  if (registrationIds.length === 0) return new Map();
  const rows = await tx
    .select({ id: registrations.id, status: registrations.status })
    .from(registrations)
    .where(and(inArray(registrations.id, registrationIds), inArray(registrations.status, ['confirmed', 'attended'])));
  return new Map(rows.map((r) => [r.id, r.status as 'confirmed' | 'attended']));
}
