import { and, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payments, people, placeHolds, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { bookAnonymously, latestConfirmPath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';
import { StripeStandIn, type StandInSession } from './stripe-stand-in.ts';

const secret = 'whsec_test_convene';
const stripe = new Stripe('sk_test_convene');
const standIn = new StripeStandIn();
let t: TestApp;
let organiser: TestClient;
let eventCounter = 0;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_convene', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
  organiser = await t.signedIn('treasurer@example.org');
  const [me] = await t.db.select().from(people).where(eq(people.email, 'treasurer@example.org'));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
  await standIn.stop();
});

async function webhook(type: string, session: StandInSession, id = `evt_${type}_${session.id}_${++eventCounter}`) {
  const payload = JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object: session } });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
}

/** A signed-in member books a paid place and goes straight on to Checkout. */
async function bookPaid(email: string, capacity = 5) {
  const event = await makeEvent(t.db, { capacity });
  const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 1500 });
  const payer = await t.signedIn(email);
  const response = await payer.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Payer', email });
  expect(response.statusCode).toBe(303);
  const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))?.[1];
  expect(sessionId).toBeTruthy();
  const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  return { event, type, sessionId: sessionId!, registration: registration! };
}

async function statusOf(email: string) {
  const [row] = await t.db.select({ status: registrations.status }).from(registrations).where(eq(registrations.email, email));
  return row?.status;
}

