import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventQuestions, outboxMessages, people, registrations, ticketTypes } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { bookAnonymously, mailsTo, makeEvent, makeQuestion, makeTicketType } from './fixtures.ts';

let t: TestApp;
let organiser: TestClient;
beforeAll(async () => {
  t = await startTestApp();
  organiser = await t.signedIn('organiser@example.org');
  const [me] = await t.db.select().from(people).where(eq(people.email, 'organiser@example.org'));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
});

async function book(slug: string, fields: Record<string, string>) {
  const { confirmed } = await bookAnonymously(t.db, t.client(), slug, fields);
  expect(confirmed.statusCode).toBe(303);
  const [row] = await t.db.select().from(registrations).where(eq(registrations.email, fields.email!.toLowerCase()));
  return row!;
}

describe('organiser pages for an event', () => {
  it('lists attendees with filters and search, counts, and a CSV made safe for spreadsheets', async () => {
    const event = await makeEvent(t.db, { capacity: 2 });
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
    const q = await makeQuestion(t.db, event.id, 'short_text', 'Your role');
    await book(event.slug, {
      ticketTypeId: type.id,
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      perspective: 'carer',
      dietaryNeeds: 'Vegan',
      [`q_${q.id}`]: 'Peer worker',
    });
    await book(event.slug, { ticketTypeId: type.id, name: '=HYPERLINK("http://evil")', email: 'formula@example.org', accessRequirements: 'BSL interpreter' });
    await book(event.slug, { ticketTypeId: type.id, name: 'Wait Ing', email: 'wait@example.org' });

    const page = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ada Lovelace');
    expect(page.body).toContain('Wait Ing');
    expect(page.body).toContain('Carer, family member or friend: 1');
    // The three summaries count different things, and say which, so that their sums are not a puzzle.
    expect(page.body).toContain('Every booking, cancelled ones and the waiting list too.');
    expect(page.body).toContain('Places taken now: booked, attended or waiting for payment.');
    expect(page.body).toContain('Companions are not asked, so are not counted here.');
    expect(page.body).toContain('paid places are sold by invoice');

    const waiting = await organiser.get(`/organise/events/${event.slug}/attendees?status=waitlisted`);
    expect(waiting.body).toContain('Wait Ing');
    expect(waiting.body).not.toContain('Ada Lovelace');
    const search = await organiser.get(`/organise/events/${event.slug}/attendees?q=ada`);
    expect(search.body).toContain('Ada Lovelace');
    expect(search.body).not.toContain('Wait Ing');

    const csv = await organiser.get(`/organise/events/${event.slug}/attendees.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    // Excel reads UTF-8 only with a byte-order mark; dates are ISO in their own columns.
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain(',Booked on,Booked at,');
    expect(lines[1]).toMatch(/,\d{4}-\d{2}-\d{2},\d{2}:\d{2},/);
    expect(lines[0]).toMatch(/^Name,Email,.*,Your role$/);
    expect(lines[1]).toMatch(/^Ada Lovelace,ada@example.org,.*,Vegan,.*,Peer worker$/);
    // A name that a spreadsheet would run as a formula is written as text.
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil"")",formula@example.org`);

    const needs = await organiser.get(`/organise/events/${event.slug}/attendees/needs`);
    expect(needs.body).toContain('BSL interpreter');
    expect(needs.body).toContain('Vegan');
    expect(needs.body).not.toContain('Wait Ing');
  });

  it('lists bookings made at the same moment by name, every time', async () => {
    // Places booked in one statement (an import, a group booked by an organiser) share their
    // created time; without a tie-break the order followed wherever PostgreSQL found the rows.
    // Then by name, as someone reading down the list would expect (the demo's 75 share one time).
    const event = await makeEvent(t.db, { capacity: 10 });
    const ids = ['f0000000-0000-4000-8000-000000000000', 'e0000000-0000-4000-8000-000000000000', 'd0000000-0000-4000-8000-000000000000'];
    const at = new Date();
    await t.db.insert(registrations).values(
      ids.map((id, i) => ({
        id,
        eventId: event.id,
        status: 'confirmed' as const,
        name: `Same Moment ${2 - i}`,
        email: `same${i}@example.org`,
        createdAt: at,
      })),
    );
    const csv = await organiser.get(`/organise/events/${event.slug}/attendees.csv`);
    const names = [...csv.body.matchAll(/Same Moment \d/g)].map((m) => m[0]);
    expect(names).toEqual(['Same Moment 0', 'Same Moment 1', 'Same Moment 2']);
  });

  it('says plainly when nobody has booked, and offers no empty spreadsheet', async () => {
    const event = await makeEvent(t.db);
    const list = `/organise/events/${event.slug}/attendees`;
    const empty = await organiser.get(list);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('No bookings yet.');
    expect(empty.body).toContain('Nobody has booked yet.');
    expect(empty.body).not.toContain('Nobody matches.');
    expect(empty.body).not.toContain('as a spreadsheet (CSV)');
    const searched = await organiser.get(`${list}?q=nobody-by-this-name`);
    expect(searched.body).toContain('Nobody matches.');
  });

  it('shows a long list a hundred at a time, keeping the filters; counts and the spreadsheet have everyone', async () => {
    const event = await makeEvent(t.db, { capacity: 500 });
    const rows = Array.from({ length: 230 }, (_, i) => ({
      eventId: event.id,
      status: i < 210 ? ('confirmed' as const) : ('waitlisted' as const),
      name: `Paged Person ${String(i).padStart(3, '0')}`,
      email: `paged${i}@example.org`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    }));
    await t.db.insert(registrations).values(rows);
    const list = `/organise/events/${event.slug}/attendees`;

    const first = await organiser.get(list);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('230 bookings');
    expect(first.body).toContain('Showing 1 to 100, page 1 of 3.');
    expect(first.body).toContain('Paged Person 099');
    expect(first.body).not.toContain('Paged Person 100');
    // The counts above the list are of every booking, not of the page.
    expect(first.body).toContain('Booked: 210');
    // Places with no kind (as an invitee's) are counted under "Places by kind" too.
    expect(first.body).toContain('Invited places: 210');
    expect(first.body).toContain(`href="${list}?page=2#attendee-list"`);
    expect(first.body).toContain('aria-label="Pages of attendees"');

    const last = await organiser.get(`${list}?page=3`);
    expect(last.body).toContain('Showing 201 to 230, page 3 of 3.');
    expect(last.body).toContain('Paged Person 229');
    expect(last.body).not.toContain('Paged Person 199');

    // A filter is kept from page to page, and its count is of what it found.
    const waiting = await organiser.get(`${list}?status=waitlisted`);
    expect(waiting.body).toContain('20 bookings found');
    expect(waiting.body).not.toContain('Pages of attendees');
    const confirmed = await organiser.get(`${list}?status=confirmed&page=2`);
    expect(confirmed.body).toContain('Showing 101 to 200, page 2 of 3.');
    expect(confirmed.body).toContain(`href="${list}?status=confirmed&amp;page=3#attendee-list"`);

    // Past the last page: said plainly, with the way back; a page that is not a number is refused.
    const beyond = await organiser.get(`${list}?page=9`);
    expect(beyond.statusCode).toBe(200);
    expect(beyond.body).toContain('There is nobody on this page.');
    const nonsense = await organiser.get(`${list}?page=two`);
    expect(nonsense.statusCode).toBe(400);
    expect(nonsense.headers['content-type']).toMatch(/text\/html/);

    const csv = await organiser.get(`${list.replace('/attendees', '/attendees.csv')}`);
    expect(csv.body.match(/Paged Person/g)).toHaveLength(230);
    expect(first.body).toContain('Download all 230 of these as a spreadsheet (CSV)');

    // An action taken from a row comes back to the same filter and page, through its confirmation.
    const id = /attendees\/([0-9a-f-]{36})\/cancel\?status=confirmed&amp;page=2"/.exec(confirmed.body)?.[1];
    expect(id, 'a cancel link that keeps the place on the list').toBeDefined();
    const asked = await organiser.get(`${list}/${id}/cancel?status=confirmed&page=2`);
    expect(asked.body).toContain(`action="${list}/${id}/cancel?status=confirmed&amp;page=2"`);
    expect(asked.body).toContain(`href="${list}?status=confirmed&amp;page=2" class="govuk-back-link"`);
    const cancelled = await organiser.post(`${list}/${id}/cancel?status=confirmed&page=2`);
    expect(cancelled.statusCode).toBe(303);
    expect(cancelled.headers.location).toBe(`${list}?status=confirmed&page=2`);
  });

  it('checks people in and undoes it, only for this event’s bookings', async () => {
    const event = await makeEvent(t.db);
    const other = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const otherType = await makeTicketType(t.db, other.id);
    const guest = await book(event.slug, { ticketTypeId: type.id, name: 'Grace Hopper', email: 'grace@example.org' });
    const stranger = await book(other.slug, { ticketTypeId: otherType.id, name: 'Other Person', email: 'other-event@example.org' });

    // The event is a fortnight away: check-in opens on the day, or when an organiser opens it early.
    const early = await organiser.post(`/organise/events/${event.slug}/check-in/open`);
    expect(early.statusCode).toBe(303);
    const list = await organiser.get(`/organise/events/${event.slug}/check-in?q=grace`);
    expect(list.body).toContain('Grace Hopper');
    expect(list.body).toContain('0</strong> of 1 arrived');
    const done = await organiser.post(`/organise/events/${event.slug}/check-in/${guest.id}`, { attended: 'yes', q: 'grace' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toContain('q=grace');
    expect((await organiser.get(`/organise/events/${event.slug}/check-in`)).body).toContain('Undo check-in');
    const [row] = await t.db.select().from(registrations).where(eq(registrations.id, guest.id));
    expect(row!.status).toBe('attended');
    await organiser.post(`/organise/events/${event.slug}/check-in/${guest.id}`, { attended: 'no' });
    const [undone] = await t.db.select().from(registrations).where(eq(registrations.id, guest.id));
    expect(undone!.status).toBe('confirmed');

    // A booking of another event cannot be reached through this event's pages.
    expect((await organiser.post(`/organise/events/${event.slug}/check-in/${stranger.id}`, { attended: 'yes' })).statusCode).toBe(404);
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${stranger.id}/cancel`)).statusCode).toBe(404);
    const [untouched] = await t.db.select().from(registrations).where(eq(registrations.id, stranger.id));
    expect(untouched!.status).toBe('confirmed');
  });

  it('messages all or chosen attendees through the outbox', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const a = await book(event.slug, { ticketTypeId: type.id, name: 'One', email: 'one@example.org' });
    await book(event.slug, { ticketTypeId: type.id, name: 'Two', email: 'two@example.org' });
    const empty = await organiser.post(`/organise/events/${event.slug}/message`, { subject: '', message: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter a subject');
    await organiser.post(`/organise/events/${event.slug}/message`, { subject: 'Room change', message: 'We are now in room 2.', to: a.id });
    expect((await mailsTo(t.db, 'one@example.org'))[0]!.template).toBe('attendee-message');
    expect((await mailsTo(t.db, 'two@example.org'))[0]!.template).not.toBe('attendee-message');
    await organiser.post(`/organise/events/${event.slug}/message`, { subject: 'See you soon', message: 'Looking forward to it.' });
    const sent = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.template, 'attendee-message')));
    expect(sent.filter((m) => m.subject.startsWith('See you soon'))).toHaveLength(2);
  });

  it('adds, changes and withdraws kinds of place and questions; members are refused', async () => {
    const event = await makeEvent(t.db, { capacity: 30 });
    const places = await organiser.get(`/organise/events/${event.slug}/places`);
    expect(places.statusCode).toBe(200);
    expect(places.body).toContain('nobody can book');

    const bad = await organiser.post(`/organise/events/${event.slug}/places/ticket-types`, { name: '', price: 'lots' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a name');
    expect(bad.body).toContain('Enter a price in pounds');
    expect(bad.body).toContain('value="lots"');

    const added = await organiser.post(`/organise/events/${event.slug}/places/ticket-types`, {
      name: 'Free place for service users and carers',
      price: '0',
      capacity: '10',
      eligibility: 'service users, survivors and carers',
      salesEndAt: '2030-06-30T17:00',
    });
    expect(added.statusCode).toBe(303);
    await organiser.post(`/organise/events/${event.slug}/places/ticket-types`, { name: 'Standard', price: '12.50' });
    const types = await t.db.select().from(ticketTypes).where(eq(ticketTypes.eventId, event.id));
    const concession = types.find((x) => x.pricePence === 0)!;
    expect(types.find((x) => x.name === 'Standard')!.pricePence).toBe(1250);
    // 17:00 in London in June is 16:00 UTC.
    expect(concession.salesEndAt!.toISOString()).toBe('2030-06-30T16:00:00.000Z');

    const edit = await organiser.get(`/organise/events/${event.slug}/places/ticket-types/${concession.id}`);
    expect(edit.body).toContain('value="2030-06-30T17:00"');
    await organiser.post(`/organise/events/${event.slug}/places/ticket-types/${concession.id}`, { name: 'Free place', price: '0', capacity: '12' });
    const [changed] = await t.db.select().from(ticketTypes).where(eq(ticketTypes.id, concession.id));
    expect(changed!.capacity).toBe(12);

    await organiser.post(`/organise/events/${event.slug}/places/ticket-types/${concession.id}/withdraw`, { withdrawn: 'yes' });
    expect((await t.client().get(`/events/${event.slug}/book`)).body).not.toContain('Free place');

    const noOptions = await organiser.post(`/organise/events/${event.slug}/places/questions`, { kind: 'choice', label: 'Which session?', options: 'Only one' });
    expect(noOptions.statusCode).toBe(400);
    await organiser.post(`/organise/events/${event.slug}/places/questions`, {
      kind: 'choice',
      label: 'Which session?',
      options: 'Morning\nAfternoon',
      required: 'yes',
    });
    const [question] = await t.db.select().from(eventQuestions).where(eq(eventQuestions.eventId, event.id));
    expect(question!.options).toEqual(['Morning', 'Afternoon']);
    expect((await t.client().get(`/events/${event.slug}/book`)).body).toContain('Which session?');

    await organiser.post(`/organise/events/${event.slug}/places/settings`, { offerHours: '0' }).then((r) => expect(r.statusCode).toBe(400));
    expect((await organiser.post(`/organise/events/${event.slug}/places/settings`, { offerHours: '24' })).statusCode).toBe(303);
    expect((await t.client().get(`/events/${event.slug}/book`)).body).toContain('Booking has closed');

    const member = await t.signedIn('just-a-member@example.org');
    expect((await member.get(`/organise/events/${event.slug}/places`)).statusCode).toBe(403);
    expect((await member.post(`/organise/events/${event.slug}/places/ticket-types`, { name: 'Sneaky', price: '0' })).statusCode).toBe(403);
  });
});

describe('numbers organisers type', () => {
  it('refuses a capacity too large to be real', async () => {
    const event = await makeEvent(t.db);
    const tooLong = await organiser.post(`/organise/events/${event.slug}/places/ticket-types`, { name: 'Huge', price: '0', capacity: '99999999999999999999' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('Places must be 7 characters or fewer');
    const tooMany = await organiser.post(`/organise/events/${event.slug}/places/ticket-types`, { name: 'Huge', price: '0', capacity: '9999999' });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('Places must be a whole number');
  });
});

describe('cancelling someone’s booking', () => {
  it('asks first, naming the person, then cancels and passes the place on', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const booked = await book(event.slug, { ticketTypeId: type.id, name: 'Chris Booked', email: 'chris@example.org' });
    await book(event.slug, { ticketTypeId: type.id, name: 'Dee Waiting', email: 'dee@example.org' });
    const ask = await organiser.get(`/organise/events/${event.slug}/attendees/${booked.id}/cancel`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Cancel Chris Booked’s booking');
    const done = await organiser.post(`/organise/events/${event.slug}/attendees/${booked.id}/cancel`);
    expect(done.statusCode).toBe(303);
    const rows = await t.db.select({ email: registrations.email, status: registrations.status }).from(registrations).where(eq(registrations.eventId, event.id));
    expect(Object.fromEntries(rows.map((r) => [r.email, r.status]))).toEqual({ 'chris@example.org': 'cancelled', 'dee@example.org': 'offered' });
  });
});
