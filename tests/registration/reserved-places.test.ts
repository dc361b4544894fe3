// Places reserved for a group behind a code: nobody else can take them until the code stops
// working; codes are case-insensitive, tries are limited per IP, and a code that cannot be used
// (wrong, expired or used up) gets the same answer, so guessing learns nothing.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { people, registrations, reservedCodeTries, reservedPlaces } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { availability } from '../../server/registration/api.ts';
import { CODE_NOT_USABLE, CODE_TRIES_PER_IP_PER_HOUR } from '../../server/registration/reserved-places.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
let organiser: TestClient;
beforeAll(async () => {
  t = await startTestApp();
  organiser = await t.signedIn('reserver@example.org');
  const [me] = await t.db.select().from(people).where(eq(people.email, 'reserver@example.org'));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
});
// Every test here books from the same address; each starts with no tries counted.
beforeEach(async () => {
  await t.db.delete(reservedCodeTries);
});

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);

async function reserve(slug: string, fields: Record<string, string>) {
  const done = await organiser.post(`/organise/events/${slug}/places/reserved`, fields);
  expect(done.statusCode, done.body.slice(0, 300)).toBe(303);
  const notice = (await organiser.get(String(done.headers.location))).body;
  const code = /Their code is ([A-Z0-9]+)/.exec(notice)?.[1];
  expect(code).toBeTruthy();
  return code!;
}

async function bookAs(email: string, slug: string, fields: Record<string, string>) {
  const member = await t.signedIn(email);
  return member.post(`/events/${slug}/book`, { name: email.split('@')[0]!, email, ...fields });
}

async function statusOf(eventId: string, email: string) {
  const [row] = await t.db
    .select({ status: registrations.status, reservationId: registrations.reservationId })
    .from(registrations)
    .where(and(eq(registrations.eventId, eventId), eq(registrations.email, email)));
  return row;
}

/** The page's words once what was typed into the code field is taken out. */
const withoutTypedCode = (body: string) =>
  body
    .replace(/id="code" name="code" type="text" value="[^"]*"/, '')
    .replace(/name="_csrf" value="[^"]*"/g, '')
    .replace(/name="csrf-token" content="[^"]*"/g, '');

