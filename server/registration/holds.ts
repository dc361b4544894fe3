// Holds and availability: the one place that decides whether an event has a place left.
//
// A hold takes a place without being a confirmed booking: an open Stripe Checkout ('checkout'),
// a waiting-list offer ('offer'), or the place kept for a bursary applicant ('bursary', while the
// application is decided and for a while after approval). A hold kept for a person names them
// (personId): when they book, signed in, the booking takes the held place up (takeUpHeldPlace).
// Every hold has an expiry; a live hold past its expiry no longer counts, and the registration
// jobs (expireDueHolds in offers.ts, run by plugin.ts) mark it expired and pass the place on to
// the waiting list.
//
// Availability is always computed, never a stored counter:
//   capacity − (pending_payment + confirmed + attended registrations) − live, unexpired holds
//            − unused places of unexpired reservations (reserved-places.ts)
// per event and, for a ticket type with its own capacity, per ticket type. A hold tied to a
// registration that already counts (a checkout hold on a pending_payment booking) is not
// counted twice. A booking made with a reservation's code uses one of its places, so it leaves
// the event's count as it was: it is checked against the reservation instead.
//
// A hybrid event has two sets of places, each with its own capacity: in the room (`capacity`)
// and online (`online_capacity`). Bookings, holds, reservations and the waiting list each belong
// to one of them (`attendance`; null counts as in the room), and each is counted on its own
// (a Pool). Ticket types' own limits count both together. An event that is only in person or
// only online has one pool (null): everything counts against `capacity`.
//
// Contended decisions lock, then count, inside a transaction, with the event's lock
// (db/event-lock.ts). holdPlace() and releaseHold() take it themselves. A booking (service.ts)
// may instead decide from an unlocked count, write its rows, and then lock and count again with
// checkPlaces(): the same guarantee, with only that last count and the commit under the lock.
//
// Other features use holds only through registration's API (api.ts), inside their own
// transaction; bursaries, for example (bursaries/places.ts):
//
//   const hold = await holdPlace(tx, { eventId, kind: 'bursary', reference: `bursary-application:${id}`, personId, expiresAt });
//   if (!hold) ... // no place left: tell the applicant
//   ... later, in another transaction:
//   await releaseHold(tx, hold.id);   // api.ts: declined or withdrawn, the place passes to the waiting list
//   // or nothing: the applicant books, and registration takes the place up itself
import { and, eq, gt, sql, type SQL } from 'drizzle-orm';
import { events, placeHolds, placeTakingStatuses, type Attendance, type EventFormat, type HoldKind } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { lockEvent } from '../db/event-lock.ts';
import { NotFoundError } from '../errors.ts';

const isTrue = (value: unknown) => value === true || value === 't';
const placeTaking = sql.join(
  placeTakingStatuses.map((status) => sql`${status}`),
  sql`, `,
);
const activeStatuses = sql.join(
  ['pending_payment', 'confirmed', 'attended', 'waitlisted', 'offered'].map((status) => sql`${status}`),
  sql`, `,
);

/**
 * Which places something counts against: at a hybrid event the room's or the online ones, and
 * at any other event the event's only set (null).
 */
export type Pool = Attendance | null;

export function poolOf(format: EventFormat, attendance: Attendance | null | undefined): Pool {
  return format === 'hybrid' ? (attendance ?? 'in_person') : null;
}

/** A condition keeping only rows of the pool (`column` is an attendance column); true for null. */
export function inPool(column: SQL, pool: Pool): SQL {
  return pool === null ? sql`true` : sql`coalesce(${column}, 'in_person') = ${pool}`;
}

/** FROM and WHERE for the event's bookings that take a place (pending payment, confirmed, attended). */
function bookingsTakingPlaces(eventId: string, pool: Pool = null): SQL {
  return sql`from registrations where event_id = ${eventId} and status in (${placeTaking}) and ${inPool(sql`attendance`, pool)}`;
}

/** FROM and WHERE (alias h) for the event's live holds, less those on a booking already counted. */
function liveHoldsNotCounted(eventId: string, now: Date, pool: Pool = null): SQL {
  return sql`from place_holds h left join registrations r on r.id = h.registration_id
    where h.event_id = ${eventId} and h.state = 'live' and h.expires_at > ${now.toISOString()}::timestamptz
      and (h.registration_id is null or r.status not in (${placeTaking})) and ${inPool(sql`h.attendance`, pool)}`;
}

