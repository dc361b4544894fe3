// Changing an event people hold or wait for places at: anything they would act on (when, where,
// how to join, the format) is emailed to each of them, old → new, with their own booking link and
// the calendar update; wording is not; a published title changes only by an organiser; and the
// programme moves with its event, never falling outside the event's times.
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryFunds, events, outboxMessages, planningMembers, programmeSessions, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { mailTo, personId, signedInOrganiser } from '../proposals/support.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;
let lead: TestClient;
const site = { baseUrl: 'http://convene.test', siteName: 'Social Perspectives Hub' };

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'org@example.org');
  lead = await t.signedIn('lead@example.org');
});
afterAll(async () => {
  await t.close();
});

let count = 0;
async function eventLedByLead(overrides: Partial<typeof events.$inferInsert> = {}) {
  count += 1;
  const event = await makeEvent(t.db, {
    title: `Hearing voices day ${count}`,
    format: 'hybrid',
    startsAt: new Date('2027-01-20T10:00:00Z'),
    endsAt: new Date('2027-01-20T15:00:00Z'),
    onlinePlatform: 'Zoom',
    onlineJoinUrl: 'https://zoom.example/j/old',
    accessInfo: 'Step-free throughout.',
    ...overrides,
  });
  await t.db.insert(planningMembers).values({ eventId: event.id, personId: await personId(t.db, 'lead@example.org'), role: 'lead', status: 'accepted' });
  return event;
}

/** The details form as the event stands (January is GMT, so London times are UTC times). */
const form = (event: { title: string }, changes: Record<string, string> = {}) => ({
  title: event.title,
  type: 'seminar',
  summary: 'A day together.',
  description: '',
  format: 'hybrid',
  startDate: '2027-01-20',
  startTime: '10:00',
  endTime: '15:00',
  venueName: 'The Old Library',
  venueAddress: '1 High Street, Leeds',
  onlinePlatform: 'Zoom',
  onlineJoinUrl: 'https://zoom.example/j/old',
  capacity: '10',
  accessInfo: 'Step-free throughout.',
  ...changes,
});