describe('reserved places', () => {
  it('keeps places from everyone else, and a code in any case books them', async () => {
    const event = await makeEvent(t.db, { capacity: 3 });
    const type = await makeTicketType(t.db, event.id);
    const code = await reserve(event.slug, { groupName: 'Survivors’ Voices', places: '2', expiresAt: inAWeek() });
    expect((await availability(t.db, event.id)).left).toBe(1);
    expect((await t.client().get(`/events/${event.slug}/book`)).body).toContain('Code for reserved places');

    await bookAs('r-public1@example.org', event.slug, { ticketTypeId: type.id });
    await bookAs('r-public2@example.org', event.slug, { ticketTypeId: type.id });
    expect((await statusOf(event.id, 'r-public1@example.org'))?.status).toBe('confirmed');
    // The last free place was taken: the reserved two are not anyone's.
    expect((await statusOf(event.id, 'r-public2@example.org'))?.status).toBe('waitlisted');

    // Lower case, with a space, still works; the event's count does not move.
    const typed = `${code.slice(0, 4).toLowerCase()} ${code.slice(4).toLowerCase()}`;
    expect((await bookAs('r-member1@example.org', event.slug, { ticketTypeId: type.id, code: typed })).statusCode).toBe(303);
    const [reservation] = await t.db.select().from(reservedPlaces).where(eq(reservedPlaces.eventId, event.id));
    expect(await statusOf(event.id, 'r-member1@example.org')).toEqual({ status: 'confirmed', reservationId: reservation!.id });
    expect((await availability(t.db, event.id)).left).toBe(0);

    const list = await organiser.get(`/organise/events/${event.slug}/places/reserved`);
    expect(list.body).toContain('1 of 2');
    expect((await organiser.get(`/organise/events/${event.slug}/attendees`)).body).toContain('Reserved for Survivors’ Voices');
  });

  it('answers a wrong, an expired and a used-up code the same way', async () => {
    const event = await makeEvent(t.db, { capacity: 10 });
    const type = await makeTicketType(t.db, event.id);
    const used = await reserve(event.slug, { groupName: 'Group A', places: '1', expiresAt: inAWeek() });
    const ended = await reserve(event.slug, { groupName: 'Group B', places: '3', expiresAt: inAWeek() });
    await t.db
      .update(reservedPlaces)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(reservedPlaces.code, ended));
    expect((await bookAs('c-first@example.org', event.slug, { ticketTypeId: type.id, code: used })).statusCode).toBe(303);

    const answers = [];
    for (const [email, code] of [
      ['c-wrong@example.org', 'NOSUCHCODE'],
      ['c-ended@example.org', ended],
      ['c-used@example.org', used],
    ] as const) {
      const response = await bookAs(email, event.slug, { ticketTypeId: type.id, code });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain(CODE_NOT_USABLE.slice(0, 40));
      expect(response.body).toContain(`value="${code}"`);
      expect(await statusOf(event.id, email)).toBeUndefined();
      answers.push(withoutTypedCode(response.body.replace(email, '').replace(email.split('@')[0]!, '')));
    }
    const lines = (text: string) => text.split('\n');
    const differ = (a: string, b: string) => lines(a).filter((line, i) => line !== lines(b)[i]);
    expect(differ(answers[1]!, answers[0]!)).toEqual([]);
    expect(differ(answers[2]!, answers[0]!)).toEqual([]);
  });

  it('limits the codes one IP may try in an hour', async () => {
    const event = await makeEvent(t.db, { capacity: 10 });
    const type = await makeTicketType(t.db, event.id);
    const code = await reserve(event.slug, { groupName: 'Group C', places: '5', expiresAt: inAWeek() });
    for (let i = 0; i < CODE_TRIES_PER_IP_PER_HOUR; i++) {
      expect((await bookAs(`g-${i}@example.org`, event.slug, { ticketTypeId: type.id, code: `GUESS${i}` })).statusCode).toBe(400);
    }
    // Past the limit even the right code is refused, so guessing cannot go on.
    const limited = await bookAs('g-right@example.org', event.slug, { ticketTypeId: type.id, code });
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('You have tried several codes in the last hour');
    expect(await statusOf(event.id, 'g-right@example.org')).toBeUndefined();
    // Booking without a code is not limited by it.
    expect((await bookAs('g-plain@example.org', event.slug, { ticketTypeId: type.id })).statusCode).toBe(303);
  });

  it('gives unused places back when the code stops working, to the waiting list first', async () => {
    const event = await makeEvent(t.db, { capacity: 2 });
    const type = await makeTicketType(t.db, event.id);
    await reserve(event.slug, { groupName: 'Group D', places: '1', expiresAt: inAWeek() });
    await bookAs('e-1@example.org', event.slug, { ticketTypeId: type.id });
    await bookAs('e-2@example.org', event.slug, { ticketTypeId: type.id });
    expect((await statusOf(event.id, 'e-2@example.org'))?.status).toBe('waitlisted');
    const [reservation] = await t.db.select().from(reservedPlaces).where(eq(reservedPlaces.eventId, event.id));
    expect((await organiser.post(`/organise/events/${event.slug}/places/reserved/${reservation!.id}/end`)).statusCode).toBe(303);
    expect((await statusOf(event.id, 'e-2@example.org'))?.status).toBe('offered');

    // A code that runs out by itself: the expiry job passes its places on.
    const later = await makeEvent(t.db, { capacity: 1 });
    const laterType = await makeTicketType(t.db, later.id);
    await reserve(later.slug, { groupName: 'Group E', places: '1', expiresAt: inAWeek() });
    await bookAs('e-3@example.org', later.slug, { ticketTypeId: laterType.id });
    expect((await statusOf(later.id, 'e-3@example.org'))?.status).toBe('waitlisted');
    await t.app.registrationJobs.runDue(new Date(Date.now() + 8 * 86_400_000 - 86_400_000 * 0.5));
    expect((await statusOf(later.id, 'e-3@example.org'))?.status).toBe('offered');
  });

  it('refuses to keep more places than are free, with a clear message', async () => {
    const event = await makeEvent(t.db, { capacity: 2 });
    await makeTicketType(t.db, event.id);
    const tooMany = await organiser.post(`/organise/events/${event.slug}/places/reserved`, { groupName: 'Big group', places: '5', expiresAt: inAWeek() });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('Only 2 places are free');
    expect(tooMany.body).toContain('value="Big group"');
    const past = await organiser.post(`/organise/events/${event.slug}/places/reserved`, { groupName: 'Late', places: '1', expiresAt: '2020-01-01T09:00' });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('The code must stop working in the future');
    expect(await t.db.select().from(reservedPlaces).where(eq(reservedPlaces.eventId, event.id))).toHaveLength(0);
  });
});
