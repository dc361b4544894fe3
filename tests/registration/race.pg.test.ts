// Runs only on a real PostgreSQL (TEST_DATABASE_URL): places are decided under real concurrency,
// from several connection pools at once as several server processes would.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, placeHolds, registrations } from '../../db/schema/index.ts';
import { connectPostgres, type DatabaseHandle } from '../../server/db/database.ts';
import { availability } from '../../server/registration/api.ts';
import { expireDueHolds } from '../../server/registration/offers.ts';
import { BookingRequestEndedError, cancelRegistration, confirmBookingRequest, register } from '../../server/registration/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emptyBookingForm, makeEvent, makeTicketType, provenBookers, requestBookings } from './fixtures.ts';

let t: TestApp;
const pools: DatabaseHandle[] = [];
beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 3; i++) pools.push(connectPostgres(t.database.url!, { max: 15 }));
});
afterAll(async () => {
  for (const p of pools) await p.close();
  await t.close();
});

const context = { baseUrl: 'http://convene.test', paidMode: 'invoice' as const };
const answers = emptyBookingForm;

/** What 200 people racing for 50 places must end with, in what they were told and in the database. */
async function expectFiftyBookedAndTheRestWaiting(eventId: string, outcomes: { kind: string }[]) {
  expect(outcomes.filter((o) => o.kind === 'booked')).toHaveLength(50);
  expect(outcomes.filter((o) => o.kind === 'waitlisted')).toHaveLength(150);
  const rows = await t.db
    .select({ status: registrations.status, n: count() })
    .from(registrations)
    .where(eq(registrations.eventId, eventId))
    .groupBy(registrations.status);
  expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ confirmed: 50, waitlisted: 150 });
}

// Hundreds of bookings at once take minutes on a loaded machine; a timeout here would say nothing
// about the race, so only a wrong count fails these tests.
describe('never oversold', { timeout: 300_000 }, () => {
  it('200 people racing for 50 places: exactly 50 booked, 150 waiting, nothing lost', async () => {
    const event = await makeEvent(t.db, { capacity: 50 });
    const type = await makeTicketType(t.db, event.id);
    const dbs = [t.db, ...pools.map((p) => p.db)];
    const bookers = await provenBookers(
      t.db,
      Array.from({ length: 200 }, (_, i) => `racer${i}@example.org`),
    );
    const outcomes = await Promise.all(
      bookers.map((me, i) =>
        register(dbs[i % dbs.length]!, event.id, { ...answers, ticketTypeId: type.id, name: `Person ${i}`, email: me.email }, me, context),
      ),
    );
    await expectFiftyBookedAndTheRestWaiting(event.id, outcomes);
    const mails = await t.db.select({ template: outboxMessages.template, n: count() }).from(outboxMessages).groupBy(outboxMessages.template);
    const byTemplate = Object.fromEntries(mails.map((m) => [m.template, Number(m.n)]));
    expect(byTemplate['registration-confirmed']).toBe(50);
    expect(byTemplate['registration-waitlisted']).toBe(150);
    expect((await availability(t.db, event.id)).left).toBe(0);
  });

  it('a ticket type’s own limit holds under the same race', async () => {
    const event = await makeEvent(t.db, { capacity: 100 });
    const concession = await makeTicketType(t.db, event.id, { name: 'Concession', capacity: 10 });
    const dbs = [t.db, ...pools.map((p) => p.db)];
    const bookers = await provenBookers(
      t.db,
      Array.from({ length: 60 }, (_, i) => `conc${i}@example.org`),
    );
    await Promise.all(
      bookers.map((me, i) =>
        register(dbs[i % dbs.length]!, event.id, { ...answers, ticketTypeId: concession.id, name: `C ${i}`, email: me.email }, me, context),
      ),
    );
    const [booked] = await t.db
      .select({ n: count() })
      .from(registrations)
      .where(and(eq(registrations.eventId, event.id), eq(registrations.status, 'confirmed')));
    expect(Number(booked!.n)).toBe(10);
  });

  it('200 people confirming their emailed links at once for 50 places, twenty pressing twice: 50 booked, 150 waiting, one booking each', async () => {
    const event = await makeEvent(t.db, { capacity: 50 });
    const type = await makeTicketType(t.db, event.id);
    const dbs = [t.db, ...pools.map((p) => p.db)];
    const tokens = await requestBookings(
      t.db,
      event.id,
      type.id,
      Array.from({ length: 200 }, (_, i) => `linked${i}@example.org`),
    );
    const presses = [...tokens, ...tokens.slice(0, 20)];
    const results = await Promise.allSettled(presses.map((token, i) => confirmBookingRequest(dbs[i % dbs.length]!, token, context)));
    const outcomes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.outcome] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused.map((e) => (e instanceof BookingRequestEndedError ? e.reason : String(e)))).toEqual(Array(20).fill('used'));
    await expectFiftyBookedAndTheRestWaiting(event.id, outcomes);
    expect((await availability(t.db, event.id)).left).toBe(0);
  });

  it('cancellations and the expiry job racing in several processes offer each place once', async () => {
    const event = await makeEvent(t.db, { capacity: 20 });
    const type = await makeTicketType(t.db, event.id);
    const booked: string[] = [];
    const bookers = await provenBookers(
      t.db,
      Array.from({ length: 40 }, (_, i) => `queue${i}@example.org`),
    );
    for (const [i, me] of bookers.entries()) {
      const o = await register(t.db, event.id, { ...answers, ticketTypeId: type.id, name: `Q ${i}`, email: me.email }, me, context);
      if (o.kind === 'booked') booked.push(o.registrationId);
    }
    expect(booked).toHaveLength(20);
    const dbs = [t.db, ...pools.map((p) => p.db)];
    // Ten people cancel at once from different processes: ten offers go out, to ten different people.
    await Promise.all(booked.slice(0, 10).map((id, i) => cancelRegistration(dbs[i % dbs.length]!, id, null)));
    const offered = await t.db
      .select({ id: registrations.id })
      .from(registrations)
      .where(and(eq(registrations.eventId, event.id), eq(registrations.status, 'offered')));
    expect(offered).toHaveLength(10);
    // Every offer then runs out, and the job runs in four processes at the same moment.
    const later = new Date(Date.now() + 49 * 3_600_000);
    const results = await Promise.all(dbs.map((db) => expireDueHolds(db, later)));
    const runs = [...results];
    // A process that found the event locked skipped it; run again until nothing is left.
    runs.push(await expireDueHolds(t.db, later));
    expect(runs.reduce((n, r) => n + r.expiredHolds, 0)).toBe(10);
    expect(runs.reduce((n, r) => n + r.offersMade, 0)).toBe(10);
    const rows = await t.db
      .select({ status: registrations.status, n: count() })
      .from(registrations)
      .where(eq(registrations.eventId, event.id))
      .groupBy(registrations.status);
    expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ confirmed: 10, cancelled: 10, expired: 10, offered: 10 });
    const live = await t.db
      .select({ n: count() })
      .from(placeHolds)
      .where(and(eq(placeHolds.eventId, event.id), eq(placeHolds.state, 'live')));
    expect(Number(live[0]!.n)).toBe(10);
  });
});
