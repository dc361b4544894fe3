// Every route says who may use it; this walks them all and proves that others are refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../server/accounts/people.ts';
import { buildApp } from '../../server/app.ts';
import { startTestApp, testConfig, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let member: TestClient;
let organiser: TestClient;

/** A concrete URL for a route pattern: ids become a fresh UUID, other parameters a plain word. */
function concrete(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => (/id$/i.test(name) ? randomUUID() : 'example'));
}

beforeAll(async () => {
  t = await startTestApp();
  member = await t.signedIn('member@example.org');
  organiser = await t.signedIn('organiser@example.org');
  const [person] = await t.app.db.query.people.findMany({ where: (p, { eq }) => eq(p.email, 'organiser@example.org') });
  await grantRole(t.db, null, person!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
});

describe('who may use each route', () => {
  it('every route states it', () => {
    expect(t.app.routeAccess.length).toBeGreaterThan(10);
    for (const route of t.app.routeAccess) expect(['public', 'member', 'organiser', 'admin']).toContain(route.access);
  });

  it('refuses to start with a route that does not say who may use it', async () => {
    const config = testConfig();
    const app = await buildApp({ config, database: t.database, logger: false });
    expect(() => app.get('/forgot-to-say', async () => 'oops')).toThrow(/must say who may use it/);
    await app.close();
  });

  it('sends anonymous people to sign in on every route that needs an account', async () => {
    const anonymous = t.client();
    const guarded = t.app.routeAccess.filter((r) => r.access !== 'public' && (r.method === 'GET' || r.method === 'POST'));
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      const url = concrete(route.url);
      const response = route.method === 'GET' ? await anonymous.get(url) : await anonymous.post(url, {});
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(303);
      expect(response.headers.location, `${route.method} ${route.url}`).toMatch(/^\/sign-in/);
    }
  });

  it('refuses members on organiser and admin routes, and organisers on admin routes', async () => {
    for (const route of t.app.routeAccess.filter((r) => r.method === 'GET' || r.method === 'POST')) {
      const refusedFor: TestClient[] = route.access === 'organiser' ? [member] : route.access === 'admin' ? [member, organiser] : [];
      for (const client of refusedFor) {
        const url = concrete(route.url);
        const response = route.method === 'GET' ? await client.get(url) : await client.post(url, {});
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(response.body).toContain('You cannot see this page');
      }
    }
  });
});
