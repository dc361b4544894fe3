// Runs only on a real PostgreSQL: a hybrid event's room and online places, and places reserved
// behind a code, under real concurrency from several connection pools (as several server
// processes would): never more booked than each set of places holds. Control runs with the event
// lock switched off show that each race is real, so the main runs prove something.
import { and, count, eq, isNotNull, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrations, reservedPlaces } from '../../db/schema/index.ts';
import { connectPostgres, type DatabaseHandle } from '../../server/db/database.ts';
import { capacityLockForTests } from '../../server/db/event-lock.ts';
import { ConflictError, InvalidInputError } from '../../server/errors.ts';
import { expireDueHolds } from '../../server/registration/offers.ts';
import { bookForSomeone, cancelRegistration, register } from '../../server/registration/service.ts';
import { makeEvent, makeTicketType, provenBookers } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const pools: DatabaseHandle[] = [];
beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 3; i++) pools.push(connectPostgres(t.database.url!, { max: 15 }));
});
afterAll(async () => {
  capacityLockForTests.enabled = true;
  for (const p of pools) await p.close();
  await t.close();
});

const context = (i: number) => ({ baseUrl: 'http://convene.test', paidMode: 'invoice' as const, ip: `10.0.${i >> 8}.${i & 255}` });
const answers = {
  organisation: '',
  perspective: '',
  accessRequirements: '',
  dietaryNeeds: '',
  consentFutureEvents: false,
  answers: {},
  companion: false,
  companionName: '',
};
const dbs = () => [t.db, ...pools.map((p) => p.db)];

/** Counts of an event's places taken, by how people attend. */
async function confirmedBy(eventId: string) {
  const rows = await t.db
    .select({ attendance: registrations.attendance, n: count() })
    .from(registrations)
    .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'confirmed')))
    .groupBy(registrations.attendance);
  return Object.fromEntries(rows.map((r) => [r.attendance ?? 'none', Number(r.n)]));
}

/**
 * 80 members for the room and 80 online racing for 20 and 30 places, while organisers book 20
 * people without email for the room at the same moment.
 */
async function hybridRush(round: number) {
  const event = await makeEvent(t.db, { format: 'hybrid', capacity: 20, onlineCapacity: 30 });
  const type = await makeTicketType(t.db, event.id);
  const bookers = await provenBookers(
    t.db,
    Array.from({ length: 160 }, (_, i) => `h${round}-${i}@example.org`),
  );
  const [organiser] = await provenBookers(t.db, [`desk${round}@example.org`]);
  const all = dbs();
  const results = await Promise.allSettled([
    ...bookers.map((me, i) =>
      register(
        all[i % all.length]!,
        event.id,
        { ...answers, ticketTypeId: type.id, name: `P${i}`, email: me.email, attendance: i % 2 ? 'online' : 'in_person' },
        me,
        context(i),
      ),
    ),
    ...Array.from({ length: 20 }, (_, i) =>
      bookForSomeone(
        all[i % all.length]!,
        event.id,
        { ...answers, ticketTypeId: type.id, name: `Phoned ${i}`, email: '', attendance: 'in_person' },
        organiser!,
        context(i),
      ),
    ),
  ]);
  // Only a clear "no place" may refuse someone booked by an organiser without an address.
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
  return confirmedBy(event.id);
}

/** 60 with the code for 10 reserved places and 60 without, for the event's other 20. */
async function codeRush(round: number) {
  const event = await makeEvent(t.db, { capacity: 30 });
  const type = await makeTicketType(t.db, event.id);
  const [reservation] = await t.db
    .insert(reservedPlaces)
    .values({ eventId: event.id, groupName: 'Group', code: `RACE${round}`, places: 10, expiresAt: new Date(Date.now() + 86_400_000) })
    .returning();
  const bookers = await provenBookers(
    t.db,
    Array.from({ length: 120 }, (_, i) => `c${round}-${i}@example.org`),
  );
  const all = dbs();
  const results = await Promise.allSettled(
    bookers.map((me, i) =>
      register(
        all[i % all.length]!,
        event.id,
        { ...answers, ticketTypeId: type.id, name: `P${i}`, email: me.email, code: i % 2 ? `race${round}` : '' },
        me,
        context(i),
      ),
    ),
  );
  // A code whose places are gone is refused with the one message; nobody else is refused.
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidInputError);
  const taken = async (withCode: boolean) => {
    const [row] = await t.db
      .select({ n: count() })
      .from(registrations)
      .where(
        and(
          eq(registrations.eventId, event.id),
          eq(registrations.status, 'confirmed'),
          withCode ? isNotNull(registrations.reservationId) : isNull(registrations.reservationId),
        ),
      );
    return Number(row!.n);
  };
  expect(reservation).toBeTruthy();
  return { withCode: await taken(true), without: await taken(false), refused: results.filter((r) => r.status === 'rejected').length };
}

