// The public list's filters: what a search looks at (review findings on /events).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '0' } });
});
afterAll(async () => {
  await t?.close();
});

describe('searching', () => {
  it('finds the online platform of an online event and the town of one held in a room', async () => {
    await makeEvent(t.db, {
      slug: 'lark-online',
      title: 'Lark webinar',
      format: 'online',
      onlinePlatform: 'Jitsi Meet',
      venueName: '',
      venueAddress: '',
      startsAt: new Date(Date.UTC(2037, 3, 1, 10)),
    });
    await makeEvent(t.db, {
      slug: 'lark-hybrid',
      title: 'Lark hybrid day',
      format: 'hybrid',
      onlinePlatform: 'Jitsi Meet',
      venueAddress: '2 Quay Street, Penzance',
      startsAt: new Date(Date.UTC(2037, 3, 2, 10)),
    });
    await makeEvent(t.db, {
      slug: 'lark-room',
      title: 'Lark room day',
      format: 'in_person',
      venueAddress: '3 Market Place, Penzance',
      onlinePlatform: 'Jitsi Meet',
      startsAt: new Date(Date.UTC(2037, 3, 3, 10)),
    });
    await makeEvent(t.db, {
      slug: 'lark-moved',
      title: 'Lark moved online',
      format: 'online',
      onlinePlatform: 'Teams',
      venueAddress: '4 Old Road, Penzance',
      startsAt: new Date(Date.UTC(2037, 3, 4, 10)),
    });

    const platform = await t.client().get('/events?q=jitsi');
    expect(platform.body).toContain('Lark webinar');
    expect(platform.body).toContain('Lark hybrid day');
    // An event held only in a room says nothing of a platform, so is not found by one.
    expect(platform.body).not.toContain('Lark room day');

    const town = await t.client().get('/events?q=penzance');
    expect(town.body).toContain('Lark hybrid day');
    expect(town.body).toContain('Lark room day');
    // Nor is an online event by the address of a room it no longer uses.
    expect(town.body).not.toContain('Lark moved online');
  });
});
