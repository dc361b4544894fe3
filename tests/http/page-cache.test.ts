import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../db/schema/index.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const page = '/events/hub-launch-and-discussion-day';

beforeAll(async () => {
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '60' } });
  await seedDemo(t.db);
});
afterAll(async () => {
  await t.close();
});

describe('the public page cache', () => {
  it('serves anonymous visitors a stored copy that carries no cookie and no CSRF token', async () => {
    const first = await t.client().get(page);
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-page-cache']).toBeUndefined();
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(first.body).not.toContain('csrf-token');
    const second = await t.client().get(page);
    expect(second.headers['x-page-cache']).toBe('hit');
    expect(second.body).toBe(first.body);
    expect(second.headers['content-type']).toMatch(/text\/html/);
    expect(second.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('never serves or stores pages for signed-in people', async () => {
    const member = await t.signedIn('reader@example.org');
    const response = await member.get(page);
    expect(response.headers['x-page-cache']).toBeUndefined();
    expect(response.body).toContain('Your account');
    expect(response.body).toContain('csrf-token');
    const anonymous = await t.client().get(page);
    expect(anonymous.body).not.toContain('Your account');
  });

  it('bypasses the cache for a visitor with a one-off notice to show', async () => {
    const visitor = t.client();
    visitor.cookies.set('convene_notice', 'Your booking is cancelled.');
    const response = await visitor.get(page);
    expect(response.headers['x-page-cache']).toBeUndefined();
    expect(response.body).toContain('Your booking is cancelled.');
    expect((await t.client().get(page)).body).not.toContain('Your booking is cancelled.');
  });

  it('empties when this process handles a change', async () => {
    await t.client().get(page);
    expect((await t.client().get(page)).headers['x-page-cache']).toBe('hit');
    await t.db.update(events).set({ title: 'Launch day (new title)' }).where(eq(events.slug, 'hub-launch-and-discussion-day'));
    await t.client().post('/sign-in', { email: 'someone@example.org' });
    const after = await t.client().get(page);
    expect(after.headers['x-page-cache']).toBeUndefined();
    expect(after.body).toContain('Launch day (new title)');
  });

  it('answers a feed poll with 304 from the stored ETag', async () => {
    const first = await t.app.inject('/calendar.ics');
    expect(first.statusCode).toBe(200);
    const etag = String(first.headers.etag);
    const again = await t.app.inject({ url: '/calendar.ics', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.headers['x-page-cache']).toBe('hit');
    expect(again.body).toBe('');
  });
});
