// Cancelling an event settles its places in the same transaction: live holds are released, open
// payments expire, the waiting list and unpaid bookings are cancelled, confirmed and attended
// bookings stay as the record of who was booked. Registrants are emailed once each, and the
// planning group is told (as it is when an event is unpublished). A Stripe payment that completes
// after the cancellation is flagged for a refund, never turned into a booking.
import { and, eq, inArray } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, events, payments, placeHolds, planningMembers, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { availability } from '../../server/registration/api.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { mailTo, personId, signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn, type StandInSession } from '../registration/stripe-stand-in.ts';

const secret = 'whsec_test_convene';
const stripe = new Stripe('sk_test_convene');
const standIn = new StripeStandIn();
const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
let t: TestApp;
let organiser: TestClient;
let lead: TestClient;

beforeAll(async () => {
  await standIn.start();
  t = await startTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_convene', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url } });
  organiser = await signedInOrganiser(t, 'org@example.org');
  await organiser.post('/account', { displayName: 'Rosa Quinn' });
  lead = await t.signedIn('lead@example.org');
  await t.signedIn('speaker@example.org');
  await t.signedIn('invited@example.org');
});
afterAll(async () => {
  await t.close();
  await standIn.stop();
});

/** A published event whose planning group is a lead and a speaker, with someone still only invited. */
async function eventWithGroup(overrides: Parameters<typeof makeEvent>[1] = {}) {
  const event = await makeEvent(t.db, overrides);
  await t.db.insert(planningMembers).values([
    { eventId: event.id, personId: await personId(t.db, 'lead@example.org'), role: 'lead', status: 'accepted' },
    { eventId: event.id, personId: await personId(t.db, 'speaker@example.org'), role: 'speaker', status: 'accepted' },
    { eventId: event.id, personId: await personId(t.db, 'invited@example.org'), role: 'facilitator', status: 'invited' },
  ]);
  return event;
}

async function booking(
  eventId: string,
  values: { status: typeof registrations.$inferInsert.status; name: string; email: string; ticketTypeId?: string; companionOfId?: string },
) {
  const [row] = await t.db
    .insert(registrations)
    .values({ eventId, ...values })
    .returning();
  return row!;
}

const inOneHour = () => new Date(Date.now() + 3_600_000);

async function webhook(type: string, session: StandInSession, id: string) {
  const payload = JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object: session } });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
  });
}

