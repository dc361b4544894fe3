// Attack on the mailing list through the booking form (THREATS.md "never" 6).
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubscribers, outboxMessages } from '../../db/schema/index.ts';
import { isSuppressed } from '../../server/network/list.ts';
import { latestConfirmPath, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emailData } from '../support/outbox.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function joinAndLeave(address: string) {
  const visitor = t.client();
  expect((await visitor.post('/list/join', { email: address })).statusCode).toBe(303);
  const [mail] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, address)).orderBy(desc(outboxMessages.createdAt));
  const confirmed = await visitor.post(String(emailData(mail!).confirmPath));
  const preferences = String(confirmed.headers.location);
  const left = await t.app.inject({
    method: 'POST',
    url: `${preferences}/leave`,
    payload: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(left.statusCode).toBe(200);
  expect(await isSuppressed(t.db, address)).toBe(true);
}

describe('someone else ticks "email me about future Hub events" on a booking in my name', () => {
  // THREATS 6: nothing anyone triggers anonymously affects someone else's email preferences. The
  // booking's owner confirms the booking from the emailed link, but the confirmation page never
  // mentions the mailing list: confirming a place is not consent to the list, and it must not
  // undo the owner's earlier "leave" (the suppression list).
  it('does not put the owner back on the list they left', async () => {
    const victim = 'left-the-list@example.org';
    await joinAndLeave(victim);

    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const stranger = t.client();
    const asked = await stranger.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Vic Tim', email: victim, consentFutureEvents: 'yes' });
    expect(asked.statusCode).toBe(303);

    // The owner wants the place and confirms it, as the email asks.
    const owner = t.client();
    const path = await latestConfirmPath(t.db, victim);
    const page = await owner.get(path);
    expect(page.statusCode).toBe(200);
    const confirmed = await owner.post(path);
    expect(confirmed.statusCode).toBe(303);

    const [row] = await t.db.select().from(listSubscribers).where(eq(listSubscribers.email, victim));
    const onListNow = row?.status === 'subscribed';
    // Either the page asked the owner (and they said yes), or nothing changed.
    if (!/mailing list|future Hub events/i.test(page.body)) {
      expect(onListNow).toBe(false);
      expect(await isSuppressed(t.db, victim)).toBe(true);
    }
  });
});
