// After an event is cancelled, every page a person returns to says so: their booking's page,
// "Your bookings", the organiser's attendee list and check-in. None shows a joining link or a
// "cancel your booking" action, and what is said about money is true for how they paid.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, payments, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { mintManagePath } from '../../server/registration/links.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'organiser-state@example.org');
});
afterAll(async () => {
  await t.close();
});

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
const CANCELLED = 'Cancelled — the event was cancelled';

async function paidBooking(
  eventId: string,
  ticketTypeId: string,
  email: string,
  payment: { method: 'stripe' | 'invoice'; status: 'open' | 'paid' | 'expired' | 'refunded' },
  status: 'confirmed' | 'pending_payment' = 'confirmed',
) {
  const [row] = await t.db
    .insert(registrations)
    .values({ eventId, ticketTypeId, status, name: 'Payer', email, pricePence: 4000, paymentMode: payment.method })
    .returning();
  await t.db.insert(payments).values({
    registrationId: row!.id,
    method: payment.method,
    amountPence: 4000,
    status: payment.status,
    paidAt: payment.status === 'paid' ? new Date() : null,
  });
  return { id: row!.id, managePath: await mintManagePath(t.db, row!.id) };
}

describe('the organiser dashboard', () => {
  it('lists past and cancelled events, so after-event work stays reachable', async () => {
    const past = await makeEvent(t.db, {
      title: 'Last spring’s round table',
      startsAt: new Date(Date.now() - 40 * 86_400_000),
      endsAt: new Date(Date.now() - 40 * 86_400_000 + 3_600_000),
    });
    const called = await makeEvent(t.db, { title: 'The seminar we called off' });
    await organiser.post(`/plan/${called.id}/cancel`, { reason: 'Too few speakers.' });
    const page = (await organiser.get('/organise')).body;
    const pastSection = page.slice(page.indexOf('Past and cancelled events'));
    expect(page).toContain('Past and cancelled events');
    expect(pastSection).toContain('Last spring’s round table');
    expect(pastSection).toContain('The seminar we called off');
    expect(pastSection).toContain(`/organise/events/${called.slug}/attendees`);
    expect(pastSection).toContain(`/plan/${past.id}`);
  });
});

describe('after an event has finished', () => {
  it('its page says it has finished, not that booking is not open', async () => {
    const startsAt = new Date(Date.now() - 40 * 86_400_000);
    const done = await makeEvent(t.db, { title: 'A finished seminar', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) });
    await t.db.update(events).set({ status: 'completed' }).where(eq(events.id, done.id));
    const page = (await t.client().get(`/events/${done.slug}`)).body;
    expect(page).toContain('This event has finished, so booking has closed.');
    expect(page).not.toContain('Booking is not open for this event.');
  });
});

