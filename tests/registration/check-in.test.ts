// Check-in opens on the event's day (London date). An organiser may open it early, which is
// recorded in the audit log. People paying by invoice who have not paid appear, marked.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, payments, registrations } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'door@example.org');
});
afterAll(async () => {
  await t.close();
});

async function booked(eventId: string, ticketTypeId: string, name: string, status: 'confirmed' | 'pending_payment' = 'confirmed') {
  const [row] = await t.db
    .insert(registrations)
    .values({
      eventId,
      ticketTypeId,
      status,
      name,
      email: `${name.split(' ')[0]!.toLowerCase()}-${eventId.slice(0, 6)}@example.org`,
      pricePence: status === 'pending_payment' ? 2500 : 0,
      paymentMode: status === 'pending_payment' ? 'invoice' : 'free',
    })
    .returning();
  if (status === 'pending_payment') await t.db.insert(payments).values({ registrationId: row!.id, method: 'invoice', amountPence: 2500 });
  return row!;
}

describe('check-in', () => {
  it('is closed before the event’s day until an organiser opens it early, which is recorded', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const guest = await booked(event.id, type.id, 'Early Bird');

    const page = await organiser.get(`/organise/events/${event.slug}/check-in`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Check-in opens on');
    expect(page.body).toContain('Open check-in now');
    expect(page.body).not.toContain('Early Bird');

    const refused = await organiser.post(`/organise/events/${event.slug}/check-in/${guest.id}`, { attended: 'yes' });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['x-error-code']).toBe('check_in_closed');
    expect(refused.body).toContain('Check-in opens on');
    const [still] = await t.db.select().from(registrations).where(eq(registrations.id, guest.id));
    expect(still!.status).toBe('confirmed');

    const opened = await organiser.post(`/organise/events/${event.slug}/check-in/open`);
    expect(opened.statusCode).toBe(303);
    const audit = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'registration.checkin.opened_early'), eq(auditEntries.subjectId, event.id)));
    expect(audit).toHaveLength(1);

    const now = await organiser.get(`/organise/events/${event.slug}/check-in`);
    expect(now.body).toContain('Early Bird');
    expect(now.body).toContain('opened before the day');
    expect((await organiser.post(`/organise/events/${event.slug}/check-in/${guest.id}`, { attended: 'yes' })).statusCode).toBe(303);
  });

  it('is open on the event’s day, and lists people with unpaid invoices, marked, without checking them in', async () => {
    const startsAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const event = await makeEvent(t.db, { startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) });
    const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
    await booked(event.id, type.id, 'Paid Up');
    const owing = await booked(event.id, type.id, 'Owes Invoice', 'pending_payment');

    const page = await organiser.get(`/organise/events/${event.slug}/check-in`);
    expect(page.body).not.toContain('Check-in opens on');
    expect(page.body).toContain('Paid Up');
    expect(page.body).toContain('Owes Invoice');
    expect(page.body).toContain('Invoice not paid');
    expect(page.body).toContain('1 more has an invoice not paid yet');

    const refused = await organiser.post(`/organise/events/${event.slug}/check-in/${owing.id}`, { attended: 'yes' });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['x-error-code']).toBe('not_paid');
    expect(refused.body).toContain('not paid for yet');
  });
});
