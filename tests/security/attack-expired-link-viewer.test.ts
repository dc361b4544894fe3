// Attack: a manage link that has expired (30+ days after its event) now opens for the signed-in
// person who booked it (by account id or the booking's address). It must open for no one else:
// another member, an organiser, the organiser who booked the place for someone, a lookalike
// address (+tag, another domain), a companion's link, nor through the documents, calendar or
// certificate routes.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { mintManagePath } from '../../server/registration/links.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const day = 86_400_000;

beforeAll(async () => {
  t = await startTestApp({ env: { MANAGE_LINK_DAYS_AFTER_EVENT: '30' } });
});
afterAll(async () => {
  await t?.close();
});

async function personId(email: string) {
  const [row] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, email));
  return row!.id;
}

async function longPastBooking(email: string, extra: Partial<typeof registrations.$inferInsert> = {}) {
  const startsAt = new Date(Date.now() - 90 * day);
  const event = await makeEvent(t.db, { title: 'Long past round table', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) });
  const type = await makeTicketType(t.db, event.id);
  const [main] = await t.db
    .insert(registrations)
    .values({
      eventId: event.id,
      ticketTypeId: type.id,
      status: 'attended',
      attendedAt: startsAt,
      name: 'Victim Person',
      email,
      accessRequirements: 'Victim access need',
      ...extra,
    })
    .returning();
  const [companion] = await t.db
    .insert(registrations)
    .values({ eventId: event.id, status: 'attended', name: 'Victim Companion', email: '', companionOfId: main!.id })
    .returning();
  return { event, main: main!, companion: companion!, path: await mintManagePath(t.db, main!.id), companionPath: await mintManagePath(t.db, companion!.id) };
}

const routes = (path: string) => [
  path,
  `${path}/cancel`,
  `${path}/calendar.ics`,
  `${path}/certificate`,
  `${path}/certificate.pdf`,
  `${path}/documents/invoice-INV-00001.pdf`,
];

describe('an expired manage link, signed in', () => {
  it('opens for the booker (by address, any case) and for no one else', async () => {
    const { path } = await longPastBooking('victim-expired@example.org');
    const booker = await t.signedIn('Victim-Expired@Example.org');
    const page = await booker.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Victim Person');

    const organiser = await t.signedIn('attack-org@example.org');
    await grantRole(t.db, null, await personId('attack-org@example.org'), 'organiser');
    const admin = await t.signedIn('attack-admin@example.org');
    await grantRole(t.db, null, await personId('attack-admin@example.org'), 'admin');
    const strangers = {
      anonymous: t.client(),
      member: await t.signedIn('someone-else@example.org'),
      organiser,
      admin,
      plusTag: await t.signedIn('victim-expired+x@example.org'),
      otherDomain: await t.signedIn('victim-expired@example.org.evil.test'),
      subAddress: await t.signedIn('x.victim-expired@example.org'),
    };
    for (const [who, client] of Object.entries(strangers)) {
      for (const url of routes(path)) {
        const res = await client.get(url);
        expect(res.statusCode, `${who} ${url}`).toBe(410);
        expect(res.body, `${who} ${url}`).not.toMatch(/Victim access need|Victim Person/);
      }
      const post = await client.post(`${path}/answers`, { accessRequirements: 'changed by stranger' });
      expect([403, 404, 410], `${who} POST answers`).toContain(post.statusCode);
    }
    const [after] = await t.db.select().from(registrations).where(eq(registrations.email, 'victim-expired@example.org'));
    expect(after!.accessRequirements).toBe('Victim access need');
  });

  it('opens by account id only for that account, and never a companion’s link', async () => {
    await t.signedIn('victim-by-id@example.org');
    const victimId = await personId('victim-by-id@example.org');
    const { path, companionPath } = await longPastBooking('victim-by-id@example.org', { personId: victimId });
    const booker = await t.signedIn('victim-by-id@example.org');
    expect((await booker.get(path)).statusCode).toBe(200);
    // A companion's link, even in the booker's hands, opens nothing after the event.
    for (const url of routes(companionPath)) {
      const res = await booker.get(url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toMatch(/Victim access need/);
    }
    const other = await t.signedIn('not-victim-by-id@example.org');
    for (const url of routes(path)) expect((await other.get(url)).statusCode, url).toBe(410);
  });

  it('does not open for the organiser who booked the place for someone', async () => {
    const organiser = await t.signedIn('booked-for@example.org');
    const organiserId = await personId('booked-for@example.org');
    await grantRole(t.db, null, organiserId, 'organiser');
    const { path } = await longPastBooking('phoned-in@example.org', { bookedById: organiserId });
    for (const url of routes(path)) expect((await organiser.get(url)).statusCode, url).toBe(410);
    // An empty address (a place booked for someone with none) matches no one.
    const { path: noAddress } = await longPastBooking('', { bookedById: organiserId });
    for (const url of routes(noAddress)) expect((await organiser.get(url)).statusCode, url).toBe(410);
  });
});
