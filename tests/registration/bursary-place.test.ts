import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeHolds, registrations } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { applicantWithHeldPlace, bookAnonymously, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function statusOf(email: string) {
  const [row] = await t.db.select({ status: registrations.status }).from(registrations).where(eq(registrations.email, email));
  return row?.status;
}

describe('a place held for a bursary applicant', () => {
  it('becomes their booking when they book, even though the event is otherwise full', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const hold = await applicantWithHeldPlace(t.db, event.id, 'bursary-holder@example.org');
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Someone else', email: 'someone-else@example.org' });
    expect(await statusOf('someone-else@example.org')).toBe('waitlisted');
    const holder = await t.signedIn('bursary-holder@example.org');
    await holder.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Holder', email: 'bursary-holder@example.org' });
    expect(await statusOf('bursary-holder@example.org')).toBe('confirmed');
    const [after] = await t.db.select({ state: placeHolds.state }).from(placeHolds).where(eq(placeHolds.id, hold.id));
    expect(after!.state).toBe('consumed');
  });

  it('is kept when the booking cannot have a place (its kind of place is full)', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const concession = await makeTicketType(t.db, event.id, { capacity: 1 });
    const hold = await applicantWithHeldPlace(t.db, event.id, 'keeps-hold@example.org');
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: concession.id, name: 'First', email: 'concession-first@example.org' });
    const holder = await t.signedIn('keeps-hold@example.org');
    await holder.post(`/events/${event.slug}/book`, { ticketTypeId: concession.id, name: 'Holder', email: 'keeps-hold@example.org' });
    expect(await statusOf('keeps-hold@example.org')).toBe('waitlisted');
    const [after] = await t.db
      .select({ state: placeHolds.state })
      .from(placeHolds)
      .where(and(eq(placeHolds.id, hold.id)));
    expect(after!.state).toBe('live');
  });
});
