// Cancelling a paid place before the event: the money is owed back whether it was paid by card or
// by invoice, the booker is told the organisers will pay it back (and how to reach the Hub), and
// the organisers are emailed, so that somebody at the Hub knows. An organiser's own cancellation
// says who cancelled it; an invoice billed to an organisation names who paid it. The organisers'
// confirmation pages promise the waiting list a place only when someone is waiting.
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';
import { StripeStandIn } from './stripe-stand-in.ts';

const secret = 'whsec_test_cancel_paid';
const stripe = new Stripe('sk_test_cancel_paid');
const standIn = new StripeStandIn();
const CONTACT = 'bookings@hub.example';
const site = { siteName: 'Social Perspectives Hub', baseUrl: 'https://hub.example', contactEmail: CONTACT };
const ORGANISER = 'cancel-paid-organiser@example.org';
let t: TestApp;
let invoiceApp: TestApp;
let organiser: TestClient;
let counter = 0;

beforeAll(async () => {
  await standIn.start();
  const env = { STRIPE_SECRET_KEY: 'sk_test_cancel_paid', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url, CONTACT_EMAIL: CONTACT };
  t = await startTestApp({ env });
  invoiceApp = await startTestApp({ database: t.database, env: { CONTACT_EMAIL: CONTACT } });
  organiser = await t.signedIn(ORGANISER);
  const [me] = await t.db.select().from(people).where(eq(people.email, ORGANISER));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await invoiceApp.close();
  await t.close();
  await standIn.stop();
});

const mailsOf = async (email: string, template: string) => (await mailsTo(t.db, email)).filter((m) => m.template === template);
const textOf = (mail: { template: string; data: unknown }) => renderEmail(mail.template as never, mail.data as never, site).text;
const htmlOf = (mail: { template: string; data: unknown }) => renderEmail(mail.template as never, mail.data as never, site).html;

async function paidByCard(email: string) {
  const event = await makeEvent(t.db, { capacity: 5 });
  const type = await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 1500 });
  const member = await t.signedIn(email);
  const response = await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Robin Payer', email });
  const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))![1]!;
  const payload = JSON.stringify({
    id: `evt_cancel_paid_${++counter}`,
    object: 'event',
    type: 'checkout.session.completed',
    data: { object: standIn.pay(sessionId) },
  });
  const answer = await t.app.inject({
    method: 'POST',
    url: '/payments/stripe/webhook',
    payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) },
  });
  expect(answer.statusCode).toBe(200);
  const [booking] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  return { event, member, booking: booking!, managePath: await latestManagePath(t.db, email, 'registration-confirmed') };
}

