// Refunds an organiser makes, and refunds that do not go through, against the Stripe stand-in:
// a refund cancels a booking only while it still holds a place before the event is over, and
// says so; otherwise the booking keeps its state (an attended place stays attended) and only the
// money goes back. Whatever the booking, the payer is emailed what was refunded and how much. A
// refund Stripe does not make changes nothing and says so; one that fails later is told to the
// payer and to the organisers. A booker cancelling a card place is told the truth about the money.
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, outboxMessages, payments, people, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { expireDueHolds } from '../../server/registration/offers.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { latestManagePath, mailsTo, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn } from '../registration/stripe-stand-in.ts';

const secret = 'whsec_test_refunds';
const stripe = new Stripe('sk_test_refunds');
const standIn = new StripeStandIn();
const site = { siteName: 'Social Perspectives Hub', baseUrl: 'https://hub.example' };
const ORGANISER = 'refund-organiser@example.org';
let t: TestApp;
let organiser: TestClient;
let counter = 0;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({
    env: { STRIPE_SECRET_KEY: 'sk_test_refunds', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url, CONTACT_EMAIL: 'bookings@hub.example' },
  });
  organiser = await t.signedIn(ORGANISER);
  const [me] = await t.db.select().from(people).where(eq(people.email, ORGANISER));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
  await standIn.stop();
});

async function webhook(type: string, object: unknown) {
  const payload = JSON.stringify({ id: `evt_refunds_${++counter}`, object: 'event', type, api_version: '2025-01-01', created: 1, data: { object } });
  const response = await t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) },
  });
  expect(response.statusCode).toBe(200);
}

/** A card place booked and paid for (£15) at an event a fortnight away. */
async function paidCardBooking(email: string, capacity = 5) {
  const event = await makeEvent(t.db, { capacity });
  const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 1500 });
  const member = await t.signedIn(email);
  const response = await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Robin Payer', email });
  const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))![1]!;
  await webhook('checkout.session.completed', standIn.pay(sessionId));
  const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  expect(registration!.status).toBe('confirmed');
  return { event, type, member, sessionId, registration: registration! };
}

async function endEvent(eventId: string) {
  await t.db
    .update(events)
    .set({ startsAt: new Date(Date.now() - 2 * 86_400_000), endsAt: new Date(Date.now() - 86_400_000) })
    .where(eq(events.id, eventId));
}

const statusOf = async (id: string) => (await t.db.select({ status: registrations.status }).from(registrations).where(eq(registrations.id, id)))[0]!.status;
const paymentOf = async (id: string) => (await t.db.select().from(payments).where(eq(payments.registrationId, id)))[0]!;
const mailsOf = async (email: string, template: string) => (await mailsTo(t.db, email)).filter((m) => m.template === template);
const textOf = (mail: { template: string; data: unknown }) => renderEmail(mail.template as never, mail.data as never, site).text;
/** The attendee list's refund link for one booking, its words without the hidden "for <name>". */
const refundLinkWords = (body: string, id: string) => new RegExp(`/attendees/${id}/refund">([^<]*)<`).exec(body)?.[1];

