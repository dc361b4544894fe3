import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, placeHolds, registrations, registrationSettings } from '../../db/schema/index.ts';
import { availability, holdPlace, releaseHold } from '../../server/registration/api.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { bookAnonymously, latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Books without signing in; returns the private link from the email (the page only says to check it). */
async function book(slug: string, ticketTypeId: string, email: string) {
  const { asked: response } = await bookAnonymously(t.db, t.client(), slug, { ticketTypeId, name: email.split('@')[0]!, email });
  expect(response.statusCode).toBe(303);
  expect(response.headers.location).toBe(`/events/${slug}/book/check-your-email`);
  return latestManagePath(t.db, email);
}

async function statusOf(email: string, eventId: string) {
  const [row] = await t.db
    .select({ status: registrations.status })
    .from(registrations)
    .where(and(eq(registrations.email, email), eq(registrations.eventId, eventId)));
  return row?.status;
}

describe('the waiting list', () => {
  it('waitlists when full, offers the freed place to the first person, who claims it', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const first = await book(event.slug, type.id, 'first@example.org');
    await book(event.slug, type.id, 'second@example.org');
    await book(event.slug, type.id, 'third@example.org');
    expect(await statusOf('second@example.org', event.id)).toBe('waitlisted');
    const waitMail = (await mailsTo(t.db, 'second@example.org'))[0]!;
    expect(waitMail.template).toBe('registration-waitlisted');
    const waitingPage = await t.client().get(String(waitMail.data.managePath));
    expect(waitingPage.body).toContain('number 1 on the waiting list');
    expect(waitingPage.body).toContain('Leave the waiting list');
    expect((await t.client().get(`${await latestManagePath(t.db, 'third@example.org')}`)).body).toContain('number 2 on the waiting list');

    await t.client().post(`${first}/cancel`);
    expect(await statusOf('second@example.org', event.id)).toBe('offered');
    expect(await statusOf('third@example.org', event.id)).toBe('waitlisted');
    const offer = (await mailsTo(t.db, 'second@example.org'))[0]!;
    expect(offer.template).toBe('registration-offer');

    // The held place is not available to newcomers.
    const late = await book(event.slug, type.id, 'late@example.org');
    expect(late).toMatch(/^\/bookings\//);
    expect(await statusOf('late@example.org', event.id)).toBe('waitlisted');

    const visitor = t.client();
    const page = await visitor.get(String(offer.data.managePath));
    expect(page.body).toContain('Accept the place');
    const accepted = await visitor.post(`${offer.data.managePath}/accept`);
    expect(accepted.statusCode).toBe(303);
    expect(await statusOf('second@example.org', event.id)).toBe('confirmed');
    expect((await mailsTo(t.db, 'second@example.org'))[0]!.template).toBe('registration-confirmed');
    const holds = await t.db.select().from(placeHolds).where(eq(placeHolds.eventId, event.id));
    expect(holds.map((h) => h.state)).toEqual(['consumed']);
  });

  it('expires an unclaimed offer after the event’s offer time and passes it on', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    await t.db.insert(registrationSettings).values({ eventId: event.id, offerHours: 24 });
    const type = await makeTicketType(t.db, event.id);
    const first = await book(event.slug, type.id, 'a@example.org');
    await book(event.slug, type.id, 'b@example.org');
    await book(event.slug, type.id, 'c@example.org');
    await t.client().post(`${first}/cancel`);
    expect(await statusOf('b@example.org', event.id)).toBe('offered');
    const [hold] = await t.db
      .select()
      .from(placeHolds)
      .where(and(eq(placeHolds.eventId, event.id), eq(placeHolds.state, 'live')));
    expect(hold!.expiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(hold!.expiresAt.getTime() - Date.now()).toBeLessThan(24.1 * 3_600_000);

    // Nothing happens before the offer ends.
    expect((await t.app.registrationJobs.runDue(new Date(Date.now() + 23 * 3_600_000))).expiredHolds).toBe(0);
    const result = await t.app.registrationJobs.runDue(new Date(Date.now() + 25 * 3_600_000));
    expect(result.expiredHolds).toBe(1);
    expect(result.offersMade).toBe(1);
    expect(await statusOf('b@example.org', event.id)).toBe('expired');
    expect(await statusOf('c@example.org', event.id)).toBe('offered');
    expect((await mailsTo(t.db, 'b@example.org'))[0]!.template).toBe('registration-offer-expired');

    // The expired offer's link cannot claim it any more.
    const offerPath = (await mailsTo(t.db, 'b@example.org')).find((m) => m.template === 'registration-offer')!.data.managePath;
    expect((await t.client().post(`${offerPath}/accept`)).statusCode).toBe(409);
  });

  it('lets people leave the waiting list from the link in its emails', async () => {
    const event = await makeEvent(t.db, { capacity: 0 });
    const type = await makeTicketType(t.db, event.id);
    const manage = await book(event.slug, type.id, 'leaver@example.org');
    expect((await t.client().get(`${manage}/cancel`)).body).toContain('Leave the waiting list');
    await t.client().post(`${manage}/cancel`);
    expect(await statusOf('leaver@example.org', event.id)).toBe('cancelled');
    const mail = (await mailsTo(t.db, 'leaver@example.org'))[0]!;
    expect(mail.template).toBe('registration-cancelled');
    expect(mail.subject).toContain('left the waiting list');
  });

  it('respects a ticket type’s own capacity inside the event’s', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const concession = await makeTicketType(t.db, event.id, { name: 'Free place for service users and carers', capacity: 1 });
    const standard = await makeTicketType(t.db, event.id, { name: 'Standard' });
    await book(event.slug, concession.id, 'c1@example.org');
    await book(event.slug, concession.id, 'c2@example.org');
    await book(event.slug, standard.id, 's1@example.org');
    expect(await statusOf('c2@example.org', event.id)).toBe('waitlisted');
    expect(await statusOf('s1@example.org', event.id)).toBe('confirmed');
    const avail = await availability(t.db, event.id);
    expect(avail.left).toBe(3);
    expect(avail.ticketTypes.find((x) => x.ticketTypeId === concession.id)?.left).toBe(0);
  });
});

