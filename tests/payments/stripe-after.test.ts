// Stripe to the end, against the stand-in with Stripe's payload shapes: a payment after its
// Checkout expired gets a free place or an automatic, idempotent refund (the payer told which);
// charge.refunded webhooks update bookings; sessions whose booking ended are expired at Stripe.
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payments, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { renderEmail } from '../../emails/render.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { bookAnonymously, mailsTo, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn } from '../registration/stripe-stand-in.ts';

const secret = 'whsec_test_convene';
const stripe = new Stripe('sk_test_convene');
const standIn = new StripeStandIn();
const site = { siteName: 'Social Perspectives Hub', baseUrl: 'https://hub.example' };
let t: TestApp;
let organiser: TestClient;
let counter = 0;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_convene', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
  organiser = await t.signedIn('stripe-organiser@example.org');
  const [me] = await t.db.select().from(people).where(eq(people.email, 'stripe-organiser@example.org'));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
  await standIn.stop();
});

/** Delivers a signed event, shaped as Stripe sends it. */
async function webhook(type: string, object: unknown, id = `evt_after_${++counter}`) {
  const payload = JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object } });
  const response = await t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) },
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { outcome: string };
}

async function bookPaid(email: string, capacity: number) {
  const event = await makeEvent(t.db, { capacity });
  const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 1500 });
  const response = await (await t.signedIn(email)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Payer', email });
  const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))![1]!;
  const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  return { event, type, sessionId, registration: registration! };
}

/** Emails about the booking, newest first (not the sign-in link the booker used). */
const mailsAbout = async (email: string) => (await mailsTo(t.db, email)).filter((m) => m.template !== 'sign-in');
const paymentOf = async (registrationId: string) => (await t.db.select().from(payments).where(eq(payments.registrationId, registrationId)))[0]!;
const statusOf = async (id: string) => (await t.db.select({ status: registrations.status }).from(registrations).where(eq(registrations.id, id)))[0]!.status;

describe('a payment that arrives after its Checkout expired', () => {
  it('books the place when one is still free, and says so', async () => {
    const { sessionId, registration } = await bookPaid('late-but-lucky@example.org', 5);
    await webhook('checkout.session.expired', standIn.expire(sessionId));
    expect(await statusOf(registration.id)).toBe('expired');
    await webhook('checkout.session.completed', standIn.pay(sessionId));
    expect(await statusOf(registration.id)).toBe('confirmed');
    expect((await paymentOf(registration.id)).status).toBe('paid');
    const mails = await mailsAbout('late-but-lucky@example.org');
    expect(mails.map((m) => m.template).sort()).toEqual(['payment-arrived-late', 'registration-confirmed']);
    const late = mails.find((m) => m.template === 'payment-arrived-late')!;
    expect(late.data.outcome).toBe('booked');
    expect(renderEmail('payment-arrived-late', late.data as never, site).text).toContain('A place was still free, so we have booked it for you');
    expect(standIn.refunds.filter((r) => r.payment_intent === standIn.sessions.get(sessionId)!.payment_intent)).toHaveLength(0);
  });

  it('is refunded through Stripe once, with an idempotency key, when no place is free; then "you have been refunded"', async () => {
    const { event, type, sessionId, registration } = await bookPaid('late-and-full@example.org', 1);
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Next', email: 'next-after-late@example.org' });
    await webhook('checkout.session.expired', standIn.expire(sessionId));
    expect((await mailsTo(t.db, 'next-after-late@example.org'))[0]!.template).toBe('registration-offer');

    const session = standIn.pay(sessionId);
    const completed = { ...session };
    await webhook('checkout.session.completed', completed);
    expect(await statusOf(registration.id)).toBe('expired');
    const payment = await paymentOf(registration.id);
    expect(payment.status).toBe('refunded');
    const refunds = standIn.refunds.filter((r) => r.payment_intent === session.payment_intent);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.idempotencyKey).toBe(`refund-${payment.id}`);
    expect(payment.stripeRefundId).toBe(refunds[0]!.id);

    const templates = (await mailsAbout('late-and-full@example.org')).map((m) => m.template);
    expect(templates).toEqual(['payment-refunded', 'payment-arrived-late']);
    const [refunded, late] = await mailsAbout('late-and-full@example.org');
    expect(late!.data.outcome).toBe('refunding');
    expect(renderEmail('payment-arrived-late', late!.data as never, site).text).toContain('we are refunding it to your card in full');
    expect(renderEmail('payment-refunded', refunded!.data as never, site).text).toContain('We have refunded £15 to your card');

    // Stripe then reports the refund we made: nothing changes, nobody is written to again.
    expect((await webhook('charge.refunded', standIn.charge(sessionId, 1500))).outcome).toBe('ignored');
    expect(await mailsAbout('late-and-full@example.org')).toHaveLength(2);
  });

  it('when Stripe cannot be reached, keeps the refund due and makes it from the job (one refund in all)', async () => {
    const { event, type, sessionId, registration } = await bookPaid('late-while-down@example.org', 1);
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Other', email: 'other-while-down@example.org' });
    await webhook('checkout.session.expired', standIn.expire(sessionId));
    standIn.failNext = 1;
    await webhook('checkout.session.completed', standIn.pay(sessionId));
    expect((await paymentOf(registration.id)).status).toBe('refund_due');
    expect((await mailsAbout('late-while-down@example.org')).map((m) => m.template)).toEqual(['payment-arrived-late']);
    const ran = await t.app.paymentJobs.runDue();
    expect(ran.refundsMade).toBe(1);
    expect((await paymentOf(registration.id)).status).toBe('refunded');
    expect(standIn.refunds.filter((r) => r.payment_intent === standIn.sessions.get(sessionId)!.payment_intent)).toHaveLength(1);
    expect((await t.app.paymentJobs.runDue()).refundsMade).toBe(0);
  });
});

