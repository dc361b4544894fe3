// Announcements to the mailing list, through a real SMTP peer: an organiser writes one, previews
// it, sends a test to themselves, and sends it. Only subscribers whose interests meet its audience
// get it, each exactly once even when the server restarts in the middle of the send, at the
// configured rate, with one-click unsubscribe headers (RFC 8058) that work; anyone who leaves
// before their copy goes is skipped, and the progress page adds up.
import { eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcements, events, listSubscribers, type ListInterests } from '../../db/schema/index.ts';
import { JOIN_WORDING, leaveList, subscribe } from '../../server/network/list.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { SmtpPeer } from '../support/smtp-peer.ts';

const peer = new SmtpPeer();
let database: TestDatabase;
let t: TestApp;
const env = () => ({ SMTP_URL: peer.url, LIST_SEND_PER_MINUTE: '4', CONTACT_EMAIL: 'hello@hub.example.org' });

beforeAll(async () => {
  await peer.start();
  database = await createTestDatabase();
  t = await startTestApp({ env: env(), database });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
  await peer.stop();
});

const none: ListInterests = { types: [], formats: [], regions: [] };

async function subscriber(email: string, interests: Partial<ListInterests> = {}) {
  return subscribe(t.db, { email, name: '', interests: { ...none, ...interests }, method: 'web_form', wording: JOIN_WORDING, now: new Date() });
}

/** Copies of the announcement (and its test) that reached an address; sign-in emails aside. */
/** A header's value as sent (mailparser turns List-* headers into objects). */
const header = (mail: ParsedMail, name: string): string | undefined =>
  mail.headerLines
    .find((h) => h.key === name)
    ?.line.replace(/^[^:]+:\s*/, '')
    .replace(/\r?\n\s+/g, ' ');
const announced = () => peer.received.filter((m) => m.subject?.includes('Three new seminars'));
const received = (to: string): ParsedMail[] =>
  announced().filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((v) => v.address === to)));

