// Booking without signing in proves nothing about the address typed: it books nothing until the
// address confirms from the emailed link, never takes a place held for a bursary applicant, never
// shows a booking's private page, never changes an existing booking, and always answers "check
// your email". Links travel only by email, and are limited per address and per IP.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingRequests, placeHolds, registrations } from '../../db/schema/index.ts';
import { TooManyRequestsError } from '../../server/errors.ts';
import { MAX_LINK_EMAILS_PER_ADDRESS, MAX_LINK_EMAILS_PER_IP } from '../../server/registration/links.ts';
import { resendBookingLink } from '../../server/registration/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { applicantWithHeldPlace, bookAnonymously, latestConfirmPath, latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

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
  return t.db
    .select()
    .from(registrations)
    .where(and(eq(registrations.eventId, eventId), eq(registrations.email, email)));
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
    // Even the address's owner, confirming from the emailed link, is told to sign in to book it.
    const confirmPath = await latestConfirmPath(t.db, 'held-applicant@example.org');
    const confirmed = await t.client().post(confirmPath);
    expect(confirmed.statusCode).toBe(409);
    expect(confirmed.body).toContain('Sign in to book your place');
    expect(confirmed.body).toContain(`/sign-in?next=${encodeURIComponent(`/events/${event.slug}/book`)}`.replace(/&/g, '&amp;'));
    expect(await holdState(hold.id)).toBe('live');
    expect(await bookingsOf(event.id, 'held-applicant@example.org')).toHaveLength(0);

    const applicant = await t.signedIn('held-applicant@example.org');
    const booked = await applicant.post(`/events/${event.slug}/book`, form(type.id, 'held-applicant@example.org', 'The applicant'));
    expect(booked.headers.location).toMatch(/^\/bookings\//);
    const [row] = await bookingsOf(event.id, 'held-applicant@example.org');
    expect(row!.status).toBe('confirmed');
    expect(await holdState(hold.id)).toBe('consumed');
  });
});

