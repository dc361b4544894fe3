// A hybrid event has places in the room and places online, each counted on its own: the booking
// form asks how people will attend, and waiting lists, holds and offers belong to one set.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, placeHolds, registrations, ticketTypes } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { availability, holdPlace } from '../../server/registration/api.ts';
import { cancelRegistration } from '../../server/registration/service.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { DEMO_RESERVED_CODE } from '../../server/registration/demo.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
let organiser: TestClient;
beforeAll(async () => {
  t = await startTestApp();
  organiser = await t.signedIn('hybrid-organiser@example.org');
  const [me] = await t.db.select().from(people).where(eq(people.email, 'hybrid-organiser@example.org'));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
});

async function hybridEvent(room: number, online: number | null) {
  const event = await makeEvent(t.db, { format: 'hybrid', capacity: room, onlineCapacity: online, onlineJoinUrl: 'https://meet.example.org/x' });
  const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
  return { event, type };
}

/** A member signed in with the address books at once. */
async function bookAs(email: string, slug: string, fields: Record<string, string>) {
  const member = await t.signedIn(email);
  return member.post(`/events/${slug}/book`, { name: email.split('@')[0]!, email, ...fields });
}

async function statusOf(eventId: string, email: string) {
  const [row] = await t.db
    .select({ status: registrations.status, attendance: registrations.attendance })
    .from(registrations)
    .where(and(eq(registrations.eventId, eventId), eq(registrations.email, email)));
  return row;
}