describe('cancelling an event', () => {
  it('releases holds, expires open payments, cancels the waiting list and unpaid bookings, and keeps confirmed ones', async () => {
    const event = await eventWithGroup({ title: 'Housing and distress', capacity: 20 });
    const free = await makeTicketType(t.db, event.id, { name: 'Free place' });
    const paid = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });

    const ada = await booking(event.id, { status: 'confirmed', name: 'Ada', email: 'ada@example.org', ticketTypeId: free.id });
    const adaCompanion = await booking(event.id, { status: 'confirmed', name: 'Ada’s PA', email: 'ada@example.org', companionOfId: ada.id });
    const ali = await booking(event.id, { status: 'attended', name: 'Ali', email: 'ali@example.org', ticketTypeId: free.id });
    const pia = await booking(event.id, { status: 'confirmed', name: 'Pia', email: 'pia@example.org', ticketTypeId: paid.id });
    const pat = await booking(event.id, { status: 'pending_payment', name: 'Pat', email: 'pat@example.org', ticketTypeId: paid.id });
    const patCompanion = await booking(event.id, { status: 'pending_payment', name: 'Pat’s PA', email: 'pat@example.org', companionOfId: pat.id });
    const ivy = await booking(event.id, { status: 'pending_payment', name: 'Ivy', email: 'ivy@example.org', ticketTypeId: paid.id });
    const wes = await booking(event.id, { status: 'waitlisted', name: 'Wes', email: 'wes@example.org', ticketTypeId: free.id });
    const wesCompanion = await booking(event.id, { status: 'waitlisted', name: 'Wes’s PA', email: 'wes@example.org', companionOfId: wes.id });
    const olu = await booking(event.id, { status: 'offered', name: 'Olu', email: 'olu@example.org', ticketTypeId: free.id });
    const cy = await booking(event.id, { status: 'cancelled', name: 'Cy', email: 'cy@example.org', ticketTypeId: free.id });

    const [paidPayment, checkout, invoice, oldPayment] = await t.db
      .insert(payments)
      .values([
        { registrationId: pia.id, method: 'stripe', amountPence: 4000, status: 'paid', paidAt: new Date() },
        { registrationId: pat.id, method: 'stripe', amountPence: 4000 },
        { registrationId: ivy.id, method: 'invoice', amountPence: 4000 },
        { registrationId: cy.id, method: 'stripe', amountPence: 4000, status: 'expired' },
      ])
      .returning();
    const [checkoutHold, offerHold, bursaryHold, oldHold] = await t.db
      .insert(placeHolds)
      .values([
        { eventId: event.id, kind: 'checkout', registrationId: pat.id, ticketTypeId: paid.id, expiresAt: inOneHour() },
        { eventId: event.id, kind: 'offer', registrationId: olu.id, ticketTypeId: free.id, expiresAt: inOneHour() },
        { eventId: event.id, kind: 'bursary', reference: `bursary-application:${event.id}`, expiresAt: inOneHour() },
        { eventId: event.id, kind: 'offer', registrationId: cy.id, expiresAt: inOneHour(), state: 'released', endedAt: new Date(Date.now() - 60_000) },
      ])
      .returning();

    // Another event's places are not touched.
    const other = await eventWithGroup();
    const otherWaiting = await booking(other.id, { status: 'waitlisted', name: 'Vic', email: 'vic@example.org' });
    const otherPending = await booking(other.id, { status: 'pending_payment', name: 'Val', email: 'val@example.org' });
    const [otherPayment] = await t.db.insert(payments).values({ registrationId: otherPending.id, method: 'invoice', amountPence: 1000 }).returning();
    const [otherHold] = await t.db
      .insert(placeHolds)
      .values({ eventId: other.id, kind: 'bursary', reference: `bursary-application:${other.id}`, expiresAt: inOneHour() })
      .returning();

    const before = await availability(t.db, event.id);
    expect(before.held).toBe(2); // the offer and the bursary place; the checkout's booking already counts
    const startedAt = new Date();

    const res = await organiser.post(`/plan/${event.id}/cancel`, { reason: 'The venue has closed for repairs.' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    const [after] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(after!.status).toBe('cancelled');

    // Holds: every live one released, the one already ended left as it was.
    const holds = new Map((await t.db.select().from(placeHolds).where(eq(placeHolds.eventId, event.id))).map((h) => [h.id, h]));
    for (const hold of [checkoutHold!, offerHold!, bursaryHold!]) {
      expect(holds.get(hold.id)!.state).toBe('released');
      expect(holds.get(hold.id)!.endedAt!.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1000);
    }
    expect(holds.get(oldHold!.id)!.state).toBe('released');
    expect(holds.get(oldHold!.id)!.endedAt!.getTime()).toBeLessThan(startedAt.getTime() - 1000);

    // Payments: open ones expired; paid and already-ended ones untouched.
    const paymentStatus = new Map(
      (
        await t.db
          .select()
          .from(payments)
          .where(inArray(payments.id, [paidPayment!.id, checkout!.id, invoice!.id, oldPayment!.id]))
      ).map((p) => [p.id, p.status]),
    );
    expect(paymentStatus.get(checkout!.id)).toBe('expired');
    expect(paymentStatus.get(invoice!.id)).toBe('expired');
    expect(paymentStatus.get(paidPayment!.id)).toBe('paid');
    expect(paymentStatus.get(oldPayment!.id)).toBe('expired');

    // Registrations: waiting list and unpaid bookings (with their companions) cancelled, the rest kept.
    const rows = new Map((await t.db.select().from(registrations).where(eq(registrations.eventId, event.id))).map((r) => [r.id, r]));
    for (const r of [pat, patCompanion, ivy, wes, wesCompanion, olu]) {
      const now = rows.get(r.id)!;
      expect(now.status, r.name).toBe('cancelled');
      expect(now.cancelledAt!.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1000);
      expect(now.updatedAt.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1000);
    }
    expect(rows.get(ada.id)!.status).toBe('confirmed');
    expect(rows.get(adaCompanion.id)!.status).toBe('confirmed');
    expect(rows.get(pia.id)!.status).toBe('confirmed');
    expect(rows.get(ali.id)!.status).toBe('attended');
    expect(rows.get(ada.id)!.cancelledAt).toBeNull();
    expect(rows.get(cy.id)!.status).toBe('cancelled');

    // Nothing counts as held any more; the confirmed and attended bookings still count as booked.
    const afterwards = await availability(t.db, event.id);
    expect(afterwards.held).toBe(0);
    expect(afterwards.booked).toBe(4);
    expect(
      await t.db
        .select()
        .from(placeHolds)
        .where(and(eq(placeHolds.eventId, event.id), eq(placeHolds.state, 'live'))),
    ).toHaveLength(0);

    // The other event is as it was.
    expect(
      (
        await t.db
          .select()
          .from(registrations)
          .where(inArray(registrations.id, [otherWaiting.id, otherPending.id]))
      )
        .map((r) => r.status)
        .sort(),
    ).toEqual(['pending_payment', 'waitlisted']);
    expect((await t.db.select().from(payments).where(eq(payments.id, otherPayment!.id)))[0]!.status).toBe('open');
    expect((await t.db.select().from(placeHolds).where(eq(placeHolds.id, otherHold!.id)))[0]!.state).toBe('live');

    // One audit entry sums up what was ended, counting people rather than companion places.
    const audit = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, event.id), eq(auditEntries.action, 'registration.event_cancelled.places_closed')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(await personId(t.db, 'org@example.org'));
    expect(audit[0]!.details).toEqual({ holdsReleased: 3, paymentsExpired: 2, waitingListCancelled: 2, pendingBookingsCancelled: 2 });

    // Registrants are emailed once each (companions share their booker's address); nobody already
    // cancelled, and (as before) not someone already marked as having attended.
    for (const email of ['ada@example.org', 'pia@example.org', 'pat@example.org', 'ivy@example.org', 'wes@example.org', 'olu@example.org']) {
      const mails = await mailTo(t.db, email, 'event-changed');
      expect(mails, email).toHaveLength(1);
      expect(mails[0]!.data).toMatchObject({ kind: 'cancelled', reason: 'The venue has closed for repairs.' });
    }
    expect(await mailTo(t.db, 'cy@example.org', 'event-changed')).toHaveLength(0);
    expect(await mailTo(t.db, 'ali@example.org', 'event-changed')).toHaveLength(0);

    // The planning group's accepted members hear, once each, who cancelled and why.
    for (const [email, name] of [
      // People who have not given a name are greeted plainly, never by their email address.
      ['lead@example.org', ''],
      ['speaker@example.org', ''],
    ] as const) {
      const mails = (await mailTo(t.db, email, 'planning-event-status')).filter((m) => m.data.planningPath === `/plan/${event.id}`);
      expect(mails, email).toHaveLength(1);
      expect(mails[0]!.data).toEqual({
        name,
        title: 'Housing and distress',
        kind: 'cancelled',
        byName: 'Rosa Quinn',
        reason: 'The venue has closed for repairs.',
        told: 6,
        planningPath: `/plan/${event.id}`,
      });
      const rendered = renderEmail('planning-event-status', mails[0]!.data as never, site);
      expect(rendered.subject).toBe('An event you are planning has been cancelled');
      expect(rendered.text).toMatch(/^Hello,$/m);
      expect(rendered.text).toContain('Rosa Quinn has cancelled Housing and distress.');
      expect(rendered.text).toContain('The venue has closed for repairs.');
      expect(rendered.text).toContain('We have emailed the 6 people who were booked or on the waiting list');
      expect(rendered.text).toContain(`https://hub.example/plan/${event.id}`);
    }
    expect(await mailTo(t.db, 'invited@example.org', 'planning-event-status')).toHaveLength(0);

    // A second cancel is refused as before, and changes and sends nothing.
    const outboxBefore = (await t.db.query.outboxMessages.findMany()).length;
    expect((await organiser.post(`/plan/${event.id}/cancel`, { reason: 'Again' })).statusCode).toBe(409);
    expect((await t.db.query.outboxMessages.findMany()).length).toBe(outboxBefore);
    const [still] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(still!.cancelledReason).toBe('The venue has closed for repairs.');
    expect(still!.sequence).toBe(after!.sequence);

    // Every email it queued renders and is sent.
    for (;;) {
      const result = await t.app.mail.deliverDue();
      expect(result.retrying + result.failed).toBe(0);
      if (result.sent === 0) break;
    }
  });

  it('refunds a Stripe payment that completes after the event was cancelled, without booking a place', async () => {
    const event = await eventWithGroup({ title: 'Money and madness', capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 1500 });
    // Signed in with the address, the payer goes straight on to Checkout.
    const response = await (await t.signedIn('late-payer@example.org')).post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Late Payer',
      email: 'late-payer@example.org',
    });
    expect(response.statusCode).toBe(303);
    const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))?.[1];
    expect(sessionId).toBeTruthy();
    const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, 'late-payer@example.org'));
    expect(registration!.status).toBe('pending_payment');

    expect((await organiser.post(`/plan/${event.id}/cancel`, { reason: 'Our speakers are unwell.' })).statusCode).toBe(303);
    const [ended] = await t.db.select().from(payments).where(eq(payments.registrationId, registration!.id));
    expect(ended!.status).toBe('expired');

    // The Checkout page was still open at Stripe, and the payer finished paying.
    const late = await webhook('checkout.session.completed', standIn.pay(sessionId!), 'evt_paid_after_cancel');
    expect(late.json().outcome).toBe('handled');
    const [still] = await t.db.select().from(registrations).where(eq(registrations.id, registration!.id));
    expect(still!.status).toBe('cancelled');
    // No place to give at a cancelled event: the money goes straight back through Stripe.
    const [paid] = await t.db.select().from(payments).where(eq(payments.registrationId, registration!.id));
    expect(paid!.status).toBe('refunded');
    expect(await mailTo(t.db, 'late-payer@example.org', 'registration-confirmed')).toHaveLength(0);
    expect((await availability(t.db, event.id)).booked).toBe(0);

    const [toPayer] = await mailTo(t.db, 'late-payer@example.org', 'payment-arrived-late');
    expect(toPayer!.data).toMatchObject({ eventCancelled: true, amount: '£15', outcome: 'refunding' });
    const payerMail = renderEmail('payment-arrived-late', toPayer!.data as never, site);
    expect(payerMail.text).toContain('after the event had been cancelled');
    expect(payerMail.text).toContain('You have not lost your money');
    expect(payerMail.text).toContain('we are refunding it to your card in full');
    expect(payerMail.text).not.toContain('give you a place');
    expect(await mailTo(t.db, 'late-payer@example.org', 'payment-refunded')).toHaveLength(1);
  });
});