/** How many of a reservation's places are used: its bookings (and their companions) that take a place. */
export function reservationUsed(reservationId: SQL): SQL {
  return sql`(select count(*) from registrations u where u.reservation_id = ${reservationId} and u.status in (${placeTaking}))`;
}

/** FROM and WHERE (alias rp) for the event's reservations still in force. */
function liveReservations(eventId: string, now: Date, pool: Pool = null): SQL {
  return sql`from reserved_places rp where rp.event_id = ${eventId} and rp.expires_at > ${now.toISOString()}::timestamptz
    and ${inPool(sql`rp.attendance`, pool)}`;
}

/** Places kept for reservations and not yet used, in one pool (or the whole event). */
function reservedUnused(eventId: string, now: Date, pool: Pool = null): SQL {
  return sql`(select coalesce(sum(greatest(0, rp.places - ${reservationUsed(sql`rp.id`)})), 0) ${liveReservations(eventId, now, pool)})`;
}

export interface TicketTypeAvailability {
  ticketTypeId: string;
  capacity: number | null;
  taken: number;
  /** null when the type has no limit of its own (the event's limit still applies). */
  left: number | null;
}

export interface PoolAvailability {
  capacity: number | null;
  /** Places taken by bookings (pending payment, confirmed, attended). */
  booked: number;
  /** Places taken by live holds not already counted as bookings. */
  held: number;
  /** Places kept for reservations (by code) and not used yet. */
  reserved: number;
  /** null when there is no capacity set (no limit). */
  left: number | null;
}

/**
 * The event's places: at a hybrid event the top-level figures are the room's and `online` has
 * the online places; at any other event the top-level figures are all of them and `online` is null.
 */
export interface Availability extends PoolAvailability {
  online: PoolAvailability | null;
  ticketTypes: TicketTypeAvailability[];
}

/**
 * Places left for the event and for each of its ticket types. Read-only: inside a deciding
 * transaction call lockEvent() first so the answer stays true until commit.
 */
export async function availability(tx: Db, eventId: string, now: Date = new Date()): Promise<Availability> {
  // One statement, reading bookings and live holds once each, counted per pool and ticket type
  // (key "pool type"; a companion's place has no type, so its type is '').
  const key = (attendance: SQL, type: SQL) => sql`coalesce(${attendance}, 'in_person') || ' ' || coalesce(${type}::text, '')`;
  const [row] = await tx
    .select({
      capacity: events.capacity,
      onlineCapacity: events.onlineCapacity,
      format: events.format,
      types: sql<TypeRow[] | string>`(select coalesce(json_agg(json_build_object('id', t.id, 'capacity', t.capacity) order by t.id), '[]')
        from ticket_types t where t.event_id = ${eventId})`,
      booked: sql<Counts | string | null>`(select json_object_agg(k, n) from (select ${key(sql`attendance`, sql`ticket_type_id`)} k, count(*) n
        ${bookingsTakingPlaces(eventId)} group by 1) x)`,
      held: sql<Counts | string | null>`(select json_object_agg(k, n) from (select ${key(sql`h.attendance`, sql`h.ticket_type_id`)} k, count(*) n
        ${liveHoldsNotCounted(eventId, now)} group by 1) x)`,
      reserved: sql<Counts | string | null>`(select json_object_agg(k, n) from (select coalesce(rp.attendance, 'in_person') k,
        sum(greatest(0, rp.places - ${reservationUsed(sql`rp.id`)})) n ${liveReservations(eventId, now)} group by 1) x)`,
    })
    .from(events)
    .where(eq(events.id, eventId));
  if (!row) throw new NotFoundError('We could not find that event.');
  const parse = <T>(value: T | string | null, empty: T): T => (value === null ? empty : typeof value === 'string' ? (JSON.parse(value) as T) : value);
  const types = parse(row.types, []);
  const booked = parse<Counts>(row.booked, {});
  const held = parse<Counts>(row.held, {});
  const reserved = parse<Counts>(row.reserved, {});
  const hybrid = row.format === 'hybrid';
  // At a hybrid event, only the pool's own rows; elsewhere every row counts against `capacity`.
  const sum = (counts: Counts, match: (pool: string, type: string) => boolean) =>
    Object.entries(counts).reduce((total, [k, n]) => {
      const [pool = '', type = ''] = k.split(' ');
      return match(pool, type) ? total + Number(n) : total;
    }, 0);
  const poolFigures = (capacity: number | null, pool: Attendance | null): PoolAvailability => {
    const inIt = (p: string) => pool === null || p === pool;
    const b = sum(booked, inIt);
    const h = sum(held, inIt);
    const r = sum(reserved, inIt);
    return { capacity, booked: b, held: h, reserved: r, left: capacity === null ? null : Math.max(0, capacity - b - h - r) };
  };
  return {
    ...poolFigures(row.capacity, hybrid ? 'in_person' : null),
    online: hybrid ? poolFigures(row.onlineCapacity, 'online') : null,
    ticketTypes: types.map((t) => {
      const taken = sum(booked, (_, type) => type === t.id) + sum(held, (_, type) => type === t.id);
      return { ticketTypeId: t.id, capacity: t.capacity, taken, left: t.capacity === null ? null : Math.max(0, t.capacity - taken) };
    }),
  };
}

