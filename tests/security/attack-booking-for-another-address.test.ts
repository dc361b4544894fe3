// A signed-in member who books with someone else's address has proved nothing about it: the
// booking must not become theirs. Otherwise they keep a way into it (/account/bookings, their
// data export) and read what its real owner later types on the manage page (access needs,
// perspective), or cancel the place its owner believes is theirs.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrations } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { latestConfirmPath, makeEvent, makeTicketType } from '../registration/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('a member booking with another person’s address', () => {
  it('gains no way into that booking, nor into what its owner types there', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const mallory = await t.signedIn('mallory-booker@example.org');
    const booked = await mallory.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Vic Tim', email: 'victim-booking@example.org' });
    expect(booked.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
    const bookingOfVictim = () =>
      t.db
        .select()
        .from(registrations)
        .where(and(eq(registrations.eventId, event.id), eq(registrations.email, 'victim-booking@example.org')));
    // Nothing is booked until the address's owner confirms it from the emailed link.
    expect(await bookingOfVictim()).toHaveLength(0);
    const victim = t.client();
    const confirmed = await victim.post(await latestConfirmPath(t.db, 'victim-booking@example.org'));
    const [row] = await bookingOfVictim();
    expect(row).toBeDefined();

    // The address's owner opens their booking and writes their access needs.
    const manage = String(confirmed.headers.location);
    expect(manage).toMatch(/^\/bookings\//);
    await victim.get(manage);
    const saved = await victim.post(`${manage}/answers`, { accessRequirements: 'Quiet room: PTSD after detention', perspective: '' });
    expect(saved.statusCode).toBe(303);

    const list = await mallory.get('/account/bookings');
    expect(list.body).not.toContain(row!.id);
    const link = await mallory.post(`/account/bookings/${row!.id}/link`);
    expect(link.statusCode).toBe(404);
    const exported = await mallory.get('/account/your-data.json');
    expect(exported.body).not.toContain('PTSD');
    expect(exported.body).not.toContain('victim-booking@example.org');
  });
});
