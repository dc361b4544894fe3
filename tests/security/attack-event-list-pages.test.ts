// Attack on the public event list's paging. Every filter and page number people can send was
// tried against the list as it now chooses its page (server/events/queries.ts, listPage): no 500,
// no hidden event shown, counts and marks right on every page. One thing was untrue: a page past
// the last one (an old link, a page typed in) was titled "Events (page 9 of 3)", and an empty
// search's second page "(page 2 of 1)" (THREATS 9: no page that says something untrue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '0' } });
  const base = Date.UTC(2034, 2, 1, 10);
  for (let i = 0; i < 21; i++) {
    await makeEvent(t.db, { slug: `other-${i}`, title: `Other gathering ${i}`, type: 'other', startsAt: new Date(base + i * 86_400_000), endsAt: null });
  }
});
afterAll(async () => {
  await t?.close();
});

const titleOf = (body: string) => /<title>([^<]*) – /.exec(body)?.[1];

describe('the public event list past its last page', () => {
  it('says which page of how many, and never a page number larger than the count as "of"', async () => {
    const second = await t.client().get('/events?type=other&page=2');
    expect(titleOf(second.body)).toBe('Events (page 2 of 2)');

    const beyond = await t.client().get('/events?type=other&page=9');
    expect(beyond.statusCode).toBe(200);
    expect(beyond.body).toContain('There are no events on this page.');
    expect(titleOf(beyond.body)).toBe('Events (page 9; there are 2 pages)');

    const nothing = await t.client().get('/events?when=past&q=nowhere&page=2');
    expect(nothing.statusCode).toBe(200);
    expect(nothing.body).toContain('0 events found');
    expect(titleOf(nothing.body)).toBe('Past events (page 2; there is 1 page)');
  });
});
