import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, sessions, signInTokens } from '../../db/schema/index.ts';
import { MAX_LINKS_PER_ADDRESS } from '../../server/accounts/sign-in.ts';
import { latestSignInPath, startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('signing in by emailed link', () => {
  it('gives the same answer for a known and an unknown address', async () => {
    await t.signedIn('known@example.org');
    const known = await t.client().post('/sign-in', { email: 'known@example.org' });
    const unknown = await t.client().post('/sign-in', { email: 'nobody-yet@example.org' });
    expect(known.statusCode).toBe(303);
    expect(unknown.statusCode).toBe(303);
    expect(known.headers.location).toBe(unknown.headers.location);
    const page = await t.client().get(String(known.headers.location));
    expect(page.body).toContain('Check your email');
  });

  it('queues the link in the outbox, signs in once, and refuses the link a second time', async () => {
    const visitor = t.client();
    await visitor.post('/sign-in', { email: '  Carer@Example.org ' });
    const [mail] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'carer@example.org'));
    expect(mail?.template).toBe('sign-in');
    expect(mail?.status).toBe('queued');
    const link = await latestSignInPath(t.db, 'carer@example.org');

    const confirm = await visitor.get(link);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('carer@example.org');
    // Opening the link does not use it: only pressing the button does.
    const [token] = await t.db.select().from(signInTokens).where(eq(signInTokens.email, 'carer@example.org'));
    expect(token?.usedAt).toBeNull();

    const done = await visitor.post(link);
    expect(done.statusCode).toBe(303);
    expect((await visitor.get('/account')).statusCode).toBe(200);

    const again = await t.client().post(link);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('already been used');
  });

  it('refuses an expired link', async () => {
    const visitor = t.client();
    await visitor.post('/sign-in', { email: 'late@example.org' });
    const link = await latestSignInPath(t.db, 'late@example.org');
    await t.db
      .update(signInTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(signInTokens.email, 'late@example.org'));
    const shown = await visitor.get(link);
    expect(shown.statusCode).toBe(400);
    expect(shown.body).toContain('has expired');
    const used = await visitor.post(link);
    expect(used.statusCode).toBe(400);
    expect(visitor.cookies.has('convene_session')).toBe(false);
  });

  it('refuses a made-up link', async () => {
    const response = await t.client().post(`/sign-in/${'x'.repeat(43)}`);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('not valid');
  });

  it('limits how many links one address can ask for', async () => {
    const visitor = t.client();
    for (let i = 0; i < MAX_LINKS_PER_ADDRESS; i++) {
      expect((await visitor.post('/sign-in', { email: 'busy@example.org' })).statusCode).toBe(303);
    }
    const refused = await visitor.post('/sign-in', { email: 'busy@example.org' });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('several sign-in links');
    expect(refused.body).toContain('value="busy@example.org"');
  });

  it('shows a clear message and keeps what was typed when the address is not valid', async () => {
    const response = await t.client().post('/sign-in', { email: 'not an address' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain('Enter an email address in the right format');
    expect(response.body).toContain('value="not an address"');
    expect(response.body).toMatch(/<title>Error: /);
  });

  it('sends a new person to their profile to give a name, then where they were going', async () => {
    const visitor = t.client();
    const asked = await visitor.get('/account');
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/sign-in?next=%2Faccount');
    await visitor.post('/sign-in', { email: 'newcomer@example.org', next: '/events' });
    const link = await latestSignInPath(t.db, 'newcomer@example.org');
    const done = await visitor.post(link);
    expect(done.headers.location).toBe('/account?next=%2Fevents');
    const saved = await visitor.post('/account?next=%2Fevents', { displayName: 'Nia', pronouns: 'she/her' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/events');
  });

  it('never redirects off the site after signing in', async () => {
    await t.signedIn('redirect@example.org');
    const hostile = [
      '/\t/evil.example',
      '/\n/evil.example',
      '/%09/evil.example',
      '//evil.example/',
      '/\\evil.example',
      '/.//evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
    ];
    for (const [i, next] of hostile.entries()) {
      // A new address each time: each address may ask for only a few links at once.
      for (const email of ['redirect@example.org', `redirect-new-${i}@example.org`]) {
        const visitor = t.client();
        expect((await visitor.post('/sign-in', { email, next })).statusCode).toBe(303);
        const done = await visitor.post(await latestSignInPath(t.db, email));
        expect(done.statusCode).toBe(303);
        // An existing account goes to its account page; a new one gives its name there first.
        expect(done.headers.location, `${JSON.stringify(next)} for ${email}`).toBe(email.startsWith('redirect@') ? '/account' : '/account?next=%2Faccount');
        await t.db.delete(signInTokens).where(eq(signInTokens.email, email));
      }
    }
  });

  it('never redirects off the site from a link that carries next in its query, as the browser sends it', async () => {
    // "/%09/" in a query string arrives as a tab, which the sign-in page keeps in a hidden field.
    const visitor = t.client();
    const page = await visitor.get('/sign-in?next=/%09/evil.example');
    const hidden = /name="next" value="([^"]*)"/.exec(page.body)?.[1];
    expect(hidden).toBe('/\t/evil.example');
    await visitor.post('/sign-in', { email: 'tabbed@example.org', next: hidden });
    const link = await latestSignInPath(t.db, 'tabbed@example.org');
    const [stored] = await t.db.select({ nextPath: signInTokens.nextPath }).from(signInTokens).where(eq(signInTokens.email, 'tabbed@example.org'));
    expect(stored?.nextPath).toBe('/account');
    const done = await visitor.post(link);
    expect(done.headers.location).toBe('/account?next=%2Faccount');
    // Signed in, the same link goes straight to the account page, and so does saving the profile.
    expect((await visitor.get('/sign-in?next=/%09/evil.example')).headers.location).toBe('/account');
    const saved = await visitor.post('/account?next=/%09/evil.example', { displayName: 'Tab' });
    expect(saved.headers.location).toBe('/account');
    expect((await visitor.get('/account?next=/%5Cevil.example')).body).not.toContain('evil.example');
  });

  it('checks the stored path again when the link is used', async () => {
    const visitor = t.client();
    await visitor.post('/sign-in', { email: 'old-link@example.org' });
    const link = await latestSignInPath(t.db, 'old-link@example.org');
    // As a link asked for before the check existed might carry.
    await t.db.update(signInTokens).set({ nextPath: '/\t/evil.example' }).where(eq(signInTokens.email, 'old-link@example.org'));
    const done = await visitor.post(link);
    expect(done.headers.location).toBe('/account?next=%2Faccount');
  });
});

describe('signing out', () => {
  it('ends this session, and "sign out everywhere" ends the others', async () => {
    const laptop = await t.signedIn('two-devices@example.org');
    const phone = await t.signedIn('two-devices@example.org');
    const tablet = await t.signedIn('two-devices@example.org');
    const out = await laptop.post('/sign-out');
    expect(out.statusCode).toBe(303);
    expect((await laptop.get('/account')).statusCode).toBe(303);
    expect((await phone.get('/account')).statusCode).toBe(200);

    await phone.post('/sign-out-everywhere');
    expect((await tablet.get('/account')).statusCode).toBe(303);
    expect((await phone.get('/account')).statusCode).toBe(303);
  });

  it('does not accept a session cookie that was made up or has expired', async () => {
    const visitor = await t.signedIn('expiring@example.org');
    await t.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) });
    expect((await visitor.get('/account')).statusCode).toBe(303);
    const forged = t.client();
    forged.cookies.set('convene_session', 'made-up');
    expect((await forged.get('/account')).statusCode).toBe(303);
  });
});

