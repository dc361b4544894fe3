// Attack: the library now lists what planners shared on their events' pages (the old /resources
// page moved there). An unlisted event (an invitation-only round table kept quiet) is in no list:
// its shared files and links must not name it, nor link to it, from the public library.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventResources } from '../../db/schema/index.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('a resource shared on an unlisted event’s page', () => {
  it('is not listed in the library, and the event is not named there', async () => {
    const hidden = await makeEvent(t.db, { title: 'Quiet round table on restraint', type: 'round_table', unlisted: true });
    const open = await makeEvent(t.db, { title: 'Open seminar on rights' });
    await t.db.insert(eventResources).values([
      { eventId: hidden.id, kind: 'link', title: 'Notes from the quiet table', url: 'https://notes.example.org/quiet' },
      { eventId: open.id, kind: 'link', title: 'Slides from the open seminar', url: 'https://slides.example.org/open' },
    ]);
    for (const url of ['/library', '/library?q=notes', '/library?q=quiet']) {
      const page = await t.client().get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toContain('Notes from the quiet table');
      expect(page.body, url).not.toContain(hidden.title);
      expect(page.body, url).not.toContain(hidden.slug);
    }
    // Listed events' resources are still there.
    expect((await t.client().get('/library')).body).toContain('Slides from the open seminar');
    // The event's own page (reached by its link) still shows what was shared on it.
    expect((await t.client().get(`/events/${hidden.slug}`)).body).toContain('Notes from the quiet table');
  });
});
