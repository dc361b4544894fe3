// Changing a listed organisation: an organiser edits or removes an entry (members' links and the
// events it co-hosts follow), the entry's contact asks for a change through a public form that
// organisers read and close, and erasing an account forgets a request it made that is still
// waiting.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryChangeRequests, eventCohosts, events, organisationMembers, organisations } from '../../db/schema/index.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'directory-editor@example.org');
});
afterAll(async () => {
  await t?.close();
});

const entry = {
  name: 'Northern Peer Network',
  kind: 'network',
  website: 'https://peers.example.org',
  region: '',
  description: 'Peer support groups across the north.',
  contactName: 'Pat Peer',
  contactEmail: 'pat@peers.example.org',
  contactPublic: 'yes',
};

async function listed(overrides: Partial<typeof entry> = {}): Promise<string> {
  const added = await organiser.post('/organise/directory', { ...entry, ...overrides });
  expect(added.statusCode, added.body.slice(0, 300)).toBe(303);
  return String(added.headers.location).split('/').pop()!;
}

describe('a listed organisation', () => {
  it('is changed by an organiser, with what was typed kept when something is wrong', async () => {
    const id = await listed();
    const form = await organiser.get(`/organise/directory/${id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Northern Peer Network"');
    expect((await organiser.get('/organise/directory')).body).toContain(`href="/organise/directory/${id}/edit"`);

    const event = await makeEvent(t.db, { title: 'A northern seminar' });
    expect((await organiser.post(`/organise/events/${event.slug}/co-hosts`, { organisations: id })).statusCode).toBe(303);
    const [before] = await t.db.select({ sequence: events.sequence }).from(events).where(eq(events.id, event.id));

    const bad = await organiser.post(`/organise/directory/${id}/edit`, { ...entry, description: 'Kept as typed', website: 'not a website' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter the website’s full address');
    expect(bad.body).toContain('Kept as typed');
    const saved = await organiser.post(`/organise/directory/${id}/edit`, {
      ...entry,
      name: 'North Peer Network',
      description: 'Groups in every northern city.',
    });
    expect(saved.statusCode).toBe(303);
    const page = await t.client().get(`/directory/${id}`);
    expect(page.body).toContain('North Peer Network');
    expect(page.body).toContain('Groups in every northern city.');
    // Its co-hosted event's calendar entry names it: it counts as changed.
    const [after] = await t.db.select({ sequence: events.sequence }).from(events).where(eq(events.id, event.id));
    expect(after!.sequence).toBe(before!.sequence + 1);

    // Only organisers.
    const member = await t.signedIn('not-an-organiser@example.org');
    expect((await member.get(`/organise/directory/${id}/edit`)).statusCode).toBe(403);
    expect((await member.post(`/organise/directory/${id}/edit`, entry)).statusCode).toBe(403);
    expect((await member.post(`/organise/directory/${id}/remove`)).statusCode).toBe(403);
  });

  it('is removed by an organiser: members’ links and co-hosting go with it, and its page is gone', async () => {
    const id = await listed({ name: 'Short-lived Network' });
    const member = await t.signedIn('belongs@example.org');
    expect((await member.post(`/directory/${id}/membership`, { belongs: 'yes', showPublicly: 'yes' })).statusCode).toBe(303);
    expect((await member.get('/directory/yours')).body).toContain('Short-lived Network');
    const event = await makeEvent(t.db, { title: 'A short-lived seminar' });
    expect((await organiser.post(`/organise/events/${event.slug}/co-hosts`, { organisations: id })).statusCode).toBe(303);
    expect((await t.client().get(`/events/${event.slug}`)).body).toContain('Short-lived Network');
    const [before] = await t.db.select({ sequence: events.sequence }).from(events).where(eq(events.id, event.id));

    const confirm = await organiser.get(`/organise/directory/${id}/remove`);
    expect(confirm.body).toContain('Remove Short-lived Network from the directory?');
    expect(confirm.body).toContain('the event it co-hosts no longer names it');
    const removed = await organiser.post(`/organise/directory/${id}/remove`);
    expect(removed.statusCode).toBe(303);

    expect((await t.client().get(`/directory/${id}`)).statusCode).toBe(404);
    expect((await t.client().get('/directory')).body).not.toContain('Short-lived Network');
    expect(await t.db.select().from(organisationMembers).where(eq(organisationMembers.organisationId, id))).toHaveLength(0);
    expect((await member.get('/directory/yours')).body).not.toContain('Short-lived Network');
    expect(await t.db.select().from(eventCohosts).where(eq(eventCohosts.organisationId, id))).toHaveLength(0);
    expect((await t.client().get(`/events/${event.slug}`)).body).not.toContain('Short-lived Network');
    const [after] = await t.db.select({ sequence: events.sequence }).from(events).where(eq(events.id, event.id));
    expect(after!.sequence).toBe(before!.sequence + 1);
    // Removing it again finds nothing.
    expect((await organiser.post(`/organise/directory/${id}/remove`)).statusCode).toBe(404);
  });

  it('takes requests for a change from its contact, which organisers read and close', async () => {
    const id = await listed({ name: 'Changing Charity', kind: 'charity', contactEmail: 'contact@changing.example.org' });
    const visitor = t.client();
    expect((await visitor.get(`/directory/${id}`)).body).toContain(`href="/directory/${id}/change"`);
    const bad = await visitor.post(`/directory/${id}/change`, { email: 'not-an-address', message: 'Our website moved.' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter your email address in the right format');
    expect(bad.body).toContain('Our website moved.');
    const sent = await visitor.post(`/directory/${id}/change`, {
      email: 'Contact@Changing.example.org',
      message: 'Our website moved to https://new.example.org',
    });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/directory/${id}/change/sent`);

    const page = await organiser.get('/organise/directory');
    expect(page.body).toContain('Our website moved to https://new.example.org');
    expect(page.body).toContain('contact@changing.example.org (the address shown as the entry’s contact, but not proven');
    // Making the change leads back to the requests, where this one is still to be marked done.
    const changed = await organiser.post(`/organise/directory/${id}/edit`, {
      ...entry,
      name: 'Changing Charity',
      kind: 'charity',
      website: 'https://new.example.org',
      contactEmail: 'contact@changing.example.org',
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/organise/directory');
    expect((await organiser.get('/organise/directory')).body).toContain('If that deals with the request for a change, mark it done.');
    const [request] = await t.db.select().from(directoryChangeRequests).where(eq(directoryChangeRequests.organisationId, id));
    expect((await organiser.post(`/organise/directory/changes/${request!.id}/done`)).statusCode).toBe(303);
    expect(await t.db.select().from(directoryChangeRequests).where(eq(directoryChangeRequests.organisationId, id))).toHaveLength(0);
    // An entry that is not listed takes no requests.
    expect((await visitor.post('/directory/00000000-0000-4000-8000-000000000000/change', { email: 'a@example.org', message: 'x' })).statusCode).toBe(404);
  });
});

describe('erasing an account', () => {
  it('forgets a request to be listed it made that is still waiting, and its requests for changes', async () => {
    const asked = await t.client().post('/directory/ask', {
      ...entry,
      name: 'Waiting Network',
      contactEmail: 'asker@example.org',
      requesterEmail: 'Asker@example.org',
    });
    expect(asked.statusCode).toBe(303);
    const id = await listed({ name: 'Listed Elsewhere' });
    expect((await t.client().post(`/directory/${id}/change`, { email: 'asker@example.org', message: 'Please add our newsletter.' })).statusCode).toBe(303);

    const asker = await t.signedIn('asker@example.org');
    expect((await asker.post('/account/delete')).statusCode).toBe(303);

    const [waiting] = await t.db.select().from(organisations).where(eq(organisations.name, 'Waiting Network'));
    expect(waiting).toMatchObject({ status: 'pending', requesterEmail: '', contactEmail: '', contactName: '', contactPublic: false });
    expect(await t.db.select().from(directoryChangeRequests).where(eq(directoryChangeRequests.email, 'asker@example.org'))).toHaveLength(0);
    // Organisers can still decide it; nobody is left to tell.
    const page = await organiser.get('/organise/directory');
    expect(page.body).toContain('Waiting Network');
    expect(page.body).not.toContain('asker@example.org');
    expect((await organiser.post(`/organise/directory/${waiting!.id}/decision`, { decision: 'approve' })).statusCode).toBe(303);
  });
});