describe('after an event is cancelled', () => {
  it('the booking page, "Your bookings", the attendee list and check-in all say cancelled, with no joining link or cancel action', async () => {
    const event = await makeEvent(t.db, {
      format: 'online',
      onlinePlatform: 'Zoom',
      onlineJoinUrl: 'https://zoom.example/j/123',
      venueName: '',
      venueAddress: '',
    });
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
    const member = await t.signedIn('booked-state@example.org');
    const booked = await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Bea Booked', email: 'booked-state@example.org' });
    expect(booked.statusCode).toBe(303);
    const managePath = await latestManagePath(t.db, 'booked-state@example.org');

    const before = await member.get(managePath);
    expect(before.body).toContain('https://zoom.example/j/123');
    expect(before.body).toContain('Cancel your booking');

    const cancelled = await organiser.post(`/plan/${event.id}/cancel`, { reason: 'The speaker is unwell.' });
    expect(cancelled.statusCode).toBe(303);

    const page = await member.get(managePath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(CANCELLED);
    expect(page.body).toContain('The speaker is unwell.');
    expect(page.body).not.toContain('https://zoom.example/j/123');
    expect(page.body).not.toContain('Cancel your booking');
    expect(page.body).not.toContain('>Booked<');
    expect(page.body).not.toContain('calendar.ics');

    const mine = await member.get('/account/bookings');
    expect(mine.body).toContain(CANCELLED);
    expect(mine.body).not.toMatch(/<td class="govuk-table__cell">Booked<\/td>/);

    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.body).toContain('Bea Booked');
    expect(list.body).toContain(CANCELLED);
    expect(list.body).not.toContain('Cancel booking<span');

    const checkIn = await organiser.get(`/organise/events/${event.slug}/check-in`);
    expect(checkIn.body).toContain('This event was cancelled');
    expect(checkIn.body).not.toContain('Bea Booked');

    // Asking to cancel it anyway changes nothing and sends no "your booking is cancelled" email.
    const again = await member.post(`${managePath}/cancel`);
    expect(again.statusCode).toBe(303);
    expect((await mailsTo(t.db, 'booked-state@example.org')).filter((m) => m.template === 'registration-cancelled')).toHaveLength(0);
    const cancelPage = await member.get(`${managePath}/cancel`);
    expect(cancelPage.body).toContain('The event was cancelled, so your booking ended with it');
    expect(cancelPage.body).not.toContain('Cancel my booking');
  });

  it('says what happens about money, true for card and for invoice, and "refunded" only once it was', async () => {
    const event = await makeEvent(t.db, { capacity: 20 });
    const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });
    const card = await paidBooking(event.id, type.id, 'card-paid@example.org', { method: 'stripe', status: 'paid' });
    const invoicePaid = await paidBooking(event.id, type.id, 'invoice-paid@example.org', { method: 'invoice', status: 'paid' });
    const invoiceOpen = await paidBooking(event.id, type.id, 'invoice-open@example.org', { method: 'invoice', status: 'open' }, 'pending_payment');
    const refunded = await paidBooking(event.id, type.id, 'card-refunded@example.org', { method: 'stripe', status: 'refunded' });

    await organiser.post(`/plan/${event.id}/cancel`, { reason: 'The venue has closed.' });
    const visitor = t.client();

    // Each cancellation email says what its booking page says about money, and nothing to the unpaid.
    const cancellationText = async (email: string) => {
      const [mail] = (await mailsTo(t.db, email)).filter((m) => m.template === 'event-changed');
      return renderEmail('event-changed', mail!.data as never, site).text;
    };
    expect(await cancellationText('card-paid@example.org')).toContain('You paid £40 by card. The organisers will refund it to your card');
    expect(await cancellationText('invoice-paid@example.org')).toContain('You paid £40 by invoice. The organisers will arrange to give it back to you');
    expect(await cancellationText('invoice-open@example.org')).toContain('Your invoice is cancelled: you do not need to pay it.');
    for (const email of ['card-paid@example.org', 'invoice-open@example.org'])
      expect(await cancellationText(email)).not.toContain('we will be in touch about a refund');

    const cardPage = (await visitor.get(card.managePath)).body;
    expect(cardPage).toContain(CANCELLED);
    expect(cardPage).toContain('You paid £40 by card. The organisers will refund it to your card');
    expect(cardPage).not.toContain('has been refunded');

    const invoicePage = (await visitor.get(invoicePaid.managePath)).body;
    expect(invoicePage).toContain('You paid £40 by invoice. The organisers will arrange to give it back to you');
    expect(invoicePage).not.toContain('refunded');

    const openPage = (await visitor.get(invoiceOpen.managePath)).body;
    expect(openPage).toContain(CANCELLED);
    expect(openPage).toContain('Your invoice is cancelled: you do not need to pay it.');
    expect(openPage).not.toContain('waiting for payment');

    const refundedPage = (await visitor.get(refunded.managePath)).body;
    expect(refundedPage).toContain('Your payment of £40 has been refunded to your card.');

    // An organiser refunds the invoice payment: the email says what will happen, not that it has.
    const done = await organiser.post(`/organise/events/${event.slug}/attendees/${invoicePaid.id}/refund`);
    expect(done.statusCode).toBe(303);
    const [mail] = (await mailsTo(t.db, 'invoice-paid@example.org')).filter((m) => m.template === 'registration-cancelled');
    const text = renderEmail('registration-cancelled', mail!.data as never, site).text;
    expect(text).toContain('The Hub will pay back the £40 you paid for your invoice');
    expect(text).not.toContain('We have refunded');
    expect(text).not.toContain('Thank you for letting us know');
    expect(text).toContain('was cancelled with the event');
    // The person's page agrees with the email, and the organiser is told the money is theirs to send.
    const afterRefund = (await visitor.get(invoicePaid.managePath)).body;
    expect(afterRefund).toContain('The Hub will pay back the £40 you paid, and will email you when it has.');
    expect(afterRefund).not.toContain('has been refunded');
    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.body).toContain('Pay it back to them, then press');
    expect(list.body).toContain('Record refund paid');
    // Its counts say what the bookings are now: nobody is booked at a cancelled event.
    expect(list.body).not.toMatch(/<li>Booked: \d+<\/li>/);
    expect(list.body).toMatch(/<li>Cancelled — the event was cancelled: \d+<\/li>/);
    const [after] = await t.db.select().from(payments).where(eq(payments.registrationId, invoicePaid.id));
    expect(after!.status).toBe('refund_due');
  });
});
