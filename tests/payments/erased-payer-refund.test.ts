// An attended place paid by invoice, refunded after its person deleted their account: nobody can
// be emailed (enqueueEmail skips an erased address), so no page may say "we have emailed them"
// or "we will email them", and none names them as a blank (THREATS "never" 9).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, outboxMessages, payments, people, registrations } from '../../db/schema/index.ts';
import { erasePerson } from '../../server/accounts/erase.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';

const DAY = 86_400_000;
let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await t.signedIn('erased-invoice-organiser@example.org');
  const [person] = await t.db.select().from(people).where(eq(people.email, 'erased-invoice-organiser@example.org'));
  await grantRole(t.db, null, person!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
});

describe('an invoice place refunded after its person was erased', () => {
  it('says they were not emailed, on the confirmation page and the list, and when the refund is recorded', async () => {
    const email = 'erased-invoice-payer@example.org';
    const event = await makeEvent(t.db, { capacity: 5, startsAt: new Date(Date.now() + 40 * DAY) });
    const type = await makeTicketType(t.db, event.id, { pricePence: 4000 });
    const payer = await t.signedIn(email);
    expect((await payer.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Kit Payer', email })).statusCode).toBe(303);
    const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, email));
    const list = `/organise/events/${event.slug}/attendees`;
    expect((await organiser.post(`${list}/${registration!.id}/invoice-paid`)).statusCode).toBe(303);
    // They came; then they deleted their account, and later ask (by phone, say) for the money back.
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 2 * DAY), endsAt: new Date(Date.now() - DAY) })
      .where(eq(events.id, event.id));
    await t.db.update(registrations).set({ status: 'attended', attendedAt: new Date() }).where(eq(registrations.id, registration!.id));
    const [person] = await t.db.select().from(people).where(eq(people.email, email));
    await erasePerson(t.db, person!.id);
    await t.db.delete(outboxMessages);

    const confirm = (await organiser.get(`${list}/${registration!.id}/refund`)).body;
    expect(confirm).toContain('Refund a person whose details were erased');
    expect(confirm).toContain('Their details were erased, so we cannot email them.');
    expect(confirm).not.toContain('We will email');
    expect(confirm).not.toContain('we will email');

    const refunded = await organiser.post(`${list}/${registration!.id}/refund`);
    expect(refunded.statusCode).toBe(303);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration!.id));
    expect(payment!.status).toBe('refund_due');
    expect(await t.db.select().from(outboxMessages)).toHaveLength(0);
    const after = (await organiser.get(String(refunded.headers.location))).body;
    expect(after).not.toContain('we have emailed them');
    expect(after).toContain('We have not emailed them: their details were erased');

    const recorded = await organiser.post(`${list}/${registration!.id}/refund-paid`);
    expect(recorded.statusCode).toBe(303);
    expect(await t.db.select().from(outboxMessages)).toHaveLength(0);
    const page = (await organiser.get(String(recorded.headers.location))).body;
    expect(page).toContain('Recorded: £40 paid back. We have not emailed them: their details were erased.');
    expect(page).not.toContain('We have emailed them');
  });
});
