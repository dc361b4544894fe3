// Attack: "Your bookings" is now one prepared statement, built once and run for everyone with
// their own id and address. Many people asking at once must each see only their own bookings:
// no statement, parameters or rows carried from one request to another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrations } from '../../db/schema/index.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('your bookings, asked for by many people at once', () => {
  it('shows each person only their own', async () => {
    const people = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const email = `prepared-${i}@example.org`;
        const event = await makeEvent(t.db, { title: `Only for person ${i} seminar` });
        await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: `Person ${i}`, email });
        return { i, client: await t.signedIn(email) };
      }),
    );
    for (let round = 0; round < 3; round++) {
      const pages = await Promise.all(people.map(async (p) => ({ i: p.i, page: await p.client.get('/account/bookings') })));
      for (const { i, page } of pages) {
        expect(page.statusCode).toBe(200);
        expect(page.headers['cache-control'] ?? '').not.toContain('public');
        const seen = [...page.body.matchAll(/Only for person (\d) seminar/g)].map((m) => Number(m[1]));
        expect(new Set(seen), `person ${i}`).toEqual(new Set([i]));
      }
    }
    // An anonymous visitor is sent to sign in, never served a cached copy.
    expect((await t.client().get('/account/bookings')).statusCode).not.toBe(200);
  });
});
