// Attack on announcements (THREATS.md "never" 9): the organiser's form has a hidden eventId
// field, and what it holds reached the database unchecked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('an organiser saving an announcement with a malformed event id', () => {
  // THREATS 9: bad input never produces a 500. The route keeps eventId only when it "looks like"
  // a uuid (/^[0-9a-f-]{36}$/), which 36 dashes, or a uuid of no event, also match.
  it.each([
    ['36 dashes', '-'.repeat(36)],
    ['a uuid of no event', '00000000-0000-4000-8000-000000000000'],
  ])('is not a 500 (%s)', async (_what, eventId) => {
    const organiser = await signedInOrganiser(t, `announcer-${eventId.length}-${eventId[0]}@example.org`);
    const saved = await organiser.post('/organise/announcements', { subject: 'Hello', body: 'Some news', eventId });
    expect(saved.statusCode).not.toBe(500);
    expect(saved.statusCode).toBeLessThan(500);
  });
});
