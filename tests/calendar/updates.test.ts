// Calendars that real clients trust (issue 13), and planning groups people can leave (issue 12,
// part 6). Every calendar an attendee or planner is sent is applied in order by ical.js, as a
// calendar app applies iTIP messages (a copy replaces the one held when its SEQUENCE is higher,
// or equal with a later DTSTAMP), and the feeds answer conditional requests truthfully.
import { asc, eq, sql } from 'drizzle-orm';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, outboxMessages, planningMeetings, planningMembers, programmeSessions } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { personId, signedInOrganiser } from '../proposals/support.ts';
import { bookAnonymously, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { SmtpPeer } from '../support/smtp-peer.ts';

const JOIN = 'https://meet.example.net/room-42';
const peer = new SmtpPeer();
let t: TestApp;
let organiser: TestClient;
let lead: TestClient;

beforeAll(async () => {
  await peer.start(0);
  t = await startTestApp({ env: { SMTP_URL: peer.url } });
  organiser = await signedInOrganiser(t, 'org@example.org');
  lead = await t.signedIn('lead@example.org');
  await lead.post('/account', { displayName: 'Lee Adebayo' });
});
afterAll(async () => {
  await t.close();
  await peer.stop();
});

const minuteAgo = () => new Date(Date.now() - 60_000);

/** A published event whose planning group is led by lead@example.org, last changed a minute ago. */
async function ledEvent(overrides: Parameters<typeof makeEvent>[1] = {}) {
  const event = await makeEvent(t.db, { updatedAt: minuteAgo(), ...overrides });
  await t.db.insert(planningMembers).values({ eventId: event.id, personId: await personId(t.db, 'lead@example.org'), role: 'lead', status: 'accepted' });
  return event;
}

/** Every calendar attachment sent to an address, in the order the emails were written. */
async function calendarsSentTo(email: string): Promise<{ contentType: string; content: string; template: string }[]> {
  const rows = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email)).orderBy(asc(outboxMessages.createdAt));
  return rows.flatMap((row) => row.attachments.filter((a) => a.contentType.startsWith('text/calendar')).map((a) => ({ ...a, template: row.template })));
}

interface HeldEntry {
  sequence: number;
  dtstamp: number;
  vevent: InstanceType<typeof ICAL.Component>;
}

/**
 * A calendar app's store, applying iTIP messages in order (RFC 5546 2.1.5): a copy replaces the
 * held one if its SEQUENCE is higher, or equal with a later DTSTAMP. A CANCEL marks it cancelled.
 */
function applyInOrder(files: string[]): Map<string, HeldEntry> {
  const held = new Map<string, HeldEntry>();
  for (const text of files) {
    const calendar = new ICAL.Component(ICAL.parse(text));
    for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
    const method = String(calendar.getFirstPropertyValue('method') ?? '');
    for (const vevent of calendar.getAllSubcomponents('vevent')) {
      const uid = String(vevent.getFirstPropertyValue('uid'));
      const sequence = Number(vevent.getFirstPropertyValue('sequence') ?? 0);
      const dtstamp = (vevent.getFirstPropertyValue('dtstamp') as InstanceType<typeof ICAL.Time>).toJSDate().getTime();
      const before = held.get(uid);
      if (before && (sequence < before.sequence || (sequence === before.sequence && dtstamp <= before.dtstamp))) continue;
      if (method === 'CANCEL') {
        const kept = before?.vevent ?? vevent;
        kept.updatePropertyWithValue('status', 'CANCELLED');
        held.set(uid, { sequence, dtstamp, vevent: kept });
      } else {
        held.set(uid, { sequence, dtstamp, vevent });
      }
    }
  }
  return held;
}

function text(vevent: InstanceType<typeof ICAL.Component>, name: string): string {
  return String(vevent.getFirstPropertyValue(name) ?? '');
}