/** The places of one pool: the online ones of a hybrid event, otherwise the top-level figures. */
export function poolAvailability(avail: Availability, attendance: Attendance | null | undefined): PoolAvailability {
  return attendance === 'online' && avail.online ? avail.online : avail;
}

/** Whether no pool has a place left (a hybrid event may be full in the room with places online). */
export function everyPoolFull(avail: Availability): boolean {
  const full = (p: PoolAvailability) => p.left !== null && p.left < 1;
  return full(avail) && (!avail.online || full(avail.online));
}

/** Counts by ticket type id. */
type Counts = Record<string, number>;

interface TypeRow {
  id: string;
  capacity: number | null;
}

export interface PlaceCheck {
  /** Places left for the event and for the ticket type, counting this transaction's own rows; may be negative. */
  eventLeft: number;
  typeLeft: number;
  /** Booking has not been closed by an organiser. */
  registrationOpen: boolean;
  /** Someone else is on the waiting list for this kind of place. */
  othersWaiting: boolean;
  /** Another live booking (not a companion) has this email address. */
  duplicate: boolean;
  /** The event became hybrid, or stopped being, after the booking chose its pool. */
  poolChanged: boolean;
  /** Places of the booking's reservation left (negative when over); null without one. */
  reservationLeft: number | null;
}

/**
 * Everything a booking's decision rests on, in one statement, for a transaction that decided
 * first and locks last: call lockEvent() just before, so that every booking committed before
 * this one is counted (each statement reads what was committed when it began).
 */
export async function checkPlaces(
  tx: Db,
  input: { eventId: string; ticketTypeId: string; registrationId: string; email: string; now: Date; pool?: Pool; reservationId?: string | null },
): Promise<PlaceCheck> {
  const { eventId, ticketTypeId, registrationId, email, now } = input;
  const pool = input.pool ?? null;
  const [row] = await tx
    .select({
      ...placeCountFields({ eventId, ticketTypeId, now, pool, reservationId: input.reservationId ?? null }),
      format: events.format,
      registrationOpen:
        sql<boolean>`coalesce((select registration_open and booking_mode = 'here' from registration_settings where event_id = ${eventId}), true)`.mapWith(
          isTrue,
        ),
      othersWaiting: sql<boolean>`exists (select 1 from registrations where event_id = ${eventId} and ticket_type_id = ${ticketTypeId}
        and status = 'waitlisted' and id <> ${registrationId} and ${inPool(sql`attendance`, pool)})`.mapWith(isTrue),
      // A booking without an address (made by an organiser) is nobody's duplicate.
      duplicate: sql<boolean>`${email} <> '' and exists (select 1 from registrations where event_id = ${eventId} and email = ${email}
        and companion_of_id is null and status in (${activeStatuses}) and id <> ${registrationId})`.mapWith(isTrue),
    })
    .from(events)
    .where(eq(events.id, eventId));
  if (!row) throw new NotFoundError('We could not find that event.');
  return {
    ...placesLeftFrom(row),
    registrationOpen: row.registrationOpen,
    othersWaiting: row.othersWaiting,
    duplicate: row.duplicate,
    // The event's format changed since the booking decided which places it counts against.
    poolChanged: poolOf(row.format, pool) !== pool,
  };
}

/**
 * Columns for a select from `events` that count the places taken at the event and of one ticket
 * type, reading bookings and live holds once each (they often run under the event's lock).
 * Turn them into places left with placesLeftFrom().
 */