describe('paid places through Stripe Checkout', () => {
  it('holds the place while Checkout is open, confirms on the signed webhook, and ignores a duplicate', async () => {
    const { event, sessionId, registration } = await bookPaid('payer@example.org');
    expect(registration.status).toBe('pending_payment');
    const session = standIn.sessions.get(sessionId)!;
    expect(session.amount_total).toBe(1500);
    expect(session.currency).toBe('gbp');
    expect(standIn.requests.find((r) => r.path === '/v1/checkout/sessions')?.idempotencyKey).toMatch(/^checkout-/);
    const [hold] = await t.db.select().from(placeHolds).where(eq(placeHolds.registrationId, registration.id));
    expect(hold!.kind).toBe('checkout');
    expect((await t.client().get(`/events/${event.slug}`)).body).toContain('4 places left');

    standIn.pay(sessionId);
    const first = await webhook('checkout.session.completed', session, 'evt_paid_1');
    expect(first.statusCode).toBe(200);
    expect(first.json().outcome).toBe('handled');
    expect(await statusOf('payer@example.org')).toBe('confirmed');
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    expect(payment!.status).toBe('paid');
    expect(payment!.stripePaymentIntentId).toMatch(/^pi_test_/);

    const again = await webhook('checkout.session.completed', session, 'evt_paid_1');
    expect(again.json().outcome).toBe('duplicate');
    // A second delivery under another event id (e.g. async success after completion) changes nothing either.
    await webhook('checkout.session.async_payment_succeeded', session);
    const confirmations = (await mailsTo(t.db, 'payer@example.org')).filter((m) => m.template === 'registration-confirmed');
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.attachments[0]!.content).toContain(`UID:event-${event.id}@convene`);
  });

  it('refuses a webhook without a valid signature', async () => {
    const payload = JSON.stringify({ id: 'evt_forged', type: 'checkout.session.completed', data: { object: {} } });
    const forged = await t.app.inject({
      method: 'POST',
      url: '/payments/stripe/webhook',
      payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' }) },
    });
    expect(forged.statusCode).toBe(400);
    const unsigned = await t.app.inject({ method: 'POST', url: '/payments/stripe/webhook', payload, headers: { 'content-type': 'application/json' } });
    expect(unsigned.statusCode).toBe(400);
  });

  it('gives the place back when the session expires and offers it to the waiting list', async () => {
    const { event, type, sessionId } = await bookPaid('slow-payer@example.org', 1);
    const { confirmed: waiting } = await bookAnonymously(t.db, t.client(), event.slug, {
      ticketTypeId: type.id,
      name: 'Waiting',
      email: 'next-in-line@example.org',
    });
    expect(waiting.statusCode).toBe(303);
    expect(await statusOf('next-in-line@example.org')).toBe('waitlisted');

    const expired = await webhook('checkout.session.expired', standIn.expire(sessionId));
    expect(expired.json().outcome).toBe('handled');
    expect(await statusOf('slow-payer@example.org')).toBe('expired');
    expect(await statusOf('next-in-line@example.org')).toBe('offered');
    // Out of order: a late "completed" for the expired session takes no place from the person now
    // offered it; with no other place free, the money goes straight back through Stripe.
    const late = await webhook('checkout.session.completed', standIn.pay(sessionId));
    expect(late.json().outcome).toBe('handled');
    expect(await statusOf('slow-payer@example.org')).toBe('expired');
    expect(await statusOf('next-in-line@example.org')).toBe('offered');
    expect((await mailsTo(t.db, 'slow-payer@example.org')).some((m) => m.template === 'registration-confirmed')).toBe(false);
    // Nobody is charged without a place and without being told.
    const told = (await mailsTo(t.db, 'slow-payer@example.org')).filter((m) => m.template === 'payment-arrived-late');
    expect(told).toHaveLength(1);
    expect(told[0]!.data.outcome).toBe('refunding');
    expect((await mailsTo(t.db, 'slow-payer@example.org')).filter((m) => m.template === 'payment-refunded')).toHaveLength(1);
  });

  it('also ends a checkout hold when its time runs out and no webhook came', async () => {
    const { registration } = await bookPaid('vanished@example.org', 1);
    const result = await t.app.registrationJobs.runDue(new Date(Date.now() + 40 * 60_000));
    expect(result.expiredHolds).toBeGreaterThanOrEqual(1);
    expect(await statusOf('vanished@example.org')).toBe('expired');
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    expect(payment!.status).toBe('expired');
  });

  it('confirms on the buyer’s return when the webhook is late, without a second confirmation later', async () => {
    const { sessionId, registration } = await bookPaid('returner@example.org');
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    const notYet = await t.client().get(`/payments/${payment!.id}/return`);
    expect(notYet.body).toContain('You have not paid yet');
    standIn.pay(sessionId);
    const back = await t.client().get(`/payments/${payment!.id}/return`);
    expect(back.body).toContain('Your place is booked');
    expect(await statusOf('returner@example.org')).toBe('confirmed');
    await webhook('checkout.session.completed', standIn.sessions.get(sessionId)!);
    expect((await mailsTo(t.db, 'returner@example.org')).filter((m) => m.template === 'registration-confirmed')).toHaveLength(1);
  });

  it('lets an organiser refund: Stripe refund with an idempotency key, booking cancelled, place passed on', async () => {
    const { event, sessionId, registration } = await bookPaid('refund-me@example.org');
    await webhook('checkout.session.completed', standIn.pay(sessionId));
    const attendees = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(attendees.body).toContain('Card payments through Stripe are on');
    expect(attendees.body).toContain('Refund and cancel');
    const refunded = await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/refund`);
    expect(refunded.statusCode).toBe(303);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    const calls = () => standIn.requests.filter((r) => r.path === '/v1/refunds' && r.idempotencyKey === `refund-${payment!.id}`);
    expect(calls()).toHaveLength(1);
    expect(await statusOf('refund-me@example.org')).toBe('cancelled');
    expect(payment!.status).toBe('refunded');
    expect(payment!.stripeRefundId).toMatch(/^re_test_/);
    const mail = (await mailsTo(t.db, 'refund-me@example.org'))[0]!;
    expect(mail.template).toBe('registration-cancelled');
    expect(mail.data.refunded).toBe('£15');
    // Pressing the button again refunds nothing more, and the attendee list says why.
    const again = await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/refund`);
    expect(again.statusCode).toBe(303);
    expect(again.headers['x-error-code']).toBe('not_paid');
    expect((await organiser.get(String(again.headers.location))).body).toContain('There is no payment to refund on this booking.');
    expect(calls()).toHaveLength(1);
  });
});

