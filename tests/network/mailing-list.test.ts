// The mailing list: joining takes a confirmed link, the consent is recorded with its words, the
// join form says the same for every address, private links cannot be guessed or changed, leaving
// works with one POST as a mail program sends it (no cookie, no CSRF token), and whoever leaves
// is kept off the list until they ask again. A member's profile box and a booking's "email me"
// box are the same subscription.
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listJoinRequests, listSubscribers, outboxMessages } from '../../db/schema/index.ts';
import { isSuppressed, JOIN_EMAILS_PER_ADDRESS, JOIN_WORDING, leavePath, PROFILE_WORDING, subscriberToken } from '../../server/network/list.ts';
import { bookAnonymously, latestConfirmPath, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emailData } from '../support/outbox.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function emailsTo(address: string) {
  const rows = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, address)).orderBy(desc(outboxMessages.createdAt));
  return rows.map((row) => ({ template: row.template, subject: row.subject, data: emailData(row) }));
}

async function subscriber(address: string) {
  const [row] = await t.db.select().from(listSubscribers).where(eq(listSubscribers.email, address));
  return row ?? null;
}

/** Joins through the form and the emailed link, as a visitor would; returns the preferences path. */
async function join(address: string, fields: Record<string, string | string[]> = {}): Promise<string> {
  const visitor = t.client();
  const sent = await visitor.post('/list/join', { email: address, ...fields });
  expect(sent.statusCode).toBe(303);
  const [email] = await emailsTo(address.toLowerCase());
  expect(email!.template).toBe('list-confirm');
  const confirmPath = String(email!.data.confirmPath);
  const confirmed = await visitor.post(confirmPath);
  expect(confirmed.statusCode).toBe(303);
  return String(confirmed.headers.location);
}

