// Booking without signing in proves nothing about the address typed: it never takes a place
// held for a bursary applicant, never shows a booking's private page, never changes an existing
// booking, and always answers "check your email". The link travels only by email, and asking
// for it again is limited per address and per IP.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeHolds, registrations } from '../../db/schema/index.ts';
import { TooManyRequestsError } from '../../server/errors.ts';
import { MAX_LINK_EMAILS_PER_ADDRESS, MAX_LINK_EMAILS_PER_IP } from '../../server/registration/links.ts';
import { resendBookingLink } from '../../server/registration/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { applicantWithHeldPlace, latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function holdState(id: string) {
  const [row] = await t.db.select({ state: placeHolds.state }).from(placeHolds).where(eq(placeHolds.id, id));
  return row!.state;
}

async function bookingsOf(eventId: string, email: string) {
  return t.db.select().from(registrations).where(and(eq(registrations.eventId, eventId), eq(registrations.email, email)));
}

const form = (typeId: string, email: string, name = 'Someone') => ({ ticketTypeId: typeId, name, email, accessRequirements: 'Typed by a stranger' });

describe('a place held for a bursary applicant', () => {
  it('is not taken by a booking made with their address without signing in; only they, signed in, can take it', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const hold = await applicantWithHeldPlace(t.db, event.id, 'held-applicant@example.org');

    const attacker = t.client();
    const response = await attacker.post(`/events/${event.slug}/book`, form(type.id, 'held-applicant@example.org', 'Not the applicant'));
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
    expect(await holdState(hold.id)).toBe('live');
    expect(await bookingsOf(event.id, 'held-applicant@example.org')).toHaveLength(0);
    // The address is told how to book the kept place: by signing in.
    const [told] = await mailsTo(t.db, 'held-applicant@example.org');
    expect(told!.template).toBe('registration-sign-in-to-book');
    expect(told!.data.bookPath).toBe(`/sign-in?next=${encodeURIComponent(`/events/${event.slug}/book`)}`);

    const applicant = await t.signedIn('held-applicant@example.org');
    const booked = await applicant.post(`/events/${event.slug}/book`, form(type.id, 'held-applicant@example.org', 'The applicant'));
    expect(booked.headers.location).toMatch(/^\/bookings\//);
    const [row] = await bookingsOf(event.id, 'held-applicant@example.org');
    expect(row!.status).toBe('confirmed');
    expect(await holdState(hold.id)).toBe('consumed');
  });
});

describe('booking without signing in', () => {
  it('answers the same "check your email" for a new booking, the waiting list and an address already booked', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const answers = [];
    for (const email of ['first-anon@example.org', 'waiting-anon@example.org', 'first-anon@example.org']) {
      const visitor = t.client();
      const response = await visitor.post(`/events/${event.slug}/book`, form(type.id, email));
      const page = await visitor.get(String(response.headers.location));
      answers.push({ status: response.statusCode, location: response.headers.location, page: page.body.replace(/content="[^"]*"|value="[^"]*"/g, '') });
    }
    expect(answers[0]!.location).toBe(`/events/${event.slug}/book/check-your-email`);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]!.page).toContain('Check your email');
    expect(answers[0]!.page).not.toContain('/bookings/');
    expect((await bookingsOf(event.id, 'waiting-anon@example.org'))[0]!.status).toBe('waitlisted');
  });

  it('neither duplicates nor changes an existing booking, and emails that address its link instead', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const owner = await t.signedIn('owner-booked@example.org');
    await owner.post(`/events/${event.slug}/book`, { ...form(type.id, 'owner-booked@example.org', 'Owner'), accessRequirements: 'Step-free access' });
    const before = await bookingsOf(event.id, 'owner-booked@example.org');

    const stranger = await t.client().post(`/events/${event.slug}/book`, { ...form(type.id, 'Owner-Booked@example.org', 'Stranger'), companion: 'yes' });
    expect(stranger.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
    expect(await bookingsOf(event.id, 'owner-booked@example.org')).toEqual(before);
    const [mail] = await mailsTo(t.db, 'owner-booked@example.org');
    expect(mail!.template).toBe('registration-link');
    expect(mail!.data.name).toBe('Owner');
    expect((await t.client().get(String(mail!.data.managePath))).body).toContain('Step-free access');

    // Booking again and again sends the link only a few times an hour.
    for (let i = 0; i < MAX_LINK_EMAILS_PER_ADDRESS + 2; i++) await t.client().post(`/events/${event.slug}/book`, form(type.id, 'owner-booked@example.org'));
    const links = (await mailsTo(t.db, 'owner-booked@example.org')).filter((m) => m.template === 'registration-link');
    expect(links).toHaveLength(MAX_LINK_EMAILS_PER_ADDRESS);
    expect(await bookingsOf(event.id, 'owner-booked@example.org')).toEqual(before);
  });

  it('lets a signed-in member book with their own address and go straight to their booking, and back to it if they book again', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const member = await t.signedIn('direct-member@example.org');
    const first = await member.post(`/events/${event.slug}/book`, form(type.id, 'direct-member@example.org'));
    expect(first.headers.location).toMatch(/^\/bookings\//);
    expect((await member.get(String(first.headers.location))).body).toContain('Booked');
    const again = await member.post(`/events/${event.slug}/book`, form(type.id, 'direct-member@example.org'));
    expect(again.headers.location).toMatch(/^\/bookings\//);
    const shown = (await member.get(String(again.headers.location))).body;
    expect(shown).toContain('You have already booked this event');
    // Nothing was done: the notice is not framed as a success.
    expect(shown).toContain('id="notice-title">Important<');
    expect(shown).not.toContain('govuk-notification-banner--success');
    expect(await bookingsOf(event.id, 'direct-member@example.org')).toHaveLength(1);
    // Signed in, but typing someone else's address, proves nothing about that address.
    const other = await member.post(`/events/${event.slug}/book`, form(type.id, 'colleague@example.org'));
    expect(other.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
  });
});

