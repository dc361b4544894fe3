// An accepted invitation is a confirmed place: the invitee is on the organisers' attendee list
// (with the access needs they gave), can be checked in, is reminded before the event and asked
// for feedback after it, like anyone booked; they get one confirmation, not two. Declining, or the
// organisers withdrawing the invitation, ends the place (and it leaves every list).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInvitations, events, outboxMessages, registrations } from '../../db/schema/index.ts';
import { ERROR_CODE_HEADER } from '../../server/errors.ts';
import { seedDemoInvitations } from '../../server/invitations/demo.ts';
import { sendDueReminders } from '../../server/registration/reminders.ts';
import { availability } from '../../server/registration/api.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { mailTo, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'places-convenor@example.org');
});
afterAll(async () => {
  await t?.close();
});

async function roundTable(title: string, capacity = 10) {
  const startsAt = new Date(Date.now() + 10 * DAY);
  const event = await makeEvent(t.db, { title, type: 'round_table', capacity, startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000) });
  expect(
    (await organiser.post(`/organise/events/${event.slug}/invitations/plan`, { invitationOnly: 'yes', listing: 'listed', target: 'third' })).statusCode,
  ).toBe(303);
  return event;
}

async function invite(slug: string, name: string, email: string): Promise<string> {
  expect((await organiser.post(`/organise/events/${slug}/invitations`, { name, email, perspective: 'service_user_survivor' })).statusCode).toBe(303);
  const [mail] = await mailTo(t.db, email, 'event-invitation');
  return mail!.data.invitationPath as string;
}

async function placeOf(eventId: string, email: string) {
  return t.db
    .select()
    .from(registrations)
    .where(and(eq(registrations.eventId, eventId), eq(registrations.email, email)));
}

async function templatesTo(email: string): Promise<string[]> {
  const rows = await t.db.select({ template: outboxMessages.template }).from(outboxMessages).where(eq(outboxMessages.toAddress, email));
  return rows.map((r) => r.template).sort();
}

