import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInTokens } from '../../db/schema/index.ts';
import { MAX_LINKS_PER_IP } from '../../server/accounts/sign-in.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function withApp(env: Record<string, string>, run: (t: TestApp) => Promise<void>) {
  const t = await startTestApp({ database, env });
  try {
    await run(t);
  } finally {
    await t.app.close();
  }
}

// The load balancer (10.0.0.1) appends the address it saw; anything to its left the client wrote.
const viaProxy = (spoofed: string) => ({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': `${spoofed}, 203.0.113.7` } });

describe('TRUST_PROXY', () => {
  it('reads a hop count or the proxies’ addresses, and refuses "true"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,fd00::/8' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
    for (const bad of ['true', 'yes', '11', '-1', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,', '1.5']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it('with one trusted hop, a spoofed leftmost X-Forwarded-For does not reset the per-IP limit', async () => {
    await withApp({ TRUST_PROXY: '1', RATE_LIMIT_PER_MINUTE: '3' }, async (t) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await t.app.inject({ url: '/events', ...viaProxy(`198.51.100.${i}`) })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Another client behind the same proxy has its own count.
      const other = await t.app.inject({ url: '/events', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.8' } });
      expect(other.statusCode).toBe(200);
    });
  });

  it('records the address the proxy saw against a sign-in link, not the one the client wrote', async () => {
    await withApp({ TRUST_PROXY: '1' }, async (t) => {
      const page = await t.app.inject({ url: '/sign-in', ...viaProxy('198.51.100.1') });
      const token = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
      const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const sent = await t.app.inject({
        method: 'POST',
        url: '/sign-in',
        payload: new URLSearchParams({ _csrf: token, email: 'proxied@example.org' }).toString(),
        remoteAddress: '10.0.0.1',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.2, 203.0.113.7' },
      });
      expect(sent.statusCode).toBe(303);
      const [row] = await t.db.select({ ip: signInTokens.requestedIp }).from(signInTokens).where(eq(signInTokens.email, 'proxied@example.org'));
      expect(row?.ip).toBe('203.0.113.7');
    });
  });

  it('with the proxies’ addresses, believes X-Forwarded-For only from them', async () => {
    await withApp({ TRUST_PROXY: '10.0.0.0/8', RATE_LIMIT_PER_MINUTE: '2' }, async (t) => {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await t.app.inject({ url: '/events', ...viaProxy(`198.51.100.${i}`) })).statusCode);
      expect(statuses).toEqual([200, 200, 429]);
      // Straight from the internet, the header is the client's own word and is ignored.
      const direct = () => t.app.inject({ url: '/events', remoteAddress: '192.0.2.50', headers: { 'x-forwarded-for': `198.51.100.${Math.random()}` } });
      expect([(await direct()).statusCode, (await direct()).statusCode, (await direct()).statusCode]).toEqual([200, 200, 429]);
    });
  });

  it('counts a whole IPv6 /64 as one client, for the request limit and for sign-in links', async () => {
    await withApp({ TRUST_PROXY: '1', RATE_LIMIT_PER_MINUTE: '3' }, async (t) => {
      const from = (i: number) => ({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': `2001:db8:77:1::${i.toString(16)}` } });
      const statuses: number[] = [];
      for (let i = 1; i <= 4; i++) statuses.push((await t.app.inject({ url: '/events', ...from(i) })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      // The next /64 is someone else.
      expect((await t.app.inject({ url: '/events', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '2001:db8:77:2::1' } })).statusCode).toBe(200);
    });
    await withApp({ TRUST_PROXY: '1' }, async (t) => {
      const page = await t.app.inject({ url: '/sign-in', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '2001:db8:88:1::1' } });
      const token = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
      const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const ask = (i: number) =>
        t.app.inject({
          method: 'POST',
          url: '/sign-in',
          payload: new URLSearchParams({ _csrf: token, email: `v6-${i}@example.org` }).toString(),
          remoteAddress: '10.0.0.1',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `2001:db8:88:1:${i.toString(16)}::${i.toString(16)}` },
        });
      const statuses: number[] = [];
      for (let i = 1; i <= MAX_LINKS_PER_IP + 1; i++) statuses.push((await ask(i)).statusCode);
      expect(statuses.slice(0, MAX_LINKS_PER_IP).every((s) => s === 303)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      const [row] = await t.db.select({ ip: signInTokens.requestedIp }).from(signInTokens).where(eq(signInTokens.email, 'v6-1@example.org'));
      expect(row?.ip).toBe('2001:0db8:0088:0001::/64');
    });
  });
});