describe('unpublishing an event', () => {
  it('tells the planning group it is back in planning, and leaves offers and checkouts to run', async () => {
    const event = await eventWithGroup({ title: 'Carers’ round table' });
    const waiting = await booking(event.id, { status: 'waitlisted', name: 'Wyn', email: 'wyn@example.org' });
    const offered = await booking(event.id, { status: 'offered', name: 'Oz', email: 'oz@example.org' });
    const [offer] = await t.db.insert(placeHolds).values({ eventId: event.id, kind: 'offer', registrationId: offered.id, expiresAt: inOneHour() }).returning();

    const res = await lead.post(`/plan/${event.id}/unpublish`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    const [after] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect(after!.status).toBe('planning');

    for (const email of ['lead@example.org', 'speaker@example.org']) {
      const mails = (await mailTo(t.db, email, 'planning-event-status')).filter((m) => m.data.planningPath === `/plan/${event.id}`);
      expect(mails, email).toHaveLength(1);
      expect(mails[0]!.data).toMatchObject({ kind: 'unpublished', title: 'Carers’ round table', byName: 'lead@example.org', reason: '' });
      const rendered = renderEmail('planning-event-status', mails[0]!.data as never, site);
      expect(rendered.subject).toBe('An event you are planning is back in planning');
      expect(rendered.text).toContain('lead@example.org has moved Carers’ round table back to planning.');
    }
    expect((await mailTo(t.db, 'invited@example.org', 'planning-event-status')).filter((m) => m.data.planningPath === `/plan/${event.id}`)).toHaveLength(0);
    // Registrants are not told, and their places are left as they were.
    expect(await mailTo(t.db, 'wyn@example.org', 'event-changed')).toHaveLength(0);
    expect((await t.db.select().from(placeHolds).where(eq(placeHolds.id, offer!.id)))[0]!.state).toBe('live');
    expect(
      (
        await t.db
          .select()
          .from(registrations)
          .where(inArray(registrations.id, [waiting.id, offered.id]))
      )
        .map((r) => r.status)
        .sort(),
    ).toEqual(['offered', 'waitlisted']);
  });
});
