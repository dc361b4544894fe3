// Reserved places: an organiser keeps some of an event's places for a group (a service-user-led
// organisation, say) behind a code, with its own count and an expiry. Until then its unused
// places are out of everyone else's reach (holds.ts counts them); a booking made with the code
// uses one (and its companion's), and after the expiry whatever is unused goes back to everyone
// (the expiry job offers it to the waiting list: offers.ts' offerWaitingPlaces).
//
// Someone guessing codes learns nothing: every code tried is counted per IP first (in the
// database, so the limit holds across processes), then looked up in one statement that answers
// only "usable or not", and a wrong, expired or used-up code gets the same words. Those words
// are true for each case, so a real holder whose code has ended is not misled either: they are
// told it may have run out and to ask the group that gave it to them, or book an ordinary place.
import { randomInt } from 'node:crypto';
import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import { reservedCodeTries, reservedPlaces, type Attendance } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { lockEvent } from '../db/event-lock.ts';
import { InvalidInputError, TooManyRequestsError, type FieldError } from '../errors.ts';
import { availability, poolAvailability, reservationUsed } from './holds.ts';
import { passOnFreedPlaces } from './offers.ts';
import { getEvent } from './queries.ts';

/** Codes one IP may try in an hour on booking forms (right or wrong), unless RESERVED_CODE_TRIES_PER_IP_PER_HOUR says. */
export const CODE_TRIES_PER_IP_PER_HOUR = 10;

/** The one answer to a code that cannot be used, whatever the reason. */
export const CODE_NOT_USABLE =
  'We could not use that code. It may be mistyped, or its places may all be taken or its time may have ended. Check it with the group that gave it to you, or leave it empty to book an ordinary place.';

/** Upper-case, without spaces or dashes people add when copying: "sv-7k 2q" is "SV7K2Q". */
export function normaliseCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]+/g, '');
}

// No 0/O, 1/I/L: read aloud or copied from paper without doubt.
const CODE_LETTERS = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A new code: eight characters from 31, about 40 bits; guessing is held back by the per-IP limit. */
export function newCode(): string {
  return Array.from({ length: 8 }, () => CODE_LETTERS[randomInt(CODE_LETTERS.length)]).join('');
}

export interface Reservation {
  id: string;
  attendance: Attendance | null;
}

/**
 * Counts a try of a code from this IP, in its own transaction so the count stands whatever the
 * booking then does. TooManyRequestsError past the limit.
 */
export async function countCodeTry(db: Database, input: { ip: string; now: Date; perHour?: number }): Promise<void> {
  const since = new Date(input.now.getTime() - 3_600_000);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ n: count() })
      .from(reservedCodeTries)
      .where(and(eq(reservedCodeTries.requestedIp, input.ip), gt(reservedCodeTries.createdAt, since)));
    if (Number(row?.n ?? 0) >= (input.perHour ?? CODE_TRIES_PER_IP_PER_HOUR)) {
      throw new TooManyRequestsError('You have tried several codes in the last hour. Please wait an hour and try again, or book without a code.');
    }
    await tx.insert(reservedCodeTries).values({ requestedIp: input.ip, createdAt: input.now });
  });
}

/**
 * The reservation a code opens, if it can take `needed` more bookings now; otherwise the same
 * InvalidInputError (on the `code` field) for a wrong, expired or used-up code. One statement
 * either way, so the time taken does not tell them apart.
 */
export async function usableReservation(db: Db, input: { eventId: string; code: string; needed: number; now: Date }): Promise<Reservation> {
  const [row] = await db
    .select({ id: reservedPlaces.id, attendance: reservedPlaces.attendance })
    .from(reservedPlaces)
    .where(
      and(
        eq(reservedPlaces.eventId, input.eventId),
        eq(reservedPlaces.code, normaliseCode(input.code)),
        gt(reservedPlaces.expiresAt, input.now),
        sql`${reservedPlaces.places} - ${reservationUsed(sql`${reservedPlaces.id}`)} >= ${input.needed}`,
      ),
    );
  if (!row) throw new InvalidInputError([{ field: 'code', message: CODE_NOT_USABLE }]);
  return row;
}

