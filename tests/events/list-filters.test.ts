// The public list's filters: which organisations they filter by, and what a search looks at
// (review findings on /events).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventCohosts, organisations } from '../../db/schema/index.ts';
import { findEvents } from '../../server/events/queries.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '0' } });
});
afterAll(async () => {
  await t?.close();
});

describe('filtering by an organisation', () => {
  it('finds nothing for one not approved in the directory, as for an unknown one, and names neither', async () => {
    const [approved, pending, declined] = await t.db
      .insert(organisations)
      .values([
        { name: 'Wren Approved Network', kind: 'network', status: 'approved' },
        { name: 'Wren Pending Collective', kind: 'network', status: 'pending' },
        { name: 'Wren Declined Group', kind: 'charity', status: 'declined' },
      ])
      .returning();
    const shared = await makeEvent(t.db, { slug: 'wren-shared', title: 'Wren shared seminar', startsAt: new Date(Date.UTC(2037, 1, 3, 10)) });
    const pendingOnly = await makeEvent(t.db, { slug: 'wren-pending', title: 'Wren pending seminar', startsAt: new Date(Date.UTC(2037, 1, 4, 10)) });
    const declinedOnly = await makeEvent(t.db, { slug: 'wren-declined', title: 'Wren declined seminar', startsAt: new Date(Date.UTC(2037, 1, 5, 10)) });
    await t.db.insert(eventCohosts).values([
      { eventId: shared.id, organisationId: approved!.id },
      { eventId: shared.id, organisationId: pending!.id, position: 1 },
      { eventId: pendingOnly.id, organisationId: pending!.id },
      { eventId: declinedOnly.id, organisationId: declined!.id },
    ]);

    const good = await t.client().get(`/events?organisation=${approved!.id}&q=Wren`);
    expect(good.statusCode).toBe(200);
    expect(good.body).toContain(`<option value="${approved!.id}" selected>Wren Approved Network</option>`);
    expect(good.body).toContain('Wren shared seminar');
    expect(good.body).not.toContain('Wren pending seminar');

    // At the root: the list's condition itself counts approved co-hosts only.
    for (const org of [pending!, declined!]) expect((await findEvents(t.db, { organisation: org.id, q: 'Wren' })).total, org.name).toBe(0);
    expect((await findEvents(t.db, { organisation: approved!.id, q: 'Wren' })).total).toBe(1);

    for (const org of [pending!, declined!]) {
      const page = await t.client().get(`/events?organisation=${org.id}&q=Wren`);
      expect(page.body).toContain('0 events found');
      expect(page.body).not.toContain('Wren pending seminar');
      expect(page.body).not.toContain('Wren declined seminar');
      expect(page.body).not.toContain(org.name);
    }
  });
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