describe('an attendee’s calendar entry', () => {
  it('keeps the joining link through a new date, and ends cancelled without it, as an independent parser applies each email in order', async () => {
    const event = await ledEvent({
      title: 'Peer support online',
      type: 'webinar',
      format: 'online',
      onlinePlatform: 'Zoom',
      onlineJoinUrl: JOIN,
      venueName: '',
      venueAddress: '',
    });
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
    await bookAnonymously(t.db, t.client(), event.slug, { name: 'Sam Rivers', email: 'sam@example.org', ticketTypeId: type.id });

    const newStart = new Date(event.startsAt!.getTime() + 7 * 86_400_000);
    const london = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(newStart);
    const moved = await lead.post(`/plan/${event.id}/details`, {
      title: 'Peer support online',
      type: 'webinar',
      format: 'online',
      startDate: london,
      startTime: '18:00',
      endTime: '19:30',
      onlinePlatform: 'Zoom',
      onlineJoinUrl: JOIN,
      capacity: '10',
    });
    expect(moved.statusCode, moved.body.slice(0, 500)).toBe(303);
    const afterMove = applyInOrder((await calendarsSentTo('sam@example.org')).map((c) => c.content));
    const [movedEntry] = [...afterMove.values()];
    expect(text(movedEntry!.vevent, 'status')).toBe('CONFIRMED');
    expect(text(movedEntry!.vevent, 'description')).toContain(`Join online: ${JOIN}`);
    expect((movedEntry!.vevent.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>).toString()).toBe(`${london}T18:00:00`);

    expect((await organiser.post(`/plan/${event.id}/cancel`, { reason: 'Our facilitator is unwell.' })).statusCode).toBe(303);
    const sent = await calendarsSentTo('sam@example.org');
    expect(sent.map((c) => c.template)).toEqual(['registration-confirmed', 'event-changed', 'event-changed']);
    for (const file of sent) {
      // Publications with the Hub as ORGANIZER, never an iTIP CANCEL for something only published.
      expect(file.contentType).toBe('text/calendar; charset=utf-8; method=PUBLISH');
      expect(file.content).toContain('METHOD:PUBLISH\r\n');
      expect(file.content).toMatch(/ORGANIZER;CN="?Social Perspectives Hub"?:mailto:hub@example.org/);
      expect(file.content.endsWith('END:VCALENDAR\r\n')).toBe(true);
    }
    const held = applyInOrder(sent.map((c) => c.content));
    expect(held.size).toBe(1);
    const entry = held.get(`event-${event.id}@convene`)!;
    expect(text(entry.vevent, 'status')).toBe('CANCELLED');
    // Cancelled, the entry keeps no joining link, as the booking page shows none.
    expect(text(entry.vevent, 'description')).not.toContain(JOIN);
    expect(text(entry.vevent, 'description')).toContain('Our facilitator is unwell.');
    expect(text(entry.vevent, 'location')).toBe('Zoom');
    expect(text(entry.vevent, 'url')).toBe(`http://convene.test/events/${event.slug}`);
    expect((entry.vevent.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>).toString()).toBe(`${london}T18:00:00`);
  });
});