describe('telling people of a change to their event', () => {
  it('emails everyone holding or waiting for a place what changed for their place, old → new, with their booking link and the calendar update', async () => {
    const event = await eventLedByLead();
    const [ada] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'confirmed', name: 'Ada', email: 'ada@example.org', attendance: 'in_person' })
      .returning();
    await t.db.insert(registrations).values([
      { eventId: event.id, status: 'confirmed', name: 'Ada’s friend', email: 'ada@example.org', companionOfId: ada!.id, attendance: 'in_person' },
      { eventId: event.id, status: 'confirmed', name: 'Fay', email: 'fay@example.org', attendance: 'online' },
      { eventId: event.id, status: 'waitlisted', name: 'Bo', email: 'bo@example.org', attendance: 'online' },
      { eventId: event.id, status: 'cancelled', name: 'Cy', email: 'cy@example.org' },
    ]);
    const saved = await lead.post(
      `/plan/${event.id}/details`,
      form(event, { venueName: 'Friends Meeting House', venueAddress: '6 Mount Street, Manchester', onlineJoinUrl: 'https://zoom.example/j/new' }),
    );
    expect(saved.statusCode, saved.body.slice(0, 300)).toBe(303);
    const [after] = await t.db.select().from(events).where(eq(events.id, event.id));

    const toAda = await mailTo(t.db, 'ada@example.org', 'event-changed');
    expect(toAda).toHaveLength(1);
    expect(toAda[0]!.subject).toBe('An event you signed up for has changed');
    // A place in the room: the venue changed; the joining link is not theirs to be sent.
    expect(toAda[0]!.data).toMatchObject({
      kind: 'changed',
      changes: [{ what: 'Venue', before: 'The Old Library, 1 High Street, Leeds', after: 'Friends Meeting House, 6 Mount Street, Manchester' }],
    });
    expect(JSON.stringify(toAda[0]!.data)).not.toContain('zoom.example');
    // A place online: the new joining link, and nothing about a venue they are not going to.
    const [toFay] = await mailTo(t.db, 'fay@example.org', 'event-changed');
    expect(toFay!.data).toMatchObject({
      kind: 'changed',
      changes: [{ what: 'Joining link', before: 'https://zoom.example/j/old', after: 'https://zoom.example/j/new' }],
    });
    const text = renderEmail('event-changed', toAda[0]!.data as never, site).text;
    expect(text).toContain('Now: Friends Meeting House, 6 Mount Street, Manchester');
    expect(text).toContain('Before: The Old Library, 1 High Street, Leeds');
    // Their own booking page, from the link in the email.
    const page = await t.client().get(String(toAda[0]!.data.managePath));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(event.title);
    expect(toAda[0]!.attachments[0]!.content).toContain(`UID:event-${event.id}@convene`);
    expect(toAda[0]!.attachments[0]!.content).toContain(`SEQUENCE:${after!.sequence}`);

    // Someone waiting is told the link changed, but a link to join is only for a confirmed place.
    const [toBo] = await mailTo(t.db, 'bo@example.org', 'event-changed');
    expect(JSON.stringify(toBo!.data)).not.toContain('zoom.example/j/new');
    expect((toBo!.data.changes as { what: string }[]).map((c) => c.what)).toEqual(['Joining link']);
    expect(await mailTo(t.db, 'cy@example.org', 'event-changed')).toHaveLength(0);
  });

  it('sends nothing for wording-only edits, and lets only an organiser change a published title', async () => {
    const event = await eventLedByLead();
    await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Di', email: 'di@example.org' });
    expect(
      (await lead.post(`/plan/${event.id}/details`, form(event, { summary: 'A day together, with lunch.', description: 'Fixed a typo.' }))).statusCode,
    ).toBe(303);

    const renamed = await lead.post(`/plan/${event.id}/details`, form(event, { title: 'FREE MONEY click here' }));
    expect(renamed.statusCode).toBe(400);
    expect(renamed.body).toContain('Only an organiser can change the title of a published event');
    expect(renamed.body).toContain('value="FREE MONEY click here"');
    const [kept] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(kept!.title).toBe(event.title);

    expect((await organiser.post(`/plan/${event.id}/details`, form(event, { title: 'Hearing voices: a day together' }))).statusCode).toBe(303);
    expect(await mailTo(t.db, 'di@example.org', 'event-changed')).toHaveLength(0);
  });

  it('tells people booked on an event that is back in planning when its date moves', async () => {
    const event = await eventLedByLead({ status: 'planning' });
    await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Eve', email: 'eve@example.org' });
    expect((await lead.post(`/plan/${event.id}/details`, form(event, { startDate: '2027-01-27' }))).statusCode).toBe(303);
    const [mail] = await mailTo(t.db, 'eve@example.org', 'event-changed');
    expect(mail!.data.changes).toEqual([
      { what: 'Date and time', before: 'Wednesday 20 January 2027, 10am to 3pm', after: 'Wednesday 27 January 2027, 10am to 3pm' },
    ]);
  });

  it('names a change of format, and leaves out a venue that no longer applies', async () => {
    const event = await eventLedByLead();
    await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Flo', email: 'flo@example.org' });
    expect((await lead.post(`/plan/${event.id}/details`, form(event, { format: 'online', venueName: '', venueAddress: '' }))).statusCode).toBe(303);
    const [mail] = await mailTo(t.db, 'flo@example.org', 'event-changed');
    expect(mail!.data.changes).toEqual([{ what: 'How it meets', before: 'In person and online', after: 'Online' }]);
  });

  it('lets a lead email everyone booked about two changes a day; an organiser may make more', async () => {
    const event = await eventLedByLead();
    await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Hal', email: 'hal@example.org' });
    expect((await lead.post(`/plan/${event.id}/details`, form(event, { venueName: 'Room 1' }))).statusCode).toBe(303);
    expect((await lead.post(`/plan/${event.id}/details`, form(event, { venueName: 'Room 2' }))).statusCode).toBe(303);
    const third = await lead.post(`/plan/${event.id}/details`, form(event, { venueName: 'Room 3' }));
    expect(third.statusCode).toBe(400);
    expect(third.body).toContain('they have already been emailed about 2 changes today. Nothing has been saved.');
    expect(third.body).toContain('value="Room 3"');
    const [kept] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(kept!.venueName).toBe('Room 2');
    expect(await mailTo(t.db, 'hal@example.org', 'event-changed')).toHaveLength(2);
    // Wording still saves, and an organiser can make the change.
    expect((await lead.post(`/plan/${event.id}/details`, form(event, { venueName: 'Room 2', description: 'Now with lunch.' }))).statusCode).toBe(303);
    expect((await organiser.post(`/plan/${event.id}/details`, form(event, { venueName: 'Room 3' }))).statusCode).toBe(303);
    expect(await mailTo(t.db, 'hal@example.org', 'event-changed')).toHaveLength(3);
  });
});