describe('an organiser refunds a booking that keeps its state', () => {
  it('after the event, an attended place stays attended; the words say "Refund", and the payer is told how much', async () => {
    const { event, registration } = await paidCardBooking('came-and-refunded@example.org');
    await endEvent(event.id);
    await t.db.update(registrations).set({ status: 'attended' }).where(eq(registrations.id, registration.id));
    const base = `/organise/events/${event.slug}/attendees`;

    expect(refundLinkWords((await organiser.get(base)).body, registration.id)).toBe('Refund');
    const confirm = (await organiser.get(`${base}/${registration.id}/refund`)).body;
    expect(confirm).toContain('<h1 class="govuk-heading-xl">Refund Robin Payer</h1>');
    expect(confirm).toContain('still recorded as having attended');
    expect(confirm).not.toContain('cancel their booking');
    expect(confirm).not.toContain('Refund and cancel');

    await t.db.delete(outboxMessages);
    const done = await organiser.post(`${base}/${registration.id}/refund`);
    expect(done.statusCode).toBe(303);
    expect(await statusOf(registration.id)).toBe('attended');
    expect((await paymentOf(registration.id)).status).toBe('refunded');
    const list = (await organiser.get(String(done.headers.location))).body;
    expect(list).toContain('Refunded £15 to their card. The booking stays as it was.');

    const told = await mailsOf('came-and-refunded@example.org', 'payment-refunded');
    expect(told).toHaveLength(1);
    expect(textOf(told[0]!)).toContain(`We have refunded £15 to your card for ${event.title}.`);
    expect(await mailsOf('came-and-refunded@example.org', 'registration-cancelled')).toHaveLength(0);
  });

  it('after the event, a booking that did not come stays as it was, not "cancelled"; the payer is told', async () => {
    const { event, registration } = await paidCardBooking('no-show-refunded@example.org');
    await endEvent(event.id);
    const base = `/organise/events/${event.slug}/attendees`;
    expect(refundLinkWords((await organiser.get(base)).body, registration.id)).toBe('Refund');
    expect((await organiser.get(`${base}/${registration.id}/refund`)).body).toContain('The event is over, so their booking stays as it is');

    expect((await organiser.post(`${base}/${registration.id}/refund`)).statusCode).toBe(303);
    expect(await statusOf(registration.id)).toBe('confirmed');
    expect(await mailsOf('no-show-refunded@example.org', 'payment-refunded')).toHaveLength(1);
    expect(await mailsOf('no-show-refunded@example.org', 'registration-cancelled')).toHaveLength(0);
  });

  it('a card place the booker cancelled, refunded later at their request: they are emailed the refund', async () => {
    const { event, member, registration } = await paidCardBooking('asked-for-refund@example.org');
    const managePath = await latestManagePath(t.db, 'asked-for-refund@example.org');
    expect((await member.post(`${managePath}/cancel`)).statusCode).toBe(303);
    expect((await paymentOf(registration.id)).status).toBe('paid');
    const base = `/organise/events/${event.slug}/attendees`;
    expect(refundLinkWords((await organiser.get(base)).body, registration.id)).toBe('Refund');

    expect((await organiser.post(`${base}/${registration.id}/refund`)).statusCode).toBe(303);
    const told = await mailsOf('asked-for-refund@example.org', 'payment-refunded');
    expect(told).toHaveLength(1);
    expect(textOf(told[0]!)).toContain('We have refunded £15 to your card');
    expect((await member.get(managePath)).body).toContain('Your payment of £15 has been refunded to your card.');
  });

  it('an attended place paid by invoice: the booking stays attended, a credit note is attached and the payer told the Hub will pay back', async () => {
    const event = await makeEvent(t.db);
    const [row] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'confirmed', name: 'Ivy Invoice', email: 'ivy-invoice@example.org', pricePence: 4000, paymentMode: 'invoice' })
      .returning();
    await t.db.insert(payments).values({ registrationId: row!.id, method: 'invoice', amountPence: 4000, status: 'paid', paidAt: new Date() });
    await endEvent(event.id);
    await t.db.update(registrations).set({ status: 'attended' }).where(eq(registrations.id, row!.id));

    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${row!.id}/refund`)).statusCode).toBe(303);
    expect(await statusOf(row!.id)).toBe('attended');
    expect((await paymentOf(row!.id)).status).toBe('refund_due');
    const told = await mailsOf('ivy-invoice@example.org', 'payment-refund-due');
    expect(told).toHaveLength(1);
    const text = textOf(told[0]!);
    expect(text).toContain('The Hub will pay back the £40 you paid for your invoice');
    expect(text).toContain('you are still recorded as having attended');
  });

  it('before the event, a booked place is still refunded and cancelled, and says so', async () => {
    const { event, registration } = await paidCardBooking('before-refunded@example.org');
    const base = `/organise/events/${event.slug}/attendees`;
    expect(refundLinkWords((await organiser.get(base)).body, registration.id)).toBe('Refund and cancel');
    expect((await organiser.get(`${base}/${registration.id}/refund`)).body).toContain('Refund Robin Payer and cancel their booking');
    expect((await organiser.post(`${base}/${registration.id}/refund`)).statusCode).toBe(303);
    expect(await statusOf(registration.id)).toBe('cancelled');
    const told = textOf((await mailsOf('before-refunded@example.org', 'registration-cancelled'))[0]!);
    expect(told).toContain('We have refunded £15 to your card.');
    // They did not cancel it: the email says who did, and whom to ask.
    expect(told).toContain('The organisers have cancelled your booking');
    expect(told).toContain('If you have a question about this');
  });
});

describe('a card refund that does not go through', () => {
  for (const [how, fail] of [
    ['Stripe cannot be reached', () => (standIn.failNext = 1)],
    ['Stripe refuses it', () => (standIn.refuseRefunds = 1)],
  ] as const) {
    it(`when ${how}: nothing changes, nobody is told it was refunded, and the organiser is told on the page`, async () => {
      const email = `refund-not-made-${counter}@example.org`;
      const { event, registration } = await paidCardBooking(email);
      await t.db.delete(outboxMessages);
      fail();
      const base = `/organise/events/${event.slug}/attendees`;
      const answer = await organiser.post(`${base}/${registration.id}/refund`);
      expect(answer.statusCode).toBe(303);
      expect(answer.headers.location).toBe(base);
      expect(answer.headers['x-error-code']).toBe('refund_not_made');
      const page = (await organiser.get(String(answer.headers.location))).body;
      expect(page).toContain('Stripe did not make this refund, so no money has gone back and nothing has changed here.');
      expect(await statusOf(registration.id)).toBe('confirmed');
      expect((await paymentOf(registration.id)).status).toBe('paid');
      expect(await mailsTo(t.db, email)).toHaveLength(0);
      expect(page).not.toContain('Refunded £15');
      expect(refundLinkWords(page, registration.id)).toBe('Refund and cancel');
    });
  }

  it('reported failed by Stripe later: the payer and the organisers are emailed', async () => {
    const { event, member, registration } = await paidCardBooking('refund-fails-later@example.org');
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/refund`)).statusCode).toBe(303);
    const payment = await paymentOf(registration.id);
    const managePath = await latestManagePath(t.db, 'refund-fails-later@example.org', 'registration-confirmed');
    await t.db.delete(outboxMessages);
    await webhook('refund.updated', standIn.failedRefund(payment.stripeRefundId!, 1500));

    expect((await paymentOf(registration.id)).status).toBe('refund_failed');
    expect(await mailsOf('refund-fails-later@example.org', 'payment-refund-failed')).toHaveLength(1);
    const [toOrganisers] = await mailsOf(ORGANISER, 'payment-refund-failed-organisers');
    const text = textOf(toOrganisers!);
    expect(text).toContain(`A card refund of £15 to Robin Payer for ${event.title}`);
    expect(text).toContain('did not go through: Stripe reported it failed (expired or canceled card).');
    expect(text).toContain('Record refund paid');
    const page = (await member.get(managePath)).body;
    expect(page).toContain('The refund of £15 to your card did not go through.');
    expect(page).not.toContain('has been refunded');
  });

  it('a late payment’s automatic refund refused by Stripe: marked failed once, and the payer and organisers told', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id, { pricePence: 1500 });
    const email = 'late-refund-refused@example.org';
    const response = await (await t.signedIn(email)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Late Payer', email });
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))![1]!;
    await expireDueHolds(t.db, new Date(Date.now() + 2 * 3_600_000));
    await t.db.insert(registrations).values({ eventId: event.id, ticketTypeId: type.id, status: 'confirmed', name: 'Taken', email: 'taken-late@example.org' });
    await t.db.delete(outboxMessages);
    standIn.refuseRefunds = 1;
    await webhook('checkout.session.completed', standIn.pay(sessionId));

    const [booking] = await t.db.select().from(registrations).where(eq(registrations.email, email));
    expect((await paymentOf(booking!.id)).status).toBe('refund_failed');
    const [toPayer] = await mailsOf(email, 'payment-refund-failed');
    expect(textOf(toPayer!)).toContain('Please ignore our earlier email saying we were refunding it.');
    expect(await mailsOf(email, 'payment-refunded')).toHaveLength(0);
    expect(await mailsOf(ORGANISER, 'payment-refund-failed-organisers')).toHaveLength(1);
    // The job does not ask Stripe again, nor write again.
    await t.app.paymentJobs.runDue();
    expect(await mailsOf(ORGANISER, 'payment-refund-failed-organisers')).toHaveLength(1);
    expect(await mailsOf(email, 'payment-refund-failed')).toHaveLength(1);
  });
});

describe('a booker cancels a place they paid for by card', () => {
  it('is told before and after that the organisers will refund it, and how to reach the Hub', async () => {
    const { member } = await paidCardBooking('cancels-card@example.org');
    const managePath = await latestManagePath(t.db, 'cancels-card@example.org');
    const ask = (await member.get(`${managePath}/cancel`)).body;
    expect(ask).toContain('You paid £15 by card. If you cancel, the organisers will refund it to your card');
    expect(ask).toContain('mailto:bookings@hub.example');

    expect((await member.post(`${managePath}/cancel`)).statusCode).toBe(303);
    const [mail] = await mailsOf('cancels-card@example.org', 'registration-cancelled');
    const text = textOf(mail!);
    expect(text).toContain('You paid £15 by card. The organisers will refund it to your card');
    expect(text).not.toContain('We have refunded');
    const page = (await member.get(managePath)).body;
    expect(page).toContain('You paid £15 by card. The organisers will refund it to your card');
  });
});
