// Attack on the organisers' "registration-refund-owed" email (a701963; THREATS 6 and 7): can
// anyone, without paying, make the Hub email every organiser? A booker cancelling a free place, or
// a place whose invoice was never paid, must email no organiser; the organisers' email names no
// one in its subject. Guard: passes on main.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, registrations } from '../../db/schema/index.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { bookAnonymously, latestManagePath, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

const ORGANISER = 'owed-spam-organiser@example.org';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await signedInOrganiser(t, ORGANISER);
});
afterAll(async () => {
  await t?.close();
});

const owedNotices = async () =>
  (await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, ORGANISER))).filter((m) => m.template === 'registration-refund-owed');

describe('cancelling a place nobody paid for', () => {
  it('emails no organiser, free or by an unpaid invoice', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const free = await makeTicketType(t.db, event.id, { name: 'Free', pricePence: 0 });
    const paid = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 9500 });
    for (const [email, type] of [
      ['owed-spam-free@example.org', free],
      ['owed-spam-invoice@example.org', paid],
    ] as const) {
      const visitor = t.client();
      expect(
        (await bookAnonymously(t.db, visitor, event.slug, { ticketTypeId: type.id, name: '<b>Spam</b> http://spam.example', email })).confirmed.statusCode,
      ).toBe(303);
      const [booking] = await t.db.select().from(registrations).where(eq(registrations.email, email));
      const manage = await latestManagePath(t.db, email);
      expect((await visitor.post(`${manage}/cancel`)).statusCode).toBe(303);
      const [after] = await t.db.select().from(registrations).where(eq(registrations.id, booking!.id));
      expect(after!.status).toBe('cancelled');
    }
    expect(await owedNotices()).toEqual([]);
  });
});
