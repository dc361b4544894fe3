// Attack: the public "ask for a change" form of a directory entry takes any address, unproven.
// A stranger who types the entry's contact address (shown on its public page) must not be
// presented to organisers as the entry's contact: the page would vouch for a takeover or a
// defacement it has no proof of. And a request made with a person's address is their data: it
// goes when they delete their account, so it must be in what they download first.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryChangeRequests } from '../../db/schema/index.ts';
import { keepOnlyWhatIsNeeded } from '../../server/accounts/housekeeping.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'directory-attack-organiser@example.org');
});
afterAll(async () => {
  await t?.close();
});

const entry = {
  kind: 'charity',
  website: 'https://mind-east.example.org',
  region: '',
  description: 'Local mental health charity.',
  contactName: 'Robin Contact',
  contactPublic: 'yes',
};

async function listed(name: string, contactEmail: string): Promise<string> {
  const added = await organiser.post('/organise/directory', { ...entry, name, contactEmail });
  expect(added.statusCode, added.body.slice(0, 300)).toBe(303);
  return String(added.headers.location).split('/').pop()!;
}

describe('a request for a change to a directory entry', () => {
  it('is not shown as coming from the entry’s contact when anyone could have typed that address', async () => {
    const id = await listed('East Side Mind', 'robin@mind-east.example.org');
    const stranger = t.client();
    // The contact address is public on the entry's page: a stranger copies it.
    expect((await stranger.get(`/directory/${id}`)).body).toContain('robin@mind-east.example.org');
    const sent = await stranger.post(`/directory/${id}/change`, {
      email: 'robin@mind-east.example.org',
      message: 'We have closed: please change our website to https://spam.example.com',
    });
    expect(sent.statusCode).toBe(303);
    const page = await organiser.get('/organise/directory');
    expect(page.body).toContain('https://spam.example.com');
    expect(page.body).not.toContain('(the entry’s contact)');
    expect(page.body).toContain('not proven');
  });

  it('is in the data export of the person whose address made it', async () => {
    const id = await listed('West Side Mind', 'contact@mind-west.example.org');
    expect((await t.client().post(`/directory/${id}/change`, { email: 'Dana@example.org', message: 'Please add our Tuesday peer group.' })).statusCode).toBe(
      303,
    );
    const dana = await t.signedIn('dana@example.org');
    const exported = await dana.get('/account/your-data.json');
    expect(exported.statusCode).toBe(200);
    expect(exported.body).toContain('Please add our Tuesday peer group.');
    expect(exported.body).toContain('West Side Mind');
    const summary = await dana.get('/account/your-data');
    expect(summary.statusCode).toBe(200);
    expect(summary.body).toContain('Please add our Tuesday peer group.');
  });
});

describe('a request for a change nobody marks done', () => {
  it('is deleted by housekeeping after 90 days, address and message', async () => {
    const id = await listed('North Side Mind', 'contact@mind-north.example.org');
    expect((await t.client().post(`/directory/${id}/change`, { email: 'old-asker@example.org', message: 'Our old request.' })).statusCode).toBe(303);
    expect((await t.client().post(`/directory/${id}/change`, { email: 'new-asker@example.org', message: 'Our new request.' })).statusCode).toBe(303);
    await t.db
      .update(directoryChangeRequests)
      .set({ createdAt: new Date(Date.now() - 91 * 86_400_000) })
      .where(eq(directoryChangeRequests.email, 'old-asker@example.org'));
    await keepOnlyWhatIsNeeded(t.db, t.app.config);
    const left = await t.db.select().from(directoryChangeRequests).where(eq(directoryChangeRequests.organisationId, id));
    expect(left.map((r) => r.email)).toEqual(['new-asker@example.org']);
  });
});
