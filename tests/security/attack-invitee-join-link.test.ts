// Attack: the joining link of an invitation-only event is for those who hold a place online. When
// it changes, invitees are told too (tellInvitees). Someone whose accepted place was cancelled
// (from the attendee list, or from their own booking link) is "not coming", and someone in the
// room at an event in person and online never gets the link: neither may be sent the new one.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, registrations } from '../../db/schema/index.ts';
import { emailData } from '../support/outbox.ts';
import { mailTo, signedInOrganiser } from '../proposals/support.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;
const OLD = 'https://zoom.example/j/old-table';
const NEW = 'https://zoom.example/j/new-table';

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'join-link-convenor@example.org');
});
afterAll(async () => {
  await t?.close();
});

let count = 0;
async function roundTable(format: 'online' | 'hybrid') {
  count += 1;
  const event = await makeEvent(t.db, {
    title: `Round table on crisis lines ${count}`,
    type: 'round_table',
    format,
    capacity: 10,
    onlineCapacity: format === 'hybrid' ? 10 : null,
    startsAt: new Date('2027-01-20T10:00:00Z'),
    endsAt: new Date('2027-01-20T15:00:00Z'),
    venueName: format === 'hybrid' ? 'The Old Library' : '',
    venueAddress: format === 'hybrid' ? '1 High Street, Leeds' : '',
    onlinePlatform: 'Zoom',
    onlineJoinUrl: OLD,
  });
  const plan = await organiser.post(`/organise/events/${event.slug}/invitations/plan`, { invitationOnly: 'yes', listing: 'listed', target: 'third' });
  expect(plan.statusCode).toBe(303);
  return event;
}

async function acceptedInvitee(slug: string, name: string, email: string) {
  expect((await organiser.post(`/organise/events/${slug}/invitations`, { name, email, perspective: 'carer' })).statusCode).toBe(303);
  const [mail] = await mailTo(t.db, email, 'event-invitation');
  expect((await t.client().post(`${mail!.data.invitationPath}/accept`, {})).statusCode).toBe(303);
}

const details = (event: { id: string; title: string; format: string }, onlineJoinUrl: string) => ({
  title: event.title,
  type: 'round_table',
  summary: 'A day together.',
  description: '',
  format: event.format,
  startDate: '2027-01-20',
  startTime: '10:00',
  endTime: '15:00',
  venueName: event.format === 'hybrid' ? 'The Old Library' : '',
  venueAddress: event.format === 'hybrid' ? '1 High Street, Leeds' : '',
  onlinePlatform: 'Zoom',
  onlineJoinUrl,
  capacity: '10',
  onlineCapacity: event.format === 'hybrid' ? '10' : '',
  accessInfo: '',
});

async function everythingSentTo(email: string): Promise<string> {
  const rows = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email));
  return JSON.stringify(rows.map((row) => ({ subject: row.subject, data: emailData(row), attachments: row.attachments })));
}

describe('a new joining link at an invitation-only event', () => {
  it('is not sent to an invitee whose accepted place was cancelled', async () => {
    const event = await roundTable('online');
    await acceptedInvitee(event.slug, 'Former Invitee', 'former-invitee@example.org');
    await acceptedInvitee(event.slug, 'Still Coming', 'still-coming@example.org');
    const [place] = await t.db.select().from(registrations).where(eq(registrations.email, 'former-invitee@example.org'));
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${place!.id}/cancel`)).statusCode).toBe(303);

    const saved = await organiser.post(`/plan/${event.id}/details`, details(event, NEW));
    expect(saved.statusCode, saved.body.slice(0, 400)).toBe(303);
    // Someone still coming is given it…
    expect(await everythingSentTo('still-coming@example.org')).toContain(NEW);
    // …someone no longer coming is not.
    expect(await everythingSentTo('former-invitee@example.org')).not.toContain(NEW);
  });

  it('is not sent to an invitee whose place is in the room at an event in person and online', async () => {
    const event = await roundTable('hybrid');
    await acceptedInvitee(event.slug, 'In The Room', 'in-the-room@example.org');
    const [place] = await t.db.select().from(registrations).where(eq(registrations.email, 'in-the-room@example.org'));
    expect(place!.status).toBe('confirmed');
    const saved = await organiser.post(`/plan/${event.id}/details`, details(event, NEW));
    expect(saved.statusCode, saved.body.slice(0, 400)).toBe(303);
    expect(await everythingSentTo('in-the-room@example.org')).not.toContain(NEW);
  });
});
