// The waiting list: when a place frees, the next person waiting is offered it, held for them for
// the event's offer time (48 hours unless the organisers change it). Offers and checkout holds
// that run out are swept by expireDueHolds(), safe to run in several processes at once: each
// process takes an event's row with FOR UPDATE SKIP LOCKED, so one event is handled by one
// process at a time and the others move on.
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { events, payments, placeHolds, registrations } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { freedPlacesPassOn } from '../event-over.ts';
import { tryLockEvent } from '../db/event-lock.ts';
import { formatDateTime } from '../format.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { availability, everyPoolFull, expireHold, insertHold, placesLeft, poolAvailability } from './holds.ts';
import { mintManagePath } from './links.ts';
import { placeWords } from './place-facts.ts';
import { eventFacts, getEvent, getSettings } from './queries.ts';

/**
 * Offers freed places to the people waiting longest. The caller must hold the event's lock
 * (lockEvent) in this transaction. Returns the registrations offered a place.
 */
export async function passOnFreedPlaces(tx: Db, eventId: string, now: Date = new Date()): Promise<string[]> {
  const event = await getEvent(tx, eventId);
  if (!event || !freedPlacesPassOn(event, now)) return [];
  const { offerHours } = await getSettings(tx, eventId);
  const waiting = await tx
    .select({
      id: registrations.id,
      ticketTypeId: registrations.ticketTypeId,
      name: registrations.name,
      email: registrations.email,
      attendance: registrations.attendance,
    })
    .from(registrations)
    .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'waitlisted'), isNull(registrations.companionOfId)))
    .orderBy(asc(registrations.waitlistedAt), asc(registrations.createdAt))
    .limit(500);
  if (waiting.length === 0) return [];

  const offered: string[] = [];
  let avail = await availability(tx, eventId, now);
  // Each waits for their own pool's places at a hybrid event: a place online goes to the first
  // person waiting to come online, whoever waits longer for the room.
  for (const person of waiting) {
    if (everyPoolFull(avail)) break;
    const attendance = event.format === 'hybrid' ? (person.attendance ?? 'in_person') : null;
    const companions = await tx
      .select({ id: registrations.id })
      .from(registrations)
      .where(and(eq(registrations.companionOfId, person.id), eq(registrations.status, 'waitlisted')));
    const needed = 1 + companions.length;
    const poolLeft = poolAvailability(avail, attendance).left ?? Number.POSITIVE_INFINITY;
    if (placesLeft(avail, person.ticketTypeId, attendance) < 1 || poolLeft < needed) continue;

    const expiresAt = new Date(now.getTime() + offerHours * 3_600_000);
    const ids = [person.id, ...companions.map((c) => c.id)];
    await tx.update(registrations).set({ status: 'offered', updatedAt: now }).where(inArray(registrations.id, ids));
    await insertHold(tx, { eventId, kind: 'offer', expiresAt, ticketTypeId: person.ticketTypeId, registrationId: person.id, attendance });
    for (const c of companions) await insertHold(tx, { eventId, kind: 'offer', expiresAt, ticketTypeId: null, registrationId: c.id, attendance });
    const managePath = await mintManagePath(tx, person.id);
    await enqueueEmail(tx, {
      because: 'booking.offered',
      to: person.email,
      template: 'registration-offer',
      data: { ...eventFacts(event), ...placeWords(event, attendance), name: person.name, managePath, expires: formatDateTime(expiresAt) },
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'registration.booking.offered',
      subjectType: 'registration',
      subjectId: person.id,
      details: { eventId, expiresAt: expiresAt.toISOString() },
    });
    offered.push(person.id);
    avail = await availability(tx, eventId, now);
  }
  return offered;
}

export interface ExpiryResult {
  expiredHolds: number;
  offersMade: number;
}

/**
 * Ends holds whose time has run out: waiting-list offers pass on, open checkouts give their
 * place back, bursary holds simply lapse. Call it with `now` in tests; the plugin runs it on a
 * timer.
 */
