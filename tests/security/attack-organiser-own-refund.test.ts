// Attack on organisers' refunds (THREATS 2: no one pays anything on their own booking). Since
// refunds no longer cancel an attended place (server/payments/service.ts refundRegistration,
// refundCancelsPlace), an organiser who paid for their own place, came, and has their
// certificate can refund the whole price to their own card and keep the place, the attendance
// and the certificate: nothing compares the organiser with the booking's person, and nothing
// asks a second organiser. FINDING: the test fails on main.
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, payments, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn } from '../registration/stripe-stand-in.ts';

const secret = 'whsec_test_own_refund';
const stripe = new Stripe('sk_test_own_refund');
const standIn = new StripeStandIn();
const ORGANISER = 'own-refund-organiser@example.org';
let t: TestApp;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_own_refund', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
});
afterAll(async () => {
  await t?.close();
  await standIn.stop();
});

describe('an organiser refunding their own booking', () => {
  it('is refused: the money stays paid and nobody is refunded', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 4500 });
    const me = await t.signedIn(ORGANISER);
    const booked = await me.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Org Anise', email: ORGANISER });
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(booked.headers.location))![1]!;
    const payload = JSON.stringify({
      id: 'evt_own_refund_1',
      object: 'event',
      type: 'checkout.session.completed',
      api_version: '2025-01-01',
      created: 1,
      data: { object: standIn.pay(sessionId) },
    });
    const hook = await t.app.inject({
      method: 'POST',
      url: '/payments/stripe/webhook',
      payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) },
    });
    expect(hook.statusCode).toBe(200);
    const [mine] = await t.db.select().from(registrations).where(eq(registrations.email, ORGANISER));
    expect(mine!.status).toBe('confirmed');
    // They come, the event ends; then they are made (or already were) an organiser.
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 2 * 86_400_000), endsAt: new Date(Date.now() - 86_400_000) })
      .where(eq(events.id, event.id));
    await t.db.update(registrations).set({ status: 'attended', attendedAt: new Date() }).where(eq(registrations.id, mine!.id));
    const [person] = await t.db.select().from(people).where(eq(people.email, ORGANISER));
    await grantRole(t.db, null, person!.id, 'organiser');

    const base = `/organise/events/${event.slug}/attendees`;
    expect((await me.get(base)).body).not.toContain(`/attendees/${mine!.id}/refund`);
    const refused = await me.post(`${base}/${mine!.id}/refund`);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, mine!.id));
    expect(payment!.status).toBe('paid');
    expect(payment!.stripeRefundId).toBeNull();
    // Said on the list they came from, as the list's other refusals are.
    expect(refused.statusCode).toBe(303);
    expect(refused.headers['x-error-code']).toBe('own_booking');
    expect((await me.get(base)).body).toContain('This is your own booking, so another organiser must refund it.');
  });
});
