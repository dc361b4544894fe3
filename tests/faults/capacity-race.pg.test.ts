// 500 people at once for 50 places, several times over, from several connection pools as
// several server processes would be: never more than 50 booked. A control run with the event
// lock switched off shows that the race is real, so the main run proves something.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrations } from '../../db/schema/index.ts';
import { connectPostgres, type DatabaseHandle } from '../../server/db/database.ts';
import { capacityLockForTests } from '../../server/db/event-lock.ts';
import { register } from '../../server/registration/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emptyBookingForm, makeEvent, makeTicketType, provenBookers } from '../registration/fixtures.ts';

let t: TestApp;
const pools: DatabaseHandle[] = [];
const context = { baseUrl: 'http://convene.test', paidMode: 'invoice' as const };
const answers = emptyBookingForm;

beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 4; i++) pools.push(connectPostgres(t.database.url!, { max: 20 }));
});
afterAll(async () => {
  capacityLockForTests.enabled = true;
  for (const p of pools) await p.close();
  await t.close();
});

async function rush(round: number): Promise<number> {
  const event = await makeEvent(t.db, { capacity: 50 });
  const type = await makeTicketType(t.db, event.id);
  // Signed-in members: only a proven address books at once.
  const bookers = await provenBookers(
    t.db,
    Array.from({ length: 500 }, (_, i) => `r${round}-${i}@example.org`),
  );
  await Promise.all(
    bookers.map((me, i) => register(pools[i % pools.length]!.db, event.id, { ...answers, ticketTypeId: type.id, name: `P${i}`, email: me.email }, me, context)),
  );
  const [booked] = await t.db
    .select({ n: count() })
    .from(registrations)
    .where(and(eq(registrations.eventId, event.id), eq(registrations.status, 'confirmed')));
  const [all] = await t.db.select({ n: count() }).from(registrations).where(eq(registrations.eventId, event.id));
  expect(Number(all!.n)).toBe(500);
  return Number(booked!.n);
}

// 1,500 real bookings: on a busy shared machine (a load average of 20 on two cores) this took
// over five minutes; a timeout here would say nothing about the race, so only a count fails it.
describe('500 at once for 50 places', () => {
  it('never books more than 50, run after run', async () => {
    for (let round = 0; round < 3; round++) expect(await rush(round)).toBe(50);
  }, 1_200_000);

  it('would overbook without the lock (the control run)', async () => {
    capacityLockForTests.enabled = false;
    try {
      let worst = 0;
      for (let round = 10; round < 15 && worst <= 50; round++) worst = Math.max(worst, await rush(round));
      expect(worst).toBeGreaterThan(50);
    } finally {
      capacityLockForTests.enabled = true;
    }
  }, 300_000);
});
