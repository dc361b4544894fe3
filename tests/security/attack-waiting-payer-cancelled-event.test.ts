// Attack: who pays for a place sold by invoice (a payer's name, postal address, purchase order and
// accounts address, often a third party's) is kept on a waiting-list entry only while it waits.
// Leaving the list or an offer lapsing forgets it; so must the event being cancelled, which
// ends every wait at once. Otherwise it sits on a dead entry for months, until event retention.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrations } from '../../db/schema/index.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('a waiting-list entry for a place sold by invoice', () => {
  it('forgets who pays when the event is cancelled', async () => {
    const organiser = await signedInOrganiser(t, 'payer-cancel-organiser@example.org');
    const event = await makeEvent(t.db, { capacity: 1, startsAt: new Date(Math.floor((Date.now() + 40 * DAY) / 60_000) * 60_000) });
    const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });
    await t.db.insert(registrations).values({ eventId: event.id, ticketTypeId: type.id, status: 'confirmed', name: 'Full', email: 'full@example.org' });
    const waiting = await t.signedIn('waits-with-payer@example.org');
    const joined = await waiting.post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Wai Ting',
      email: 'waits-with-payer@example.org',
      payerName: 'Survivors Trust Bradford',
      payerAddress: '9 Mill Street\nBradford BD1 1AA',
      purchaseOrder: 'PO-7781',
      invoiceEmail: 'accounts@stb.example',
    });
    expect(joined.statusCode, joined.body.slice(0, 300)).toBe(303);
    const [before] = await t.db.select().from(registrations).where(eq(registrations.email, 'waits-with-payer@example.org'));
    expect(before).toMatchObject({ status: 'waitlisted', invoicePayer: { payerName: 'Survivors Trust Bradford' } });

    const cancelled = await organiser.post(`/plan/${event.id}/cancel`, { reason: 'The venue has closed.' });
    expect(cancelled.statusCode, cancelled.body.slice(0, 300)).toBe(303);
    const [after] = await t.db.select().from(registrations).where(eq(registrations.email, 'waits-with-payer@example.org'));
    expect(after!.status).toBe('cancelled');
    expect(after!.invoicePayer).toBeNull();
  });
});