describe('hybrid places', () => {
  it('asks how people will attend, and fills the room while online places remain', async () => {
    const { event, type } = await hybridEvent(1, 2);
    const form = await t.client().get(`/events/${event.slug}/book`);
    expect(form.body).toContain('How will you attend?');
    expect(form.body).toContain('1 place left in the room');
    expect(form.body).toContain('2 places left online');
    // Beside the kind of place, both counts: never one figure that is untrue for the room.
    expect(form.body).toContain('1 place left in the room, 2 places left online');

    // Not saying how is refused beside the field, with what was typed kept.
    const missing = await bookAs('h-none@example.org', event.slug, { ticketTypeId: type.id });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Select how you will attend');
    expect(missing.body).toContain('value="h-none@example.org"');

    expect((await bookAs('h-room@example.org', event.slug, { ticketTypeId: type.id, attendance: 'in_person' })).statusCode).toBe(303);
    expect(await statusOf(event.id, 'h-room@example.org')).toEqual({ status: 'confirmed', attendance: 'in_person' });
    // The room is full; online still has places, so the next online booking gets one.
    expect((await bookAs('h-online@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' })).statusCode).toBe(303);
    expect(await statusOf(event.id, 'h-online@example.org')).toEqual({ status: 'confirmed', attendance: 'online' });
    // Another for the room joins the room's waiting list, and is told it is the room that is full
    // (not the event: online places remain), on the page and in the email.
    const waiter = await t.signedIn('h-wait@example.org');
    const waited = await waiter.post(`/events/${event.slug}/book`, {
      name: 'h-wait',
      email: 'h-wait@example.org',
      ticketTypeId: type.id,
      attendance: 'in_person',
    });
    expect(await statusOf(event.id, 'h-wait@example.org')).toEqual({ status: 'waitlisted', attendance: 'in_person' });
    const told = await waiter.get(String(waited.headers.location));
    expect(told.body).toContain('The room is full, so you are on the waiting list for a place in it.');
    expect(told.body).not.toContain('The event is full');
    const [waitMail] = await mailsTo(t.db, 'h-wait@example.org');
    const rendered = renderEmail('registration-waitlisted', waitMail!.data as never, { baseUrl: 'https://hub.example', siteName: 'Hub' });
    expect(rendered.text).toContain('is full at the moment, so you are on the waiting list for a place in the room.');
    expect(rendered.text).toMatch(/The room at .* is full/);

    const page = await t.client().get(`/events/${event.slug}`);
    expect(page.body).toContain('In the room: full (waiting list). Online: 1 place left');
    const avail = await availability(t.db, event.id);
    expect(avail.left).toBe(0);
    expect(avail.online?.left).toBe(1);

    // The one waiting for the room is behind nobody online, and an online booking does not jump them.
    expect((await bookAs('h-online2@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' })).statusCode).toBe(303);
    expect((await statusOf(event.id, 'h-online2@example.org'))?.status).toBe('confirmed');
    expect((await statusOf(event.id, 'h-wait@example.org'))?.status).toBe('waitlisted');
  });

  it('offers a freed online place to the first person waiting online, not to one waiting for the room', async () => {
    const { event, type } = await hybridEvent(1, 1);
    await bookAs('o-room@example.org', event.slug, { ticketTypeId: type.id, attendance: 'in_person' });
    await bookAs('o-online@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' });
    await bookAs('o-wait-room@example.org', event.slug, { ticketTypeId: type.id, attendance: 'in_person' });
    await bookAs('o-wait-online@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' });

    const [online] = await t.db.select().from(registrations).where(eq(registrations.email, 'o-online@example.org'));
    await cancelRegistration(t.db, online!.id, null);
    expect((await statusOf(event.id, 'o-wait-online@example.org'))?.status).toBe('offered');
    expect((await statusOf(event.id, 'o-wait-room@example.org'))?.status).toBe('waitlisted');
    // The offer holds an online place.
    const [wait] = await t.db.select().from(registrations).where(eq(registrations.email, 'o-wait-online@example.org'));
    const [hold] = await t.db.select().from(placeHolds).where(eq(placeHolds.registrationId, wait!.id));
    expect(hold?.attendance).toBe('online');
    expect((await mailsTo(t.db, 'o-wait-online@example.org')).some((m) => m.template === 'registration-offer')).toBe(true);
    // Their waiting-list position counts only those waiting online.
    const manage = await t.client().get(await latestManagePath(t.db, 'o-wait-room@example.org'));
    expect(manage.body).toContain('In person');
  });

  it('holds a bursary place in the room only', async () => {
    const { event } = await hybridEvent(1, 5);
    const hold = await t.db.transaction((tx) =>
      holdPlace(tx, {
        eventId: event.id,
        kind: 'bursary',
        reference: `bursary-application:${crypto.randomUUID()}`,
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    );
    expect(hold).not.toBeNull();
    const avail = await availability(t.db, event.id);
    expect(avail.left).toBe(0);
    expect(avail.online?.left).toBe(5);
    // The room is now full for everyone else: a second bursary hold finds no place.
    const second = await t.db.transaction((tx) =>
      holdPlace(tx, {
        eventId: event.id,
        kind: 'bursary',
        reference: `bursary-application:${crypto.randomUUID()}`,
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    );
    expect(second).toBeNull();
  });

  it('shows both on the attendee list, the CSV and check-in, and lets organisers set online places', async () => {
    const { event, type } = await hybridEvent(3, 3);
    await bookAs('l-room@example.org', event.slug, { ticketTypeId: type.id, attendance: 'in_person' });
    await bookAs('l-online@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' });
    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.body).toContain('How they attend');
    expect(list.body).toMatch(/In person: 1<\/li>/);
    expect(list.body).toMatch(/Online: 1<\/li>/);
    const csv = await organiser.get(`/organise/events/${event.slug}/attendees.csv`);
    expect(csv.body).toContain('Attends');
    expect(csv.body).toMatch(/l-online@example\.org.*,Online,/);

    // Check-in opens on the event's day: starting now is today in London at any hour (an hour
    // from now is tomorrow after eleven at night).
    await t.db.update(events).set({ startsAt: new Date() }).where(eq(events.id, event.id));
    const checkIn = await organiser.get(`/organise/events/${event.slug}/check-in`);
    expect(checkIn.body).toContain('In person: 0 of 1 arrived');
    expect(checkIn.body).toContain('Online: 0 of 1 arrived');

    const wrong = await organiser.post(`/organise/events/${event.slug}/places/online`, { onlineCapacity: 'lots' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Online places must be a whole number');
    expect(wrong.body).toContain('value="lots"');
    expect((await organiser.post(`/organise/events/${event.slug}/places/online`, { onlineCapacity: '40' })).statusCode).toBe(303);
    expect((await availability(t.db, event.id)).online?.capacity).toBe(40);
    expect((await organiser.get(`/organise/events/${event.slug}/places`)).body).toContain('Online places: <strong>40</strong>');
  });

  it('counts an event that is only in person as one set of places, as before', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const form = await t.client().get(`/events/${event.slug}/book`);
    expect(form.body).not.toContain('How will you attend?');
    // Whatever a form sends, nothing online is counted apart.
    await bookAs('s-1@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' });
    await bookAs('s-2@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' });
    expect(await statusOf(event.id, 's-1@example.org')).toEqual({ status: 'confirmed', attendance: null });
    expect((await statusOf(event.id, 's-2@example.org'))?.status).toBe('waitlisted');
  });

  it('is in the demo: the launch day’s room nearly full while online places remain, and a partner’s code', async () => {
    await seedDemo(t.db);
    const [event] = await t.db.select().from(events).where(eq(events.slug, 'hub-launch-and-discussion-day'));
    const avail = await availability(t.db, event!.id);
    // One room place is held for a bursary applicant coming in person.
    expect(avail).toMatchObject({ capacity: 80, left: 1, reserved: 16 });
    // 12 demo people online, Jo Member's place invoiced to a peer-support group, and two bursary
    // applicants who booked online before applying.
    expect(avail.online).toMatchObject({ capacity: 150, left: 135 });
    expect((await t.client().get(`/events/${event!.slug}`)).body).toContain('In the room: 1 place left. Online: 135 places left');
    const types = await t.db.select().from(ticketTypes).where(eq(ticketTypes.eventId, event!.id));
    const free = types.find((ty) => ty.pricePence === 0)!;
    const booked = await bookAs('demo-partner@example.org', event!.slug, {
      ticketTypeId: free.id,
      attendance: 'in_person',
      code: DEMO_RESERVED_CODE.toLowerCase(),
    });
    expect(booked.statusCode).toBe(303);
    expect((await statusOf(event!.id, 'demo-partner@example.org'))?.status).toBe('confirmed');
    const list = await organiser.get(`/organise/events/${event!.slug}/attendees`);
    expect(list.body).toContain('Booked for them by Priya Organiser');
  });
});
