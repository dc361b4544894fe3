// Sessions and the CSRF tokens bound to them: a token works only in the session it was made for,
// signing in or out starts a new one, and a session ends some days after signing in however
// often it is used.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../db/schema/index.ts';
import { hashSecret } from '../../server/secrets.ts';
import { latestSignInPath, startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const DAY = 86_400_000;

/** The client's CSRF cookie and a token the page gave it. */
async function csrfPair(client: TestClient) {
  const token = await client.csrfToken();
  return { token, cookie: client.cookies.get('convene_csrf')! };
}

function clearsCookie(setCookie: string | string[] | undefined, name: string): boolean {
  return [setCookie ?? []].flat().some((c) => c.startsWith(`${name}=;`) && /Expires=Thu, 01 Jan 1970/.test(c));
}

describe('CSRF tokens are bound to the session', () => {
  it('refuses a token (and its cookie) from one session in another', async () => {
    const alex = await t.signedIn('alex@example.org');
    const sam = await t.signedIn('sam@example.org');
    expect((await sam.post('/account', { displayName: 'Sam' })).statusCode).toBe(303);
    const fromAlex = await csrfPair(alex);
    sam.cookies.set('convene_csrf', fromAlex.cookie);
    const refused = await sam.post('/account', { displayName: 'Hijacked', _csrf: fromAlex.token }, { csrf: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This form has expired');
    // Alex's own session still accepts it.
    expect((await alex.post('/account', { displayName: 'Alex', _csrf: fromAlex.token }, { csrf: false })).statusCode).toBe(303);
  });

  it('starts a new CSRF secret at sign-in, and a token from before signing in is refused after', async () => {
    const visitor = t.client();
    const before = await csrfPair(visitor);
    await visitor.post('/sign-in', { email: 'fresh-start@example.org' });
    const signedIn = await visitor.post(await latestSignInPath(t.db, 'fresh-start@example.org'));
    expect(signedIn.statusCode).toBe(303);
    expect(clearsCookie(signedIn.headers['set-cookie'], 'convene_csrf')).toBe(true);
    // Even with the old cookie put back (as someone who planted it would), its token is refused.
    visitor.cookies.set('convene_csrf', before.cookie);
    const refused = await visitor.post('/account', { displayName: 'Planted', _csrf: before.token }, { csrf: false });
    expect(refused.statusCode).toBe(403);
    // A form left open across signing in says so, and that nothing was sent.
    expect(refused.body).toContain('if you have signed in or out since you opened it');
    expect(refused.body).toContain('Nothing was sent.');
    visitor.cookies.delete('convene_csrf');
    const page = await visitor.get('/account');
    expect(page.statusCode).toBe(200);
    expect(visitor.cookies.get('convene_csrf')).not.toBe(before.cookie);
    expect((await visitor.post('/account', { displayName: 'Fresh' })).statusCode).toBe(303);
  });

  it('starts a new CSRF secret at sign-out, and the signed-in token is refused after', async () => {
    const member = await t.signedIn('leaving@example.org');
    const during = await csrfPair(member);
    const out = await member.post('/sign-out');
    expect(out.statusCode).toBe(303);
    expect(clearsCookie(out.headers['set-cookie'], 'convene_csrf')).toBe(true);
    expect(clearsCookie(out.headers['set-cookie'], 'convene_session')).toBe(true);
    member.cookies.set('convene_csrf', during.cookie);
    const refused = await member.post('/sign-in', { email: 'leaving@example.org', _csrf: during.token }, { csrf: false });
    expect(refused.statusCode).toBe(403);
  });

  it('names its cookies __Host- on an HTTPS site, and signs in with them', async () => {
    const secure = await startTestApp({ database: t.database, env: { BASE_URL: 'https://hub.example.org' } });
    try {
      const visitor = secure.client();
      const page = await visitor.get('/sign-in');
      const csrfCookie = [page.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('__Host-convene_csrf='));
      expect(csrfCookie).toMatch(/; Path=\/;/);
      expect(csrfCookie).toMatch(/; Secure/);
      expect(csrfCookie).not.toMatch(/Domain=/i);
      await visitor.signIn('secure@example.org');
      expect(visitor.cookies.has('__Host-convene_session')).toBe(true);
      expect(visitor.cookies.has('convene_session')).toBe(false);
      expect((await visitor.get('/account')).statusCode).toBe(200);
      expect((await visitor.post('/account', { displayName: 'Secure' })).statusCode).toBe(303);
      const out = await visitor.post('/sign-out');
      expect(clearsCookie(out.headers['set-cookie'], '__Host-convene_session')).toBe(true);
    } finally {
      await secure.app.close();
    }
  });
});

describe('how long a session lasts', () => {
  /** Makes the client's session `days` old, last used two hours ago and not otherwise ending soon. */
  async function ageSession(app: TestApp, client: TestClient, days: number) {
    const now = Date.now();
    const idHash = hashSecret(client.cookies.get('convene_session')!);
    await app.db
      .update(sessions)
      .set({ createdAt: new Date(now - days * DAY), lastSeenAt: new Date(now - 2 * 3_600_000), expiresAt: new Date(now + 29 * DAY) })
      .where(eq(sessions.idHash, idHash));
    return idHash;
  }

  it('signs out a session 90 days after signing in, even one used every day', async () => {
    const member = await t.signedIn('daily@example.org');
    const idHash = await ageSession(t, member, 89);
    expect((await member.get('/account')).statusCode).toBe(200);
    // Using it moves its end on, but never past 90 days from signing in.
    const [touched] = await t.db.select({ createdAt: sessions.createdAt, expiresAt: sessions.expiresAt }).from(sessions).where(eq(sessions.idHash, idHash));
    expect(touched!.expiresAt.getTime() - touched!.createdAt.getTime()).toBeLessThanOrEqual(90 * DAY);
    await ageSession(t, member, 91);
    const refused = await member.get('/account');
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe('/sign-in?next=%2Faccount');
    expect(clearsCookie(refused.headers['set-cookie'], 'convene_session')).toBe(true);
  });

  it('takes its longest life from SESSION_MAX_AGE_DAYS', async () => {
    const short = await startTestApp({ database: t.database, env: { SESSION_MAX_AGE_DAYS: '7' } });
    try {
      const member = await short.signedIn('weekly@example.org');
      expect((await member.get('/account')).statusCode).toBe(200);
      await ageSession(short, member, 8);
      expect((await member.get('/account')).statusCode).toBe(303);
    } finally {
      await short.app.close();
    }
  });
});
