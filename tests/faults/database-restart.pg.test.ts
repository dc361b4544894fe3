// PostgreSQL restarts while people are booking. Requests that meet the outage get a calm 503
// page, the server recovers by itself when the database is back, and no booking (here: booking
// requests made without signing in, each emailed a link to confirm it) exists without its email
// in the outbox, nor an email without its booking.
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingRequests, outboxMessages } from '../../db/schema/index.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { startCluster, type Cluster } from '../support/cluster.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';

let cluster: Cluster;
let t: TestApp;

beforeAll(async () => {
  cluster = await startCluster();
  const database = connectPostgres(cluster.url);
  await database.migrate();
  t = await startTestApp({
    database: { ...database, url: cluster.url },
    env: { FORM_RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_MINUTE: '100000', BOOKING_REQUESTS_PER_IP_PER_HOUR: '100000' },
    // Requests while the database is down fail with a 503, and an operator needs those in the log.
    logsErrorsBecause: 'the database is stopped and started under load',
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await t?.database.close();
  cluster?.stop();
});

describe('a database restart under load', () => {
  it('fails requests cleanly, recovers by itself, and keeps bookings and their emails together', async () => {
    const event = await makeEvent(t.db, { capacity: 1000, slug: 'restart-seminar' });
    const type = await makeTicketType(t.db, event.id);
    const visitor = t.client();
    await visitor.get(`/events/${event.slug}/book`);

    const statuses: number[] = [];
    let n = 0;
    const book = async () => {
      const i = n++;
      const response = await visitor.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: `Person ${i}`, email: `restart${i}@example.org` });
      statuses.push(response.statusCode);
      if (response.statusCode >= 500) {
        expect(response.statusCode).toBe(503);
        expect(response.headers['content-type']).toMatch(/text\/html/);
        expect(response.body).toContain('the service is unavailable');
        expect(response.body).not.toMatch(/CONNECTION|ECONN|stack/);
      }
    };
    let flowing = true;
    const load = (async () => {
      while (flowing) await Promise.all([book(), book(), book()]);
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    cluster.restart();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    flowing = false;
    await load;

    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 303 || s === 503)).toBe(true);
    // Recovered without a restart of the app.
    const after = await visitor.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'After', email: 'after-restart@example.org' });
    expect(after.statusCode).toBe(303);
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);

    const booked = await t.db.select({ email: bookingRequests.email }).from(bookingRequests).where(eq(bookingRequests.eventId, event.id));
    const mails = await t.db
      .select({ to: outboxMessages.toAddress })
      .from(outboxMessages)
      .where(inArray(outboxMessages.template, ['registration-confirm-request']));
    expect(booked.length).toBeGreaterThan(0);
    expect(new Set(mails.map((m) => m.to))).toEqual(new Set(booked.map((b) => b.email)));
    expect(mails).toHaveLength(booked.length);
  }, 120_000);
});
