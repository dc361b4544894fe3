// Attack on the truth of pages and emails: a card refund that failed (refund.updated) leaves the
// payment "refund failed: to pay back another way". If the Hub then refunds it again in Stripe's
// dashboard and that one succeeds (charge.refunded), the booking page and the organisers' list
// must stop saying the Hub still owes the money (or organisers pay it twice), and the person is
// told it has now gone back. Or the Hub pays it back another way and an organiser records it.
import { and, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../emails/render.ts';
import { outboxMessages, payments, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { latestManagePath, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn } from '../registration/stripe-stand-in.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

const secret = 'whsec_attack_refund';
const stripe = new Stripe('sk_test_attack_refund');
const standIn = new StripeStandIn();
let t: TestApp;
const site = { baseUrl: 'http://convene.test', siteName: 'Social Perspectives Hub' };

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_attack_refund', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
});
afterAll(async () => {
  await t?.close();
  await standIn.stop();
});

function deliver(id: string, type: string, object: Record<string, unknown>) {
  const payload = JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object } });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
}

/** A card booking by `email`, paid, refunded by an organiser, and the refund then failed at Stripe. */
async function refundThatFailed(email: string) {
  const event = await makeEvent(t.db, { capacity: 5 });
  const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
  const member = await t.signedIn(email);
  const booked = await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Rae Again', email });
  const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(booked.headers.location))![1]!;
  expect((await deliver(`evt_paid_${email}`, 'checkout.session.completed', standIn.pay(sessionId) as never)).statusCode).toBe(200);
  const organiser = await t.signedIn(`organiser-${email}`);
  const [me] = await t.db
    .select()
    .from(people)
    .where(eq(people.email, `organiser-${email}`));
  await grantRole(t.db, null, me!.id, 'organiser');
  const [row] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  expect((await organiser.post(`/organise/events/${event.slug}/attendees/${row!.id}/refund`)).statusCode).toBe(303);
  const [first] = await t.db.select().from(payments).where(eq(payments.registrationId, row!.id));
  expect((await deliver(`evt_failed_${email}`, 'refund.updated', standIn.failedRefund(first!.stripeRefundId!, 2500))).statusCode).toBe(200);
  expect((await t.db.select().from(payments).where(eq(payments.registrationId, row!.id)))[0]!.status).toBe('refund_failed');
  return { event, row: row!, first: first!, member, organiser };
}

describe('a failed card refund, then refunded again at Stripe', () => {
  it('is refunded: pages stop saying it is owed, and the person is told', async () => {
    const { event, row, first, member, organiser } = await refundThatFailed('refund-again@example.org');

    // Refunded again in Stripe's dashboard; this one goes through.
    const charge = {
      id: `ch_for_${first!.stripePaymentIntentId}`,
      object: 'charge',
      amount: 2500,
      amount_refunded: 2500,
      refunded: true,
      currency: 'gbp',
      payment_intent: first!.stripePaymentIntentId,
    };
    expect((await deliver('evt_ra_refunded', 'charge.refunded', charge)).statusCode).toBe(200);
    const [after] = await t.db.select().from(payments).where(eq(payments.registrationId, row!.id));
    expect(after!.status).toBe('refunded');
    const told = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toAddress, 'refund-again@example.org'), eq(outboxMessages.template, 'payment-refunded')));
    expect(told).toHaveLength(1);
    const page = await member.get(await latestManagePath(t.db, 'refund-again@example.org', 'registration-confirmed'));
    expect(page.body).not.toContain('did not go through');
    expect((await organiser.get(`/organise/events/${event.slug}/attendees`)).body).not.toContain('Refund failed');
  });

  // The Hub then paid it back by other means, and an organiser records that: the person is told
  // it was paid back another way, not "to your card".
  it('paid back another way: recorded by an organiser, nothing owed on the pages, the person told how', async () => {
    const { event, row, member, organiser } = await refundThatFailed('refund-another-way@example.org');
    // The organisers' list offers to record it, and recording it says so.
    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.body).toContain('Refund failed');
    expect(list.body).toContain(`/attendees/${row!.id}/refund-paid`);
    const recorded = await organiser.post(`/organise/events/${event.slug}/attendees/${row!.id}/refund-paid`);
    expect(recorded.statusCode).toBe(303);
    const [after] = await t.db.select().from(payments).where(eq(payments.registrationId, row!.id));
    expect(after!.status).toBe('refunded');
    expect((await organiser.get(`/organise/events/${event.slug}/attendees`)).body).not.toContain('Refund failed');
    const page = await member.get(await latestManagePath(t.db, 'refund-another-way@example.org', 'registration-confirmed'));
    expect(page.body).not.toContain('did not go through');

    const [told] = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toAddress, 'refund-another-way@example.org'), eq(outboxMessages.template, 'payment-refunded')));
    expect(told!.data).toMatchObject({ method: 'another_way', amount: '£25' });
    const words = renderEmail('payment-refunded', told!.data as never, site).text;
    expect(words).toContain('The refund to your card did not go through, so we sent it another way');
    expect(words).not.toContain('to your card for');

    // Recorded once: a second post is refused, and nobody is told twice.
    await organiser.post(`/organise/events/${event.slug}/attendees/${row!.id}/refund-paid`);
    expect(
      await t.db
        .select()
        .from(outboxMessages)
        .where(and(eq(outboxMessages.toAddress, 'refund-another-way@example.org'), eq(outboxMessages.template, 'payment-refunded'))),
    ).toHaveLength(1);
  });
});
