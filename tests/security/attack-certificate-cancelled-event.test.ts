// Attack on "no certificate before the event has ended" (525c0ee). issueIn asks eventOver(), which
// counts a cancelled event as over once its planned end has passed. Check-in opens on the event's
// day (or earlier, when an organiser opens it early), and cancelling an event leaves 'attended'
// places as they are (closePlacesForCancelledEvent). So someone checked in on the morning of an
// event that was then called off gets, once the planned end time passes, a certificate saying they
// attended it, which verifies publicly. The thank-you job skips cancelled events; the booking
// page, its PDF, "Your bookings" and the organisers' page do not. FINDING: fails on main.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, events, registrations } from '../../db/schema/index.ts';
import { mintManagePath } from '../../server/registration/links.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'cert-cancel-organiser@example.org');
});
afterAll(async () => {
  await t.close();
});

describe('a certificate for an event that was cancelled after check-in', () => {
  it('is never issued, downloaded or offered', async () => {
    // An event starting later; check-in opened early (as the walk did for the launch day).
    const startsAt = new Date(Date.now() + 2 * 86_400_000);
    const event = await makeEvent(t.db, { title: 'Called off on the day', startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000) });
    const type = await makeTicketType(t.db, event.id);
    const email = `cancel-came-${event.slug.slice(-8)}@example.org`;
    const [booking] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, ticketTypeId: type.id, status: 'confirmed', name: 'Early Arrival', email })
      .returning();
    const base = `/organise/events/${event.slug}`;
    expect((await organiser.post(`${base}/check-in/open`)).statusCode).toBe(303);
    expect((await organiser.post(`${base}/check-in/${booking!.id}`, { attended: 'yes' })).statusCode).toBe(303);
    // The event is called off.
    expect((await organiser.post(`/plan/${event.id}/cancel`, { reason: 'The venue flooded.' })).statusCode).toBe(303);
    const [after] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(after!.status).toBe('cancelled');
    const [place] = await t.db.select().from(registrations).where(eq(registrations.id, booking!.id));
    expect(place!.status).toBe('attended');

    // The planned end passes (time moves on: the dates are moved back as the other tests do).
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 5 * 3_600_000), endsAt: new Date(Date.now() - 2 * 3_600_000) })
      .where(eq(events.id, event.id));

    const managePath = await mintManagePath(t.db, booking!.id);
    const visitor = t.client();
    const page = await visitor.get(managePath);
    const pdf = await visitor.get(`${managePath}/certificate.pdf`);
    const member = await t.signedIn(email);
    const mine = await member.get('/account/bookings');
    const memberPdf = await member.get(`/account/bookings/${booking!.id}/certificate.pdf`);
    const organiserPdf = await organiser.get(`${base}/certificates/${booking!.id}/certificate.pdf`);
    const issued = await t.db.select().from(certificates).where(eq(certificates.eventId, event.id));

    expect({
      bookingPageOffers: page.body.includes('Your certificate of attendance'),
      bookingPdf: pdf.statusCode === 200,
      yourBookingsOffers: mine.body.includes('certificate.pdf'),
      memberPdf: memberPdf.statusCode === 200,
      organiserPdf: organiserPdf.statusCode === 200,
      certificatesIssued: issued.length,
    }).toEqual({
      bookingPageOffers: false,
      bookingPdf: false,
      yourBookingsOffers: false,
      memberPdf: false,
      organiserPdf: false,
      certificatesIssued: 0,
    });
  });
});
