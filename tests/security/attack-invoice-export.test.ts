// Attack: "people can download their own data". Who pays for a booked place (the payer's name,
// postal address, purchase order and invoice address) is kept on its invoice; the person who
// booked must find it in their data export.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices, registrations } from '../../db/schema/index.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('a booking paid by invoice', () => {
  it('has who pays in the booker’s data export', async () => {
    const event = await makeEvent(t.db, { startsAt: new Date(Math.floor((Date.now() + 40 * 86_400_000) / 60_000) * 60_000) });
    const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });
    const booker = await t.signedIn('payer-export@example.org');
    const booked = await booker.post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Ines Voice',
      email: 'payer-export@example.org',
      payerName: 'Peer Support Leeds',
      payerAddress: '2 Mill Lane\nLeeds LS1 1AA',
      purchaseOrder: 'PO-5521',
      invoiceEmail: 'accounts@peer-support.example',
    });
    expect(booked.statusCode, booked.body.slice(0, 300)).toBe(303);
    const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, 'payer-export@example.org'));
    expect(await t.db.select().from(invoices).where(eq(invoices.registrationId, registration!.id))).toHaveLength(1);
    const exported = await booker.get('/account/your-data.json');
    expect(exported.statusCode).toBe(200);
    for (const words of ['Peer Support Leeds', 'LS1 1AA', 'PO-5521', 'accounts@peer-support.example']) expect(exported.body).toContain(words);
  });
});
