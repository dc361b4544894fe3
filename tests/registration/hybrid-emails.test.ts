// At an event in person and online, everything a person is sent or shown about their booking says
// which place they have: a place in the room gets the venue and how to get there, never the
// joining link; a place online gets the platform and, once booked, the link. Every email a hybrid
// booking can cause: confirmation, waiting list, offer, reminder, change of details, cancellation.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { notifyRegistrants } from '../../server/planning/events.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

const JOIN = 'https://meet.example.org/hybrid-secret-room';
const site = { siteName: 'Social Perspectives Hub', baseUrl: 'https://hub.example' };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function bookAs(email: string, slug: string, fields: Record<string, string>) {
  const member = await t.signedIn(email);
  const response = await member.post(`/events/${slug}/book`, { name: email.split('@')[0]!, email, ...fields });
  expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
  return member;
}

async function latest(email: string, template: string) {
  const mail = (await mailsTo(t.db, email)).find((m) => m.template === template);
  if (!mail) throw new Error(`No ${template} to ${email}`);
  return { ...mail, rendered: renderEmail(template as never, mail.data as never, site) };
}

function icsOf(mail: { attachments: { filename: string; content: string; encoding?: string }[] }): string {
  const file = mail.attachments.find((a) => a.filename.endsWith('.ics'));
  if (!file) throw new Error('No calendar file attached');
  return (file.encoding === 'base64' ? Buffer.from(file.content, 'base64').toString('utf8') : file.content).replace(/\r?\n[ \t]/g, '');
}