describe('an accepted invitation', () => {
  it('is a confirmed place: on the attendee list with its needs, checked in, reminded and asked for feedback; one confirmation', async () => {
    const event = await roundTable('Round table on peer support');
    const path = await invite(event.slug, 'Rae Tenant', 'rae@example.org');
    expect((await t.client().post(`${path}/accept`, { accessNeeds: 'A seat near the door' })).statusCode).toBe(303);

    const [place] = await placeOf(event.id, 'rae@example.org');
    expect(place).toMatchObject({ status: 'confirmed', name: 'Rae Tenant', accessRequirements: 'A seat near the door', companionOfId: null });
    expect((await availability(t.db, event.id)).booked).toBe(1);
    // One confirmation: the acceptance's own, not a booking confirmation besides.
    expect(await templatesTo('rae@example.org')).toEqual(['event-invitation', 'event-invitation-accepted']);

    const attendees = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(attendees.body).toContain('Rae Tenant');
    // The place has no kind (nothing is sold): it is named an invited place, not a bare "(Free)".
    expect(attendees.body).toContain('Invited place (Free)');
    const csv = await organiser.get(`/organise/events/${event.slug}/attendees.csv`);
    expect(csv.body).toContain('Invited place');
    expect((await organiser.get(`/organise/events/${event.slug}/attendees/needs`)).body).toContain('A seat near the door');

    // Changing the needs from the invitation changes them on the place; still one place, no new email.
    expect((await t.client().post(`${path}/accept`, { accessNeeds: 'A seat near the door, and papers ahead' })).statusCode).toBe(303);
    const places = await placeOf(event.id, 'rae@example.org');
    expect(places).toHaveLength(1);
    expect(places[0]!.accessRequirements).toBe('A seat near the door, and papers ahead');
    expect(await templatesTo('rae@example.org')).toEqual(['event-invitation', 'event-invitation-accepted']);

    // Reminded two days before, like anyone booked.
    await sendDueReminders(t.db, new Date(event.startsAt!.getTime() - 1.5 * DAY));
    expect(await mailTo(t.db, 'rae@example.org', 'registration-reminder')).toHaveLength(1);

    // Checked in on the day.
    expect((await organiser.post(`/organise/events/${event.slug}/check-in/open`)).statusCode).toBe(303);
    const checkIn = await organiser.get(`/organise/events/${event.slug}/check-in`);
    expect(checkIn.body).toContain('Rae Tenant');
    const marked = await organiser.post(`/organise/events/${event.slug}/check-in/${place!.id}`, { attended: 'yes' });
    expect(marked.statusCode, marked.body).toBe(303);
    expect((await placeOf(event.id, 'rae@example.org'))[0]!.status).toBe('attended');

    // After the event, asked for feedback like the other people who came.
    const startsAt = new Date(Date.now() - 6 * 3_600_000);
    await t.db
      .update(events)
      .set({ startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000) })
      .where(eq(events.id, event.id));
    await t.app.afterEventJobs.runDue();
    expect(await mailTo(t.db, 'rae@example.org', 'survey-invitation')).toHaveLength(1);
  });

  it('ends when the invitee declines: off the attendee list, the place free again, no cancellation email', async () => {
    const event = await roundTable('Round table on carers', 1);
    const path = await invite(event.slug, 'Kim Carer', 'kim@example.org');
    const next = await invite(event.slug, 'Lou Next', 'lou@example.org');
    expect((await t.client().post(`${path}/accept`, { accessNeeds: 'Step-free access' })).statusCode).toBe(303);
    expect((await t.client().post(`${next}/accept`, {})).headers[ERROR_CODE_HEADER]).toBe('invitation_full');

    expect((await t.client().post(`${path}/decline`)).statusCode).toBe(303);
    const [place] = await placeOf(event.id, 'kim@example.org');
    expect(place).toMatchObject({ status: 'cancelled', accessRequirements: '' });
    expect((await organiser.get(`/organise/events/${event.slug}/check-in`)).body).not.toContain('Kim Carer');
    expect(await templatesTo('kim@example.org')).toEqual(['event-invitation', 'event-invitation-accepted']);
    // The freed place can be taken by the next invitee.
    expect((await t.client().post(`${next}/accept`, {})).headers[ERROR_CODE_HEADER]).toBeUndefined();
    expect((await availability(t.db, event.id)).booked).toBe(1);

    // Accepting again after declining makes a new place.
    const again = await t.client().post(`${path}/accept`, {});
    expect(again.headers[ERROR_CODE_HEADER]).toBe('invitation_full');
  });

  it('ends when the organisers withdraw the invitation: the invitee is told, and the link no longer answers', async () => {
    const event = await roundTable('Round table on policy');
    const path = await invite(event.slug, 'Wyn Wrong', 'wyn@example.org');
    expect((await t.client().post(`${path}/accept`, { accessNeeds: 'Large print' })).statusCode).toBe(303);
    const [invitation] = await t.db.select().from(eventInvitations).where(eq(eventInvitations.email, 'wyn@example.org'));

    const withdrawn = await organiser.post(`/organise/events/${event.slug}/invitations/${invitation!.id}/withdraw`);
    expect(withdrawn.statusCode).toBe(303);
    expect((await placeOf(event.id, 'wyn@example.org'))[0]).toMatchObject({ status: 'cancelled', accessRequirements: '' });
    expect((await availability(t.db, event.id)).booked).toBe(0);
    const [told] = await mailTo(t.db, 'wyn@example.org', 'event-invitation-withdrawn');
    expect(told!.subject).toBe('Your invitation to Round table on policy has been withdrawn');
    expect(told!.data.hadPlace).toBe(true);
    expect(await mailTo(t.db, 'wyn@example.org', 'registration-cancelled')).toHaveLength(0);

    const page = await organiser.get(`/organise/events/${event.slug}/invitations`);
    expect(page.body).toContain('Withdrawn');
    expect(page.body).not.toContain('Large print');
    const opened = await t.client().get(path);
    expect(opened.body).toContain('The organisers have withdrawn this invitation.');
    const late = await t.client().post(`${path}/accept`, {});
    expect(late.headers[ERROR_CODE_HEADER]).toBe('invitation_withdrawn');
    expect(await placeOf(event.id, 'wyn@example.org')).toHaveLength(1);

    // Another event's organisers' page cannot withdraw it by changing the address.
    const other = await roundTable('Round table elsewhere');
    const path2 = await invite(event.slug, 'Zed', 'zed@example.org');
    expect(path2).toBeTruthy();
    const [zed] = await t.db.select().from(eventInvitations).where(eq(eventInvitations.email, 'zed@example.org'));
    expect((await organiser.post(`/organise/events/${other.slug}/invitations/${zed!.id}/withdraw`)).statusCode).toBe(404);
  });

  it('a place cancelled from the booking link counts as not coming on the invitations page', async () => {
    const event = await roundTable('Round table on housing');
    const path = await invite(event.slug, 'Cy Cancel', 'cy@example.org');
    expect((await t.client().post(`${path}/accept`, {})).statusCode).toBe(303);
    const [place] = await placeOf(event.id, 'cy@example.org');
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${place!.id}/cancel`)).statusCode).toBe(303);
    const page = await organiser.get(`/organise/events/${event.slug}/invitations`);
    expect(page.body).toContain('Not coming');
    expect(page.body).toContain('Nobody has accepted yet');
    expect((await t.client().get(path)).body).toContain('You are not coming');
  });
});

describe('the demo round table on crisis housing', () => {
  it('gives each accepted invitee a place with the perspective they were invited to bring, as an acceptance does', async () => {
    await seedDemoInvitations(t.db);
    const [housing] = await t.db.select().from(events).where(eq(events.slug, 'round-table-crisis-housing'));
    const places = await t.db.select().from(registrations).where(eq(registrations.eventId, housing!.id));
    expect(Object.fromEntries(places.map((p) => [p.email, p.perspective]))).toMatchObject({
      'rae.tenant@example.org': 'lived_experience',
      'lee.housing@example.org': 'practitioner',
      'ash.researcher@example.org': 'academic',
    });
  });
});
