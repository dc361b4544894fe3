import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the security baseline', () => {
  it('refuses a form post without a CSRF token, with a page rather than an error dump', async () => {
    const visitor = t.client();
    await visitor.get('/sign-in');
    const response = await visitor.post('/sign-in', { email: 'someone@example.org' }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('This form has expired');
    expect(response.body).not.toMatch(/FST_|stack|at .*\.ts/);
  });

  it('refuses a form post with a token from someone else', async () => {
    const other = t.client();
    const token = await other.csrfToken();
    const visitor = t.client();
    await visitor.get('/sign-in');
    const response = await visitor.post('/sign-in', { email: 'someone@example.org', _csrf: token }, { csrf: false });
    expect(response.statusCode).toBe(403);
  });

  it('sends a strict content security policy with no inline script', async () => {
    const response = await t.client().get('/');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
  });

  it('marks cookies HttpOnly and SameSite=Lax, and Secure on an HTTPS site', async () => {
    const plain = await t.client().get('/sign-in');
    const csrfCookie = String(plain.headers['set-cookie']);
    expect(csrfCookie).toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/SameSite=Lax/);
    const secure = await startTestApp({ database: t.database, env: { BASE_URL: 'https://hub.example.org' } });
    try {
      const response = await secure.client().get('/sign-in');
      expect(String(response.headers['set-cookie'])).toMatch(/Secure/);
      expect(response.headers['strict-transport-security']).toBeTruthy();
    } finally {
      await secure.app.close();
    }
  });

  it('shows friendly pages for a missing page and for a request that is too large', async () => {
    const missing = await t.client().get('/no-such-page');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page not found');
    const visitor = t.client();
    const big = await visitor.post('/sign-in', { email: 'x'.repeat(300_000) });
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain('too large');
  });

  it('answers a wrongly shaped request with a page, never raw JSON', async () => {
    // A path that cannot name a page (here, a malformed slug) is a missing page.
    const response = await t.client().get('/events/NOT%20A%20SLUG');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('Page not found');
  });

  it('escapes what people type when showing it back', async () => {
    const response = await t.client().post('/sign-in', { email: '<script>alert(1)</script>' });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('health', () => {
  it('reports the database is reachable', async () => {
    const response = await t.app.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });
});

describe('health when the database is gone', () => {
  it('answers 503 from /healthz and a calm page elsewhere', async () => {
    const lonely = await startTestApp();
    await lonely.database.close();
    const health = await lonely.app.inject('/healthz');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: 'unavailable' });
    const page = await lonely.client().get('/');
    expect(page.statusCode).toBeGreaterThanOrEqual(500);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).not.toMatch(/stack|Error:/);
    await lonely.app.close();
  });
});

describe('characters the database cannot store', () => {
  it('drops NUL from form fields and queries instead of failing', async () => {
    const me = await t.signedIn('nul@example.org');
    const saved = await me.post('/account', { displayName: 'Ro\u0000wan' });
    expect(saved.statusCode).toBe(303);
    expect((await me.get('/account')).body).toContain('value="Rowan"');
    expect((await t.client().get('/events?q=%00')).statusCode).toBe(200);
  });
});

describe('logs', () => {
  it('never record the secret part of sign-in, booking or private-feed links', async () => {
    const { hideSecrets } = await import('../../server/app.ts');
    const token = 'A'.repeat(43);
    expect(hideSecrets(`/sign-in/${token}`)).toBe('/sign-in/[secret]');
    expect(hideSecrets(`/bookings/${token}/cancel`)).toBe('/bookings/[secret]/cancel');
    expect(hideSecrets(`/bookings/confirm/${token}`)).toBe('/bookings/confirm/[secret]');
    expect(hideSecrets(`/calendar/private/${token}.ics`)).toBe('/calendar/private/[secret].ics');
    expect(hideSecrets('/events/launch-day')).toBe('/events/launch-day');
  });
});