describe('a hybrid booking says which place it is', () => {
  it('in every email, the manage page and the calendar file', async () => {
    const startsAt = new Date(Math.floor((Date.now() + 10 * 86_400_000) / 60_000) * 60_000);
    const event = await makeEvent(t.db, {
      format: 'hybrid',
      capacity: 1,
      onlineCapacity: 1,
      onlineJoinUrl: JOIN,
      onlinePlatform: 'Zoom',
      venueName: 'Friends Meeting House',
      venueAddress: '6 Mount Street, Manchester',
      travelInfo: 'Two minutes from St Peter’s Square tram stop.',
      startsAt,
    });
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });

    // In the room: the venue and the way there, no joining link anywhere.
    const roomer = await bookAs('hy-room@example.org', event.slug, { ticketTypeId: type.id, attendance: 'in_person' });
    const roomMail = await latest('hy-room@example.org', 'registration-confirmed');
    expect(roomMail.data).toMatchObject({ placeKind: 'in the room', where: 'Friends Meeting House, 6 Mount Street, Manchester', joinUrl: '' });
    expect(roomMail.rendered.text).toContain('Your place: in the room');
    expect(roomMail.rendered.text).toContain('Getting there: Two minutes');
    expect(roomMail.rendered.text + roomMail.rendered.html).not.toContain(JOIN);
    expect(roomMail.rendered.text).not.toContain('Manchester, or online');
    const roomIcs = icsOf(roomMail);
    expect(roomIcs).not.toContain(JOIN);
    expect(roomIcs).toContain('LOCATION:Friends Meeting House');
    expect(roomIcs).not.toContain('online (Zoom)');

    const roomPath = await latestManagePath(t.db, 'hy-room@example.org', 'registration-confirmed');
    const roomPage = await roomer.get(roomPath);
    expect(roomPage.body).toContain('Friends Meeting House, 6 Mount Street, Manchester');
    expect(roomPage.body).not.toContain(JOIN);
    const roomDownload = await roomer.get(`${roomPath}/calendar.ics`);
    expect(roomDownload.body).not.toContain(JOIN);

    // Online: the platform and the link, no directions to a room they are not coming to.
    const onliner = await bookAs('hy-online@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' });
    const onlineMail = await latest('hy-online@example.org', 'registration-confirmed');
    expect(onlineMail.data).toMatchObject({ placeKind: 'online', where: 'Online (Zoom)', joinUrl: JOIN, travelInfo: '' });
    expect(onlineMail.rendered.text).toContain('Your place: online');
    expect(onlineMail.rendered.text).toContain(`Join online: ${JOIN}`);
    expect(onlineMail.rendered.text).not.toContain('Friends Meeting House');
    expect(icsOf(onlineMail)).toContain(JOIN);
    const onlinePath = await latestManagePath(t.db, 'hy-online@example.org', 'registration-confirmed');
    const onlinePage = await onliner.get(onlinePath);
    expect(onlinePage.body).toContain(JOIN);
    expect(onlinePage.body).not.toContain('Two minutes from');

    // Both full: each waits for their own kind of place, and is told which.
    await bookAs('hy-wait-room@example.org', event.slug, { ticketTypeId: type.id, attendance: 'in_person' });
    await bookAs('hy-wait-online@example.org', event.slug, { ticketTypeId: type.id, attendance: 'online' });
    const waitRoom = await latest('hy-wait-room@example.org', 'registration-waitlisted');
    expect(waitRoom.rendered.text).toContain('on the waiting list for a place in the room');
    const waitOnline = await latest('hy-wait-online@example.org', 'registration-waitlisted');
    expect(waitOnline.data.placeKind).toBe('online');
    expect(waitOnline.rendered.text).toContain('The online places at');
    expect(waitOnline.rendered.text).toContain('on the waiting list for a place online');

    // A reminder two days before.
    await t.app.registrationJobs.runDue(new Date(startsAt.getTime() - 86_400_000));
    const roomReminder = await latest('hy-room@example.org', 'registration-reminder');
    expect(roomReminder.rendered.text).toContain('Your place: in the room');
    expect(roomReminder.rendered.text + roomReminder.rendered.html).not.toContain(JOIN);
    const onlineReminder = await latest('hy-online@example.org', 'registration-reminder');
    expect(onlineReminder.rendered.text).toContain('Your place: online');
    expect(onlineReminder.rendered.text).toContain(JOIN);

    // A change of details: the venue concerns the room, the joining link the online places.
    const changes = [
      { part: 'venue' as const, what: 'Venue', before: 'Friends Meeting House, 6 Mount Street, Manchester', after: 'Central Library, St Peter’s Square' },
      { part: 'joinUrl' as const, what: 'Joining link', before: JOIN, after: `${JOIN}-2` },
    ];
    const changed = { ...event, onlineJoinUrl: `${JOIN}-2`, venueName: 'Central Library', venueAddress: 'St Peter’s Square', sequence: event.sequence + 1 };
    await t.db.transaction((tx) => notifyRegistrants(tx, changed, 'changed', { changes }));
    const roomChange = await latest('hy-room@example.org', 'event-changed');
    expect(roomChange.rendered.text).toContain('Central Library');
    expect(roomChange.rendered.text + roomChange.rendered.html).not.toContain(JOIN);
    expect(icsOf(roomChange)).not.toContain(JOIN);
    const onlineChange = await latest('hy-online@example.org', 'event-changed');
    expect(onlineChange.rendered.text).toContain(`${JOIN}-2`);
    expect(onlineChange.rendered.text).not.toContain('Central Library');

    // The person in the room cancels: their email says which place went, and the one waiting
    // for the room (not the one waiting online) is offered it, as a place in the room.
    const cancel = await roomer.post(`${roomPath}/cancel`, {});
    expect(cancel.statusCode).toBe(303);
    const cancelled = await latest('hy-room@example.org', 'registration-cancelled');
    expect(cancelled.rendered.text).toContain('Your booking (a place in the room) for');
    const offer = await latest('hy-wait-room@example.org', 'registration-offer');
    expect(offer.rendered.text).toContain('A place in the room has become free');
    expect(offer.rendered.text + offer.rendered.html).not.toContain(JOIN);
    expect((await mailsTo(t.db, 'hy-wait-online@example.org')).some((m) => m.template === 'registration-offer')).toBe(false);
    const [offered] = await t.db
      .select({ status: registrations.status })
      .from(registrations)
      .where(and(eq(registrations.eventId, event.id), eq(registrations.email, 'hy-wait-room@example.org')));
    expect(offered!.status).toBe('offered');
  });
});

describe('a private calendar feed at a hybrid event', () => {
  it('gives the joining link to an online place only', async () => {
    const event = await makeEvent(t.db, { format: 'hybrid', capacity: 5, onlineCapacity: 5, onlineJoinUrl: JOIN });
    const type = await makeTicketType(t.db, event.id);
    const member = await bookAs('hy-feed@example.org', event.slug, { ticketTypeId: type.id, attendance: 'in_person' });
    const page = await member.post('/calendar/private', {});
    const feedPath = /\/calendar\/private\/[A-Za-z0-9_-]+\.ics/.exec(page.body)?.[0] ?? page.headers.location;
    expect(feedPath).toBeTruthy();
    const feed = await t.client().get(String(feedPath));
    expect(feed.body).toContain('Voices in crisis care');
    expect(feed.body).not.toContain(JOIN);
  });
});