/** Whether the event has any reserved places at all, so its booking form asks for a code. */
export async function hasReservations(db: Db, eventId: string): Promise<boolean> {
  const [row] = await db.select({ id: reservedPlaces.id }).from(reservedPlaces).where(eq(reservedPlaces.eventId, eventId)).limit(1);
  return Boolean(row);
}

export interface ReservationInput {
  groupName: string;
  places: number;
  expiresAt: Date | null;
  attendance: Attendance | null;
}

/**
 * Keeps places for a group behind a new code. The places must be free now (counted under the
 * event's lock, in the pool they come from), and the expiry before the event starts.
 */
export async function reservePlaces(
  db: Database,
  eventId: string,
  input: ReservationInput,
  actor: Me,
  now = new Date(),
): Promise<{ id: string; code: string }> {
  const errors: FieldError[] = [];
  const groupName = input.groupName.trim();
  if (!groupName) errors.push({ field: 'groupName', message: 'Enter who the places are for' });
  if (!Number.isInteger(input.places) || input.places < 1 || input.places > 1000)
    errors.push({ field: 'places', message: 'Places must be a whole number from 1 to 1000' });
  if (!input.expiresAt) errors.push({ field: 'expiresAt', message: 'Enter the date and time the code stops working' });
  else if (input.expiresAt <= now) errors.push({ field: 'expiresAt', message: 'The code must stop working in the future' });
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const event = (await getEvent(tx, eventId))!;
    if (event.startsAt && input.expiresAt! > event.startsAt)
      throw new InvalidInputError([{ field: 'expiresAt', message: 'The code must stop working before the event starts' }]);
    const attendance = event.format === 'hybrid' ? (input.attendance ?? 'in_person') : null;
    const left = poolAvailability(await availability(tx, eventId, now), attendance).left;
    if (left !== null && left < input.places) {
      throw new InvalidInputError([
        {
          field: 'places',
          message: `Only ${left} ${left === 1 ? 'place is' : 'places are'} free${attendance ? (attendance === 'online' ? ' online' : ' in the room') : ''}, so that many cannot be kept`,
        },
      ]);
    }
    // Codes are unique per event; a clash of random codes is rare, so try again a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newCode();
      const [row] = await tx
        .insert(reservedPlaces)
        .values({ eventId, groupName, code, places: input.places, attendance, expiresAt: input.expiresAt!, createdById: actor.id, createdAt: now })
        .onConflictDoNothing()
        .returning({ id: reservedPlaces.id });
      if (!row) continue;
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'registration.places.reserved',
        subjectType: 'event',
        subjectId: eventId,
        details: { reservationId: row.id, groupName, places: input.places, attendance, expiresAt: input.expiresAt!.toISOString() },
      });
      return { id: row.id, code };
    }
    throw new Error('Could not make a unique code');
  });
}

/** Ends a reservation now: its unused places go back to everyone (and to the waiting list). */
export async function endReservation(db: Database, eventId: string, reservationId: string, actor: Me, now = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const ended = await tx
      .update(reservedPlaces)
      .set({ expiresAt: now })
      .where(and(eq(reservedPlaces.id, reservationId), eq(reservedPlaces.eventId, eventId), gt(reservedPlaces.expiresAt, now)))
      .returning({ id: reservedPlaces.id });
    if (ended.length === 0) return false;
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'registration.places.reservation_ended',
      subjectType: 'event',
      subjectId: eventId,
      details: { reservationId },
    });
    await passOnFreedPlaces(tx, eventId, now);
    return true;
  });
}

/** An event's reservations with how many of their places are used, oldest first. */
export async function listReservations(db: Db, eventId: string) {
  return db
    .select({
      id: reservedPlaces.id,
      groupName: reservedPlaces.groupName,
      code: reservedPlaces.code,
      places: reservedPlaces.places,
      attendance: reservedPlaces.attendance,
      expiresAt: reservedPlaces.expiresAt,
      used: sql<number>`${reservationUsed(sql`${reservedPlaces.id}`)}`.mapWith(Number),
    })
    .from(reservedPlaces)
    .where(eq(reservedPlaces.eventId, eventId))
    .orderBy(asc(reservedPlaces.createdAt));
}
