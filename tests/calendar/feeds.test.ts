// Calendar feeds, read back with ical.js: content, time zones, updates, cancellations, private
// feeds and HTTP caching.
import { eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, planningMeetings, planningMembers, registrations } from '../../db/schema/index.ts';
import { publicFeeds } from '../../server/calendar/feeds.ts';
import { eventUid } from '../../server/calendar/uid.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { parseFeed, type ParsedEntry } from './parse.ts';

let t: TestApp;
// Whole minutes, as event times are: iCalendar times have no fractions of a second.
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const DAY = 86_400_000;
const at = (days: number, hours = 0) => new Date(now.getTime() + days * DAY + hours * 3_600_000);

type NewEvent = typeof events.$inferInsert;
async function addEvent(values: Partial<NewEvent> & { slug: string; title: string }) {
  const [row] = await t.db
    .insert(events)
    .values({ type: 'seminar', status: 'published', startsAt: at(10), endsAt: at(10, 3), publishedAt: at(-20), ...values })
    .returning();
  return row!;
}

const JOIN_URL = 'https://meet.example.net/j/secret-room-4471';
const REGISTRANT = { name: 'Rowan Registrant', email: 'rowan.registrant@example.org' };

// The next October clock change in London (last Sunday in October, 01:00 UTC), at least a week away.
function nextOctoberChange(): DateTime {
  for (let year = DateTime.utc().year; ; year++) {
    const lastSunday = DateTime.fromObject({ year, month: 10, day: 31 }, { zone: 'Europe/London' }).startOf('day');
    const sunday = lastSunday.minus({ days: lastSunday.weekday % 7 });
    if (sunday.toMillis() > now.getTime() + 7 * DAY) return sunday;
  }
}

let seminar: Awaited<ReturnType<typeof addEvent>>;
let webinar: Awaited<ReturnType<typeof addEvent>>;
let conference: Awaited<ReturnType<typeof addEvent>>;
let cancelledLaunch: Awaited<ReturnType<typeof addEvent>>;
let recentPast: Awaited<ReturnType<typeof addEvent>>;
let longPast: Awaited<ReturnType<typeof addEvent>>;
let oldCancellation: Awaited<ReturnType<typeof addEvent>>;
let beingPlanned: Awaited<ReturnType<typeof addEvent>>;

beforeAll(async () => {
  t = await startTestApp();
  seminar = await addEvent({
    slug: 'recovery-stories',
    title: 'Recovery, stories; and "voice"',
    summary: 'A seminar on lived experience, research and practice.',
    description: `A long description that goes well past seventy-five octets so that the line must be folded, with accents: café, naïve, Zoë — and a comma, a semicolon; a backslash \\ and a new line\nhere.`,
    format: 'hybrid',
    venueName: 'Friends Meeting House',
    venueAddress: '6 Mount Street\nManchester M2 5NS',
    onlinePlatform: 'Zoom',
    onlineJoinUrl: JOIN_URL,
  });
  webinar = await addEvent({
    slug: 'carers-webinar',
    title: 'Carers webinar',
    type: 'webinar',
    format: 'online',
    onlinePlatform: 'Zoom',
    onlineJoinUrl: JOIN_URL,
    startsAt: at(20),
    endsAt: at(20, 1),
  });
  const change = nextOctoberChange();
  conference = await addEvent({
    slug: 'autumn-conference',
    title: 'Autumn conference',
    type: 'conference',
    // 09:00 BST on the Saturday to 17:00 GMT on the Sunday the clocks go back.
    startsAt: change.minus({ days: 1 }).set({ hour: 9 }).toJSDate(),
    endsAt: change.set({ hour: 17 }).toJSDate(),
    venueName: 'Town Hall',
  });
  cancelledLaunch = await addEvent({
    slug: 'launch-day',
    title: 'Hub launch day',
    type: 'launch_day',
    status: 'cancelled',
    cancelledReason: 'The venue flooded.',
    startsAt: at(-5),
    endsAt: at(-5, 6),
    sequence: 3,
  });
  recentPast = await addEvent({
    slug: 'spring-round-table',
    title: 'Spring round table',
    type: 'round_table',
    status: 'completed',
    startsAt: at(-180),
    endsAt: at(-180, 2),
  });
  longPast = await addEvent({ slug: 'old-seminar', title: 'Old seminar', status: 'completed', startsAt: at(-400), endsAt: at(-400, 2) });
  oldCancellation = await addEvent({
    slug: 'old-cancellation',
    title: 'Long-cancelled training',
    type: 'training_event',
    status: 'cancelled',
    startsAt: at(-60),
    endsAt: at(-60, 2),
  });
  beingPlanned = await addEvent({ slug: 'secret-plans', title: 'Not yet public', status: 'planning', publishedAt: null, startsAt: at(30), endsAt: at(30, 2) });
  // A booking with personal details, which must never reach a public feed.
  await t.db.insert(registrations).values({ eventId: seminar.id, status: 'confirmed', ...REGISTRANT });
});
afterAll(async () => {
  await t?.close();
});

