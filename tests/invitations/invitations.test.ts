// Invitation-only events through real HTTP: an organiser makes a round table invitation-only and
// chooses whether it is listed; nobody can book it; invitees get a sealed private link, accept
// (with access needs, taking a place) or decline; a full event refuses an acceptance; one reminder
// goes to those who have not answered; the organisers' page names the gap to the balance.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventCohosts, eventInvitations, type events, organisations } from '../../db/schema/index.ts';
import { parseFeed } from '../calendar/parse.ts';
import { ERROR_CODE_HEADER } from '../../server/errors.ts';
import { sendInvitationReminders } from '../../server/invitations/service.ts';
import { balanceGap } from '../../server/invitations/view-models.ts';
import { availability } from '../../server/registration/api.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { mailTo, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'convenor@example.org');
});
afterAll(async () => {
  await t?.close();
});

async function roundTable(capacity = 12, overrides: Partial<typeof events.$inferInsert> = {}) {
  const event = await makeEvent(t.db, { title: 'Round table on crisis housing', type: 'round_table', capacity, ...overrides });
  const ticket = await makeTicketType(t.db, event.id);
  return { ...event, ticket };
}

async function makeInvitationOnly(slug: string, listing: 'listed' | 'unlisted' = 'listed') {
  const saved = await organiser.post(`/organise/events/${slug}/invitations/plan`, { invitationOnly: 'yes', listing, target: 'third' });
  expect(saved.statusCode).toBe(303);
}

async function inviteOne(slug: string, name: string, email: string, perspective: string) {
  const sent = await organiser.post(`/organise/events/${slug}/invitations`, { name, email, perspective });
  expect(sent.statusCode, sent.body).toBe(303);
}

async function linkFor(email: string): Promise<string> {
  const [mail] = (await mailTo(t.db, email, 'event-invitation')).slice(-1);
  const path = mail?.data.invitationPath;
  if (typeof path !== 'string') throw new Error(`No invitation to ${email}`);
  return path;
}

