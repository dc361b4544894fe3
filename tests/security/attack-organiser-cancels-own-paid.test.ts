// Attack on "Refuse money actions on an organiser's own booking" (b788604) together with
// "Cancelling a paid place: the refund is owed, and organisers are told" (a701963). An organiser
// who cancels their OWN card-paid place from the attendee list is told, on the confirm page, to
// "Refund it with 'Refund' beside their booking", which is refused to them (own booking); and the
// cancellation carries reason CANCELLED_BY_ORGANISER, so no other organiser is emailed
// registration-refund-owed (server/registration/service.ts: `owed && options.reason ===
// CANCELLED_BY_REGISTRANT`). The booker (the organiser) is emailed "The organisers will refund it
// to your card", and the only people able to refund it are never told. FINDING: fails on main.
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, payments, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn } from '../registration/stripe-stand-in.ts';

const secret = 'whsec_test_own_cancel';
const stripe = new Stripe('sk_test_own_cancel');
const standIn = new StripeStandIn();
const SELF = 'own-cancel-organiser@example.org';
const OTHER = 'own-cancel-colleague@example.org';
let t: TestApp;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_own_cancel', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
});
afterAll(async () => {
  await t?.close();
  await standIn.stop();
});

describe('an organiser cancels their own card-paid place from the attendee list', () => {
  it('leaves someone who can refund it told that it is owed', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 4500 });
    const me = await t.signedIn(SELF);
    await t.signedIn(OTHER);
    for (const email of [SELF, OTHER]) {
      const [person] = await t.db.select().from(people).where(eq(people.email, email));
      await grantRole(t.db, null, person!.id, 'organiser');
    }
    const booked = await me.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Org Anise', email: SELF });
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(booked.headers.location))![1]!;
    const payload = JSON.stringify({ id: 'evt_own_cancel_1', object: 'event', type: 'checkout.session.completed', data: { object: standIn.pay(sessionId) } });
    const hook = await t.app.inject({
      method: 'POST',
      url: '/payments/stripe/webhook',
      payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) },
    });
    expect(hook.statusCode).toBe(200);
    const [mine] = await t.db.select().from(registrations).where(eq(registrations.email, SELF));
    expect(mine!.status).toBe('confirmed');

    const base = `/organise/events/${event.slug}/attendees`;
    const confirm = (await me.get(`${base}/${mine!.id}/cancel`)).body;
    expect((await me.post(`${base}/${mine!.id}/cancel`)).statusCode).toBe(303);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, mine!.id));
    expect(payment!.status).toBe('paid');
    // They cannot refund it themselves.
    expect((await me.post(`${base}/${mine!.id}/refund`)).headers['x-error-code']).toBe('own_booking');
    const toColleague = (await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, OTHER))).map((m) => m.template);

    expect({
      colleagueToldItIsOwed: toColleague.includes('registration-refund-owed'),
      confirmPageTellsThemToRefundIt: confirm.includes('Refund it with “Refund” beside their booking'),
    }).toEqual({ colleagueToldItIsOwed: true, confirmPageTellsThemToRefundIt: false });
  });
});