describe('the holds API other features use', () => {
  it('holds a place for a bursary, refuses when full, and passes a released place to the waiting list', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const expiresAt = new Date(Date.now() + 7 * 86_400_000);
    const hold = await t.db.transaction((tx) => holdPlace(tx, { eventId: event.id, kind: 'bursary', reference: 'bursary-application:1', expiresAt }));
    expect(hold).not.toBeNull();
    // Asking again for the same application holds the same place.
    const again = await t.db.transaction((tx) => holdPlace(tx, { eventId: event.id, kind: 'bursary', reference: 'bursary-application:1', expiresAt }));
    expect(again?.id).toBe(hold!.id);
    const refused = await t.db.transaction((tx) => holdPlace(tx, { eventId: event.id, kind: 'bursary', reference: 'bursary-application:2', expiresAt }));
    expect(refused).toBeNull();
    expect((await availability(t.db, event.id)).held).toBe(1);

    await book(event.slug, type.id, 'waiting-for-bursary@example.org');
    expect(await statusOf('waiting-for-bursary@example.org', event.id)).toBe('waitlisted');
    expect(await t.db.transaction((tx) => releaseHold(tx, hold!.id))).toBe(true);
    expect(await statusOf('waiting-for-bursary@example.org', event.id)).toBe('offered');
    expect(await t.db.transaction((tx) => releaseHold(tx, hold!.id))).toBe(false);
  });
});

describe('places that free up without a hold ending', () => {
  it('offers them to people waiting when the capacity is raised', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    await book(event.slug, type.id, 'holder@example.org');
    await book(event.slug, type.id, 'hopeful@example.org');
    expect(await statusOf('hopeful@example.org', event.id)).toBe('waitlisted');
    await t.db.update(events).set({ capacity: 2 }).where(eq(events.id, event.id));
    const result = await t.app.registrationJobs.runDue();
    expect(result.offersMade).toBe(1);
    expect(await statusOf('hopeful@example.org', event.id)).toBe('offered');
    expect((await t.app.registrationJobs.runDue()).offersMade).toBe(0);
  });
});