describe('programme sessions in the event’s feed', () => {
  async function eventWithProgramme() {
    const event = await ledEvent({ title: 'Launch day' });
    const start = event.startsAt!.getTime();
    await t.db.insert(programmeSessions).values([
      { eventId: event.id, title: 'Welcome', startsAt: new Date(start), endsAt: new Date(start + 30 * 60_000), updatedAt: minuteAgo() },
      { eventId: event.id, title: 'Workshops', startsAt: new Date(start + 60 * 60_000), endsAt: new Date(start + 120 * 60_000), updatedAt: minuteAgo() },
    ]);
    return event;
  }

  it('follow their event when it moves', async () => {
    const event = await eventWithProgramme();
    const url = `/events/${event.slug}/calendar.ics?sessions=yes`;
    const before = applyInOrder([(await t.client().get(url)).body]);
    const shift = 7 * 86_400_000;
    const newStart = new Date(event.startsAt!.getTime() + shift);
    const london = (d: Date, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', ...o }).format(d);
    const moved = await lead.post(`/plan/${event.id}/details`, {
      title: 'Launch day',
      type: 'seminar',
      format: 'in_person',
      startDate: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(newStart),
      startTime: london(newStart, { hour: '2-digit', minute: '2-digit' }),
      endTime: london(new Date(newStart.getTime() + 3 * 3_600_000), { hour: '2-digit', minute: '2-digit' }),
      venueName: 'The Old Library',
      venueAddress: '1 High Street, Leeds',
      capacity: '10',
    });
    expect(moved.statusCode, moved.body.slice(0, 500)).toBe(303);
    const after = applyInOrder([(await t.client().get(url)).body]);
    const sessions = [...before.keys()].filter((uid) => uid.startsWith('session-'));
    expect(sessions).toHaveLength(2);
    for (const uid of sessions) {
      const start = (entry: HeldEntry) => (entry.vevent.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>).toJSDate().getTime();
      expect(start(after.get(uid)!) - start(before.get(uid)!)).toBe(shift);
      expect(after.get(uid)!.sequence).toBeGreaterThan(before.get(uid)!.sequence);
    }
  });

  it('answer If-Modified-Since with the change after a session is edited', async () => {
    const event = await eventWithProgramme();
    const url = `/events/${event.slug}/calendar.ics?sessions=yes`;
    const first = await t.client().get(url);
    const lastModified = String(first.headers['last-modified']);
    expect((await t.client().get(url, { 'if-modified-since': lastModified })).statusCode).toBe(304);
    const [session] = await t.db.select().from(programmeSessions).where(eq(programmeSessions.eventId, event.id)).orderBy(asc(programmeSessions.startsAt));
    const edited = await lead.post(`/plan/${event.id}/programme/${session!.id}`, {
      title: 'Welcome and introductions',
      sessionDate: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(session!.startsAt),
      sessionStart: new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(session!.startsAt),
      sessionEnd: new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(session!.endsAt),
    });
    expect(edited.statusCode, edited.body.slice(0, 500)).toBe(303);
    const after = await t.client().get(url, { 'if-modified-since': lastModified });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('SUMMARY:Welcome and introductions (Launch day)');
    expect(Date.parse(String(after.headers['last-modified']))).toBeGreaterThan(Date.parse(lastModified));
  });
});

describe('the page cache', () => {
  it('answers If-Modified-Since from a stored feed', async () => {
    const cached = await startTestApp({ env: { PAGE_CACHE_SECONDS: '60' }, database: t.database });
    try {
      const event = await ledEvent({ title: 'Cached seminar' });
      const url = `/events/${event.slug}/calendar.ics`;
      const first = await cached.client().get(url);
      expect(first.statusCode).toBe(200);
      const lastModified = String(first.headers['last-modified']);
      // Stored now: the second answer comes from the cache, and honours the condition.
      const again = await cached.client().get(url, { 'if-modified-since': lastModified });
      expect(again.statusCode).toBe(304);
      expect(again.headers['x-page-cache']).toBe('hit');
      expect(again.headers['last-modified']).toBe(lastModified);
      const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
      expect((await cached.client().get(url, { 'if-modified-since': older })).statusCode).toBe(200);
    } finally {
      await cached.close();
    }
  });
});

describe('drafts', () => {
  it('leave the public feeds’ ETag and Last-Modified alone, before and after being published once', async () => {
    const draft = await ledEvent({ title: 'Not yet announced', status: 'planning', publishedAt: null });
    const unpublished = await ledEvent({ title: 'Back in planning' });
    expect((await lead.post(`/plan/${unpublished.id}/unpublish`)).statusCode).toBe(303);
    const feed = await t.client().get('/calendar.ics');
    const etag = String(feed.headers.etag);
    const lastModified = String(feed.headers['last-modified']);
    for (const event of [draft, unpublished]) {
      const edited = await lead.post(`/plan/${event.id}/details`, {
        title: `${event.title}, renamed`,
        type: 'seminar',
        format: 'in_person',
        summary: 'Changed while a draft.',
      });
      expect(edited.statusCode, edited.body.match(/govuk-error-summary__list[\s\S]{0,600}/)?.[0]).toBe(303);
    }
    const [row] = await t.db.select().from(events).where(eq(events.id, draft.id));
    expect(row!.title).toBe('Not yet announced, renamed');
    const after = await t.client().get('/calendar.ics', { 'if-none-match': etag });
    expect(after.statusCode).toBe(304);
    expect((await t.client().get('/calendar.ics', { 'if-modified-since': lastModified })).statusCode).toBe(304);
    // Publishing it is a public change.
    await t.db
      .update(events)
      .set({ accessInfo: 'Step-free.', capacity: 10, startsAt: unpublished.startsAt, endsAt: unpublished.endsAt })
      .where(eq(events.id, unpublished.id));
    expect((await organiser.post(`/plan/${unpublished.id}/publish`, { overrideReason: 'Testing' })).statusCode).toBe(303);
    expect((await t.client().get('/calendar.ics', { 'if-none-match': etag })).statusCode).toBe(200);
  });
});

describe('planning meetings when the group changes', () => {
  async function groupWithMeeting(title: string) {
    const event = await ledEvent({ title });
    const member = await t.signedIn('member@example.org');
    await t.db.delete(planningMembers).where(eq(planningMembers.personId, await personId(t.db, 'member@example.org')));
    expect((await lead.post(`/plan/${event.id}/members`, { email: 'member@example.org', role: 'speaker' })).statusCode).toBe(303);
    expect((await member.post(`/plan/${event.id}/invitation`, { answer: 'yes' })).statusCode).toBe(303);
    const meeting = await lead.post(`/plan/${event.id}/meetings`, {
      meetingTitle: 'First meeting',
      meetingDate: '2027-02-03',
      meetingStart: '14:00',
      meetingEnd: '15:00',
      joinUrl: 'https://meet.example.org/abc',
    });
    expect(meeting.statusCode, meeting.body.slice(0, 500)).toBe(303);
    const [row] = await t.db.select().from(planningMeetings).where(eq(planningMeetings.eventId, event.id));
    return { event, member, meeting: row! };
  }

  async function meetingFilesTo(email: string, uid: string) {
    return (await calendarsSentTo(email)).filter((c) => c.content.includes(`UID:${uid}`));
  }

  it('invites the group with the organiser as chair, not asked to reply, inline as well as attached', async () => {
    const { meeting } = await groupWithMeeting('Meeting invitations');
    const [invitation] = await meetingFilesTo('member@example.org', meeting.uid);
    const unfolded = invitation!.content.replace(/\r\n[ \t]/g, '');
    expect(unfolded).toContain('METHOD:REQUEST');
    expect(unfolded).toMatch(/ORGANIZER;CN="?Lee Adebayo"?;SENT-BY="mailto:hub@example.org":mailto:lead@example.org/);
    expect(unfolded).toMatch(/ATTENDEE;[^\r\n]*ROLE=CHAIR;[^\r\n]*PARTSTAT=ACCEPTED[^\r\n]*:MAILTO:lead@example.org/i);
    expect(unfolded).not.toMatch(/ATTENDEE;[^\r\n]*RSVP=TRUE[^\r\n]*:MAILTO:lead@example.org/i);
    expect(unfolded).toMatch(/ATTENDEE;[^\r\n]*RSVP=TRUE[^\r\n]*:MAILTO:member@example.org/i);

    peer.received.length = 0;
    while ((await t.app.mail.deliverDue()).sent > 0);
    const mail = peer.received.find((m) => m.to && JSON.stringify(m.to).includes('member@example.org') && m.subject === 'A planning meeting has been arranged');
    expect(mail).toBeDefined();
    const raw = mail!.headerLines.map((h) => h.line).join('\n');
    expect(raw).toMatch(/multipart/);
    const calendarParts = mail!.attachments.filter((a) => a.contentType.includes('calendar') || a.contentType === 'application/ics');
    // Inline text/calendar with its method (what calendar clients act on) and an attached copy.
    expect(calendarParts.map((a) => a.contentType).sort()).toEqual(['application/ics', 'text/calendar']);
    expect(calendarParts.every((a) => a.content.toString('utf8').includes(`UID:${meeting.uid}`))).toBe(true);
  });

  it('cancels the meetings in the calendar of someone removed from the group, and of someone who steps back', async () => {
    const { event, meeting } = await groupWithMeeting('Removing a member');
    const [row] = await t.db
      .select()
      .from(planningMembers)
      .where(eq(planningMembers.personId, await personId(t.db, 'member@example.org')));
    expect((await lead.post(`/plan/${event.id}/members/${row!.id}/remove`)).statusCode).toBe(303);
    const files = await meetingFilesTo('member@example.org', meeting.uid);
    expect(files.map((f) => f.contentType)).toEqual(['text/calendar; charset=utf-8; method=REQUEST', 'text/calendar; charset=utf-8; method=CANCEL']);
    const cancel = files[1]!.content.replace(/\r\n[ \t]/g, '');
    expect(cancel).toMatch(/ATTENDEE[^\r\n]*member@example.org/i);
    expect(cancel).not.toMatch(/ATTENDEE[^\r\n]*lead@example.org/i);
    const held = applyInOrder(files.map((f) => f.content)).get(meeting.uid)!;
    expect(text(held.vevent, 'status')).toBe('CANCELLED');
    // The lead's own invitation is untouched.
    expect((await meetingFilesTo('lead@example.org', meeting.uid)).map((f) => f.contentType)).toEqual(['text/calendar; charset=utf-8; method=REQUEST']);

    const second = await groupWithMeeting('Stepping back');
    const page = await second.member.get(`/plan/${second.event.id}/leave`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('you do not need to give a reason');
    const left = await second.member.post(`/plan/${second.event.id}/leave`);
    expect(left.statusCode).toBe(303);
    expect((await second.member.get(String(left.headers.location))).body).toContain('You have stepped back from the planning group');
    expect((await second.member.get(`/plan/${second.event.id}`)).statusCode).toBe(403);
    const steppedBack = applyInOrder((await meetingFilesTo('member@example.org', second.meeting.uid)).map((f) => f.content)).get(second.meeting.uid)!;
    expect(text(steppedBack.vevent, 'status')).toBe('CANCELLED');
  });

  it('sends someone who joins late the meetings already arranged, and cancels them all when the event is cancelled', async () => {
    const { event, meeting } = await groupWithMeeting('Joining late');
    const late = await t.signedIn('late@example.org');
    expect((await lead.post(`/plan/${event.id}/members`, { email: 'late@example.org', role: 'facilitator' })).statusCode).toBe(303);
    expect(await meetingFilesTo('late@example.org', meeting.uid)).toHaveLength(0);
    expect((await late.post(`/plan/${event.id}/invitation`, { answer: 'yes' })).statusCode).toBe(303);
    const [invitation] = await meetingFilesTo('late@example.org', meeting.uid);
    expect(invitation!.contentType).toContain('method=REQUEST');
    expect(invitation!.content.replace(/\r\n[ \t]/g, '')).toMatch(/ATTENDEE[^\r\n]*late@example.org/i);

    expect((await organiser.post(`/plan/${event.id}/cancel`, { reason: 'Not enough interest.' })).statusCode).toBe(303);
    for (const email of ['late@example.org', 'member@example.org', 'lead@example.org']) {
      const held = applyInOrder((await meetingFilesTo(email, meeting.uid)).map((f) => f.content)).get(meeting.uid)!;
      expect(text(held.vevent, 'status'), email).toBe('CANCELLED');
    }
    const [after] = await t.db.select().from(planningMeetings).where(eq(planningMeetings.id, meeting.id));
    expect(after!.cancelledAt).not.toBeNull();
  });

  it('tells a private feed’s If-Modified-Since about a moved meeting, and about leaving the group', async () => {
    const { event, member, meeting } = await groupWithMeeting('Private feed');
    const made = await member.post('/calendar/private');
    const feedUrl = /value="http:\/\/convene\.test(\/calendar\/private\/[A-Za-z0-9_-]+\.ics)"/.exec(made.body)![1]!;
    // Everything so far happened more than a second ago, as far as the feed's validators know.
    await t.db.update(planningMeetings).set({ updatedAt: minuteAgo() }).where(eq(planningMeetings.id, meeting.id));
    await t.db.execute(sql`update planning_members set responded_at = now() - interval '1 minute'`);
    await t.db.execute(sql`update private_feed_tokens set created_at = now() - interval '1 minute'`);
    await t.db.execute(sql`update registrations set updated_at = now() - interval '1 minute'`);
    await t.db.execute(sql`update events set updated_at = now() - interval '1 minute'`);
    const first = await t.client().get(feedUrl);
    expect(first.body).toContain(`UID:${meeting.uid}`);
    const lastModified = String(first.headers['last-modified']);
    expect((await t.client().get(feedUrl, { 'if-modified-since': lastModified })).statusCode).toBe(304);

    const moved = await lead.post(`/plan/${event.id}/meetings/${meeting.id}`, {
      meetingTitle: 'First meeting',
      meetingDate: '2027-02-03',
      meetingStart: '16:00',
      meetingEnd: '17:00',
      joinUrl: 'https://meet.example.org/abc',
    });
    expect(moved.statusCode).toBe(303);
    const afterMove = await t.client().get(feedUrl, { 'if-modified-since': lastModified });
    expect(afterMove.statusCode).toBe(200);
    const entry = applyInOrder([afterMove.body]).get(meeting.uid)!;
    expect(entry.sequence).toBeGreaterThan(meeting.sequence);

    await t.db.update(planningMeetings).set({ updatedAt: minuteAgo() }).where(eq(planningMeetings.id, meeting.id));
    const beforeLeaving = String((await t.client().get(feedUrl)).headers['last-modified']);
    expect((await member.post(`/plan/${event.id}/leave`)).statusCode).toBe(303);
    const afterLeaving = await t.client().get(feedUrl, { 'if-modified-since': beforeLeaving });
    expect(afterLeaving.statusCode).toBe(200);
    expect(afterLeaving.body).not.toContain(`UID:${meeting.uid}`);
  });
});