describe('the profile page', () => {
  it('saves name, pronouns and contact preferences, and keeps what was typed on an error', async () => {
    const me = await t.signedIn('profile@example.org');
    const bad = await me.post('/account', { displayName: '', pronouns: 'they/them', contactNotes: 'No phone calls please' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter your name');
    expect(bad.body).toContain('value="they/them"');
    expect(bad.body).toContain('No phone calls please');

    const good = await me.post('/account', { displayName: 'Rowan <b>', pronouns: 'they/them', prefersPlainText: 'yes', contactNotes: 'No phone calls please' });
    expect(good.statusCode).toBe(303);
    const page = await me.get('/account');
    expect(page.body).toContain('value="Rowan &lt;b&gt;"');
    expect(page.body).toContain('Your details have been saved.');
    expect(page.body).toMatch(/id="prefersPlainText"[^>]*checked/);
  });
});

describe('housekeeping', () => {
  it('removes ended sessions and long-expired links, and nothing still usable', async () => {
    const keeper = await t.signedIn('keeper@example.org');
    await t.client().post('/sign-in', { email: 'fresh-link@example.org' });
    const later = new Date(Date.now() + 2 * 86_400_000);
    const { removeExpiredSignInData } = await import('../../server/accounts/housekeeping.ts');
    const removedNow = await removeExpiredSignInData(t.db);
    expect(removedNow.links).toBe(0);
    expect((await keeper.get('/account')).statusCode).toBe(200);
    const removedLater = await removeExpiredSignInData(t.db, later);
    expect(removedLater.links).toBeGreaterThan(0);
    const [fresh] = await t.db.select().from(signInTokens).where(eq(signInTokens.email, 'fresh-link@example.org'));
    expect(fresh).toBeUndefined();
    // Sessions last 30 days, so none of today's has ended two days on.
    expect((await keeper.get('/account')).statusCode).toBe(200);
  });
});