describe('an announcement to the list', () => {
  it('goes once to each subscriber it is for, at the set rate, across a restart, and can be left with one click', async () => {
    // Five seminar-goers (one open to anything), two only interested in conferences, one who left.
    const forIt = [
      'open@example.org',
      'seminars1@example.org',
      'seminars2@example.org',
      'seminars3@example.org',
      'seminars4@example.org',
      'wales-seminars@example.org',
    ];
    await subscriber('open@example.org');
    for (const email of forIt.slice(1, 5)) await subscriber(email, { types: ['seminar'] });
    await subscriber('wales-seminars@example.org', { types: ['seminar'], regions: ['Wales'] });
    await subscriber('conference-only@example.org', { types: ['conference'] });
    await subscriber('online-conference@example.org', { types: ['conference'], formats: ['online'] });
    await leaveList(t.db, await subscriber('gone@example.org'));

    const organiser = await signedInOrganiser(t, 'announcer@example.org');
    const saved = await organiser.post('/organise/announcements', {
      subject: 'Three new seminars in spring',
      body: 'We have **three** seminars.\n\n<script>alert(1)</script>\n\n[See them](/events)',
      types: 'seminar',
    });
    expect(saved.statusCode).toBe(303);
    const id = String(saved.headers.location).split('/').pop()!;
    const preview = await organiser.get(`/organise/announcements/${id}`);
    expect(preview.body).toContain('<strong>three</strong>');
    expect(preview.body).not.toContain('<script>alert(1)</script>');
    expect(preview.body).toContain('<strong>6 people</strong>');

    // A test goes to the organiser only, says it is a test, and has no unsubscribe headers.
    expect((await organiser.post(`/organise/announcements/${id}/test`)).statusCode).toBe(303);
    await t.app.mail.deliverDue();
    const [test] = received('announcer@example.org');
    expect(test!.subject).toBe('Test: Three new seminars in spring');
    expect(header(test!, 'list-unsubscribe')).toBeUndefined();
    expect(announced()).toHaveLength(1);

    const confirm = await organiser.get(`/organise/announcements/${id}/send`);
    expect(confirm.body).toContain('Yes, send it to 6 people');
    const sent = await organiser.post(`/organise/announcements/${id}/send`);
    expect(sent.statusCode).toBe(303);
    // Sending twice (a double click, a second tab) sends nothing more.
    await organiser.post(`/organise/announcements/${id}/send`);

    // Four a minute: the first four are due now; then the server restarts.
    const start = Date.now();
    await t.app.mail.deliverDue(new Date(start + 1_000));
    expect(announced()).toHaveLength(1 + 4);
    await t.close();
    t = await startTestApp({ env: env(), database });

    // One of those still waiting leaves the list before their copy goes.
    const notYet = forIt.find((email) => received(email).length === 0)!;
    const [row] = await t.db.select().from(listSubscribers).where(eq(listSubscribers.email, notYet));
    await leaveList(t.db, row!.id);
    await t.app.mail.deliverDue(new Date(start + 61_000));
    await t.app.mail.deliverDue(new Date(start + 121_000));

    for (const email of forIt) expect(received(email), email).toHaveLength(email === notYet ? 0 : 1);
    for (const email of ['conference-only@example.org', 'online-conference@example.org', 'gone@example.org']) expect(received(email), email).toHaveLength(0);
    expect(announced()).toHaveLength(1 + 5);

    const [first] = received('open@example.org');
    expect(first!.subject).toBe('Three new seminars in spring');
    const unsubscribe = String(header(first!, 'list-unsubscribe'));
    expect(unsubscribe).toMatch(/^<http:\/\/convene\.test\/list\/[A-Za-z0-9_-]{43}\/leave>, <mailto:hello@hub\.example\.org\?subject=/);
    expect(header(first!, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(first!, 'list-id')).toContain('<announcements.convene.test>');
    expect(first!.text).toContain('Leave the list: http://convene.test/list/');
    // Links to the site's own pages are whole in the email, where "/events" would lead nowhere.
    expect(first!.text).toContain('See them (http://convene.test/events)');
    // The text part reads as plain text: the Markdown's marks and the typed HTML are gone.
    expect(first!.text).toContain('We have three seminars.');
    expect(first!.text).not.toMatch(/\*\*|\]\(|<script|alert/);
    expect(String(first!.html)).toContain('href="http://convene.test/events"');

    const manager = await signedInOrganiser(t, 'second-organiser@example.org');
    const progress = await manager.get(`/organise/announcements/${id}`);
    const figures = Object.fromEntries(
      [...progress.body.matchAll(/<dt class="govuk-summary-list__key">([^<]+)<\/dt><dd class="govuk-summary-list__value">(\d+)<\/dd>/g)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    expect(figures).toEqual({
      'People it is for': 6,
      'Waiting to go': 0,
      Sent: 5,
      'Could not be sent': 0,
      'Refused by the receiving mail server (taken off the list)': 0,
      'Not sent: left the list first': 1,
      'Anyone who left the list since': 1,
    });

    // The mail program's one-click POST, as RFC 8058 describes it: no cookie, no token.
    const url = new URL(/<([^>]+)>/.exec(unsubscribe)![1]!);
    const left = await t.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(left.statusCode).toBe(200);
    // Leaving keeps nothing of them but the suppression hash.
    expect(await t.db.select().from(listSubscribers).where(eq(listSubscribers.email, 'open@example.org'))).toHaveLength(0);
    // Once sent, it cannot be changed.
    const changed = await manager.post(`/organise/announcements/${id}`, { subject: 'Changed afterwards', body: 'No' });
    expect(changed.statusCode).toBe(303);
    const [stored] = await t.db.select().from(announcements).where(eq(announcements.id, id));
    expect(stored!.subject).toBe('Three new seminars in spring');
    expect(stored).toMatchObject({ status: 'sent', audienceSize: 6, deliveredCount: 5, skippedCount: 1, failedCount: 0 });
  });

  it('can be made from a published event, and an empty one is refused with its errors', async () => {
    const organiser = await signedInOrganiser(t, 'event-announcer@example.org');
    await makeEvent(t.db, { slug: 'announced-conference', title: 'Annual conference', type: 'conference', format: 'in_person', summary: 'A day of talks.' });
    const page = await organiser.get('/organise/announcements/new?event=announced-conference');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="New event: Annual conference"');
    expect(page.body).toContain('[Read more and book](/events/announced-conference)');
    expect(page.body).toMatch(/value="conference" checked/);
    // The form posts back to an address naming the event, which is kept with the announcement.
    expect(page.body).toContain('action="/organise/announcements?event=announced-conference"');
    const saved = await organiser.post('/organise/announcements?event=announced-conference', {
      subject: 'New event: Annual conference',
      body: 'Come',
      types: 'conference',
    });
    const [stored] = await t.db
      .select()
      .from(announcements)
      .where(eq(announcements.id, String(saved.headers.location).split('/').pop()!));
    const [event] = await t.db.select().from(events).where(eq(events.slug, 'announced-conference'));
    expect(stored!.eventId).toBe(event!.id);

    const empty = await organiser.post('/organise/announcements', { subject: '', body: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter a subject line');
  });
});
