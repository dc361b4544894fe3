// "Add to calendar" on event pages, programme sessions in an event's feed, and the way to a
// private feed from the account page.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, programmeSessions } from '../../db/schema/index.ts';
import { eventUid, programmeSessionUid } from '../../server/calendar/uid.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { parseFeed } from './parse.ts';

let t: TestApp;
const DAY = 86_400_000;
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const at = (days: number, hours = 0) => new Date(now.getTime() + days * DAY + hours * 3_600_000);

async function addEvent(values: Partial<typeof events.$inferInsert> & { slug: string; title: string }) {
  const [row] = await t.db
    .insert(events)
    .values({ type: 'conference', status: 'published', startsAt: at(10), endsAt: at(11, 8), publishedAt: at(-1), ...values })
    .returning();
  return row!;
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('add to calendar links on an event page', () => {
  it('offer Google, Outlook and a calendar file, with the right times and no joining link', async () => {
    const event = await addEvent({
      slug: 'open-day',
      title: 'Open day & talks',
      summary: 'Come and meet us.',
      format: 'hybrid',
      venueName: 'Hub rooms',
      onlinePlatform: 'Teams',
      onlineJoinUrl: 'https://meet.example.net/j/private-99',
      startsAt: new Date('2031-06-10T09:00:00Z'),
      endsAt: new Date('2031-06-10T15:30:00Z'),
    });
    const page = await t.client().get(`/events/${event.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Add to your calendar');
    expect(page.body).not.toContain('private-99');
    const links = hrefs(page.body);

    const google = new URL(links.find((h) => h.startsWith('https://calendar.google.com/'))!);
    expect(google.searchParams.get('action')).toBe('TEMPLATE');
    expect(google.searchParams.get('text')).toBe('Open day & talks');
    expect(google.searchParams.get('dates')).toBe('20310610T090000Z/20310610T153000Z');
    expect(google.searchParams.get('location')).toBe('Hub rooms, and online (Teams)');
    expect(google.searchParams.get('details')).toContain('http://convene.test/events/open-day');

    for (const host of ['outlook.live.com', 'outlook.office.com']) {
      const outlook = new URL(links.find((h) => h.startsWith(`https://${host}/`))!);
      expect(outlook.searchParams.get('subject')).toBe('Open day & talks');
      expect(outlook.searchParams.get('startdt')).toBe('2031-06-10T09:00:00.000Z');
      expect(outlook.searchParams.get('enddt')).toBe('2031-06-10T15:30:00.000Z');
    }

    const file = links.find((h) => h.endsWith('/calendar.ics'))!;
    expect(file).toBe('/events/open-day/calendar.ics');
    const ics = await t.app.inject({ method: 'GET', url: file });
    expect(parseFeed(ics.body).entries.map((e) => e.uid)).toEqual([eventUid(event.id)]);
  });

  it('are not offered for a cancelled or finished event', async () => {
    await addEvent({ slug: 'called-off', title: 'Called off', status: 'cancelled' });
    await addEvent({ slug: 'long-done', title: 'Long done', status: 'completed', startsAt: at(-30), endsAt: at(-30, 2) });
    for (const slug of ['called-off', 'long-done']) {
      const page = await t.client().get(`/events/${slug}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('Add to your calendar');
      expect(page.body).not.toContain('calendar.google.com');
    }
  });
});

describe("an event's feed with its programme", () => {
  it('lists each programme session as its own entry when asked, and notices programme changes', async () => {
    const event = await addEvent({ slug: 'two-day-conference', title: 'Two-day conference', sequence: 2, venueName: 'Town Hall' });
    const [first, second] = await t.db
      .insert(programmeSessions)
      .values([
        { eventId: event.id, title: 'Opening', room: 'Main hall', startsAt: at(10), endsAt: at(10, 1) },
        { eventId: event.id, title: 'Workshops', description: 'Choose one of three.', room: 'Room 2', startsAt: at(10, 2), endsAt: at(10, 4) },
      ])
      .returning();

    const plain = parseFeed((await t.app.inject({ method: 'GET', url: `/events/${event.slug}/calendar.ics` })).body);
    expect(plain.entries.map((e) => e.uid)).toEqual([eventUid(event.id)]);

    const url = `/events/${event.slug}/calendar.ics?sessions=yes`;
    const response = await t.app.inject({ method: 'GET', url });
    const withSessions = parseFeed(response.body);
    expect(withSessions.entries.map((e) => e.uid)).toEqual([eventUid(event.id), programmeSessionUid(first!.id), programmeSessionUid(second!.id)]);
    const workshops = withSessions.entries[2]!;
    expect(workshops.summary).toBe('Workshops (Two-day conference)');
    expect(workshops.location).toBe('Room 2, Town Hall');
    expect(workshops.description).toContain('Choose one of three.');
    expect(workshops.sequence).toBe(2);
    expect(workshops.status).toBe('CONFIRMED');
    expect(workshops.start.getTime()).toBe(at(10, 2).getTime());
    expect(workshops.end!.getTime()).toBe(at(10, 4).getTime());

    // Programme sessions have no change time; moving one still gives a new ETag.
    const etag = response.headers.etag as string;
    expect((await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    await t.db.update(programmeSessions).set({ room: 'Room 3' }).where(eq(programmeSessions.id, second!.id));
    const changed = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(parseFeed(changed.body).entries[2]!.location).toBe('Room 3, Town Hall');
  });

  it('refuses an unknown option', async () => {
    await addEvent({ slug: 'option-check', title: 'Option check' });
    expect((await t.app.inject({ method: 'GET', url: '/events/option-check/calendar.ics?sessions=maybe' })).statusCode).toBe(400);
  });
});

describe('the way to a private feed', () => {
  it('is on the account page and in the footer', async () => {
    const member = await t.signedIn('robin@example.org');
    const account = await member.get('/account');
    expect(account.body).toContain('Your private calendar feed');
    expect(account.body).toContain('action="/calendar/private"');
    expect(account.body).toContain('href="/calendar"');
    // Making a link from the account page shows it once.
    const made = await member.post('/calendar/private');
    expect(made.statusCode).toBe(200);
    expect(made.headers['cache-control']).toBe('no-store');
    expect(made.body).toMatch(/value="http:\/\/convene\.test\/calendar\/private\/[A-Za-z0-9_-]{43}\.ics"/);
  });

  it('cannot be made without signing in', async () => {
    const anonymous = t.client();
    const response = await anonymous.post('/calendar/private');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/sign-in/);
  });
});
