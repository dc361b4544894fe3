// A page's number of queries must not grow with what it lists: a bursary panel's queue of 200
// applications once sent five queries per application, all at once, and a few organisers
// opening it together ran the server out of memory. Each page here is opened twice, with a
// little and with ten times as much data, and must send the same number of statements.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryFunds, bursaryItems, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let t: TestApp;
let counting = false;
let statements = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  const capturing = connectPostgres(database.url!, {
    onQuery: () => {
      if (counting) statements++;
    },
  });
  t = await startTestApp({ database: { ...capturing, url: database.url } });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await t?.database.close();
  await database?.close();
});

async function statementsFor(request: () => Promise<{ statusCode: number }>): Promise<number> {
  // Once first, so what a process does once (loading settings) is not counted against the page.
  await request();
  statements = 0;
  counting = true;
  try {
    expect((await request()).statusCode).toBe(200);
  } finally {
    counting = false;
  }
  return statements;
}

async function addPeople(prefix: string, n: number): Promise<string[]> {
  const rows = await t.db
    .insert(people)
    .values(Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.org`, displayName: `${prefix} ${i}` })))
    .returning({ id: people.id });
  return rows.map((r) => r.id);
}

describe('queries per page do not grow with the data', () => {
  it("a bursary panel's queue and an attendee list", async () => {
    const organiser = await t.signedIn('counting-organiser@example.org');
    const [me] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'counting-organiser@example.org'));
    await grantRole(t.db, null, me!.id, 'organiser');

    const pages: Record<string, number[]> = { fund: [], attendees: [] };
    for (const [size, slug] of [
      [4, 'counted-small'],
      [40, 'counted-large'],
    ] as const) {
      const event = await makeEvent(t.db, { slug, capacity: 100 });
      const type = await makeTicketType(t.db, event.id);
      const applicants = await addPeople(`${slug}-applicant`, size);
      const [fund] = await t.db
        .insert(bursaryFunds)
        .values({ eventId: event.id, name: `Fund ${slug}`, budgetPence: 100_000 })
        .returning({ id: bursaryFunds.id });
      const applications = await t.db
        .insert(bursaryApplications)
        .values(
          applicants.map((applicantId, i) => ({
            fundId: fund!.id,
            eventId: event.id,
            applicantId,
            status: i % 2 ? ('approved' as const) : ('submitted' as const),
            perspective: 'carer' as const,
            paymentMethod: 'bank_transfer' as const,
            paymentName: 'Payee',
            sortCode: '30-94-57',
            accountNumber: '31926819',
            submittedAt: new Date(),
          })),
        )
        .returning({ id: bursaryApplications.id });
      await t.db
        .insert(bursaryItems)
        .values(applications.map((a) => ({ applicationId: a.id, category: 'travel' as const, description: 'Train', estimatePence: 2_000 })));
      await t.db.insert(registrations).values(
        applicants.map((personId, i) => ({
          eventId: event.id,
          ticketTypeId: type.id,
          personId,
          status: 'confirmed' as const,
          name: `Booker ${i}`,
          email: `${slug}-booker${i}@example.org`,
          confirmedAt: new Date(),
        })),
      );

      pages.fund!.push(await statementsFor(() => organiser.get(`/bursaries/funds/${fund!.id}`)));
      pages.attendees!.push(await statementsFor(() => organiser.get(`/organise/events/${slug}/attendees`)));
    }
    expect(pages.fund![1], 'the panel queue with 40 applications').toBe(pages.fund![0]);
    expect(pages.attendees![1], 'the attendee list with 40 bookings').toBe(pages.attendees![0]);
  });

  // Every statement costs the server a socket write and a reply to read: on a busy machine a
  // tenth of a built page's CPU (issue 18). The pages everyone gets read their marks (co-produced,
  // by invitation) and the list's total in the same statement as the events.
  it('the home page sends one statement, the event list three', async () => {
    const visitor = t.client();
    expect(await statementsFor(() => visitor.get('/')), 'the home page').toBe(1);
    expect(await statementsFor(() => visitor.get('/events')), 'the event list').toBe(3);
  });

  // The planning overview once read the group three more times (its co-produced mark twice and
  // its presence once): they are worked out from the group as listed.
  it("an organiser's planning overview sends seven, the attendee list six", async () => {
    const organiser = await t.signedIn('counting-organiser@example.org');
    const event = await makeEvent(t.db, { slug: 'counted-planning', status: 'planning' });
    await makeTicketType(t.db, event.id);
    // The session, the event, my membership, the group, open tasks, booking settings, kinds of place.
    expect(await statementsFor(() => organiser.get(`/plan/${event.id}`)), 'the planning overview').toBe(7);
    // The session, the event, kinds of place, places left, the counts, the page of bookings.
    expect(await statementsFor(() => organiser.get(`/organise/events/${event.slug}/attendees`)), 'the attendee list').toBe(6);
  });
});
