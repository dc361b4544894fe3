// The queries behind booking, the waiting list, organisers' attendee lists and the bursary
// panel's queue must use indexes on a realistic data set, not read whole tables. This runs the
// real flows over HTTP, records every statement the app sends, and asks PostgreSQL how it would
// run each one that touches a large table.
import { and, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryFunds, outboxMessages, people } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { generateDataset, type Dataset } from '../bench/dataset.ts';
import { bookAnonymously, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { emailData, startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type PlanNode, planOf } from './plans.ts';

const LARGE_TABLES = ['registrations', 'bursary_applications', 'bursary_items', 'registration_links'];

let database: TestDatabase;
let t: TestApp;
let data: Dataset;
const statements: { text: string; parameters: unknown[] }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  data = await generateDataset(database.db, { events: 300, registrations: 30_000, applications: 2_000 });
  const capturing = connectPostgres(database.url!, { onQuery: (text, parameters) => statements.push({ text, parameters }) });
  t = await startTestApp({ database: { ...capturing, url: database.url } });
  await t.db.execute('analyze' as never);
}, 180_000);
afterAll(async () => {
  await t?.close();
  await t?.database.close();
  await database?.close();
});

function seqScans(node: PlanNode, found: string[] = []): string[] {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && LARGE_TABLES.includes(node['Relation Name'])) found.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, found);
  return found;
}

describe('query plans on a realistic data set', () => {
  it('books, waits, cancels, offers and reviews without reading whole large tables', async () => {
    // A small event to fill: one booking, then the waiting list, then a cancellation and an offer.
    const event = await makeEvent(t.db, { capacity: 1, slug: 'plans-seminar' });
    const type = await makeTicketType(t.db, event.id);
    const visitor = t.client();
    await visitor.get('/events');
    await visitor.get(`/events/${event.slug}`);
    await visitor.get(`/events/${event.slug}/book`);
    expect((await bookAnonymously(t.db, visitor, event.slug, { ticketTypeId: type.id, name: 'First', email: 'first@example.org' })).confirmed.statusCode).toBe(
      303,
    );
    expect(
      (await bookAnonymously(t.db, visitor, event.slug, { ticketTypeId: type.id, name: 'Second', email: 'second@example.org' })).confirmed.statusCode,
    ).toBe(303);
    const [confirmation] = await t.db
      .select({ id: outboxMessages.id, data: outboxMessages.data, sealed: outboxMessages.sealed })
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toAddress, 'first@example.org'), eq(outboxMessages.template, 'registration-confirmed')));
    const managePath = String(emailData(confirmation!).managePath);
    await visitor.get(managePath);
    expect((await visitor.post(`${managePath}/cancel`)).statusCode).toBe(303);
    await t.app.inject(`/events/${data.hotEvent.slug}`);

    // Organisers: an attendee list of a busy event, and a bursary panel's queue.
    const organiser = await t.signedIn('panel@example.org');
    const [person] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'panel@example.org'));
    await grantRole(t.db, null, person!.id, 'organiser');
    const busy = data.slugs[Math.floor(data.slugs.length * 0.9)]!;
    expect((await organiser.get(`/organise/events/${busy}/attendees`)).statusCode).toBe(200);
    const [fund] = await t.db.select({ id: bursaryFunds.id }).from(bursaryFunds).limit(1);
    expect((await organiser.get(`/bursaries/funds/${fund!.id}`)).statusCode).toBe(200);
    await organiser.get('/account/bookings');

    // The background jobs every process runs every few seconds: offers, hold expiry, reminders,
    // mail. (The hourly bursary retention sweep reads the applications not yet erased, whose
    // number the retention period itself bounds, so it is left out here.)
    await t.app.registrationJobs.runDue(new Date());
    await t.app.mail.deliverDue();

    const explain = postgres(database.url!, { max: 1, onnotice: () => {} });
    const problems: string[] = [];
    let checked = 0;
    try {
      for (const { text, parameters } of statements) {
        if (!/^\s*(select|update|delete|with)/i.test(text) || !LARGE_TABLES.some((table) => text.includes(`"${table}"`))) continue;
        const plan = await planOf(explain, text, parameters);
        checked++;
        const scans = seqScans(plan);
        if (scans.length) problems.push(`${scans.join(', ')}: ${text.slice(0, 300)}`);
      }
    } finally {
      await explain.end();
    }
    expect(checked).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  }, 180_000);
});