describe('"send me my booking link again"', () => {
  it('gives every address the same answer, and emails the link only to an address with a booking', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    await t.client().post(`/events/${event.slug}/book`, form(type.id, 'lost-link@example.org', 'Lost'));
    const page = await t.client().get(`/events/${event.slug}/book/check-your-email`);
    expect(page.body).toContain('Send me my booking link again');

    const booked = t.client();
    const a = await booked.post(`/events/${event.slug}/book/link`, { email: 'Lost-Link@example.org' });
    const unbooked = t.client();
    const b = await unbooked.post(`/events/${event.slug}/book/link`, { email: 'never-booked@example.org' });
    expect([a.statusCode, a.headers.location]).toEqual([303, `/events/${event.slug}/book/check-your-email`]);
    expect([b.statusCode, b.headers.location]).toEqual([a.statusCode, a.headers.location]);
    const strip = (body: string) => body.replace(/content="[^"]*"|value="[^"]*"/g, '');
    expect(strip((await unbooked.get(String(b.headers.location))).body)).toBe(strip((await booked.get(String(a.headers.location))).body));
    // "If that address has a booking…" may mean nothing was sent, so it is not a "Done".
    const after = t.client();
    const said = await after.post(`/events/${event.slug}/book/link`, { email: 'never-booked@example.org' });
    const landing = (await after.get(String(said.headers.location))).body;
    expect(landing).toContain('If that address has a booking for this event');
    expect(landing).toContain('id="notice-title">Important<');
    expect(landing).not.toContain('id="notice-title">Done<');

    const [mail] = await mailsTo(t.db, 'lost-link@example.org');
    expect(mail!.template).toBe('registration-link');
    expect(mail!.data.reason).toBe('asked');
    expect((await t.client().get(await latestManagePath(t.db, 'lost-link@example.org'))).body).toContain('Lost');
    expect(await mailsTo(t.db, 'never-booked@example.org')).toHaveLength(0);
  });

  it('keeps what was typed beside a clear message when the address is not one', async () => {
    const event = await makeEvent(t.db);
    const response = await t.client().post(`/events/${event.slug}/book/link`, { email: 'not an address' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Enter an email address in the right format');
    expect(response.body).toContain('value="not an address"');
  });

  it('is limited per address, with the same answer whether or not it has a booking', async () => {
    const event = await makeEvent(t.db);
    for (const email of ['limit-unbooked@example.org']) {
      const statuses = [];
      for (let i = 0; i <= MAX_LINK_EMAILS_PER_ADDRESS; i++) statuses.push((await t.client().post(`/events/${event.slug}/book/link`, { email })).statusCode);
      expect(statuses).toEqual([...Array<number>(MAX_LINK_EMAILS_PER_ADDRESS).fill(303), 429]);
    }
    const refused = await t.client().post(`/events/${event.slug}/book/link`, { email: 'limit-unbooked@example.org' });
    expect(refused.body).toContain('We have sent several booking links recently');
    expect(refused.body).toContain('value="limit-unbooked@example.org"');
  });

  it('is limited per IP, counted in the database', async () => {
    const event = await makeEvent(t.db);
    const ip = '203.0.113.7';
    for (let i = 0; i < MAX_LINK_EMAILS_PER_IP; i++) await resendBookingLink(t.db, { eventId: event.id, email: `ip-limit-${i}@example.org`, ip });
    await expect(resendBookingLink(t.db, { eventId: event.id, email: 'ip-limit-last@example.org', ip })).rejects.toBeInstanceOf(TooManyRequestsError);
    // Another visitor is not held up by it.
    await expect(resendBookingLink(t.db, { eventId: event.id, email: 'ip-limit-last@example.org', ip: '203.0.113.8' })).resolves.toBeUndefined();
  });
});