/**
 * A hybrid event (10 in the room, 20 online, 6 of those online kept behind a code): 40 racing for
 * the room (half with a companion, who takes a room place too), 40 online without the code and
 * 30 with it; then 4 room bookings cancel at once from several pools while the expiry job runs,
 * and the freed room places are offered only to people waiting for the room.
 */
async function hybridCodeRush(round: number) {
  const event = await makeEvent(t.db, { format: 'hybrid', capacity: 10, onlineCapacity: 20 });
  const type = await makeTicketType(t.db, event.id);
  await t.db.insert(reservedPlaces).values({
    eventId: event.id,
    groupName: 'Online group',
    code: `ONL${round}`,
    places: 6,
    attendance: 'online',
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const bookers = await provenBookers(
    t.db,
    Array.from({ length: 110 }, (_, i) => `hc${round}-${i}@example.org`),
  );
  const all = dbs();
  const input = (i: number, email: string) =>
    i < 40
      ? { attendance: 'in_person', companion: i % 2 === 0, companionName: i % 2 === 0 ? `Support ${i}` : '', code: '' }
      : { attendance: 'online', code: i < 80 ? '' : `onl${round}`, email };
  const results = await Promise.allSettled(
    bookers.map((me, i) =>
      register(all[i % all.length]!, event.id, { ...answers, ticketTypeId: type.id, name: `P${i}`, email: me.email, ...input(i, me.email) }, me, context(i)),
    ),
  );
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidInputError);
  const rows = async () =>
    t.db
      .select({
        id: registrations.id,
        status: registrations.status,
        attendance: registrations.attendance,
        reservationId: registrations.reservationId,
        companionOfId: registrations.companionOfId,
      })
      .from(registrations)
      .where(eq(registrations.eventId, event.id));
  const before = await rows();
  const room = (list: typeof before, statuses: string[]) => list.filter((r) => r.attendance === 'in_person' && statuses.includes(r.status)).length;
  const online = (list: typeof before, withCode: boolean) =>
    list.filter((r) => r.attendance === 'online' && r.status === 'confirmed' && (r.reservationId !== null) === withCode).length;
  const counts = { room: room(before, ['confirmed']), onlineWithCode: online(before, true), onlineWithout: online(before, false) };

  // Four room bookings (not companions) cancel at once, with the expiry job running beside them.
  const leaving = before.filter((r) => r.attendance === 'in_person' && r.status === 'confirmed' && !r.companionOfId).slice(0, 4);
  await Promise.all([...leaving.map((r, i) => cancelRegistration(all[i % all.length]!, r.id, null)), expireDueHolds(all[1]!), expireDueHolds(all[2]!)]);
  const after = await rows();
  const offeredOnline = after.filter((r) => r.attendance === 'online' && r.status === 'offered').length;
  return { ...counts, roomAfter: room(after, ['confirmed', 'offered', 'pending_payment']), offeredOnline };
}

describe('hybrid and reserved places never oversold', { timeout: 600_000 }, () => {
  it('fills the room and the online places exactly, each on its own', async () => {
    for (let round = 0; round < 2; round++) expect(await hybridRush(round)).toEqual({ in_person: 20, online: 30 });
  });

  it('uses a code’s reserved places exactly, and leaves the rest to everyone else', async () => {
    for (let round = 0; round < 2; round++) expect(await codeRush(round)).toEqual({ withCode: 10, without: 20, refused: 50 });
  });

  it('holds at a hybrid event with companions, a code for online places and cancellations passing places on', async () => {
    for (let round = 0; round < 2; round++) {
      const r = await hybridCodeRush(round);
      // A pair may wait while one room place is left (nobody jumps the queue), so the room holds 9 or 10.
      expect(r.room).toBeLessThanOrEqual(10);
      expect(r.room).toBeGreaterThanOrEqual(9);
      expect(r.onlineWithCode).toBe(6);
      expect(r.onlineWithout).toBe(14);
      expect(r.roomAfter).toBeLessThanOrEqual(10);
      expect(r.offeredOnline).toBe(0);
    }
  });

  it('would overbook without the lock (the control runs)', async () => {
    capacityLockForTests.enabled = false;
    try {
      let worstRoom = 0;
      let worstCode = 0;
      for (let round = 10; round < 14 && worstRoom <= 20; round++) worstRoom = Math.max(worstRoom, (await hybridRush(round)).in_person ?? 0);
      for (let round = 10; round < 14 && worstCode <= 10; round++) worstCode = Math.max(worstCode, (await codeRush(round)).withCode);
      expect(worstRoom).toBeGreaterThan(20);
      expect(worstCode).toBeGreaterThan(10);
    } finally {
      capacityLockForTests.enabled = true;
    }
  });
});