async function paidByInvoice(email: string, payer: Record<string, string> = {}) {
  const event = await makeEvent(t.db, { capacity: 5 });
  const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 1500 });
  const member = await invoiceApp.signedIn(email);
  expect((await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Ivy Booker', email, ...payer })).statusCode).toBe(303);
  const [booking] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  expect((await organiser.post(`/organise/events/${event.slug}/attendees/${booking!.id}/invoice-paid`)).statusCode).toBe(303);
  return { event, member, booking: booking!, managePath: await latestManagePath(t.db, email, 'registration-confirmed') };
}

describe('a booker cancels a place they paid for by card', () => {
  it('is told the organisers will refund it, and the organisers are emailed to do it', async () => {
    const { event, member, booking, managePath } = await paidByCard('cancels-card@example.org');
    const ask = (await member.get(`${managePath}/cancel`)).body;
    expect(ask).toContain('You paid £15 by card. If you cancel, the organisers will refund it to your card, and we will email you when they have.');
    expect(ask).not.toContain('decide each request');

    expect((await member.post(`${managePath}/cancel`)).statusCode).toBe(303);
    const [mail] = await mailsOf('cancels-card@example.org', 'registration-cancelled');
    const text = textOf(mail!);
    expect(text).toContain('You paid £15 by card. The organisers will refund it to your card, and we will email you when they have.');
    expect(text).toContain(`email the Hub at ${CONTACT}`);
    expect(text).not.toContain('does not refund');
    expect(htmlOf(mail!)).toContain(`mailto:${CONTACT}`);
    const page = (await member.get(managePath)).body;
    expect(page).toContain('You paid £15 by card. The organisers will refund it to your card, and we will email you when they have.');
    expect(page).toContain(`email the Hub at ${CONTACT}`);

    const [notice] = await mailsOf(ORGANISER, 'registration-refund-owed');
    expect(notice).toBeDefined();
    const words = textOf(notice!);
    expect(words).toContain('Robin Payer has cancelled their paid booking');
    expect(words).toContain('They paid £15 by card');
    expect(words).toContain('press "Refund" beside their booking on the attendee list');
    expect(words).toContain(`https://hub.example/organise/events/${event.slug}/attendees`);
    // The list says the money is owed, and the Refund action is there.
    const list = (await organiser.get(`/organise/events/${event.slug}/attendees?status=cancelled`)).body;
    expect(list).toContain('Card (online): Paid, refund owed');
    expect(list).toContain(`/attendees/${booking.id}/refund?status=cancelled"`);
  });
});

describe('a booker cancels a place whose invoice they paid', () => {
  it('emails the organisers that the Hub owes it back, with where to record it', async () => {
    const { event, member, managePath } = await paidByInvoice('cancels-invoice@example.org');
    expect((await member.post(`${managePath}/cancel`)).statusCode).toBe(303);
    const [mail] = await mailsOf('cancels-invoice@example.org', 'registration-cancelled');
    expect(textOf(mail!)).toContain(`The Hub will pay back the £15 you paid for your invoice, the same way you paid it.`);
    expect(textOf(mail!)).toContain(`within two weeks, email the Hub at ${CONTACT}.`);
    const [notice] = await mailsOf(ORGANISER, 'registration-refund-owed');
    const words = textOf(notice!);
    expect(words).toContain('Ivy Booker has cancelled their paid booking');
    expect(words).toContain('They paid £15 by invoice');
    expect(words).toContain('press "Record refund paid" on the attendee list');
    expect(words).toContain(`https://hub.example/organise/events/${event.slug}/attendees`);
  });

  it('names the organisation that paid an invoice made out to it', async () => {
    const { member, managePath } = await paidByInvoice('org-paid@example.org', { payerName: 'Mind in Camden' });
    const ask = (await member.get(`${managePath}/cancel`)).body;
    expect(ask).toContain('Mind in Camden paid £15 for your invoice.');
    expect(ask).not.toContain('You paid');
    const before = (await mailsOf(ORGANISER, 'registration-refund-owed')).length;
    expect((await member.post(`${managePath}/cancel`)).statusCode).toBe(303);
    const notices = await mailsOf(ORGANISER, 'registration-refund-owed');
    expect(notices).toHaveLength(before + 1);
    expect(notices.map(textOf).join('\n')).toContain('Mind in Camden paid £15 by invoice for their place');
    const page = (await member.get(managePath)).body;
    expect(page).toContain('The Hub will pay back the £15 that Mind in Camden paid');
    const [mail] = await mailsOf('org-paid@example.org', 'registration-cancelled');
    const text = textOf(mail!);
    expect(text).toContain('The Hub will pay back the £15 that Mind in Camden paid for your invoice, the same way it was paid.');
    expect(text).not.toContain('you paid');
    expect(text).toContain('Please send the credit note to Mind in Camden.');

    // When the organisers have paid it back, the email says it went to Mind in Camden, not to them.
    const [booking] = await t.db.select().from(registrations).where(eq(registrations.email, 'org-paid@example.org'));
    const [event] = await t.db.select({ slug: events.slug }).from(events).where(eq(events.id, booking!.eventId));
    expect((await organiser.post(`/organise/events/${event!.slug}/attendees/${booking!.id}/refund-paid`)).statusCode).toBe(303);
    const [refunded] = await mailsOf('org-paid@example.org', 'payment-refunded');
    const paidBack = textOf(refunded!);
    expect(paidBack).toContain('We have paid back the £15 that Mind in Camden paid for your invoice');
    expect(paidBack).toContain('If it has not reached Mind in Camden within a week');
  });
});

describe('an organiser cancels someone’s booking', () => {
  it('tells them the organisers cancelled it and how to contact the Hub, and emails no organiser', async () => {
    const { event, booking } = await paidByCard('cancelled-by-org@example.org');
    const before = (await mailsOf(ORGANISER, 'registration-refund-owed')).length;
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${booking.id}/cancel`)).statusCode).toBe(303);
    const [mail] = await mailsOf('cancelled-by-org@example.org', 'registration-cancelled');
    const text = textOf(mail!);
    expect(text).toContain(`The organisers have cancelled your booking for ${event.title}`);
    expect(text).toContain(`If you have a question about this, email the Hub at ${CONTACT}.`);
    expect(text).not.toContain('Thank you for letting us know');
    expect(await mailsOf(ORGANISER, 'registration-refund-owed')).toHaveLength(before);
  });
});

describe('the organisers’ cancel and refund confirmation pages', () => {
  it('say the place goes to the waiting list only when someone is waiting for it', async () => {
    const { event, booking } = await paidByCard('confirm-words@example.org');
    const words = async (action: string) => (await organiser.get(`/organise/events/${event.slug}/attendees/${booking.id}/${action}`)).body;
    for (const action of ['cancel', 'refund']) {
      const body = await words(action);
      expect(body).not.toContain('waiting list');
      expect(body).toContain('the place will be free for someone else to book.');
    }
    expect(await words('cancel')).toContain('They paid £15 by card: we will tell them that the organisers will refund it.');
    await t.db.insert(registrations).values({ eventId: event.id, status: 'waitlisted', name: 'Wendy Waiting', email: 'wendy@example.org' });
    for (const action of ['cancel', 'refund']) expect(await words(action)).toContain('the place will be offered to the next person on the waiting list.');
  });
});

describe('the emails that the Hub has paid back, or will', () => {
  const facts = { eventTitle: 'Seminar', when: 'Tuesday 9 December 2026, 6pm', where: 'Online', eventPath: '/events/seminar' };
  it('name the organisation that paid an invoice, and give the Hub’s address', () => {
    const due = renderEmail(
      'payment-refund-due',
      { ...facts, name: 'Ivy', amount: '£15', creditNote: 'CN-00001', invoiceNumber: 'INV-00001', attended: false, paidBy: 'Mind in Camden' },
      site,
    ).text;
    expect(due).toContain('The Hub will pay back the £15 that Mind in Camden paid for your invoice');
    expect(due).toContain('Please send the credit note to Mind in Camden.');
    expect(due).toContain(`email the Hub at ${CONTACT}.`);
    const paid = renderEmail('payment-refunded', { ...facts, name: 'Ivy', amount: '£15', method: 'invoice', late: false }, site).text;
    expect(paid).toContain(`If it has not reached you within a week, email the Hub at ${CONTACT}.`);
  });
});

describe('a credit note once its refund is recorded paid', () => {
  it('is described by its real state on the invoices page and the booking page', async () => {
    const { event, member, booking, managePath } = await paidByInvoice('credit-words@example.org');
    expect((await member.post(`${managePath}/cancel`)).statusCode).toBe(303);
    expect((await organiser.get(`/organise/events/${event.slug}/invoices`)).body).toContain('the amount paid is to be refunded');
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${booking.id}/refund-paid`)).statusCode).toBe(303);
    const invoicesPage = (await organiser.get(`/organise/events/${event.slug}/invoices`)).body;
    expect(invoicesPage).toContain('Booking cancelled: the amount paid has been paid back');
    expect(invoicesPage).not.toContain('to be refunded');
    const page = (await member.get(managePath)).body;
    expect(page).toContain('The Hub has paid back the £15');
    expect(page).toContain('booking cancelled: the amount paid has been paid back');
    expect(page).not.toContain('to be refunded');
  });
});
