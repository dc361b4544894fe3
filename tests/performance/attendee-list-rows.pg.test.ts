// The organisers' attendee list shows a hundred bookings a page, with counts of every booking
// above it. It once read every booking of the event on every request (1,000 row objects and their
// view objects for a 1,000-place event, 22 ms of CPU a request) to show a hundred of them. This
// records the statements the real page sends and asks PostgreSQL how many rows each one returns:
// none may hand the server more than a page of rows, however many are booked.
import postgres from 'postgres';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { ATTENDEES_PER_PAGE } from '../../server/registration/view-models.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { planOf } from './plans.ts';

let database: TestDatabase;
let t: TestApp;
let admin: postgres.Sql;
let recording = false;
const statements: { text: string; parameters: unknown[] }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const capturing = connectPostgres(database.url!, {
    onQuery: (text, parameters) => {
      if (recording) statements.push({ text, parameters });
    },
  });
  t = await startTestApp({ database: { ...capturing, url: database.url } });
  admin = postgres(database.url!, { max: 1, onnotice: () => {} });
}, 120_000);
afterAll(async () => {
  await admin?.end();
  await t?.close();
  await t?.database.close();
  await database?.close();
});

describe('the attendee list of a 1,000-place event', () => {
  it('reads one page of bookings, and counts the rest in the database', async () => {
    const organiser = await t.signedIn('rows-organiser@example.org');
    const [me] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'rows-organiser@example.org'));
    await grantRole(t.db, null, me!.id, 'organiser');
    const event = await makeEvent(t.db, { capacity: 1000 });
    const type = await makeTicketType(t.db, event.id, { capacity: 1000 });
    await t.db.insert(registrations).values(
      Array.from({ length: 1000 }, (_, i) => ({
        eventId: event.id,
        ticketTypeId: type.id,
        status: i % 10 === 0 ? ('cancelled' as const) : ('confirmed' as const),
        perspective: i % 3 === 0 ? 'carer' : '',
        name: `Row Person ${String(i).padStart(4, '0')}`,
        email: `row${i}@example.org`,
        createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      })),
    );
    const list = `/organise/events/${event.slug}/attendees`;

    for (const path of [list, `${list}?page=5`, `${list}?status=confirmed&page=2`]) {
      statements.length = 0;
      recording = true;
      const page = await organiser.get(path);
      recording = false;
      expect(page.statusCode, path).toBe(200);
      // The counts are still of every booking.
      expect(page.body).toContain('Booked: 900');
      expect(page.body).toContain('Cancelled: 100');
      expect(page.body).toContain('Carer, family member or friend: 300');
      for (const statement of statements.filter((s) => /^select/i.test(s.text))) {
        const plan = await planOf(admin, statement.text, statement.parameters, { analyze: true });
        expect(plan['Actual Rows'] ?? 0, `rows returned for ${path} by: ${statement.text.slice(0, 160)}`).toBeLessThanOrEqual(ATTENDEES_PER_PAGE);
      }
    }
  });
});