describe('an invitation-only event', () => {
  it('cannot be booked, is listed "by invitation" or hidden from lists and feeds as chosen', async () => {
    const event = await roundTable();
    const ticket = event.ticket;
    await makeInvitationOnly(event.slug);
    const visitor = t.client();
    const page = await visitor.get(`/events/${event.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('by invitation only');
    expect(page.body).not.toContain(`href="/events/${event.slug}/book"`);
    const list = await visitor.get('/events');
    expect(list.body).toContain(event.title);
    expect(list.body).toContain('By invitation');

    // The booking routes refuse it, signed in or not.
    const member = await t.signedIn('keen@example.org');
    const form = await member.get(`/events/${event.slug}/book`);
    expect(form.body).toContain('by invitation only');
    expect(form.body).not.toContain('name="ticketTypeId"');
    const booked = await member.post(`/events/${event.slug}/book`, { ticketTypeId: ticket.id, name: 'Keen', email: 'keen@example.org' });
    expect(booked.statusCode).toBe(409);
    expect(booked.body).toContain('by invitation only');
    expect((await availability(t.db, event.id)).booked).toBe(0);

    expect((await visitor.get('/calendar.ics')).body).toContain(event.title);
    await makeInvitationOnly(event.slug, 'unlisted');
    expect((await visitor.get('/events')).body).not.toContain(event.title);
    expect((await visitor.get('/')).body).not.toContain(event.title);
    const feed = await visitor.get('/calendar.ics');
    expect(feed.statusCode).toBe(200);
    expect(feed.body).not.toContain(event.title);
    // Its page still opens for those given the link.
    expect((await visitor.get(`/events/${event.slug}`)).statusCode).toBe(200);
  });

  it('is tagged "By invitation" wherever events are listed: home, list, organisation filter, directory entry, feed', async () => {
    // Soonest of all, so the home page's five next events include it.
    const event = await roundTable(12, { title: 'Round table on peer work', startsAt: new Date(Date.now() + 3_600_000) });
    await makeInvitationOnly(event.slug);
    const [partner] = await t.db.insert(organisations).values({ name: 'Peer Work Network', kind: 'network', status: 'approved' }).returning();
    await t.db.insert(eventCohosts).values({ eventId: event.id, organisationId: partner!.id, position: 0 });
    const card = (body: string) => {
      const start = body.indexOf(`href="/events/${event.slug}"`);
      expect(start, 'the event is listed').toBeGreaterThan(-1);
      return body.slice(start, body.indexOf('</article>', start));
    };
    const visitor = t.client();
    expect(card((await visitor.get('/')).body)).toContain('By invitation');
    expect(card((await visitor.get('/events')).body)).toContain('By invitation');
    expect(card((await visitor.get(`/events?organisation=${partner!.id}`)).body)).toContain('By invitation');
    const entry = (await visitor.get(`/directory/${partner!.id}`)).body;
    expect(entry).toMatch(new RegExp(`${event.title}</a>, [^<]*<strong class="govuk-tag govuk-tag--purple">By invitation</strong>`));
    const [inFeed] = parseFeed((await visitor.get('/calendar.ics')).body).entries.filter((e) => e.summary === event.title);
    expect(inFeed!.description).toContain('Round table, by invitation only. Details and access information:');
    expect(inFeed!.description).not.toContain('booking');
  });

  it('refuses invitations until it is invitation-only', async () => {
    const event = await roundTable();
    const sent = await organiser.post(`/organise/events/${event.slug}/invitations`, { name: 'Ana', email: 'ana@example.org', perspective: 'carer' });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers[ERROR_CODE_HEADER]).toBe('not_invitation_only');
    expect(await mailTo(t.db, 'ana@example.org', 'event-invitation')).toHaveLength(0);
  });

  it('keeps what was typed and says what is wrong', async () => {
    const event = await roundTable();
    await makeInvitationOnly(event.slug);
    const bad = await organiser.post(`/organise/events/${event.slug}/invitations`, { name: 'Bea Typo', email: 'not-an-address', perspective: 'academic' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an email address in the right format');
    expect(bad.body).toContain('value="Bea Typo"');
    await inviteOne(event.slug, 'Bea', 'bea@example.org', 'academic');
    const twice = await organiser.post(`/organise/events/${event.slug}/invitations`, { name: 'Bea', email: 'BEA@example.org', perspective: 'academic' });
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('bea@example.org has already been invited');
    expect(await mailTo(t.db, 'bea@example.org', 'event-invitation')).toHaveLength(1);
  });

  it('invitees accept with access needs or decline through their private link, and the balance names the gap', async () => {
    const event = await roundTable();
    await makeInvitationOnly(event.slug);
    const invitees = [
      ['Sam', 'sam@example.org', 'service_user_survivor'],
      ['Pat', 'pat@example.org', 'practitioner'],
      ['Alex', 'alex@example.org', 'academic'],
      ['Priya', 'priya@example.org', 'policy_maker'],
      ['Jo', 'jo@example.org', 'practitioner'],
      ['Chris', 'chris@example.org', 'practitioner'],
      ['Kim', 'kim@example.org', 'carer'],
    ] as const;
    for (const [name, email, perspective] of invitees) await inviteOne(event.slug, name, email, perspective);

    const [mail] = await mailTo(t.db, 'sam@example.org', 'event-invitation');
    expect(mail!.subject).toBe('You are invited to Round table on crisis housing');
    // The link is sealed in the outbox: not in the stored data.
    expect(JSON.stringify(mail!.data).length).toBeGreaterThan(0);
    const [stored] = await t.db.select().from(eventInvitations).where(eq(eventInvitations.email, 'sam@example.org'));
    expect(stored).toBeDefined();

    const invitee = t.client();
    const samLink = await linkFor('sam@example.org');
    const opened = await invitee.get(samLink);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('service user or survivor');
    // Opening changes nothing.
    expect((await t.db.select().from(eventInvitations).where(eq(eventInvitations.email, 'sam@example.org')))[0]!.status).toBe('invited');
    const accepted = await invitee.post(`${samLink}/accept`, { accessNeeds: 'A quiet room at lunch' });
    expect(accepted.statusCode).toBe(303);
    expect(await mailTo(t.db, 'sam@example.org', 'event-invitation-accepted')).toHaveLength(1);
    for (const email of ['pat@example.org', 'alex@example.org', 'priya@example.org', 'jo@example.org', 'chris@example.org']) {
      expect((await t.client().post(`${await linkFor(email)}/accept`, {})).statusCode).toBe(303);
    }
    expect((await t.client().post(`${await linkFor('kim@example.org')}/decline`)).statusCode).toBe(303);
    expect((await availability(t.db, event.id)).booked).toBe(6);

    const page = await organiser.get(`/organise/events/${event.slug}/invitations`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('2 more people with lived experience would reach a third (1 of the 6 people coming now).');
    expect(page.body).toContain('A quiet room at lunch');

    // Changing one's mind gives the place back and forgets the access needs.
    expect((await invitee.post(`${samLink}/decline`)).statusCode).toBe(303);
    expect((await availability(t.db, event.id)).booked).toBe(5);
    const [sam] = await t.db.select().from(eventInvitations).where(eq(eventInvitations.email, 'sam@example.org'));
    expect(sam!.status).toBe('declined');
    expect(sam!.accessNeeds).toBe('');
  });

  it('a changed link opens nothing', async () => {
    const event = await roundTable();
    await makeInvitationOnly(event.slug);
    await inviteOne(event.slug, 'Dee', 'dee@example.org', 'other');
    const link = await linkFor('dee@example.org');
    const changed = link.slice(0, -2) + (link.endsWith('A') ? 'BB' : 'AA');
    expect((await t.client().get(changed)).statusCode).toBe(404);
    expect((await t.client().post(`${changed}/accept`, {})).statusCode).toBe(404);
  });

  it('refuses an acceptance when every place is taken', async () => {
    const event = await roundTable(1);
    await makeInvitationOnly(event.slug);
    await inviteOne(event.slug, 'First', 'first@example.org', 'carer');
    await inviteOne(event.slug, 'Second', 'second@example.org', 'carer');
    expect((await t.client().post(`${await linkFor('first@example.org')}/accept`, {})).statusCode).toBe(303);
    const late = await t.client().post(`${await linkFor('second@example.org')}/accept`, {});
    expect(late.statusCode).toBe(303);
    expect(late.headers[ERROR_CODE_HEADER]).toBe('invitation_full');
    const [second] = await t.db.select().from(eventInvitations).where(eq(eventInvitations.email, 'second@example.org'));
    expect(second!.status).toBe('invited');
  });

  it('sends one reminder to those who have not answered after five days', async () => {
    const event = await roundTable(12, { startsAt: new Date(Date.now() + 30 * 86_400_000), endsAt: new Date(Date.now() + 30 * 86_400_000 + 3_600_000) });
    await makeInvitationOnly(event.slug);
    await inviteOne(event.slug, 'Quiet', 'quiet@example.org', 'academic');
    await inviteOne(event.slug, 'Prompt', 'prompt@example.org', 'academic');
    await t.client().post(`${await linkFor('prompt@example.org')}/accept`, {});
    expect(await sendInvitationReminders(t.db, new Date(Date.now() + 86_400_000))).toBe(0);
    const later = new Date(Date.now() + 6 * 86_400_000);
    await sendInvitationReminders(t.db, later);
    await sendInvitationReminders(t.db, new Date(later.getTime() + 86_400_000));
    const quiet = await mailTo(t.db, 'quiet@example.org', 'event-invitation');
    expect(quiet.map((m) => m.subject)).toEqual([
      'You are invited to Round table on crisis housing',
      'Reminder: you are invited to Round table on crisis housing',
    ]);
    expect(quiet[1]!.data.invitationPath).toBe(quiet[0]!.data.invitationPath);
    expect(await mailTo(t.db, 'prompt@example.org', 'event-invitation')).toHaveLength(1);
  });

  it('is only for organisers', async () => {
    const event = await roundTable();
    const member = await t.signedIn('nosy@example.org');
    expect((await member.get(`/organise/events/${event.slug}/invitations`)).statusCode).toBe(403);
  });
});

describe('the gap to the balance, in words', () => {
  it('counts the people with lived experience still needed', () => {
    expect(balanceGap('third', 6, 1).words).toBe('2 more people with lived experience would reach a third (1 of the 6 people coming now).');
    expect(balanceGap('third', 6, 2).met).toBe(true);
    expect(balanceGap('half', 3, 1).more).toBe(1);
    expect(balanceGap('third', 0, 0).words).toContain('Nobody has accepted yet');
    expect(balanceGap('none', 5, 0).met).toBe(true);
  });
});
