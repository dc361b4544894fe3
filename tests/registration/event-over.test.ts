// Once an event is over, nobody's booking is cancelled and nobody is booked: there is no place
// to give up or take. The organiser's attendee list offers neither, says the event is over (not
// "14 places left"), and the services refuse, saying why. A paid booking may still be refunded
// (someone who could not come): only the money goes back, the booking stays as it was, and no
// place is freed or offered to the waiting list.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payments, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { ConflictError } from '../../server/errors.ts';
import { mintManagePath } from '../../server/registration/links.ts';
import { bookForSomeone, cancelRegistration } from '../../server/registration/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'organiser-over@example.org');
});
afterAll(async () => {
  await t.close();
});

// Fixed times long past, so the test means the same whenever it runs.
const STARTS = new Date('2025-03-13T10:00:00Z');
const ENDS = new Date('2025-03-13T16:00:00Z');

async function booking(eventId: string, ticketTypeId: string, email: string, status: 'confirmed' | 'waitlisted', pricePence = 0) {
  const [row] = await t.db
    .insert(registrations)
    .values({
      eventId,
      ticketTypeId,
      status,
      name: email.split('@')[0]!,
      email,
      pricePence,
      paymentMode: 'invoice',
      waitlistedAt: status === 'waitlisted' ? STARTS : null,
    })
    .returning();
  return row!;
}

const statusOf = async (id: string) => (await t.db.select({ status: registrations.status }).from(registrations).where(eq(registrations.id, id)))[0]!.status;

describe('an event that is over', () => {
  it('offers no cancelling or booking on the attendee list, and claims no places left', async () => {
    const event = await makeEvent(t.db, { capacity: 15, startsAt: STARTS, endsAt: ENDS });
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
    const came = await booking(event.id, type.id, 'came-over@example.org', 'confirmed');

    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('came-over');
    expect(list.body).toContain('This event is over.');
    expect(list.body).not.toContain('places left');
    expect(list.body).not.toContain('Cancel booking');
    expect(list.body).not.toContain('/attendees/book');

    // Going to the pages anyway is refused, saying why, and changes nothing.
    const confirm = await organiser.get(`/organise/events/${event.slug}/attendees/${came.id}/cancel`);
    expect(confirm.statusCode).toBe(409);
    expect(confirm.body).toContain('This event is over, so its bookings can no longer be cancelled.');
    expect(confirm.body).not.toContain('offered to the waiting list');
    const cancel = await organiser.post(`/organise/events/${event.slug}/attendees/${came.id}/cancel`);
    expect(cancel.statusCode).toBe(409);
    expect(cancel.body).toContain('This event is over, so its bookings can no longer be cancelled.');
    expect(await statusOf(came.id)).toBe('confirmed');
    expect(await mailsTo(t.db, 'came-over@example.org')).toHaveLength(0);

    const bookPage = await organiser.get(`/organise/events/${event.slug}/attendees/book`);
    expect(bookPage.statusCode).toBe(409);
    expect(bookPage.body).toContain('This event is over, so nobody can be booked a place at it.');
    const booked = await organiser.post(`/organise/events/${event.slug}/attendees/book`, {
      ticketTypeId: type.id,
      name: 'Late Caller',
      email: 'late-over@example.org',
    });
    expect(booked.statusCode).toBe(409);
    expect(await t.db.select().from(registrations).where(eq(registrations.email, 'late-over@example.org'))).toHaveLength(0);
  });

  it('is refused by the services, whoever asks, and nobody waiting is offered a place', async () => {
    // No end time: the event is over once it has started (its start is its end). Two days ago, so
    // its booking link still opens (they work until 30 days after an event).
    const event = await makeEvent(t.db, { capacity: 1, startsAt: new Date(Date.now() - 2 * 86_400_000), endsAt: null });
    const type = await makeTicketType(t.db, event.id);
    const came = await booking(event.id, type.id, 'booked-over@example.org', 'confirmed');
    const waiting = await booking(event.id, type.id, 'waiting-over@example.org', 'waitlisted');
    const organiserMe = { id: came.id, email: 'organiser-over@example.org' } as never;

    const refused = await cancelRegistration(t.db, came.id, null).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).code).toBe('event_over');
    const leave = await cancelRegistration(t.db, waiting.id, null).catch((e: unknown) => e);
    expect((leave as ConflictError).code).toBe('event_over');
    const book = await bookForSomeone(
      t.db,
      event.id,
      { ticketTypeId: type.id, name: 'Someone', email: 'someone-over@example.org', answers: {} } as never,
      organiserMe,
      {
        baseUrl: 'https://hub.example',
        paidMode: 'invoice',
      } as never,
    ).catch((e: unknown) => e);
    expect((book as ConflictError).code).toBe('event_over');

    expect(await statusOf(came.id)).toBe('confirmed');
    expect(await statusOf(waiting.id)).toBe('waitlisted');
    for (const email of ['booked-over@example.org', 'waiting-over@example.org']) expect(await mailsTo(t.db, email)).toHaveLength(0);

    // The person's own booking page offers no "Cancel your booking" either.
    const managePath = await mintManagePath(t.db, came.id);
    const own = await t.client().get(managePath);
    expect(own.body).not.toContain('Cancel your booking');
    const ownCancel = await t.client().get(`${managePath}/cancel`);
    expect(ownCancel.body).toContain('This event is over, so there is nothing to cancel.');
    expect(ownCancel.body).not.toContain('Cancel my booking');
  });

  it('can still refund a paid booking, without saying its place is free or offering it to anyone', async () => {
    const event = await makeEvent(t.db, { capacity: 1, startsAt: STARTS, endsAt: ENDS });
    const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });
    const paid = await booking(event.id, type.id, 'paid-over@example.org', 'confirmed', 4000);
    await t.db.insert(payments).values({ registrationId: paid.id, method: 'invoice', amountPence: 4000, status: 'paid', paidAt: STARTS });
    const waiting = await booking(event.id, type.id, 'queue-over@example.org', 'waitlisted', 4000);

    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.body).toContain(`/attendees/${paid.id}/refund`);
    const confirm = await organiser.get(`/organise/events/${event.slug}/attendees/${paid.id}/refund`);
    expect(confirm.statusCode).toBe(200);
    // Nothing is cancelled after the event: the booking stays the record of who was booked.
    expect(confirm.body).toContain('The event is over, so their booking stays as it is: only the money goes back.');
    expect(confirm.body).not.toContain('Refund and cancel');
    expect(confirm.body).not.toContain('waiting list');

    const refunded = await organiser.post(`/organise/events/${event.slug}/attendees/${paid.id}/refund`);
    expect(refunded.statusCode).toBe(303);
    const after = await organiser.get(refunded.headers.location as string);
    expect(after.body).toContain('A credit note cancels their invoice');
    expect(after.body).not.toContain('free for someone else');
    expect(await statusOf(waiting.id)).toBe('waitlisted');
    expect(await mailsTo(t.db, 'queue-over@example.org')).toHaveLength(0);

    expect(await statusOf(paid.id)).toBe('confirmed');
    expect((await mailsTo(t.db, 'paid-over@example.org')).filter((m) => m.template === 'registration-cancelled')).toHaveLength(0);
    const [mail] = (await mailsTo(t.db, 'paid-over@example.org')).filter((m) => m.template === 'payment-refund-due');
    const text = renderEmail('payment-refund-due', mail!.data as never, { baseUrl: 'https://hub.example', siteName: 'Hub' }).text;
    expect(text).toContain('The Hub will pay back the £40');
    expect(text).toContain('Your booking itself has not changed.');
    expect(text).not.toContain('cancelled');
  });
});
