// Stripe repeats webhooks, and may deliver them at the same moment and out of order. On a real
// PostgreSQL with concurrent deliveries: one booking, one payment, one email; and a forged or
// stale signature changes nothing.
import { and, count, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, payments, people, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { latestManagePath, makeEvent, makeTicketType } from '../registration/fixtures.ts';
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

function deliver(id: string, type: string, session: StandInSession | Record<string, unknown>, options: { timestamp?: number; secret?: string } = {}) {
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

  it('a refund that fails after it was reported (refund.updated) stops every page and email saying "refunded"', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
    const member = await t.signedIn('refund-fails@example.org');
    const booked = await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Rae Fund', email: 'refund-fails@example.org' });
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(booked.headers.location))![1]!;
    expect((await deliver('evt_rf_paid', 'checkout.session.completed', standIn.pay(sessionId))).statusCode).toBe(200);
    const organiser = await t.signedIn('refund-organiser@example.org');
    const [me] = await t.db.select().from(people).where(eq(people.email, 'refund-organiser@example.org'));
    await grantRole(t.db, null, me!.id, 'organiser');
    const [row] = await t.db.select().from(registrations).where(eq(registrations.email, 'refund-fails@example.org'));
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${row!.id}/refund`)).statusCode).toBe(303);
    const [refunded] = await t.db.select().from(payments).where(eq(payments.registrationId, row!.id));
    expect(refunded!.status).toBe('refunded');

    // Stripe reports the refund failed; delivered twice at once, as Stripe may.
    const failed = standIn.failedRefund(refunded!.stripeRefundId!, 2500);
    const answers = await Promise.all([deliver('evt_rf_failed', 'refund.updated', failed), deliver('evt_rf_failed', 'refund.updated', failed)]);
    for (const a of answers) expect(a.statusCode).toBe(200);
    const [after] = await t.db.select().from(payments).where(eq(payments.registrationId, row!.id));
    expect(after!.status).toBe('refund_failed');
    expect(after!.refundedAt).toBeNull();
    const told = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.toAddress, 'refund-fails@example.org'), eq(outboxMessages.template, 'payment-refund-failed')));
    expect(told).toHaveLength(1);
    const words = renderEmail('payment-refund-failed', told[0]!.data as never, { siteName: 'Hub', baseUrl: 'https://hub.example' }).text;
    expect(words).toContain('did not go through');
    expect(words).toContain('still owes you £25');

    // Their booking page no longer says the money went back; the organisers' list says it failed.
    const managePath = await latestManagePath(t.db, 'refund-fails@example.org', 'registration-confirmed');
    const page = await member.get(managePath);
    expect(page.body).not.toContain('has been refunded');
    expect(page.body).toContain('The refund of £25 to your card did not go through');
    expect((await organiser.get(`/organise/events/${event.slug}/attendees`)).body).toContain('Refund failed');

    // A refund that succeeded, or one we never made, changes nothing.
    const ok = await deliver('evt_rf_ok', 'refund.updated', { ...failed, id: 're_unknown', status: 'succeeded' });
    expect(((await ok.json()) as { outcome: string }).outcome).toBe('ignored');
  });
});
