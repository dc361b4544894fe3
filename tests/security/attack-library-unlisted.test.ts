// Attack: an unlisted event (an invitation-only round table kept quiet) must not be named by the
// library's public pages, nor on another event's page, through an item that came from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryItems } from '../../db/schema/index.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('a library item from an unlisted event', () => {
  it('does not name the event on public pages', async () => {
    const hidden = await makeEvent(t.db, { title: 'Closed round table on forced treatment', type: 'round_table', unlisted: true });
    const conference = await makeEvent(t.db, { title: 'Open conference on rights' });
    const [item] = await t.db
      .insert(libraryItems)
      .values({ title: 'Rights report', kind: 'report', year: 2026, summary: 'What we found.', eventId: hidden.id, launchEventId: conference.id })
      .returning();
    const visitor = t.client();
    for (const url of ['/library', `/library/${item!.id}`, `/events/${conference.slug}`]) {
      const page = await visitor.get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).toContain('Rights report');
      expect(page.body, url).not.toContain(hidden.title);
      expect(page.body, url).not.toContain(hidden.slug);
    }
  });
});
