// Attack on the organisers' "a card refund did not go through" email (server/payments/refunds.ts,
// refundUpdated and refundRefused, which pass payerTold: true whatever enqueueEmail did). A
// payer whose details were erased before Stripe reports their refund failed is written to by
// nobody (enqueueEmail skips an erased address), yet the organisers are told "We have emailed
// <blank> that the refund did not go through", and the payer is named as nobody ("A card refund
// of £15 to  for ..."). THREATS 9: nothing may say something untrue. FINDING: fails on main.
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, outboxMessages, payments, people, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { erasePerson } from '../../server/accounts/erase.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { mailsTo, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn } from '../registration/stripe-stand-in.ts';

const secret = 'whsec_test_erased_payer';
const stripe = new Stripe('sk_test_erased_payer');
const standIn = new StripeStandIn();
const site = { siteName: 'Social Perspectives Hub', baseUrl: 'https://hub.example' };
const ORGANISER = 'erased-payer-organiser@example.org';
const PAYER = 'erased-payer@example.org';
let t: TestApp;
let counter = 0;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_erased_payer', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
});
afterAll(async () => {
  await t?.close();
  await standIn.stop();
});

async function webhook(type: string, object: unknown) {
  const payload = JSON.stringify({ id: `evt_erased_payer_${++counter}`, object: 'event', type, api_version: '2025-01-01', created: 1, data: { object } });
  const response = await t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) },
  });
  expect(response.statusCode).toBe(200);
}

describe('a card refund that fails after its payer was erased', () => {
  it('does not tell the organisers the payer was emailed', async () => {
    const organiser = await t.signedIn(ORGANISER);
    const [boss] = await t.db.select().from(people).where(eq(people.email, ORGANISER));
    await grantRole(t.db, null, boss!.id, 'organiser');
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { pricePence: 1500 });
    const booked = await (await t.signedIn(PAYER)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Robin Payer', email: PAYER });
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(booked.headers.location))![1]!;
    await webhook('checkout.session.completed', standIn.pay(sessionId));
    const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, PAYER));
    // They came; afterwards they ask for their money back, and an organiser refunds it.
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 2 * 86_400_000), endsAt: new Date(Date.now() - 86_400_000) })
      .where(eq(events.id, event.id));
    await t.db.update(registrations).set({ status: 'attended', attendedAt: new Date() }).where(eq(registrations.id, registration!.id));
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${registration!.id}/refund`)).statusCode).toBe(303);
    // Then they delete their account; days later Stripe reports the refund failed.
    const [payer] = await t.db.select().from(people).where(eq(people.email, PAYER));
    await erasePerson(t.db, payer!.id);
    await t.db.delete(outboxMessages);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration!.id));
    await webhook('refund.updated', standIn.failedRefund(payment!.stripeRefundId!, 1500));

    const [after] = await t.db.select().from(payments).where(eq(payments.registrationId, registration!.id));
    expect(after!.status).toBe('refund_failed');
    const sentToPayer = (await t.db.select().from(outboxMessages)).filter((m) => m.template === 'payment-refund-failed');
    expect(sentToPayer).toHaveLength(0);
    const [toOrganisers] = (await mailsTo(t.db, ORGANISER)).filter((m) => m.template === 'payment-refund-failed-organisers');
    const text = renderEmail('payment-refund-failed-organisers', toOrganisers!.data as never, site).text;
    expect(text).not.toContain('We have emailed');
    // Named, never as a blank, and what happened said.
    expect(text).toContain('A card refund of £15 to a person whose details were erased for');
    expect(text).toContain('We have not emailed them: their details were erased');
  });
});
