// The count a booking makes under the event's lock, after writing its own rows (holds.ts).
import { TransactionRollbackError } from 'drizzle-orm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrations, registrationSettings } from '../../db/schema/index.ts';
import { lockEvent } from '../../server/db/event-lock.ts';
import { checkPlaces } from '../../server/registration/holds.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('checking a booking under the lock', () => {
  it('counts this transaction’s own rows, for the event and the ticket type, and sees waiting lists and duplicates', async () => {
    const event = await makeEvent(t.db, { capacity: 3 });
    const type = await makeTicketType(t.db, event.id, { capacity: 1 });
    const now = new Date();
    const row = (email: string, status: 'confirmed' | 'waitlisted') => ({
      eventId: event.id,
      ticketTypeId: type.id,
      status,
      name: email,
      email,
      pricePence: 0,
      paymentMode: 'free' as const,
      createdAt: now,
      updatedAt: now,
    });
    await t.db.insert(registrations).values(row('waiting@example.org', 'waitlisted'));
    const seen: Awaited<ReturnType<typeof checkPlaces>>[] = [];
    await expect(
      t.db.transaction(async (tx) => {
        const [mine] = await tx.insert(registrations).values(row('me@example.org', 'confirmed')).returning();
        await lockEvent(tx, event.id);
        seen.push(await checkPlaces(tx, { eventId: event.id, ticketTypeId: type.id, registrationId: mine!.id, email: 'me@example.org', now }));
        const [second] = await tx.insert(registrations).values(row('me@example.org', 'confirmed')).returning();
        seen.push(await checkPlaces(tx, { eventId: event.id, ticketTypeId: type.id, registrationId: second!.id, email: 'me@example.org', now }));
        tx.rollback();
      }),
    ).rejects.toThrow(TransactionRollbackError);
    expect(seen[0]).toEqual({
      eventLeft: 2,
      typeLeft: 0,
      reservationLeft: null,
      registrationOpen: true,
      othersWaiting: true,
      duplicate: false,
      poolChanged: false,
    });
    expect(seen[1]).toMatchObject({ eventLeft: 1, typeLeft: -1, duplicate: true });
  });

  it('sees booking closed by an organiser', async () => {
    const event = await makeEvent(t.db, { capacity: null });
    const type = await makeTicketType(t.db, event.id);
    await t.db.insert(registrationSettings).values({ eventId: event.id, offerHours: 48, registrationOpen: false });
    const checked = await checkPlaces(t.db, {
      eventId: event.id,
      ticketTypeId: type.id,
      registrationId: '00000000-0000-0000-0000-000000000000',
      email: 'x@example.org',
      now: new Date(),
    });
    expect(checked.registrationOpen).toBe(false);
    expect(checked.eventLeft).toBe(Number.MAX_SAFE_INTEGER);
  });
});
