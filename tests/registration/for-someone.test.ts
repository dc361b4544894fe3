// An organiser books a place for someone who phoned or wrote: the same places, lock, questions
// and companion place as booking online; email optional, with a page to print when there is none.
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, outboxMessages, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { mailsTo, makeEvent, makeQuestion, makeTicketType } from './fixtures.ts';

let t: TestApp;
let organiser: TestClient;
let organiserId: string;
beforeAll(async () => {
  t = await startTestApp();
  organiser = await t.signedIn('desk@example.org');
  const [me] = await t.db.update(people).set({ displayName: 'Desk Organiser' }).where(eq(people.email, 'desk@example.org')).returning();
  organiserId = me!.id;
  await grantRole(t.db, null, organiserId, 'organiser');
});
afterAll(async () => {
  await t.close();
});

const bookPath = (slug: string) => `/organise/events/${slug}/attendees/book`;

async function bookingsOf(eventId: string) {
  return t.db.select().from(registrations).where(eq(registrations.eventId, eventId)).orderBy(registrations.createdAt);
}

describe('booking for someone', () => {
  it('books someone without email, marks who made it, and gives a page to print', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
    const form = await organiser.get(bookPath(event.slug));
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Their email address (optional)');
    // Consent to the mailing list is the person's own to give, so it is not asked here.
    expect(form.body).not.toContain('consentFutureEvents');

    const before = await t.db.select({ id: outboxMessages.id }).from(outboxMessages);
    const done = await organiser.post(bookPath(event.slug), {
      ticketTypeId: type.id,
      name: 'Pat Phoned',
      email: '',
      accessRequirements: 'Large print',
      companion: 'yes',
      companionName: 'Kit Support',
    });
    expect(done.statusCode).toBe(303);
    const [main, companion] = await bookingsOf(event.id);
    expect(main).toMatchObject({ name: 'Pat Phoned', email: '', status: 'confirmed', bookedById: organiserId, personId: null });
    expect(companion).toMatchObject({ name: 'Kit Support', companionOfId: main!.id, status: 'confirmed', bookedById: organiserId });
    expect(done.headers.location).toBe(`/organise/events/${event.slug}/attendees/${main!.id}/confirmation`);
    // Nowhere to write: no email at all.
    expect(await t.db.select({ id: outboxMessages.id }).from(outboxMessages)).toHaveLength(before.length);

    const page = await organiser.get(String(done.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your place is booked');
    expect(page.body).toContain('Dear Pat Phoned');
    expect(page.body).toContain('Kit Support');
    expect(page.body).toContain('Large print');
    expect(page.body).toContain('The Old Library');

    const [audit] = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, main!.id), eq(auditEntries.action, 'registration.booking.made_for_someone')));
    expect(audit?.actorId).toBe(organiserId);

    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.body).toContain('Booked for them by Desk Organiser');
    const csv = await organiser.get(`/organise/events/${event.slug}/attendees.csv`);
    expect(csv.body).toContain('Organiser: Desk Organiser');

    // A second person without email is nobody's duplicate.
    expect((await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Robin Wrote' })).statusCode).toBe(303);
    expect((await bookingsOf(event.id)).filter((r) => r.email === '' && !r.companionOfId)).toHaveLength(2);
  });

  it('prints the joining link for someone without email who attends online', async () => {
    const event = await makeEvent(t.db, { format: 'hybrid', capacity: 5, onlineCapacity: 5, onlineJoinUrl: 'https://meet.example.org/printed' });
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
    const online = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Olu Online', email: '', attendance: 'online' });
    expect(online.statusCode).toBe(303);
    const page = await organiser.get(String(online.headers.location));
    expect(page.body).toContain('Join online');
    expect(page.body).toContain('https://meet.example.org/printed');
    // In the room, the page gives no link they will not use.
    const room = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Rita Room', email: '', attendance: 'in_person' });
    expect((await organiser.get(String(room.headers.location))).body).not.toContain('https://meet.example.org/printed');
  });

  it('emails someone with an address the usual confirmation, and refuses a second booking for it', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const done = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Lee Letter', email: 'Lee@Example.org' });
    expect(done.statusCode).toBe(303);
    const [mail] = await mailsTo(t.db, 'lee@example.org');
    expect(mail?.template).toBe('registration-confirmed');
    expect(String(mail?.data.managePath)).toMatch(/^\/bookings\//);
    const again = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Lee Letter', email: 'lee@example.org' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('lee@example.org already has a booking for this event');
    expect(again.body).toContain('value="Lee Letter"');
  });

  it('asks the event’s questions, and keeps what was typed when something is missing', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const q = await makeQuestion(t.db, event.id, 'choice', 'Which workshop?', { required: true, options: ['Morning', 'Afternoon'] });
    const missing = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Sam Asked', organisation: 'Mind in Leeds' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Select an answer to: Which workshop?');
    expect(missing.body).toContain('value="Mind in Leeds"');
    expect(await bookingsOf(event.id)).toHaveLength(0);
    expect((await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Sam Asked', [`q_${q.id}`]: 'Morning' })).statusCode).toBe(303);
    const [row] = await bookingsOf(event.id);
    const page = await organiser.get(`/organise/events/${event.slug}/attendees/${row!.id}/confirmation`);
    expect(page.body).toContain('Which workshop?');
    expect(page.body).toContain('Morning');
  });

  it('uses the same places: full means the waiting list with an email, and a clear no without one', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    // A companion needs a second place, which a one-place event does not have.
    const noRoom = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Two Of Us', companion: 'yes' });
    expect(noRoom.statusCode).toBe(409);
    expect(noRoom.body).toContain('they can join the waiting list only with an email address');
    expect(await bookingsOf(event.id)).toHaveLength(0);

    expect((await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'First In' })).statusCode).toBe(303);
    const full = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'No Address' });
    expect(full.statusCode).toBe(409);
    const waiting = await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Has Address', email: 'waits-by-phone@example.org' });
    expect(waiting.statusCode).toBe(303);
    const rows = await bookingsOf(event.id);
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['First In', 'confirmed'],
      ['Has Address', 'waitlisted'],
    ]);
    expect((await mailsTo(t.db, 'waits-by-phone@example.org'))[0]?.template).toBe('registration-waitlisted');
  });

  it('offers free places only: a paid place is booked by the person, so that they can pay', async () => {
    const event = await makeEvent(t.db);
    const paid = await makeTicketType(t.db, event.id, { name: 'Paid place', pricePence: 2500 });
    const form = await organiser.get(bookPath(event.slug));
    expect(form.body).toContain('No free places are on sale');
    const refused = await organiser.post(bookPath(event.slug), { ticketTypeId: paid.id, name: 'Would Pay' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Choose a free kind of place');
    expect(await bookingsOf(event.id)).toHaveLength(0);
  });

  it('is for organisers only, and the confirmation page is scoped by its event', async () => {
    const event = await makeEvent(t.db);
    const other = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    await organiser.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Scoped Person' });
    const [row] = await bookingsOf(event.id);
    expect((await organiser.get(`/organise/events/${other.slug}/attendees/${row!.id}/confirmation`)).statusCode).toBe(404);
    const member = await t.signedIn('just-a-member@example.org');
    expect((await member.get(bookPath(event.slug))).statusCode).toBe(403);
    expect((await member.post(bookPath(event.slug), { ticketTypeId: type.id, name: 'Sneaky' })).statusCode).toBe(403);
    expect(await t.db.select().from(registrations).where(eq(registrations.name, 'Sneaky')).orderBy(desc(registrations.createdAt))).toHaveLength(0);
  });
});