export async function expireDueHolds(db: Database, now: Date = new Date()): Promise<ExpiryResult> {
  const result: ExpiryResult = { expiredHolds: 0, offersMade: 0 };
  const due = await db
    .selectDistinct({ eventId: placeHolds.eventId })
    .from(placeHolds)
    .where(and(eq(placeHolds.state, 'live'), lte(placeHolds.expiresAt, now)))
    .limit(100);
  for (const { eventId } of due) {
    await db.transaction(async (tx) => {
      // Another process may be handling this event (or a booking is deciding on it): skip it
      // this round rather than wait.
      if (!(await tryLockEvent(tx, eventId))) return;
      const holds = await tx
        .select({ id: placeHolds.id, kind: placeHolds.kind, registrationId: placeHolds.registrationId })
        .from(placeHolds)
        .where(and(eq(placeHolds.eventId, eventId), eq(placeHolds.state, 'live'), lte(placeHolds.expiresAt, now)));
      const event = await getEvent(tx, eventId);
      for (const hold of holds) {
        if (!(await expireHold(tx, hold.id))) continue;
        result.expiredHolds++;
        if (!hold.registrationId) continue;
        const fromStatus = hold.kind === 'offer' ? 'offered' : hold.kind === 'checkout' ? 'pending_payment' : null;
        if (!fromStatus) continue;
        const ended = await tx
          .update(registrations)
          // Who would have paid is kept only while they wait (service.ts): the waiting has ended.
          .set({ status: 'expired', updatedAt: now, invoicePayer: null })
          .where(and(or(eq(registrations.id, hold.registrationId), eq(registrations.companionOfId, hold.registrationId)), eq(registrations.status, fromStatus)))
          .returning({ id: registrations.id, name: registrations.name, email: registrations.email, companionOfId: registrations.companionOfId });
        if (hold.kind === 'checkout') {
          await tx
            .update(payments)
            .set({ status: 'expired' })
            .where(and(eq(payments.registrationId, hold.registrationId), eq(payments.status, 'open')));
        }
        const main = ended.find((r) => r.id === hold.registrationId && !r.companionOfId);
        if (!main) continue;
        await recordAudit(tx, {
          actorId: null,
          action: hold.kind === 'offer' ? 'registration.offer.expired' : 'registration.checkout.expired',
          subjectType: 'registration',
          subjectId: main.id,
          details: { eventId },
        });
        // After a cancellation the event's own email has said enough.
        if (hold.kind === 'offer' && event && event.status === 'published') {
          await enqueueEmail(tx, {
            because: 'booking.offer-expired',
            to: main.email,
            template: 'registration-offer-expired',
            data: { ...eventFacts(event), name: main.name },
          });
        }
      }
      result.offersMade += (await passOnFreedPlaces(tx, eventId, now)).length;
    });
  }
  return result;
}

/** How many people are ahead of a waiting registration (for "you are number N"). */
export async function waitingListPosition(db: Db, eventId: string, registrationId: string): Promise<number | null> {
  const [me] = await db
    .select({ waitlistedAt: registrations.waitlistedAt, attendance: registrations.attendance })
    .from(registrations)
    .where(and(eq(registrations.id, registrationId), eq(registrations.eventId, eventId)));
  if (!me?.waitlistedAt) return null;
  // Only those waiting for the same places (in the room or online) are ahead.
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, eventId),
        eq(registrations.status, 'waitlisted'),
        isNull(registrations.companionOfId),
        lte(registrations.waitlistedAt, me.waitlistedAt),
        sql`coalesce(${registrations.attendance}, 'in_person') = ${me.attendance ?? 'in_person'}`,
      ),
    );
  return Number(row?.n ?? 1);
}

/**
 * Offers places that became free without a hold ending, e.g. when the planning group raised the
 * event's capacity. Runs with the expiry job; events locked elsewhere are left for the next round.
 */
export async function offerWaitingPlaces(db: Database, now: Date = new Date()): Promise<number> {
  const waiting = await db
    .selectDistinct({ eventId: registrations.eventId })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(and(eq(registrations.status, 'waitlisted'), eq(events.status, 'published'), sql`${events.startsAt} > ${now.toISOString()}::timestamptz`))
    .limit(200);
  let offers = 0;
  for (const { eventId } of waiting) {
    offers += await db.transaction(async (tx) => {
      if (!(await tryLockEvent(tx, eventId))) return 0;
      return (await passOnFreedPlaces(tx, eventId, now)).length;
    });
  }
  return offers;
}
