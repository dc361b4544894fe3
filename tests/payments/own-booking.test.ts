// THREATS "never" 2 on bookings paid by invoice: no organiser (an admin included) records their
// own booking's invoice as paid, refunds it, or records its refund as paid. Each is refused with
// the reason on the attendee list, which offers them no such button; another organiser can.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, payments, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';

const DAY = 86_400_000;
let t: TestApp;
let other: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  other = await t.signedIn('own-booking-other@example.org');
  const [person] = await t.db.select().from(people).where(eq(people.email, 'own-booking-other@example.org'));
  await grantRole(t.db, null, person!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
});

/** Someone books a £40 place by invoice for themselves, then is given `role`. */
async function ownInvoiceBooking(email: string, role: 'organiser' | 'admin') {
  const event = await makeEvent(t.db, { capacity: 5, startsAt: new Date(Date.now() + 40 * DAY) });
  const type = await makeTicketType(t.db, event.id, { pricePence: 4000 });
  const me = await t.signedIn(email);
  expect((await me.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Sam Steward', email })).statusCode).toBe(303);
  const [person] = await t.db.select().from(people).where(eq(people.email, email));
  await grantRole(t.db, null, person!.id, role);
  const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  return { event, me, registration: registration!, list: `/organise/events/${event.slug}/attendees` };
}

async function paymentStatus(registrationId: string) {
  const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registrationId));
  return payment!.status;
}

/** The attendee list's row for a booking: from its id to the end of its table row. */
function rowOf(html: string, registrationId: string): string {
  const at = html.indexOf(`/attendees/${registrationId}/`);
  const start = html.lastIndexOf('<tr', at === -1 ? html.indexOf('Sam Steward') : at);
  return html.slice(start, html.indexOf('</tr>', start));
}

async function refused(client: TestClient, path: string, list: string, message: string) {
  const response = await client.post(path);
  expect(response.statusCode).toBe(303);
  expect(response.headers.location).toBe(list);
  expect(response.headers['x-error-code']).toBe('own_booking');
  expect((await client.get(list)).body).toContain(message);
}

describe('an organiser’s own booking paid by invoice', () => {
  it('cannot be marked paid, refunded or its refund recorded by them, only by another organiser', async () => {
    const { event, me, registration, list } = await ownInvoiceBooking('own-booking-organiser@example.org', 'organiser');
    const row = rowOf((await me.get(list)).body, registration.id);
    expect(row).toContain('Your own booking: another organiser must take its payments and refunds.');
    expect(row).not.toContain('Mark paid');
    // Another organiser sees the button.
    expect((await other.get(list)).body).toContain(`/attendees/${registration.id}/invoice-paid`);

    await refused(me, `${list}/${registration.id}/invoice-paid`, list, 'This is your own booking, so another organiser must record its invoice as paid.');
    expect(await paymentStatus(registration.id)).toBe('open');
    expect((await other.post(`${list}/${registration.id}/invoice-paid`)).statusCode).toBe(303);
    expect(await paymentStatus(registration.id)).toBe('paid');

    // They came; afterwards the money is to go back.
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 2 * DAY), endsAt: new Date(Date.now() - DAY) })
      .where(eq(events.id, event.id));
    await t.db.update(registrations).set({ status: 'attended', attendedAt: new Date() }).where(eq(registrations.id, registration.id));
    expect(rowOf((await me.get(list)).body, registration.id)).not.toContain(`/attendees/${registration.id}/refund`);
    const confirm = await me.get(`${list}/${registration.id}/refund`);
    expect(confirm.statusCode).toBe(303);
    expect(confirm.headers['x-error-code']).toBe('own_booking');
    await refused(me, `${list}/${registration.id}/refund`, list, 'This is your own booking, so another organiser must refund it.');
    expect(await paymentStatus(registration.id)).toBe('paid');
    expect((await other.post(`${list}/${registration.id}/refund`)).statusCode).toBe(303);
    expect(await paymentStatus(registration.id)).toBe('refund_due');

    expect(rowOf((await me.get(list)).body, registration.id)).not.toContain('Record refund paid');
    await refused(me, `${list}/${registration.id}/refund-paid`, list, 'This is your own booking, so another organiser must record its refund as paid.');
    expect(await paymentStatus(registration.id)).toBe('refund_due');
    expect((await other.post(`${list}/${registration.id}/refund-paid`)).statusCode).toBe(303);
    expect(await paymentStatus(registration.id)).toBe('refunded');
  });

  it('is refused to an admin too, and known by its email address when not made signed in', async () => {
    const { me, registration, list } = await ownInvoiceBooking('own-booking-admin@example.org', 'admin');
    // As if booked without signing in, with their address.
    await t.db.update(registrations).set({ personId: null }).where(eq(registrations.id, registration.id));
    expect(rowOf((await me.get(list)).body, registration.id)).not.toContain('Mark paid');
    await refused(me, `${list}/${registration.id}/invoice-paid`, list, 'This is your own booking, so another organiser must record its invoice as paid.');
    expect(await paymentStatus(registration.id)).toBe('open');
  });
});
