// An event whose organisers say booking is not needed, or happens elsewhere, takes no booking
// here: its page says so, and neither the form nor a post (signed in or not) makes a booking.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingRequests, registrationSettings, registrations } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe.each([
  ['elsewhere', 'Booking for this event is not done here'],
  ['not_needed', 'You do not need to book'],
] as const)('booking mode "%s"', (mode, says) => {
  it('is said on the event page and the booking page, and no post books a place', async () => {
    const event = await makeEvent(t.db, { slug: `mode-${mode.replace('_', '-')}` });
    const type = await makeTicketType(t.db, event.id);
    await t.db.insert(registrationSettings).values({ eventId: event.id, bookingMode: mode });

    const visitor = t.client();
    expect((await visitor.get(`/events/${event.slug}`)).body).toContain(says);
    const form = await visitor.get(`/events/${event.slug}/book`);
    expect(form.body).toContain(says);
    expect(form.body).not.toContain('name="ticketTypeId"');

    const member = await t.signedIn(`member-${mode}@example.org`);
    await member.get(`/events/${event.slug}/book`);
    const signedIn = await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Member', email: `member-${mode}@example.org` });
    expect(String(signedIn.headers.location ?? '')).not.toMatch(/^\/bookings\//);
    const anonymous = await visitor.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Visitor', email: `visitor-${mode}@example.org` });
    expect(String(anonymous.headers.location ?? '')).not.toContain('check-your-email');

    expect(await t.db.select().from(registrations).where(eq(registrations.eventId, event.id))).toHaveLength(0);
    expect(await t.db.select().from(bookingRequests).where(eq(bookingRequests.eventId, event.id))).toHaveLength(0);
  });
});
