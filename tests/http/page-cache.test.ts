import http from 'node:http';
import zlib from 'node:zlib';
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

  it('stores a feed that is polled only with If-None-Match, answering 304 from the first poll on', async () => {
    const etag = String((await t.app.inject('/calendar.ics')).headers.etag);
    t.app.pageCache.clear();
    const miss = await t.app.inject({ url: '/calendar.ics', headers: { 'if-none-match': etag } });
    expect(miss.statusCode).toBe(304);
    expect(miss.headers['x-page-cache']).toBeUndefined();
    expect(miss.body).toBe('');
    expect(miss.headers.etag).toBe(etag);
    const hit = await t.app.inject({ url: '/calendar.ics', headers: { 'if-none-match': etag } });
    expect(hit.statusCode).toBe(304);
    expect(hit.headers['x-page-cache']).toBe('hit');
    expect(hit.headers['content-type']).toBeUndefined();
    expect(hit.headers['cache-control']).toMatch(/max-age/);
    const stale = await t.app.inject({ url: '/calendar.ics', headers: { 'if-none-match': '"something-else"' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['content-type']).toMatch(/text\/calendar/);
    expect(stale.body).toContain('BEGIN:VCALENDAR');
  });

  it('answers HEAD from the stored page with its length and no body', async () => {
    const full = await t.client().get(page);
    const head = await t.app.inject({ method: 'HEAD', url: page });
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-page-cache']).toBe('hit');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(full.body)));
    expect(head.body).toBe('');
  });

  it('sends the stored page compressed to clients that accept it, with a weak ETag and Vary', async () => {
    const plain = await t.client().get(page);
    const br = await t.app.inject({ url: page, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['x-page-cache']).toBe('hit');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.body.length / 2);
    const gz = await t.app.inject({ url: page, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    const refused = await t.app.inject({ url: page, headers: { 'accept-encoding': 'br;q=0, gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(plain.body);

    const feed = await t.app.inject({ url: '/calendar.ics', headers: { 'accept-encoding': 'gzip' } });
    const weak = String(feed.headers.etag);
    expect(weak).toMatch(/^W\//);
    const poll = await t.app.inject({ url: '/calendar.ics', headers: { 'accept-encoding': 'gzip', 'if-none-match': weak } });
    expect(poll.statusCode).toBe(304);
    expect(poll.headers.etag).toBe(weak);
  });

  it('builds an expired page once when many ask for it at the same moment', async () => {
    t.app.pageCache.clear();
    const answers = await Promise.all(Array.from({ length: 12 }, () => t.app.inject(page)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(200));
    expect(answers.filter((a) => a.headers['x-page-cache'] !== 'hit')).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  });

  it('lets those waiting go on when the page being built cannot be stored', async () => {
    t.app.pageCache.clear();
    const missing = '/events/no-such-event';
    const answers = await Promise.all(Array.from({ length: 4 }, () => t.app.inject(missing)));
    expect(answers.map((a) => a.statusCode)).toEqual([404, 404, 404, 404]);
    expect(answers.every((a) => a.headers['x-page-cache'] === undefined)).toBe(true);
  });

  it('answers stored pages over a real socket from the HTTP server itself, but never a signed-in visitor', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const get = (headers: Record<string, string> = {}) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: page, headers }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
          })
          .on('error', reject);
      });
    t.app.pageCache.clear();
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers['x-page-cache']).toBeUndefined();
    const before = t.app.pageCache.servedByServer;
    const second = await get();
    expect(second.headers['x-page-cache']).toBe('hit');
    expect(t.app.pageCache.servedByServer).toBe(before + 1);
    expect(second.body).toBe(first.body);
    expect(second.headers['content-security-policy']).toContain("default-src 'self'");
    expect(second.headers.date).toBeDefined();

    const member = await t.signedIn('reader@example.org');
    const session = [...member.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const signedIn = await get({ cookie: session });
    expect(signedIn.headers['x-page-cache']).toBeUndefined();
    expect(t.app.pageCache.servedByServer).toBe(before + 1);
    expect(signedIn.body).toContain('Your account');
  });

  it('treats a session cookie written with spaces around its name as signed in: never served or stored', async () => {
    const member = await t.signedIn('spaced@example.org');
    const session = member.cookies.get('convene_session')!;
    t.app.pageCache.clear();
    const spaced = await t.app.inject({ url: page, headers: { cookie: `convene_session =${session}` } });
    expect(spaced.body).toContain('Your account');
    expect(spaced.headers['x-page-cache']).toBeUndefined();
    const anonymous = await t.client().get(page);
    expect(anonymous.body).not.toContain('Your account');
    expect(anonymous.headers['x-page-cache']).toBeUndefined();
  });

  it('sends the plain page for an Accept-Encoding too long to be real', async () => {
    await t.client().get(page);
    const odd = await t.app.inject({ url: page, headers: { 'accept-encoding': `gzip, ${'x'.repeat(300)}` } });
    expect(odd.headers['x-page-cache']).toBe('hit');
    expect(odd.headers['content-encoding']).toBeUndefined();
  });
});
