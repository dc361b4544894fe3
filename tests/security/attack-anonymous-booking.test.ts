// Attacks on booking without signing in that the "check your email" answer does not stop.
// 1. The public "N places left" count is an oracle: an anonymous booking made with someone's
//    address takes a place only if that address has neither booked nor applied for a bursary,
//    so comparing the count before and after tells a stranger whether a person is booked, or
//    has applied for a bursary (a service user or carer: special-category data).
// 2. Each anonymous booking with a fresh address emails that address, with the booker's typed
//    name in the body, and no budget counted in the database limits how many one IP can send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINK_EMAILS_PER_IP } from '../../server/registration/links.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { applicantWithHeldPlace, mailsTo, makeEvent, makeTicketType } from '../registration/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const placesLeft = async (slug: string) => /(\d+) places? left/.exec((await t.client().get(`/events/${slug}/book`)).body)?.[1];

describe('the places-left count after an anonymous booking', () => {
  it('does not tell a stranger whether an address has booked or applied for a bursary', async () => {
    const event = await makeEvent(t.db, { capacity: 10 });
    const type = await makeTicketType(t.db, event.id);
    // Someone already booked (signed in), and someone with a bursary application and a held place.
    const booked = await t.signedIn('already-booked@example.org');
    expect((await booked.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Booked', email: 'already-booked@example.org' })).statusCode).toBe(
      303,
    );
    await applicantWithHeldPlace(t.db, event.id, 'bursary-applicant@example.org');

    const probe = async (email: string) => {
      const before = await placesLeft(event.slug);
      await t.client().post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Probe', email });
      return before !== (await placesLeft(event.slug));
    };
    const strangerMoved = await probe('nobody-in-particular@example.org');
    const bookedMoved = await probe('already-booked@example.org');
    const applicantMoved = await probe('bursary-applicant@example.org');
    // The same answer for all three, whatever it is.
    expect(bookedMoved).toBe(strangerMoved);
    expect(applicantMoved).toBe(strangerMoved);
  });
});

describe('emails sent by anonymous bookings', () => {
  it('are limited per IP, counted in the database', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const n = MAX_LINK_EMAILS_PER_IP + 5;
    for (let i = 0; i < n; i++) {
      await t
        .client()
        .post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Claim your prize at evil.example', email: `spam-target-${i}@example.org` });
    }
    let sent = 0;
    for (let i = 0; i < n; i++) sent += (await mailsTo(t.db, `spam-target-${i}@example.org`)).length;
    expect(sent).toBeLessThanOrEqual(MAX_LINK_EMAILS_PER_IP);
  });
});