describe('the programme and its event', () => {
  it('moves every session with its event, and refuses a session outside the event’s times', async () => {
    const event = await eventLedByLead();
    const outside = await lead.post(`/plan/${event.id}/programme`, {
      title: 'Evening social',
      sessionDate: '2027-01-20',
      sessionStart: '18:00',
      sessionEnd: '19:00',
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toContain('The session must be within the event’s times');
    expect(outside.body).toContain('value="Evening social"');
    expect(await t.db.select().from(programmeSessions).where(eq(programmeSessions.eventId, event.id))).toHaveLength(0);

    expect(
      (await lead.post(`/plan/${event.id}/programme`, { title: 'Welcome', sessionDate: '2027-01-20', sessionStart: '10:00', sessionEnd: '10:30' })).statusCode,
    ).toBe(303);
    expect(
      (await lead.post(`/plan/${event.id}/programme`, { title: 'Panel', sessionDate: '2027-01-20', sessionStart: '14:00', sessionEnd: '15:00' })).statusCode,
    ).toBe(303);

    // A week later and an hour earlier: the sessions keep their place in the day.
    expect((await lead.post(`/plan/${event.id}/details`, form(event, { startDate: '2027-01-27', startTime: '09:00', endTime: '14:00' }))).statusCode).toBe(303);
    const moved = await t.db.select().from(programmeSessions).where(eq(programmeSessions.eventId, event.id)).orderBy(asc(programmeSessions.startsAt));
    expect(moved.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString()])).toEqual([
      ['2027-01-27T09:00:00.000Z', '2027-01-27T09:30:00.000Z'],
      ['2027-01-27T13:00:00.000Z', '2027-01-27T14:00:00.000Z'],
    ]);
  });

  it('refuses to shorten an event past its sessions, saying which, and changes nothing', async () => {
    const event = await eventLedByLead();
    expect(
      (await lead.post(`/plan/${event.id}/programme`, { title: 'Closing panel', sessionDate: '2027-01-20', sessionStart: '14:00', sessionEnd: '15:00' }))
        .statusCode,
    ).toBe(303);
    await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Gus', email: 'gus@example.org' });
    await t.db.delete(outboxMessages);
    const shorter = await lead.post(`/plan/${event.id}/details`, form(event, { endTime: '13:00' }));
    expect(shorter.statusCode).toBe(400);
    expect(shorter.body).toContain('sessions outside the event’s times: Closing panel');
    const [kept] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(kept!.endsAt!.toISOString()).toBe('2027-01-20T15:00:00.000Z');
    expect(await mailTo(t.db, 'gus@example.org', 'event-changed')).toHaveLength(0);
  });
});

describe('the details form of a one-day event', () => {
  it('leaves the end date empty, so moving the start date moves the whole day', async () => {
    const event = await eventLedByLead();
    const page = await lead.get(`/plan/${event.id}/details`);
    expect(page.body).toMatch(/<input[^>]*name="endDate"[^>]*value=""/);
    // What the browser sends back: the form as shown, with only the start date changed.
    const moved = await lead.post(`/plan/${event.id}/details`, form(event, { startDate: '2027-01-27', endDate: '' }));
    expect(moved.statusCode, moved.body.slice(0, 300)).toBe(303);
    const [after] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(after!.startsAt!.toISOString()).toBe('2027-01-27T10:00:00.000Z');
    expect(after!.endsAt!.toISOString()).toBe('2027-01-27T15:00:00.000Z');
  });
});

describe('after a move', () => {
  it('asks the person who moved it to check the travel notes and a bursary deadline now after the start', async () => {
    const event = await eventLedByLead({ travelInfo: 'Trains run hourly on Wednesdays.' });
    await t.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Fund', budgetPence: 10_000, deadlineAt: new Date('2027-01-18T23:59:59Z') });
    const moved = await lead.post(`/plan/${event.id}/details`, form(event, { startDate: '2027-01-13', travelInfo: 'Trains run hourly on Wednesdays.' }));
    expect(moved.statusCode).toBe(303);
    const page = (await lead.get(moved.headers.location!)).body;
    expect(page).toContain('Check that the travel notes still fit the new date.');
    expect(page).toContain('The bursary deadline, Monday 18 January 2027, is now after the event starts: ask an organiser to change it.');
    // Nothing they typed was changed for them.
    const [fund] = await t.db.select().from(bursaryFunds).where(eq(bursaryFunds.eventId, event.id));
    expect(fund!.deadlineAt!.toISOString()).toBe('2027-01-18T23:59:59.000Z');
    // A wording change, or a move that keeps the deadline before the start, asks nothing.
    const later = await organiser.post(`/plan/${event.id}/details`, form(event, { startDate: '2027-01-25', travelInfo: '' }));
    expect((await organiser.get(later.headers.location!)).body).not.toContain('bursary deadline');
  });
});