describe('a paid place booked without signing in', () => {
  it('answers "check your email", holds nothing, and goes on to Checkout once confirmed from the emailed link', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 1500 });
    const visitor = t.client();
    const response = await visitor.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Anon Payer', email: 'anon-payer@example.org' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
    expect(await statusOf('anon-payer@example.org')).toBeUndefined();
    const confirmPath = await latestConfirmPath(t.db, 'anon-payer@example.org');
    expect((await visitor.get(confirmPath)).body).toContain('£15');
    const checkout = await visitor.post(confirmPath);
    expect(await statusOf('anon-payer@example.org')).toBe('pending_payment');
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(checkout.headers.location))![1]!;
    await webhook('checkout.session.completed', standIn.pay(sessionId));
    expect(await statusOf('anon-payer@example.org')).toBe('confirmed');
  });
});

describe('a waiting-list offer of a paid place', () => {
  it('goes on to Checkout when accepted, and can be paid later from the booking page', async () => {
    const { event, type, sessionId } = await bookPaid('first-buyer@example.org', 1);
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Second', email: 'second-buyer@example.org' });
    await webhook('checkout.session.expired', standIn.expire(sessionId));
    const offer = (await mailsTo(t.db, 'second-buyer@example.org'))[0]!;
    expect(offer.template).toBe('registration-offer');
    const visitor = t.client();
    const accepted = await visitor.post(`${offer.data.managePath}/accept`);
    expect(accepted.statusCode).toBe(303);
    expect(String(accepted.headers.location)).toMatch(/^https:\/\/checkout\.stripe\.test\/pay\//);
    expect(await statusOf('second-buyer@example.org')).toBe('pending_payment');
    const page = await visitor.get(String(offer.data.managePath));
    expect(page.body).toContain('Pay for your place');
    const secondSession = /\/pay\/(cs_test_\d+)$/.exec(String(accepted.headers.location))![1]!;
    await webhook('checkout.session.completed', standIn.pay(secondSession));
    expect(await statusOf('second-buyer@example.org')).toBe('confirmed');
  });
});

describe('paid places without Stripe keys', () => {
  it('sells by invoice, and an organiser marks it paid', async () => {
    const plain = await startTestApp({ database: t.database });
    try {
      const event = await makeEvent(t.db, { capacity: 2 });
      const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });
      const { confirmed: booked } = await bookAnonymously(t.db, plain.client(), event.slug, {
        ticketTypeId: type.id,
        name: 'Invoice Me',
        email: 'invoice@example.org',
      });
      expect(booked.statusCode).toBe(303);
      expect(await statusOf('invoice@example.org')).toBe('pending_payment');
      expect((await mailsTo(t.db, 'invoice@example.org'))[0]!.template).toBe('registration-invoice');

      const boss = await plain.signedIn('treasurer@example.org');
      const page = await boss.get(`/organise/events/${event.slug}/attendees`);
      expect(page.body).toContain('sold by invoice');
      const [registration] = await t.db
        .select()
        .from(registrations)
        .where(and(eq(registrations.email, 'invoice@example.org')));
      expect((await boss.post(`/organise/events/${event.slug}/attendees/${registration!.id}/invoice-paid`)).statusCode).toBe(303);
      expect(await statusOf('invoice@example.org')).toBe('confirmed');
      expect((await mailsTo(t.db, 'invoice@example.org'))[0]!.template).toBe('registration-confirmed');
      // A second press is refused on the attendee list, as the list's other refusals are.
      const again = await boss.post(`/organise/events/${event.slug}/attendees/${registration!.id}/invoice-paid`);
      expect(again.statusCode).toBe(303);
      expect(again.headers['x-error-code']).toBe('no_invoice');
      expect((await boss.get(String(again.headers.location))).body).toContain('There is no unpaid invoice on this booking.');
    } finally {
      await plain.close();
    }
  });
});
