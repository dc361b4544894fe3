// The directory of networks and organisations, and events co-hosted with them, through the real
// routes: asking to be listed (nothing shown or emailed until an organiser decides; the asker is
// told), filters and search, a contact shown only with consent, members named only with theirs,
// and co-hosts on the event page, the event list's filter and the calendar feeds.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryRequestTries, organisationMembers, organisations, outboxMessages } from '../../db/schema/index.ts';
import { directoryContacts } from '../../server/network/directory.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { mailTo, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp({ env: { BOOKING_REQUESTS_PER_IP_PER_HOUR: '8' } });
  organiser = await signedInOrganiser(t, 'directory-organiser@example.org');
});
afterAll(async () => {
  await t?.close();
});

async function ask(fields: Record<string, string>) {
  return t.client().post('/directory/ask', fields);
}

describe('the directory', () => {
  it('lists an organisation only once an organiser approves it, and tells the asker', async () => {
    const asked = await ask({
      name: 'Survivor Voices Network',
      kind: 'service_user_led',
      website: 'https://survivorvoices.example.org',
      region: 'London',
      description: 'A network of survivors running peer support groups.',
      contactName: 'Jo',
      contactEmail: 'hello@survivorvoices.example.org',
      contactPublic: 'yes',
      requesterEmail: 'Jo@SurvivorVoices.example.org',
    });
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/directory/ask/sent');
    const [row] = await t.db.select().from(organisations).where(eq(organisations.name, 'Survivor Voices Network'));
    expect(row!.status).toBe('pending');
    // Not shown, and nobody emailed, until an organiser decides.
    expect((await t.client().get('/directory')).body).not.toContain('Survivor Voices Network');
    expect((await t.client().get(`/directory/${row!.id}`)).statusCode).toBe(404);
    expect(await t.db.select().from(outboxMessages).where(eq(outboxMessages.template, 'directory-decided'))).toHaveLength(0);

    const page = await organiser.get('/organise/directory');
    expect(page.body).toContain('Survivor Voices Network');
    expect(page.body).toContain('jo@survivorvoices.example.org');
    expect((await organiser.post(`/organise/directory/${row!.id}/decision`, { decision: 'approve' })).statusCode).toBe(303);
    // Deciding twice is refused with a message.
    const twice = await organiser.post(`/organise/directory/${row!.id}/decision`, { decision: 'decline' });
    expect(twice.headers['x-error-code']).toBe('organisation_decided');

    const [told] = await mailTo(t.db, 'jo@survivorvoices.example.org', 'directory-decided');
    expect(told!.subject).toBe('Your organisation is listed in the Social Perspectives Hub directory');
    expect(told!.data).toMatchObject({ approved: true, organisationName: 'Survivor Voices Network', directoryPath: `/directory/${row!.id}` });
    // The asker's address is forgotten once they are told.
    const [after] = await t.db.select().from(organisations).where(eq(organisations.id, row!.id));
    expect(after).toMatchObject({ status: 'approved', requesterEmail: '' });

    const entry = await t.client().get(`/directory/${row!.id}`);
    expect(entry.statusCode).toBe(200);
    expect(entry.body).toContain('Service-user-led organisation');
    expect(entry.body).toContain('mailto:hello@survivorvoices.example.org');
  });

  it('declines without repeating what a stranger typed, and deletes the details', async () => {
    await ask({ name: 'Buy cheap pills now', kind: 'charity', description: 'spam', requesterEmail: 'victim@example.org' });
    const [row] = await t.db.select().from(organisations).where(eq(organisations.name, 'Buy cheap pills now'));
    expect((await organiser.post(`/organise/directory/${row!.id}/decision`, { decision: 'decline' })).statusCode).toBe(303);
    const [told] = await mailTo(t.db, 'victim@example.org', 'directory-decided');
    expect(told!.data.organisationName).toBe('');
    expect(told!.subject).not.toContain('pills');
    const [after] = await t.db.select().from(organisations).where(eq(organisations.id, row!.id));
    expect(after).toMatchObject({ status: 'declined', description: '', requesterEmail: '' });
  });

  it('keeps what was typed when the form has problems, and saves nothing', async () => {
    const bad = await ask({ name: '', kind: 'cult', website: 'javascript:alert(1)', contactEmail: 'nope', contactPublic: 'yes', requesterEmail: 'x' });
    expect(bad.statusCode).toBe(400);
    for (const message of [
      'Enter the organisation’s name',
      'Select what kind of organisation it is',
      'Enter the website’s full address, starting https://',
      'Enter the contact’s email address in the right format',
      'Enter your email address in the right format',
    ])
      expect(bad.body).toContain(message);
    expect(bad.body).toContain('value="javascript:alert(1)"');
    expect(await t.db.select().from(organisations).where(eq(organisations.kind, 'charity'))).toHaveLength(1);
  });

  it('filters by kind and region and finds by a word, showing a contact only with consent', async () => {
    for (const [name, kind, region, contactPublic] of [
      ['Midlands Carers Network', 'network', 'West Midlands', ''],
      ['University of Anytown', 'university', 'North West', ''],
      ['Royal College of Social Workers', 'professional_body', '', 'yes'],
    ]) {
      const added = await organiser.post('/organise/directory', {
        name: name!,
        kind: kind!,
        region: region!,
        description: `${name} works on social approaches to distress.`,
        contactName: 'Private Person',
        contactEmail: 'private.person@example.org',
        contactPublic: contactPublic!,
      });
      expect(added.statusCode).toBe(303);
    }
    const names = (html: string) =>
      [...html.matchAll(/<h3 class="govuk-summary-card__title"><a class="govuk-link" href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(names((await t.client().get('/directory')).body)).toEqual([
      'Midlands Carers Network',
      'Royal College of Social Workers',
      'Survivor Voices Network',
      'University of Anytown',
    ]);
    expect(names((await t.client().get('/directory?kind=network')).body)).toEqual(['Midlands Carers Network']);
    expect(names((await t.client().get('/directory?region=London')).body)).toEqual(['Survivor Voices Network']);
    expect(names((await t.client().get('/directory?q=peer+support')).body)).toEqual(['Survivor Voices Network']);
    expect((await t.client().get('/directory?q=%25')).statusCode).toBe(200);
    // A contact that did not agree is not on any public page, nor in the list for invitations.
    const [midlands] = await t.db.select().from(organisations).where(eq(organisations.name, 'Midlands Carers Network'));
    expect((await t.client().get(`/directory/${midlands!.id}`)).body).not.toContain('private.person@example.org');
    const contacts = await directoryContacts(t.db);
    expect(contacts.find((c) => c.name === 'Midlands Carers Network')!.contact).toBeNull();
    expect(contacts.find((c) => c.name === 'Royal College of Social Workers')!.contact).toEqual({
      name: 'Private Person',
      email: 'private.person@example.org',
    });
    expect(contacts.map((c) => c.name)).not.toContain('Buy cheap pills now');
  });

  it('names a member on an organisation only with their consent', async () => {
    const [org] = await t.db.select().from(organisations).where(eq(organisations.name, 'Midlands Carers Network'));
    const entryUrl = `/directory/${org!.id}`;
    expect((await t.client().get(entryUrl)).body).toContain('Sign in</a> to say that you belong to it');
    const member = await t.signedIn('rae@example.org');
    await member.post('/account', { displayName: 'Rae Carer', pronouns: '', contactNotes: '' });
    expect((await member.post(`${entryUrl}/membership`, { belongs: 'yes' })).statusCode).toBe(303);
    expect((await t.client().get(entryUrl)).body).not.toContain('Rae Carer');
    expect((await member.get('/directory/yours')).body).toContain('Midlands Carers Network</a>: your name is not shown');
    await member.post(`${entryUrl}/membership`, { belongs: 'yes', showPublicly: 'yes' });
    expect((await t.client().get(entryUrl)).body).toContain('Rae Carer');
    // Their own data download says so.
    const exported = JSON.parse((await member.get('/account/your-data.json')).body);
    expect(exported.organisations).toEqual([{ name: 'Midlands Carers Network', shownPublicly: true }]);
    await member.post(`${entryUrl}/membership`, {});
    expect((await t.client().get(entryUrl)).body).not.toContain('Rae Carer');
    expect(await t.db.select().from(organisationMembers)).toHaveLength(0);
    // Deleting an account forgets where its person belonged.
    await member.post(`${entryUrl}/membership`, { belongs: 'yes', showPublicly: 'yes' });
    expect((await member.post('/account/delete')).statusCode).toBe(303);
    expect(await t.db.select().from(organisationMembers)).toHaveLength(0);
    // Only signed-in people may say so.
    const anonymous = await t.client().post(`${entryUrl}/membership`, { belongs: 'yes' });
    expect(anonymous.statusCode).not.toBe(200);
    expect(await t.db.select().from(organisationMembers)).toHaveLength(0);
  });
});

describe('asking from one connection', () => {
  it('is refused past the hourly limit, counted in the database, with the form kept', async () => {
    let last = await ask({ name: 'Flood 0', kind: 'charity', requesterEmail: 'flood@example.org' });
    for (let i = 1; i < 20 && last.statusCode === 303; i++) last = await ask({ name: `Flood ${i}`, kind: 'charity', requesterEmail: 'flood@example.org' });
    expect(last.statusCode).toBe(429);
    expect(last.body).toContain('Too many requests about the directory have been sent from this connection');
    expect(last.body).toContain('value="flood@example.org"');
    const waiting = (await t.db.select().from(organisations).where(eq(organisations.status, 'pending'))).filter((o) => o.name.startsWith('Flood'));
    // The hour's allowance (8) counts every request from this connection, those decided earlier included.
    expect(await t.db.select().from(directoryRequestTries)).toHaveLength(8);
    expect(waiting.length).toBeGreaterThan(0);
    // Deciding the requests forgets who asked, but not that this connection used its hour.
    for (const o of waiting) expect((await organiser.post(`/organise/directory/${o.id}/decision`, { decision: 'decline' })).statusCode).toBe(303);
    const after = await ask({ name: 'Flood again', kind: 'charity', requesterEmail: 'flood@example.org' });
    expect(after.statusCode).toBe(429);
    expect(await t.db.select().from(organisations).where(eq(organisations.name, 'Flood again'))).toHaveLength(0);
  });
});

describe('a co-hosted event', () => {
  it('names its co-hosts on its page, in the list (with a filter) and in the calendar feeds', async () => {
    const event = await makeEvent(t.db, { slug: 'joint-seminar', title: 'A joint seminar' });
    await makeEvent(t.db, { slug: 'hub-only', title: 'A Hub-only seminar' });
    const listed = await t.db.select().from(organisations).where(eq(organisations.status, 'approved'));
    const voices = listed.find((o) => o.name === 'Survivor Voices Network')!;
    const carers = listed.find((o) => o.name === 'Midlands Carers Network')!;

    const form = await organiser.get('/organise/events/joint-seminar/co-hosts');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Survivor Voices Network');
    const before = await t.client().get('/events/joint-seminar/calendar.ics');
    expect((await organiser.post('/organise/events/joint-seminar/co-hosts', { organisations: [voices.id, carers.id] })).statusCode).toBe(303);
    // An organisation not in the directory (pending, declined or made up) is refused.
    const [declined] = await t.db.select().from(organisations).where(eq(organisations.status, 'declined'));
    const refused = await organiser.post('/organise/events/joint-seminar/co-hosts', { organisations: declined!.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Choose organisations from the directory');

    const page = await t.client().get('/events/joint-seminar');
    expect(page.body).toMatch(
      /Co-hosted by<\/dt>\s*<dd class="govuk-summary-list__value"><a class="govuk-link" href="\/directory\/[^"]+">Survivor Voices Network<\/a> and <a/,
    );
    const list = await t.client().get('/events');
    expect(list.body).toContain('Survivor Voices Network and Midlands Carers Network');
    expect(list.body).toContain(`<option value="${voices.id}">Survivor Voices Network</option>`);
    const filtered = await t.client().get(`/events?organisation=${voices.id}`);
    expect(filtered.body).toContain('A joint seminar');
    expect(filtered.body).not.toContain('A Hub-only seminar');
    expect((await t.client().get('/events?organisation=not-an-id')).statusCode).toBe(400);
    expect((await t.client().get(`/directory/${voices.id}`)).body).toContain('A joint seminar');

    const feed = await t.client().get('/events/joint-seminar/calendar.ics');
    expect(feed.body.replace(/\r\n /g, '')).toContain('Co-hosted by Survivor Voices Network and Midlands Carers Network.');
    expect(feed.body).not.toBe(before.body);
    expect(/SEQUENCE:(\d+)/.exec(feed.body)![1]).not.toBe(/SEQUENCE:(\d+)/.exec(before.body)![1]);
    const all = await t.client().get('/calendar.ics');
    expect(all.body.replace(/\r\n /g, '')).toContain('Co-hosted by Survivor Voices Network and Midlands Carers Network.');
    expect(event.id).toBeTruthy();
  });
});
