// A public feed is read from the database a slice at a time (so that a feed of thousands of
// events never holds them all in the server's capped heap). Every event must still appear once,
// in start order, across the slices' edges, including events that start at the same moment.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../db/schema/index.ts';
import { FEED_SLICE } from '../../server/calendar/queries.ts';
import { eventUid } from '../../server/calendar/uid.ts';
import { fortnightAtTen } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { parseFeed } from './parse.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('a feed longer than one slice', () => {
  it('lists every event once, in start order, with events at the same moment (or the same millisecond) on either side of a slice’s edge', async () => {
    const first = fortnightAtTen();
    // Three events start at each moment, and a slice's last event is the last of its three.
    const count = FEED_SLICE * 2 + 50;
    const rows = Array.from({ length: count }, (_, i) => {
      const startsAt = new Date(first.getTime() + Math.floor((i + 2) / 3) * 3_600_000);
      return {
        slug: `sliced-${i}`,
        title: `Sliced ${i}`,
        type: 'seminar' as const,
        status: 'published' as const,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
        publishedAt: new Date(),
      };
    });
    const inserted = await t.db.insert(events).values(rows).returning({ id: events.id, startsAt: events.startsAt });
    // The last event of the first slice starts half a millisecond later than JavaScript can say
    // (written by SQL, as an import or a hand edit could): the next slice must not read it again.
    const lastOfFirst = [...inserted].sort((a, b) => a.startsAt!.getTime() - b.startsAt!.getTime() || (a.id < b.id ? -1 : 1))[FEED_SLICE - 1]!;
    await t.db.execute(sql`update events set starts_at = starts_at + interval '500 microseconds' where id = ${lastOfFirst.id}`);

    const response = await t.client().get('/calendar.ics');
    expect(response.statusCode).toBe(200);
    const entries = parseFeed(response.body).entries;
    const uids = entries.map((e) => e.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.sort()).toEqual(inserted.map((e) => eventUid(e.id)).sort());
    const starts = entries.map((e) => e.start.getTime());
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });
});
