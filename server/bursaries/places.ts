// A pending application holds a place at the event (through registration's holds API), so a
// person waiting on a bursary decision is not shut out when the event fills up. The hold lasts
// until the event starts: declining or withdrawing releases it; approving keeps it for the
// applicant to book within BOOK_WITHIN_DAYS, after which the expiry job passes it on. The hold
// carries the applicant, so when they book, signed in, registration takes it up without knowing
// about bursaries.
import { and, eq } from 'drizzle-orm';
import { events, placeHolds } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { availability, hasPlaceAt, holdPlace, releaseHold, setHoldExpiry } from '../registration/api.ts';

const DAY_MS = 86_400_000;

function reference(applicationId: string): string {
  return `bursary-application:${applicationId}`;
}

/**
 * Holds a place for the applicant. Returns null when there is nothing to hold (the event has no
 * capacity limit, or the applicant already has a place there: a second would be kept from
 * everyone else until the decision), true when a place is held, false when the event was full.
 */
export async function holdPlaceFor(
  tx: Db,
  input: { applicationId: string; eventId: string; applicant: { id: string; email: string } },
  now: Date,
): Promise<boolean | null> {
  const [event] = await tx.select({ capacity: events.capacity, startsAt: events.startsAt }).from(events).where(eq(events.id, input.eventId));
  if (!event || event.capacity === null) return null;
  if (await hasPlaceAt(tx, { eventId: input.eventId, personId: input.applicant.id, email: input.applicant.email })) return null;
  const expiresAt = event.startsAt && event.startsAt.getTime() > now.getTime() ? event.startsAt : new Date(now.getTime() + 90 * DAY_MS);
  const hold = await holdPlace(
    tx,
    { eventId: input.eventId, kind: 'bursary', reference: reference(input.applicationId), personId: input.applicant.id, expiresAt },
    now,
  );
  return Boolean(hold);
}

async function liveHold(tx: Db, applicationId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: placeHolds.id })
    .from(placeHolds)
    .where(and(eq(placeHolds.reference, reference(applicationId)), eq(placeHolds.state, 'live')));
  return row?.id ?? null;
}

/** Declined, withdrawn or deleted: the place passes on (to the waiting list, if there is one). */
export async function releaseHeldPlace(tx: Db, applicationId: string): Promise<void> {
  const holdId = await liveHold(tx, applicationId);
  if (holdId) await releaseHold(tx, holdId);
}

/** After approval the applicant has this long to book the held place (never past the event's start). */
export const BOOK_WITHIN_DAYS = 14;

/**
 * What an approved applicant is told about their place, so nobody has to guess:
 * - 'booked': they already have a place (booked before the decision, the held place became it);
 * - 'held': a place is kept for them until `bookBy`; booking takes it, and after that it passes on;
 * - 'book': nothing was held (the event has no limit, or had none when they applied) and places are free;
 * - 'room_full': nothing is held and a hybrid event's room is full, with places online left;
 * - 'full': nothing is held and the event is full: they can join the waiting list.
 */
export type PlaceAfterApproval = { kind: 'booked' } | { kind: 'held'; bookBy: Date } | { kind: 'book' } | { kind: 'room_full' } | { kind: 'full' };

export async function placeAfterApproval(
  tx: Db,
  input: { applicationId: string; eventId: string; applicant: { id: string; email: string } },
  now: Date,
): Promise<PlaceAfterApproval> {
  if (await hasPlaceAt(tx, { eventId: input.eventId, personId: input.applicant.id, email: input.applicant.email })) {
    // Booked already: any place still held for the application is not needed twice.
    await releaseHeldPlace(tx, input.applicationId);
    return { kind: 'booked' };
  }
  const holdId = await liveHold(tx, input.applicationId);
  if (holdId) {
    const [event] = await tx.select({ startsAt: events.startsAt }).from(events).where(eq(events.id, input.eventId));
    const within = new Date(now.getTime() + BOOK_WITHIN_DAYS * DAY_MS);
    const bookBy = event?.startsAt && event.startsAt < within ? event.startsAt : within;
    await setHoldExpiry(tx, holdId, bookBy);
    return { kind: 'held', bookBy };
  }
  const avail = await availability(tx, input.eventId, now);
  if (avail.left === null || avail.left > 0) return { kind: 'book' };
  return onlineLeftIn(avail) ? { kind: 'room_full' } : { kind: 'full' };
}

/** At a hybrid event whose room is full, whether places online remain (a held place is in the room). */
export async function onlinePlacesLeft(tx: Db, eventId: string, now: Date): Promise<boolean> {
  return onlineLeftIn(await availability(tx, eventId, now));
}

function onlineLeftIn(avail: Awaited<ReturnType<typeof availability>>): boolean {
  return avail.online !== null && (avail.online.left === null || avail.online.left > 0);
}

/** Where an approved applicant's place stands now, for their application page (the email said it once). */
export type PlaceNow = { kind: 'booked' } | { kind: 'held'; bookBy: Date } | { kind: 'book' } | null;

export async function placeNow(
  tx: Db,
  input: { applicationId: string; eventId: string; eventStatus: string; applicant: { id: string; email: string } | null; approved: boolean },
  now = new Date(),
): Promise<PlaceNow> {
  if (!input.approved || !input.applicant || input.eventStatus !== 'published') return null;
  if (await hasPlaceAt(tx, { eventId: input.eventId, personId: input.applicant.id, email: input.applicant.email })) return { kind: 'booked' };
  const [hold] = await tx
    .select({ expiresAt: placeHolds.expiresAt })
    .from(placeHolds)
    .where(and(eq(placeHolds.reference, reference(input.applicationId)), eq(placeHolds.state, 'live')));
  if (hold && hold.expiresAt > now) return { kind: 'held', bookBy: hold.expiresAt };
  return { kind: 'book' };
}