describe('booking without signing in', () => {
  it('answers the same "check your email" for a new address and one already booked, and books nothing until confirmed', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, form(type.id, 'first-anon@example.org'));
    expect((await bookingsOf(event.id, 'first-anon@example.org'))[0]!.status).toBe('confirmed');
    const answers = [];
    for (const email of ['waiting-anon@example.org', 'first-anon@example.org']) {
      const visitor = t.client();
      const response = await visitor.post(`/events/${event.slug}/book`, form(type.id, email));
      const page = await visitor.get(String(response.headers.location));
      answers.push({ status: response.statusCode, location: response.headers.location, page: page.body.replace(/content="[^"]*"|value="[^"]*"/g, '') });
    }
    expect(answers[0]!.location).toBe(`/events/${event.slug}/book/check-your-email`);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.page).toContain('Check your email');
    expect(answers[0]!.page).not.toContain('/bookings/');
    expect(await bookingsOf(event.id, 'waiting-anon@example.org')).toHaveLength(0);
    // Both addresses were sent the same kind of email; confirming joins the waiting list.
    const waiting = t.client();
    const confirmPath = await latestConfirmPath(t.db, 'waiting-anon@example.org');
    const page = await waiting.get(confirmPath);
    expect(page.body).toContain('Confirm my booking');
    expect(await bookingsOf(event.id, 'waiting-anon@example.org')).toHaveLength(0);
    const confirmed = await waiting.post(confirmPath);
    expect(confirmed.headers.location).toMatch(/^\/bookings\//);
    expect((await bookingsOf(event.id, 'waiting-anon@example.org'))[0]!.status).toBe('waitlisted');
    // The link works once.
    const again = await waiting.post(confirmPath);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('This link has been used');
    expect((await waiting.get(confirmPath)).statusCode).toBe(410);
    expect(await bookingsOf(event.id, 'waiting-anon@example.org')).toHaveLength(1);
  });

  it('neither duplicates nor changes an existing booking: confirming goes to it', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const owner = await t.signedIn('owner-booked@example.org');
    await owner.post(`/events/${event.slug}/book`, { ...form(type.id, 'owner-booked@example.org', 'Owner'), accessRequirements: 'Step-free access' });
    const before = await bookingsOf(event.id, 'owner-booked@example.org');

    const stranger = await t.client().post(`/events/${event.slug}/book`, { ...form(type.id, 'Owner-Booked@example.org', 'Stranger'), companion: 'yes' });
    expect(stranger.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
    expect(await bookingsOf(event.id, 'owner-booked@example.org')).toEqual(before);
    const [mail] = await mailsTo(t.db, 'owner-booked@example.org');
    expect(mail!.template).toBe('registration-confirm-request');
    expect(JSON.stringify(mail!.data)).not.toContain('Stranger');
    const visitor = t.client();
    const confirmed = await visitor.post(String(mail!.data.confirmPath));
    expect(confirmed.headers.location).toMatch(/^\/bookings\//);
    const page = await visitor.get(String(confirmed.headers.location));
    expect(page.body).toContain('You have already booked this event');
    expect(page.body).toContain('Step-free access');
    expect(await bookingsOf(event.id, 'owner-booked@example.org')).toEqual(before);

    // Booking again and again emails the address only a few times an hour.
    for (let i = 0; i < MAX_LINK_EMAILS_PER_ADDRESS + 2; i++) await t.client().post(`/events/${event.slug}/book`, form(type.id, 'owner-booked@example.org'));
    const asks = (await mailsTo(t.db, 'owner-booked@example.org')).filter((m) => m.template === 'registration-confirm-request');
    expect(asks).toHaveLength(MAX_LINK_EMAILS_PER_ADDRESS);
    expect(await bookingsOf(event.id, 'owner-booked@example.org')).toEqual(before);
  });

  it('refuses an expired confirmation link kindly, and booking nothing', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    await t.client().post(`/events/${event.slug}/book`, form(type.id, 'slow-confirmer@example.org'));
    await t.db
      .update(bookingRequests)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(bookingRequests.email, 'slow-confirmer@example.org'));
    const confirmPath = await latestConfirmPath(t.db, 'slow-confirmer@example.org');
    const page = await t.client().get(confirmPath);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link has run out');
    expect((await t.client().post(confirmPath)).statusCode).toBe(410);
    expect(await bookingsOf(event.id, 'slow-confirmer@example.org')).toHaveLength(0);
    // What was typed goes when the request expires.
    await t.app.registrationJobs.runDue();
    const [row] = await t.db.select().from(bookingRequests).where(eq(bookingRequests.email, 'slow-confirmer@example.org'));
    expect(row!.fields).toBeNull();
  });

  it('is limited per IP, counted in the database, keeping what was typed', async () => {
    const limited = await startTestApp({ env: { BOOKING_REQUESTS_PER_IP_PER_HOUR: '2' } });
    try {
      const event = await makeEvent(limited.db);
      const type = await makeTicketType(limited.db, event.id);
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await limited.client().post(`/events/${event.slug}/book`, form(type.id, `per-ip-${i}@example.org`, 'Typed Name'))).statusCode);
      expect(statuses).toEqual([303, 303, 429]);
      const refused = await limited.client().post(`/events/${event.slug}/book`, form(type.id, 'per-ip-last@example.org', 'Typed Name'));
      expect(refused.body).toContain('many bookings from your connection');
      expect(refused.body).toContain('value="per-ip-last@example.org"');
      expect(refused.body).toContain('value="Typed Name"');
      expect(await mailsTo(limited.db, 'per-ip-2@example.org')).toHaveLength(0);
    } finally {
      await limited.close();
    }
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
    expect(await bookingsOf(event.id, 'colleague@example.org')).toHaveLength(0);
  });
});

describe('"send me my booking link again"', () => {
  it('gives every address the same answer, and emails the link only to an address with a booking', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, form(type.id, 'lost-link@example.org', 'Lost'));
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

    const [mail] = (await mailsTo(t.db, 'lost-link@example.org')).filter((m) => m.template !== 'registration-confirmed');
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
