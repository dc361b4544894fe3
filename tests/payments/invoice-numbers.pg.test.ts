// Runs only on a real PostgreSQL (TEST_DATABASE_URL): invoice numbers stay gap-free while people
// book paid places at once from several connection pools (as several server processes would),
// and while other transactions take a number and then roll back.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentCounters, invoices, registrations } from '../../db/schema/index.ts';
import { connectPostgres, type DatabaseHandle } from '../../server/db/database.ts';
import { nextNumber } from '../../server/invoices/numbers.ts';
import { register } from '../../server/registration/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emptyBookingForm, makeEvent, makeTicketType, provenBookers } from '../registration/fixtures.ts';

let t: TestApp;
const pools: DatabaseHandle[] = [];
beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 3; i++) pools.push(connectPostgres(t.database.url!, { max: 10 }));
});
afterAll(async () => {
  for (const p of pools) await p.close();
  await t.close();
});

const context = { baseUrl: 'http://convene.test', paidMode: 'invoice' as const };

class Abandoned extends Error {}

describe('invoice numbers under concurrent bookings', { timeout: 300_000 }, () => {
  it('80 people racing for 2 × 20 paid places, with rolled-back numbers among them: 40 invoices numbered without a gap', async () => {
    const events = [await makeEvent(t.db, { capacity: 20 }), await makeEvent(t.db, { capacity: 20 })];
    const types = [await makeTicketType(t.db, events[0]!.id, { pricePence: 3000 }), await makeTicketType(t.db, events[1]!.id, { pricePence: 4500 })];
    const dbs = [t.db, ...pools.map((p) => p.db)];
    const bookers = await provenBookers(
      t.db,
      Array.from({ length: 80 }, (_, i) => `numbered${i}@example.org`),
    );
    const bookings = bookers.map((me, i) =>
      register(
        dbs[i % dbs.length]!,
        events[i % 2]!.id,
        { ...emptyBookingForm, ticketTypeId: types[i % 2]!.id, name: `Person ${i}`, email: me.email },
        me,
        context,
      ),
    );
    // Transactions that take a number and then fail, as a booking that rolls back would.
    const abandoned = Array.from({ length: 20 }, (_, i) =>
      dbs[i % dbs.length]!.transaction(async (tx) => {
        await nextNumber(tx, 'invoice');
        throw new Abandoned();
      }).catch((error: unknown) => {
        if (!(error instanceof Abandoned)) throw error;
      }),
    );
    const [outcomes] = await Promise.all([Promise.all(bookings), Promise.all(abandoned)]);
    expect(outcomes.filter((o) => o.kind === 'invoice')).toHaveLength(40);
    expect(outcomes.filter((o) => o.kind === 'waitlisted')).toHaveLength(40);

    const numbers = (await t.db.select({ number: invoices.number }).from(invoices)).map((r) => r.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    const mine = await t.db
      .select({ number: invoices.number, registrationId: invoices.registrationId, amountPence: invoices.amountPence })
      .from(invoices)
      .innerJoin(registrations, eq(registrations.id, invoices.registrationId));
    expect(mine.filter((r) => r.amountPence === 3000)).toHaveLength(20);
    expect(mine.filter((r) => r.amountPence === 4500)).toHaveLength(20);
    const [counter] = await t.db.select().from(documentCounters).where(eq(documentCounters.name, 'invoice'));
    expect(counter!.last).toBe(numbers.length);
  });
});