describe('charge.refunded', () => {
  it('cancels a paid booking refunded in Stripe’s dashboard, and tells the person the money has gone back', async () => {
    const { sessionId, registration } = await bookPaid('dashboard-refund@example.org', 5);
    await webhook('checkout.session.completed', standIn.pay(sessionId));
    expect(await statusOf(registration.id)).toBe('confirmed');
    // A partial refund only goes in the audit log: the booking stands.
    expect((await webhook('charge.refunded', standIn.charge(sessionId, 500))).outcome).toBe('handled');
    expect(await statusOf(registration.id)).toBe('confirmed');
    const full = standIn.charge(sessionId, 1500);
    expect((await webhook('charge.refunded', full, 'evt_full_refund')).outcome).toBe('handled');
    expect(await statusOf(registration.id)).toBe('cancelled');
    expect((await paymentOf(registration.id)).status).toBe('refunded');
    const [mail] = await mailsTo(t.db, 'dashboard-refund@example.org');
    expect(mail!.template).toBe('registration-cancelled');
    expect(renderEmail('registration-cancelled', mail!.data as never, site).text).toContain('We have refunded £15 to your card');
    expect((await webhook('charge.refunded', full, 'evt_full_refund')).outcome).toBe('duplicate');
    expect((await webhook('charge.refunded', full)).outcome).toBe('ignored');
  });
});

describe('Checkout Sessions whose booking has ended', () => {
  it('are expired at Stripe when the event is cancelled, so they cannot be paid', async () => {
    const { event, sessionId, registration } = await bookPaid('open-when-cancelled@example.org', 5);
    expect(standIn.sessions.get(sessionId)!.status).toBe('open');
    const cancelled = await organiser.post(`/plan/${event.id}/cancel`, { reason: 'The venue flooded.' });
    expect(cancelled.statusCode, cancelled.body.slice(0, 300)).toBe(303);
    expect((await paymentOf(registration.id)).status).toBe('expired');
    await t.app.paymentJobs.runDue();
    expect(standIn.sessions.get(sessionId)!.status).toBe('expired');
    const expireCall = standIn.requests.find((r) => r.path === `/v1/checkout/sessions/${sessionId}/expire`);
    expect(expireCall?.idempotencyKey).toBe(`expire-${(await paymentOf(registration.id)).id}`);
    expect((await paymentOf(registration.id)).stripeSessionClosedAt).not.toBeNull();
    // Once closed, the job leaves it alone.
    await t.app.paymentJobs.runDue();
    expect(standIn.requests.filter((r) => r.path === `/v1/checkout/sessions/${sessionId}/expire`)).toHaveLength(1);
  });

  it('are closed when their hold runs out; one Stripe already ended is marked closed without a call', async () => {
    const { sessionId, registration } = await bookPaid('hold-ran-out@example.org', 5);
    await t.app.registrationJobs.runDue(new Date(Date.now() + 40 * 60_000));
    expect((await paymentOf(registration.id)).status).toBe('expired');
    await t.app.paymentJobs.runDue();
    expect(standIn.sessions.get(sessionId)!.status).toBe('expired');

    const other = await bookPaid('stripe-ended-it@example.org', 5);
    await webhook('checkout.session.expired', standIn.expire(other.sessionId));
    await t.app.paymentJobs.runDue();
    expect(standIn.requests.filter((r) => r.path === `/v1/checkout/sessions/${other.sessionId}/expire`)).toHaveLength(0);
  });
});