async function feed(url: string, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ method: 'GET', url, headers });
  return { response, parsed: response.statusCode === 200 ? parseFeed(response.body) : null };
}

function entryFor(entries: ParsedEntry[], eventId: string): ParsedEntry | undefined {
  return entries.find((e) => e.uid === eventUid(eventId));
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

describe('public feeds', () => {
  it('serve every feed as standards-correct iCalendar that an independent parser reads', async () => {
    for (const publicFeed of publicFeeds) {
      const { response, parsed } = await feed(publicFeed.path);
      expect(response.statusCode, publicFeed.path).toBe(200);
      expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+/);
      expect(response.headers.etag).toMatch(/^"[\w-]+"$/);
      const body = response.body;
      // Lines end in CRLF and are folded at 75 octets.
      expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      for (const line of body.split('\r\n')) expect(Buffer.byteLength(line), line).toBeLessThanOrEqual(75);
      expect(parsed!.property('version')).toBe('2.0');
      expect(parsed!.property('name')).toBe(publicFeed.name);
      expect(parsed!.property('x-wr-calname')).toBe(publicFeed.name);
      expect(parsed!.property('description')).toBe(publicFeed.description);
      expect(parsed!.property('refresh-interval')).toBe('PT1H');
      expect(parsed!.property('x-published-ttl')).toBe('PT1H');
      for (const entry of parsed!.entries) {
        const row = [seminar, webinar, conference, cancelledLaunch, recentPast].find((e) => eventUid(e.id) === entry.uid);
        expect(row, `${publicFeed.path} ${entry.uid}`).toBeDefined();
        if (publicFeed.type) expect(row!.type).toBe(publicFeed.type);
        expect(entry.sequence).toBe(row!.sequence);
        expect(seconds(entry.dtstamp)).toBe(seconds(row!.updatedAt));
        expect(seconds(entry.lastModified!)).toBe(seconds(row!.updatedAt));
        expect(entry.start.getTime()).toBe(row!.startsAt!.getTime());
        expect(entry.end!.getTime()).toBe(row!.endsAt!.getTime());
        expect(entry.tzid).toBe('Europe/London');
        expect(entry.status).toBe(row!.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED');
        expect(entry.url).toBe(`http://convene.test/events/${row!.slug}`);
      }
      if (parsed!.entries.length) expect(parsed!.timezones).toEqual(['Europe/London']);
    }
  });

  it('show upcoming events, the last 12 months and recent cancellations, and nothing being planned', async () => {
    const { parsed } = await feed('/calendar.ics');
    const uids = parsed!.entries.map((e) => e.uid).sort();
    expect(uids).toEqual([seminar, webinar, conference, cancelledLaunch, recentPast].map((e) => eventUid(e.id)).sort());
    for (const hidden of [longPast, oldCancellation, beingPlanned]) expect(entryFor(parsed!.entries, hidden.id)).toBeUndefined();
    const seminars = (await feed('/calendar/seminars.ics')).parsed!.entries.map((e) => e.uid);
    expect(seminars).toEqual([eventUid(seminar.id)]);
    const launchDays = (await feed('/calendar/launch-days.ics')).parsed!.entries;
    expect(launchDays.map((e) => e.uid)).toEqual([eventUid(cancelledLaunch.id)]);
    expect((await feed('/calendar/training-events.ics')).parsed!.entries).toEqual([]);
  });

  it('write text that reads back exactly, with escaping and folding', async () => {
    const entry = entryFor((await feed('/calendar.ics')).parsed!.entries, seminar.id)!;
    expect(entry.summary).toBe('Recovery, stories; and "voice"');
    expect(entry.description).toContain(seminar.description);
    expect(entry.location).toBe('Friends Meeting House, 6 Mount Street, Manchester M2 5NS, and online (Zoom)');
  });

  it('keep a cancelled event, marked CANCELLED', async () => {
    const entry = entryFor((await feed('/calendar.ics')).parsed!.entries, cancelledLaunch.id)!;
    expect(entry.status).toBe('CANCELLED');
    expect(entry.sequence).toBe(3);
    expect(entry.summary).toBe('Cancelled: Hub launch day');
    expect(entry.description).toContain('The venue flooded.');
  });

  it('show an event across the October clock change at the right local times', async () => {
    const entry = entryFor((await feed('/calendar/conferences.ics')).parsed!.entries, conference.id)!;
    const change = nextOctoberChange();
    expect(entry.tzid).toBe('Europe/London');
    expect(entry.startLocal).toBe(`${change.minus({ days: 1 }).toISODate()}T09:00:00`);
    expect(entry.endLocal).toBe(`${change.toISODate()}T17:00:00`);
    // 09:00 is still summer time (UTC+1); 17:00 the next day is winter time (UTC+0).
    expect(entry.start.toISOString()).toBe(`${change.minus({ days: 1 }).toISODate()}T08:00:00.000Z`);
    expect(entry.end!.toISOString()).toBe(`${change.toISODate()}T17:00:00.000Z`);
  });

  it('contain no online joining link and no personal data', async () => {
    const bodies = [
      ...(await Promise.all(publicFeeds.map(async (f) => (await t.app.inject({ method: 'GET', url: f.path })).body))),
      (await t.app.inject({ method: 'GET', url: `/events/${seminar.slug}/calendar.ics` })).body,
      (await t.app.inject({ method: 'GET', url: `/events/${webinar.slug}/calendar.ics?sessions=yes` })).body,
    ];
    const unfolded = bodies.map((b) => b.replace(/\r\n[ \t]/g, ''));
    expect(unfolded.join('').length).toBeGreaterThan(1000);
    for (const body of unfolded) {
      expect(body).not.toContain('meet.example.net');
      expect(body).not.toContain('secret-room');
      expect(body).not.toContain(REGISTRANT.name);
      expect(body).not.toContain(REGISTRANT.email);
      expect(body).not.toMatch(/ATTENDEE|ORGANIZER/);
    }
  });

  it('raise SEQUENCE and keep the UID when the date changes', async () => {
    const before = entryFor((await feed('/calendar.ics')).parsed!.entries, webinar.id)!;
    // What the planning service does when it moves an event.
    await t.db
      .update(events)
      .set({ startsAt: at(21), endsAt: at(21, 1), sequence: sql`${events.sequence} + 1`, updatedAt: new Date(Date.now() + 2000) })
      .where(eq(events.id, webinar.id));
    const after = entryFor((await feed('/calendar.ics')).parsed!.entries, webinar.id)!;
    expect(after.uid).toBe(before.uid);
    expect(after.sequence).toBe(before.sequence + 1);
    expect(after.start.getTime()).toBe(at(21).getTime());
    expect(after.dtstamp.getTime()).toBeGreaterThan(before.dtstamp.getTime());
  });

  it('show a cancellation as STATUS:CANCELLED under the same UID', async () => {
    await t.db
      .update(events)
      .set({ status: 'cancelled', cancelledReason: 'Speaker unwell.', sequence: sql`${events.sequence} + 1`, updatedAt: new Date(Date.now() + 3000) })
      .where(eq(events.id, webinar.id));
    for (const url of ['/calendar.ics', '/calendar/webinars.ics', `/events/${webinar.slug}/calendar.ics`]) {
      const entry = entryFor((await feed(url)).parsed!.entries, webinar.id)!;
      expect(entry.status, url).toBe('CANCELLED');
      expect(entry.sequence).toBe(2);
    }
  });
});

describe('HTTP caching', () => {
  it('answers 304 when nothing changed, and 200 with a new ETag when something did', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/calendar/seminars.ics' });
    const etag = first.headers.etag as string;
    const lastModified = first.headers['last-modified'] as string;
    expect(new Date(lastModified).toString()).not.toBe('Invalid Date');
    const again = await t.app.inject({ method: 'GET', url: '/calendar/seminars.ics', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const bySince = await t.app.inject({ method: 'GET', url: '/calendar/seminars.ics', headers: { 'if-modified-since': lastModified } });
    expect(bySince.statusCode).toBe(304);
    // Another feed never shares an ETag.
    const other = await t.app.inject({ method: 'GET', url: '/calendar/conferences.ics', headers: { 'if-none-match': etag } });
    expect(other.statusCode).toBe(200);

    await t.db
      .update(events)
      .set({ title: 'Recovery stories (new title)', sequence: sql`${events.sequence} + 1`, updatedAt: new Date(Date.now() + 5000) })
      .where(eq(events.id, seminar.id));
    const changed = await t.app.inject({ method: 'GET', url: '/calendar/seminars.ics', headers: { 'if-none-match': etag, 'if-modified-since': lastModified } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(parseFeed(changed.body).entries[0]!.summary).toBe('Recovery stories (new title)');
  });

  it('notices an event that is unpublished, although it leaves the feed', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/calendar/round-tables.ics' });
    await t.db
      .update(events)
      .set({ status: 'planning', updatedAt: new Date(Date.now() + 6000) })
      .where(eq(events.id, recentPast.id));
    const after = await t.app.inject({ method: 'GET', url: '/calendar/round-tables.ics', headers: { 'if-none-match': first.headers.etag as string } });
    expect(after.statusCode).toBe(200);
    expect(parseFeed(after.body).entries).toEqual([]);
    await t.db
      .update(events)
      .set({ status: 'completed', updatedAt: new Date(Date.now() + 7000) })
      .where(eq(events.id, recentPast.id));
  });

  it('answers HEAD with the headers and no body, and 304 to a conditional HEAD', async () => {
    const get = await t.app.inject({ method: 'GET', url: '/calendar.ics' });
    const head = await t.app.inject({ method: 'HEAD', url: '/calendar.ics' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(head.headers.etag).toBe(get.headers.etag);
    const conditional = await t.app.inject({ method: 'HEAD', url: '/calendar.ics', headers: { 'if-none-match': get.headers.etag as string } });
    expect(conditional.statusCode).toBe(304);
  });
});

describe('one event', () => {
  it('has its own feed, and 404 for an event that is not public', async () => {
    const { response, parsed } = await feed(`/events/${conference.slug}/calendar.ics`);
    expect(response.statusCode).toBe(200);
    expect(parsed!.entries.map((e) => e.uid)).toEqual([eventUid(conference.id)]);
    expect(parsed!.property('name')).toBe('Autumn conference');
    expect((await t.app.inject({ method: 'GET', url: `/events/${beingPlanned.slug}/calendar.ics` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/events/no-such-event/calendar.ics' })).statusCode).toBe(404);
  });
});

describe('private feeds', () => {
  let feedUrl = '';

  it('are made on request, shown once, and list places and planning meetings', async () => {
    const member = await t.signedIn('sam@example.org');
    const [person] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'sam@example.org'));
    const page = await member.get('/calendar/private');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You do not have a private feed link yet.');

    const made = await member.post('/calendar/private');
    expect(made.statusCode).toBe(200);
    const link = /value="(http:\/\/convene\.test\/calendar\/private\/[A-Za-z0-9_-]+\.ics)"/.exec(made.body)?.[1];
    expect(link).toBeDefined();
    expect(made.body).toContain(`href="${link!.replace('http:', 'webcal:')}"`);
    feedUrl = link!.replace('http://convene.test', '');
    // Only the hash is kept.
    const stored = await t.db.execute(sql`select token_hash from private_feed_tokens`);
    const rows = (Array.isArray(stored) ? stored : (stored as { rows: unknown[] }).rows) as { token_hash: string }[];
    expect(rows).toHaveLength(1);
    expect(feedUrl).not.toContain(rows[0]!.token_hash);
    expect((await member.get('/calendar/private')).body).toContain('You made your private feed link on');

    // A confirmed place at an online event, an offer from the waiting list, and a cancelled booking.
    const hybrid = await addEvent({
      slug: 'hybrid-day',
      title: 'Hybrid day',
      format: 'hybrid',
      onlineJoinUrl: 'https://meet.example.net/j/hybrid-77',
      startsAt: at(15),
      endsAt: at(15, 4),
    });
    const offeredEvent = await addEvent({
      slug: 'full-seminar',
      title: 'Full seminar',
      format: 'online',
      onlineJoinUrl: 'https://meet.example.net/j/full-12',
      startsAt: at(16),
      endsAt: at(16, 2),
    });
    const dropped = await addEvent({ slug: 'dropped', title: 'Dropped seminar', startsAt: at(17), endsAt: at(17, 2) });
    const bookedSignedOut = await addEvent({ slug: 'booked-signed-out', title: 'Booked while signed out', startsAt: at(18), endsAt: at(18, 2) });
    const someoneElses = await addEvent({ slug: 'someone-elses', title: 'Someone else booked', startsAt: at(19), endsAt: at(19, 2) });
    await t.db.insert(registrations).values([
      // Online: the joining link is for online places only, never for a place in the room.
      { eventId: hybrid.id, personId: person!.id, status: 'confirmed', name: 'Sam', email: 'sam@example.org', attendance: 'online' },
      { eventId: offeredEvent.id, personId: person!.id, status: 'offered', name: 'Sam', email: 'sam@example.org' },
      { eventId: dropped.id, personId: person!.id, status: 'cancelled', name: 'Sam', email: 'sam@example.org' },
      // Booked with Sam's address while signed out: theirs, as on "your bookings". Someone else's is not.
      { eventId: bookedSignedOut.id, status: 'confirmed', name: 'Sam', email: 'sam@example.org' },
      { eventId: someoneElses.id, status: 'confirmed', name: 'Alex', email: 'alex@example.org' },
    ]);
    await t.db.insert(planningMembers).values({ eventId: beingPlanned.id, personId: person!.id, role: 'speaker', status: 'accepted' });
    await t.db.insert(planningMeetings).values([
      {
        eventId: beingPlanned.id,
        title: 'First planning meeting',
        startsAt: at(3),
        endsAt: at(3, 1),
        joinUrl: 'https://meet.example.net/j/plan-1',
        uid: 'planning-meeting-1@convene',
        sequence: 1,
      },
      { eventId: conference.id, title: 'Another group', startsAt: at(4), endsAt: at(4, 1), uid: 'planning-meeting-2@convene' },
    ]);

    const response = await t.app.inject({ method: 'GET', url: feedUrl });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.headers['cache-control']).toMatch(/^private/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    const parsed = parseFeed(response.body);
    const byUid = new Map(parsed.entries.map((e) => [e.uid, e]));
    expect([...byUid.keys()].sort()).toEqual(
      [eventUid(hybrid.id), eventUid(offeredEvent.id), eventUid(bookedSignedOut.id), 'planning-meeting-1@convene'].sort(),
    );
    const confirmed = byUid.get(eventUid(hybrid.id))!;
    expect(confirmed.status).toBe('CONFIRMED');
    expect(confirmed.description).toContain('Join online: https://meet.example.net/j/hybrid-77');
    const offered = byUid.get(eventUid(offeredEvent.id))!;
    expect(offered.status).toBe('TENTATIVE');
    expect(offered.summary).toBe('Place offered: Full seminar');
    expect(response.body).not.toContain('full-12');
    const meeting = byUid.get('planning-meeting-1@convene')!;
    expect(meeting.sequence).toBe(1);
    expect(meeting.summary).toContain('First planning meeting');
    expect(meeting.start.getTime()).toBe(at(3).getTime());
    expect(parsed.timezones).toEqual(['Europe/London']);

    // Nothing changed: 304. A planning meeting moved: a new ETag although meetings have no change time.
    const etag = response.headers.etag as string;
    expect((await t.app.inject({ method: 'GET', url: feedUrl, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    await t.db
      .update(planningMeetings)
      .set({ startsAt: at(3, 2), endsAt: at(3, 3), sequence: 2 })
      .where(eq(planningMeetings.uid, 'planning-meeting-1@convene'));
    const moved = await t.app.inject({ method: 'GET', url: feedUrl, headers: { 'if-none-match': etag } });
    expect(moved.statusCode).toBe(200);
    expect(parseFeed(moved.body).entries.find((e) => e.uid === 'planning-meeting-1@convene')!.sequence).toBe(2);

    // The offer is taken up: the entry is confirmed and gains the joining link, even if nothing
    // touched updated_at.
    const movedEtag = moved.headers.etag as string;
    await t.db.update(registrations).set({ status: 'confirmed' }).where(eq(registrations.eventId, offeredEvent.id));
    const accepted = await t.app.inject({ method: 'GET', url: feedUrl, headers: { 'if-none-match': movedEtag } });
    expect(accepted.statusCode).toBe(200);
    const nowConfirmed = parseFeed(accepted.body).entries.find((e) => e.uid === eventUid(offeredEvent.id))!;
    expect(nowConfirmed.status).toBe('CONFIRMED');
    expect(nowConfirmed.description).toContain('Join online: https://meet.example.net/j/full-12');
  });

  it('stop working at the old URL when a new one is made', async () => {
    const member = await t.signedIn('sam@example.org');
    const made = await member.post('/calendar/private');
    expect(made.body).toContain('Your old link has stopped working.');
    const link = /value="http:\/\/convene\.test(\/calendar\/private\/[A-Za-z0-9_-]+\.ics)"/.exec(made.body)![1]!;
    expect(link).not.toBe(feedUrl);
    expect((await t.app.inject({ method: 'GET', url: feedUrl })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'HEAD', url: feedUrl })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: link })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/calendar/private/not-a-real-token-but-long-enough-to-look-like-one00.ics' })).statusCode).toBe(404);
  });
});

describe('subscribing', () => {
  it('lists every feed with a webcal link and a link to copy', async () => {
    const page = await t.client().get('/calendar');
    expect(page.statusCode).toBe(200);
    for (const publicFeed of publicFeeds) {
      expect(page.body).toContain(`href="webcal://convene.test${publicFeed.path}"`);
      expect(page.body).toContain(`value="http://convene.test${publicFeed.path}"`);
    }
    for (const app of ['Google Calendar', 'Outlook', 'Apple Calendar']) expect(page.body).toContain(app);
  });
});
