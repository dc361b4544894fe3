// Stripe repeats webhooks, and may deliver them at the same moment and out of order. On a real
// PostgreSQL with concurrent deliveries: one booking, one payment, one email; and a forged or
// stale signature changes nothing.
import { and, count, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, payments, registrations } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn, type StandInSession } from '../registration/stripe-stand-in.ts';

const secret = 'whsec_fault_test';
const stripe = new Stripe('sk_test_fault');
const standIn = new StripeStandIn();
let t: TestApp;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_fault', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
});
afterAll(async () => {
  await t.close();
  await standIn.stop();
});

function deliver(id: string, type: string, session: StandInSession, options: { timestamp?: number; secret?: string } = {}) {
  const payload = JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object: session } });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? secret, timestamp: options.timestamp });
  return t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
}

describe('Stripe webhooks under repetition and disorder', () => {
  it('three concurrent deliveries of "completed", then a late "expired", make one booking, one payment, one email', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
    // Signed in with the address, the payer goes straight on to Checkout.
    const booked = await (await t.signedIn('repeat@example.org')).post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Repeat Payer',
      email: 'repeat@example.org',
    });
    expect(booked.statusCode).toBe(303);
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(booked.headers.location))![1]!;
    standIn.pay(sessionId);
    const paid = structuredClone(standIn.sessions.get(sessionId)!);
    const expired = { ...structuredClone(paid), status: 'expired' as const, payment_status: 'unpaid' as const };

    // Three copies of "completed" at once, then "expired" (which Stripe can deliver late, after
    // the session completed) twice at once.
    const completed = await Promise.all([
      deliver('evt_completed_1', 'checkout.session.completed', paid),
      deliver('evt_completed_1', 'checkout.session.completed', paid),
      deliver('evt_completed_1', 'checkout.session.completed', paid),
    ]);
    const late = await Promise.all([
      deliver('evt_expired_1', 'checkout.session.expired', expired as StandInSession),
      deliver('evt_expired_1', 'checkout.session.expired', expired as StandInSession),
    ]);
    const responses = [...completed, ...late];
    for (const r of responses) expect(r.statusCode).toBe(200);

    const rows = await t.db.select().from(registrations).where(eq(registrations.email, 'repeat@example.org'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('confirmed');
    const paidPayments = await t.db
      .select()
      .from(payments)
      .where(and(eq(payments.registrationId, rows[0]!.id), eq(payments.status, 'paid')));
    expect(paidPayments).toHaveLength(1);
    const [mails] = await t.db
      .select({ n: count() })
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toAddress, 'repeat@example.org'), eq(outboxMessages.template, 'registration-confirmed')));
    expect(Number(mails!.n)).toBe(1);
  });

  it('refuses a bad signature and a signature older than five minutes, changing nothing', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
    const booked = await (await t.signedIn('forged@example.org')).post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Forged',
      email: 'forged@example.org',
    });
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(booked.headers.location))![1]!;
    standIn.pay(sessionId);
    const session = standIn.sessions.get(sessionId)!;

    const forged = await deliver('evt_forged', 'checkout.session.completed', session, { secret: 'whsec_someone_else' });
    expect(forged.statusCode).toBe(400);
    const stale = await deliver('evt_stale', 'checkout.session.completed', session, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.statusCode).toBe(400);
    const [row] = await t.db.select().from(registrations).where(eq(registrations.email, 'forged@example.org'));
    expect(row!.status).toBe('pending_payment');
  });
});