export function placeCountFields(input: { eventId: string; ticketTypeId: string; now: Date; pool: Pool; reservationId: string | null }) {
  const { eventId, ticketTypeId, now, pool, reservationId } = input;
  // The type's own limit counts both pools of a hybrid event together.
  const ofType = (column: SQL) => sql`${column} = ${ticketTypeId}`;
  return {
    capacity: pool === 'online' ? events.onlineCapacity : events.capacity,
    typeCapacity: sql<number | null>`(select capacity from ticket_types where id = ${ticketTypeId})`,
    booked: sql<
      Pair | string
    >`(select json_build_array(count(*) filter (where ${inPool(sql`attendance`, pool)}), count(*) filter (where ${ofType(sql`ticket_type_id`)}))
      ${bookingsTakingPlaces(eventId)})`,
    held: sql<
      Pair | string
    >`(select json_build_array(count(*) filter (where ${inPool(sql`h.attendance`, pool)}), count(*) filter (where ${ofType(sql`h.ticket_type_id`)}))
      ${liveHoldsNotCounted(eventId, now)})`,
    reserved: sql<number | string>`${reservedUnused(eventId, now, pool)}`,
    reservationLeft: reservationId
      ? sql<number | string | null>`(select rp.places - ${reservationUsed(sql`rp.id`)} from reserved_places rp where rp.id = ${reservationId}
        and rp.event_id = ${eventId} and rp.expires_at > ${now.toISOString()}::timestamptz)`
      : sql<null>`null::int`,
  };
}

/**
 * Places left at the event (in the pool) and of the ticket type, and of the reservation if there
 * is one (negative when over; a reservation that has ended has none), from placeCountFields().
 */
export function placesLeftFrom(row: {
  capacity: number | null;
  typeCapacity: number | null;
  booked: Pair | string;
  held: Pair | string;
  reserved: number | string;
  reservationLeft: number | string | null;
}): { eventLeft: number; typeLeft: number; reservationLeft: number | null } {
  const [booked, bookedOfType] = pair(row.booked);
  const [held, heldOfType] = pair(row.held);
  const unlimited = Number.MAX_SAFE_INTEGER;
  return {
    eventLeft: (row.capacity ?? unlimited) - booked - held - Number(row.reserved),
    typeLeft: (row.typeCapacity === null ? unlimited : Number(row.typeCapacity)) - bookedOfType - heldOfType,
    reservationLeft: row.reservationLeft === null ? null : Number(row.reservationLeft),
  };
}

type Pair = [number, number];
function pair(value: Pair | string): Pair {
  const [a, b] = typeof value === 'string' ? (JSON.parse(value) as Pair) : value;
  return [Number(a), Number(b)];
}

/**
 * How many places of this kind can be taken now: the smaller of the event's (in the pool the
 * attendance names, at a hybrid event) and the type's.
 */
export function placesLeft(avail: Availability, ticketTypeId: string | null, attendance: Attendance | null = null): number {
  const eventLeft = poolAvailability(avail, attendance).left ?? Number.POSITIVE_INFINITY;
  if (!ticketTypeId) return eventLeft;
  const type = avail.ticketTypes.find((t) => t.ticketTypeId === ticketTypeId);
  const typeLeft = type?.left ?? Number.POSITIVE_INFINITY;
  return Math.min(eventLeft, typeLeft);
}

export interface HoldInput {
  eventId: string;
  kind: HoldKind;
  expiresAt: Date;
  ticketTypeId?: string | null;
  registrationId?: string | null;
  /** Another feature's record, e.g. "bursary-application:<id>"; at most one live hold each. */
  reference?: string | null;
  /** The person the place is kept for: only they take it up, by booking signed in (takeUpHeldPlace). */
  personId?: string | null;
  /** At a hybrid event, which places it holds; in the room when not given (a bursary's travel is to the room). */
  attendance?: Attendance | null;
}

export interface Hold {
  id: string;
  eventId: string;
  kind: HoldKind;
  expiresAt: Date;
}

/**
 * Takes a place if one is free, or returns null when the event (or ticket type) is full.
 * Locks the event row first. A live hold with the same reference is returned as it is, so
 * calling twice for one application holds one place.
 */
export async function holdPlace(tx: Db, input: HoldInput, now: Date = new Date()): Promise<Hold | null> {
  await lockEvent(tx, input.eventId);
  if (input.reference) {
    const [existing] = await tx
      .select({ id: placeHolds.id, eventId: placeHolds.eventId, kind: placeHolds.kind, expiresAt: placeHolds.expiresAt })
      .from(placeHolds)
      .where(and(eq(placeHolds.reference, input.reference), eq(placeHolds.state, 'live'), gt(placeHolds.expiresAt, now)));
    if (existing) return existing;
  }
  const avail = await availability(tx, input.eventId, now);
  if (placesLeft(avail, input.ticketTypeId ?? null, input.attendance ?? null) < 1) return null;
  return insertHold(tx, input);
}