describe('joining the list', () => {
  it('adds nobody until the emailed link is confirmed with its button, then records the consent', async () => {
    const visitor = t.client();
    const page = await visitor.get('/list/join');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(JOIN_WORDING.replace(/'/g, '&#39;'));
    const sent = await visitor.post('/list/join', {
      email: 'New.Person@Example.org',
      name: 'Sam',
      types: ['seminar', 'round_table'],
      formats: 'online',
      regions: ['Wales', 'Atlantis'],
    });
    expect(sent.headers.location).toBe('/list/join/check-your-email');
    expect(await subscriber('new.person@example.org')).toBeNull();

    const [email] = await emailsTo('new.person@example.org');
    expect(email!.template).toBe('list-confirm');
    // The name typed on a public form never reaches a subject line.
    expect(email!.subject).toBe('Please confirm you want emails from the Social Perspectives Hub');
    const confirmPath = String(email!.data.confirmPath);
    // Opening the link (as a mail scanner does) changes nothing.
    const opened = await t.client().get(confirmPath);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('Yes, add me to the list');
    expect(await subscriber('new.person@example.org')).toBeNull();

    const confirmed = await t.client().post(confirmPath);
    expect(confirmed.statusCode).toBe(303);
    const row = await subscriber('new.person@example.org');
    expect(row).toMatchObject({ status: 'subscribed', name: 'Sam', consentMethod: 'web_form', consentWording: JOIN_WORDING });
    expect(row!.interests).toEqual({ types: ['seminar', 'round_table'], formats: ['online'], regions: ['Wales'] });
    expect(confirmed.headers.location).toBe(`/list/${subscriberToken(row!.id)}`);

    // A link works once.
    const again = await t.client().post(confirmPath);
    expect(again.statusCode).toBe(410);
  });

  it('answers the same for an address already on the list, and tells only that inbox', async () => {
    await join('already@example.org', { name: 'Aisha' });
    const fresh = await t.client().post('/list/join', { email: 'not-yet@example.org' });
    const known = await t.client().post('/list/join', { email: 'already@example.org', name: 'Cheap pills' });
    expect(known.statusCode).toBe(fresh.statusCode);
    expect(known.headers.location).toBe(fresh.headers.location);
    const [latest] = await emailsTo('already@example.org');
    expect(latest!.template).toBe('list-already');
    expect(String(latest!.data.preferencesPath)).toMatch(/^\/list\/[A-Za-z0-9_-]{43}$/);
    // Greeted by the name they joined with, not by what a stranger typed.
    expect(latest!.data.name).toBe('Aisha');
  });

  it('keeps what was typed and says what is wrong, saving nothing', async () => {
    const response = await t.client().post('/list/join', { email: 'not an address', name: 'Kept name', types: 'seminar' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<title>Error:');
    expect(response.body).toContain('Enter an email address in the right format');
    expect(response.body).toContain('value="Kept name"');
    expect(response.body).toMatch(/value="seminar" checked/);
    const rows = await t.db.select().from(listJoinRequests).where(eq(listJoinRequests.name, 'Kept name'));
    expect(rows).toHaveLength(0);
  });

  it(`emails one address at most ${JOIN_EMAILS_PER_ADDRESS} times an hour, however often the form is sent`, async () => {
    for (let i = 0; i < JOIN_EMAILS_PER_ADDRESS + 3; i++) {
      const response = await t.client().post('/list/join', { email: 'flooded@example.org' });
      expect(response.headers.location).toBe('/list/join/check-your-email');
    }
    expect(await emailsTo('flooded@example.org')).toHaveLength(JOIN_EMAILS_PER_ADDRESS);
  });
});

describe('private links', () => {
  it('refuses a guessed or altered link, and never shows whose it would be', async () => {
    const preferences = await join('private@example.org');
    const token = preferences.split('/')[2]!;
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const path of [`/list/${flipped}`, `/list/${'A'.repeat(43)}`, `/list/${flipped}/leave`]) {
      const response = await t.client().get(path);
      expect(response.statusCode, path).toBe(404);
      expect(response.body).not.toContain('private@example.org');
    }
    const forged = await t.app.inject({
      method: 'POST',
      url: `/list/${flipped}/leave`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(forged.statusCode).toBe(404);
    expect((await subscriber('private@example.org'))!.status).toBe('subscribed');
  });

  it('changes choices from the preferences page', async () => {
    const preferences = await join('chooser@example.org');
    const page = await t.client().get(preferences);
    expect(page.body).toContain('chooser@example.org');
    const saved = await t.client().post(preferences, { name: 'Chooser', types: 'conference', regions: ['London', 'Scotland'] });
    expect(saved.statusCode).toBe(303);
    expect((await subscriber('chooser@example.org'))!.interests).toEqual({ types: ['conference'], formats: [], regions: ['London', 'Scotland'] });
  });
});

describe('leaving the list', () => {
  it('works with one POST as a mail program sends it (RFC 8058): no cookie, no CSRF token', async () => {
    await join('one-click@example.org');
    const row = (await subscriber('one-click@example.org'))!;
    const response = await t.app.inject({
      method: 'POST',
      url: leavePath(row.id),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You have left the mailing list');
    expect(await subscriber('one-click@example.org')).toBeNull();
    expect(await isSuppressed(t.db, 'one-click@example.org')).toBe(true);
    // Leaving twice is not an error.
    const twice = await t.app.inject({
      method: 'POST',
      url: leavePath(row.id),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(twice.statusCode).toBe(200);
  });

  it('asks first when the link is opened, and leaves with the button', async () => {
    await join('by-page@example.org');
    const row = (await subscriber('by-page@example.org'))!;
    const opened = await t.client().get(leavePath(row.id));
    expect(opened.body).toContain('Leave the mailing list');
    expect((await subscriber('by-page@example.org'))!.status).toBe('subscribed');
    const left = await t.client().post(leavePath(row.id));
    expect(left.statusCode).toBe(200);
    expect(await subscriber('by-page@example.org')).toBeNull();
  });

  it('a person who left joins again only by confirming again, which lifts the suppression', async () => {
    await join('comes-back@example.org');
    const row = (await subscriber('comes-back@example.org'))!;
    await t.client().post(leavePath(row.id));
    await t.client().post('/list/join', { email: 'comes-back@example.org' });
    expect(await subscriber('comes-back@example.org')).toBeNull();
    expect(await isSuppressed(t.db, 'comes-back@example.org')).toBe(true);
    const [email] = await emailsTo('comes-back@example.org');
    expect(email!.template).toBe('list-confirm');
    await t.client().post(String(email!.data.confirmPath));
    expect((await subscriber('comes-back@example.org'))!.status).toBe('subscribed');
    expect(await isSuppressed(t.db, 'comes-back@example.org')).toBe(false);
  });
});

describe('one subscription, wherever it is set', () => {
  it('the profile box is the subscription of the member’s own address', async () => {
    const member = await t.signedIn('member-box@example.org');
    const profile = await member.get('/account');
    expect(profile.body).not.toMatch(/id="wantsEventNews"[^>]*checked/);
    await member.post('/account', { displayName: 'Box Member', pronouns: '', contactNotes: '', wantsEventNews: 'yes' });
    expect(await subscriber('member-box@example.org')).toMatchObject({
      status: 'subscribed',
      consentMethod: 'account_setting',
      consentWording: PROFILE_WORDING,
    });
    expect((await member.get('/account')).body).toMatch(/id="wantsEventNews"[^>]*checked/);
    await member.post('/account', { displayName: 'Box Member', pronouns: '', contactNotes: '' });
    expect(await subscriber('member-box@example.org')).toBeNull();
    expect(await isSuppressed(t.db, 'member-box@example.org')).toBe(true);
  });

  it('a booking’s “email me about future events” box joins the list once the address is proven', async () => {
    const event = await makeEvent(t.db, { capacity: 10 });
    const type = await makeTicketType(t.db, event.id);
    await t
      .client()
      .post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Unproven', email: 'unproven-booker@example.org', consentFutureEvents: 'yes' });
    expect(await subscriber('unproven-booker@example.org')).toBeNull();
    // Booked without signing in: the form's box counts for nothing (whoever filled it in may not
    // own the address); the owner's own tick on the confirmation page does.
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Booker', email: 'booker-box@example.org', consentFutureEvents: 'yes' });
    expect(await subscriber('booker-box@example.org')).toBeNull();
    const owner = t.client();
    await owner.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Owner', email: 'owner-box@example.org' });
    const confirmPath = await latestConfirmPath(t.db, 'owner-box@example.org');
    expect((await owner.get(confirmPath)).body).toContain('Email me about future Hub events (optional)');
    expect((await owner.post(confirmPath, { joinList: 'yes' })).statusCode).toBe(303);
    expect(await subscriber('owner-box@example.org')).toMatchObject({ status: 'subscribed', consentMethod: 'booking_form', name: 'Owner' });
    // Signed in with the address, the booking form's box is the owner's own answer.
    const member = await t.signedIn('member-booker@example.org');
    await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Member', email: 'member-booker@example.org', consentFutureEvents: 'yes' });
    expect(await subscriber('member-booker@example.org')).toMatchObject({ status: 'subscribed', consentMethod: 'booking_form' });
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'No box', email: 'no-box@example.org' });
    expect(await subscriber('no-box@example.org')).toBeNull();
  });

  it('deleting an account takes the address off every list table, keeping only a hash of it as suppressed', async () => {
    const member = await t.signedIn('leaving-member@example.org');
    await member.post('/account', { displayName: 'Leaving', pronouns: '', contactNotes: '', wantsEventNews: 'yes' });
    await member.post('/account', { displayName: 'Leaving', pronouns: '', contactNotes: '' });
    await t.client().post('/list/join', { email: 'leaving-member@example.org' });
    const deleted = await member.post('/account/delete', { confirm: 'yes' });
    expect(deleted.statusCode).toBeLessThan(400);
    expect(await subscriber('leaving-member@example.org')).toBeNull();
    expect(
      await t.db
        .select()
        .from(listJoinRequests)
        .where(and(eq(listJoinRequests.email, 'leaving-member@example.org'))),
    ).toHaveLength(0);
    expect(await isSuppressed(t.db, 'leaving-member@example.org')).toBe(true);
  });
});