/** Inserts a hold without checking; only for callers that hold the event lock and have counted. */
export async function insertHold(tx: Db, input: HoldInput): Promise<Hold> {
  if (input.reference) {
    // A dead hold with this reference may still be marked live (expired, not yet swept).
    await tx
      .update(placeHolds)
      .set({ state: 'expired', endedAt: new Date(), personId: null })
      .where(and(eq(placeHolds.reference, input.reference), eq(placeHolds.state, 'live')));
  }
  const [hold] = await tx
    .insert(placeHolds)
    .values({
      eventId: input.eventId,
      kind: input.kind,
      expiresAt: input.expiresAt,
      ticketTypeId: input.ticketTypeId ?? null,
      registrationId: input.registrationId ?? null,
      reference: input.reference ?? null,
      personId: input.personId ?? null,
      attendance: input.attendance ?? null,
    })
    .returning({ id: placeHolds.id, eventId: placeHolds.eventId, kind: placeHolds.kind, expiresAt: placeHolds.expiresAt });
  return hold!;
}

async function endHold(tx: Db, holdId: string, state: 'released' | 'consumed' | 'expired'): Promise<{ eventId: string } | null> {
  const [row] = await tx
    .update(placeHolds)
    // An ended hold keeps nobody's name (it would say who applied for a bursary, after erasure too).
    .set({ state, endedAt: new Date(), personId: null })
    .where(and(eq(placeHolds.id, holdId), eq(placeHolds.state, 'live')))
    .returning({ eventId: placeHolds.eventId });
  return row ?? null;
}

/**
 * Gives the place back. Returns false if the hold had already ended. Pass `passOn` (offers.ts'
 * passOnFreedPlaces) to move the waiting list in the same transaction.
 */
export async function releaseHold(tx: Db, holdId: string, options: { passOn?: (tx: Db, eventId: string) => Promise<unknown> } = {}): Promise<boolean> {
  const [hold] = await tx.select({ eventId: placeHolds.eventId }).from(placeHolds).where(eq(placeHolds.id, holdId));
  if (!hold) return false;
  await lockEvent(tx, hold.eventId);
  const ended = await endHold(tx, holdId, 'released');
  if (ended && options.passOn) await options.passOn(tx, ended.eventId);
  return Boolean(ended);
}

/** The held place became a booking (or a bursary place was taken up): the hold ends. */
export async function confirmHold(tx: Db, holdId: string): Promise<boolean> {
  return Boolean(await endHold(tx, holdId, 'consumed'));
}

/**
 * For a booking, as part of a larger statement: whether a live hold at this event keeps a place
 * for this person (an SQL expression for their id), which only they may take up.
 */
export function placeKeptFor(eventId: string, personId: SQL): SQL {
  return sql`exists (select 1 from ${placeHolds} where ${placeHolds.eventId} = ${eventId} and ${placeHolds.personId} = ${personId} and ${placeHolds.state} = 'live')`;
}

/**
 * When a person books a place at an event, a place kept for them there (if any) becomes that
 * booking, so it is not counted twice. Returns whether a held place was taken up. Call inside the
 * booking's transaction.
 */
export async function takeUpHeldPlace(tx: Db, input: { eventId: string; personId: string }): Promise<boolean> {
  const holds = await tx
    .select({ id: placeHolds.id })
    .from(placeHolds)
    .where(and(eq(placeHolds.eventId, input.eventId), eq(placeHolds.personId, input.personId), eq(placeHolds.state, 'live')));
  for (const { id } of holds) if (await confirmHold(tx, id)) return true;
  return false;
}

/** Marks a hold expired (the expiry job, or a checkout session that expired). */
export async function expireHold(tx: Db, holdId: string): Promise<boolean> {
  return Boolean(await endHold(tx, holdId, 'expired'));
}

/** The live hold on a registration, if any (an offer or an open checkout). */
export async function liveHoldFor(tx: Db, registrationId: string): Promise<{ id: string; kind: HoldKind; expiresAt: Date } | null> {
  const [row] = await tx
    .select({ id: placeHolds.id, kind: placeHolds.kind, expiresAt: placeHolds.expiresAt })
    .from(placeHolds)
    .where(and(eq(placeHolds.registrationId, registrationId), eq(placeHolds.state, 'live')))
    .orderBy(sql`${placeHolds.createdAt} desc`)
    .limit(1);
  return row ?? null;
}
