// Private links in email: the database holds no sign-in or manage link that works. A link lives
// in the outbox only sealed with the app's key, bound to its row; once the email is sent or given
// up it is removed; sent email is deleted after OUTBOX_RETENTION_DAYS; and a manage link stops
// working some days after its event, with a page that says so.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, outboxMessages } from '../../db/schema/index.ts';
import { enqueueEmail } from '../../server/mail/outbox.ts';
import { openSecrets } from '../../server/mail/sealing.ts';
import { deleteOldMessages, MAX_ATTEMPTS, backoffMs } from '../../server/mail/sender.ts';
import { bookAnonymously, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, TEST_OUTBOX_KEY, type TestApp } from '../support/app.ts';
import { SmtpPeer } from '../support/smtp-peer.ts';

const peer = new SmtpPeer();
let t: TestApp;

beforeAll(async () => {
  await peer.start(0);
  t = await startTestApp({ env: { SMTP_URL: peer.url, MANAGE_LINK_DAYS_AFTER_EVENT: '30', OUTBOX_RETENTION_DAYS: '30' } });
});
afterAll(async () => {
  await t.close();
  await peer.stop();
});

/** Everything the database holds about one email, as text. */
async function rowText(id: string): Promise<string> {
  const [row] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.id, id));
  return JSON.stringify(row);
}

function receivedBy(address: string) {
  return peer.received.filter((m) => JSON.stringify(m.to).includes(address));
}

describe('private links in the outbox', () => {
  it('keeps a sign-in link only sealed, removes it once sent, and the emailed link still works', async () => {
    const visitor = t.client();
    expect((await visitor.post('/sign-in', { email: 'sealed@example.org' })).statusCode).toBe(303);
    const [queued] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'sealed@example.org'));
    expect(queued!.sealed).toBeTruthy();
    expect(queued!.data).not.toHaveProperty('signInPath');

    await t.app.mail.deliverDue(new Date(Date.now() + 1000));
    const [mail] = receivedBy('sealed@example.org');
    const link = /http:\/\/convene\.test(\/sign-in\/([A-Za-z0-9_-]{20,}))/.exec(String(mail!.text))!;
    const [, path, token] = link;

    // The token is nowhere in the row, before or after sending, and the sealed copy is gone.
    expect(JSON.stringify(queued)).not.toContain(token);
    const after = await rowText(queued!.id);
    expect(after).not.toContain(token!);
    const [sent] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.id, queued!.id));
    expect(sent).toMatchObject({ status: 'sent', sealed: null });
    expect(sent!.secretsRemovedAt).toBeInstanceOf(Date);

    // The link from the email is the one that works.
    await visitor.get(path!);
    expect((await visitor.post(path!)).statusCode).toBe(303);
    expect((await visitor.get('/account')).statusCode).toBe(200);
  });

  it('seals a manage link so that the stored copy cannot be opened without the key, or on another row', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    expect(
      (await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Robin', email: 'manage@example.org' })).confirmed.statusCode,
    ).toBe(303);
    const rows = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'manage@example.org'));
    expect(rows.map((r) => r.template).sort()).toEqual(['registration-confirm-request', 'registration-confirmed']);
    // Neither the link to confirm the booking nor the one to manage it is stored usable.
    expect(JSON.stringify(rows)).not.toMatch(/\/bookings\//);
    const row = rows.find((r) => r.template === 'registration-confirmed');

    // Someone with the database alone: another key fails, and so does moving it to another row.
    expect(() => openSecrets(row!.id, row!.sealed!, randomBytes(32))).toThrow(/another OUTBOX_KEY/);
    const other = (await enqueueEmail(t.db, {
      to: 'attacker@example.org',
      because: 'account.role-granted',
      template: 'role-granted',
      data: { name: 'A', role: 'organiser' },
    }))!;
    expect(() => openSecrets(other, row!.sealed!, Buffer.from(TEST_OUTBOX_KEY, 'hex'))).toThrow();

    await t.app.mail.deliverDue(new Date(Date.now() + 1000));
    const mail = receivedBy('manage@example.org').find((m) => /Your place is booked/.test(String(m.subject)));
    const managePath = /http:\/\/convene\.test(\/bookings\/[A-Za-z0-9_-]{20,})/.exec(String(mail!.text))![1]!;
    expect(await rowText(row!.id)).not.toContain(managePath);
    const page = await t.client().get(managePath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Robin');
  });

  it('removes the link from an email it gave up on, which then cannot be sent again', async () => {
    await peer.stop();
    const visitor = t.client();
    await visitor.post('/sign-in', { email: 'bounced@example.org' });
    const [row] = await t.db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.toAddress, 'bounced@example.org'));
    let now = Date.now() + 1000;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await t.app.mail.deliverDue(new Date(now));
      now += backoffMs(attempt) + 1000;
    }
    await peer.start();
    const [failed] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.id, row!.id));
    expect(failed).toMatchObject({ status: 'failed', sealed: null });
    expect(failed!.data).not.toHaveProperty('signInPath');
    const { requeueMessage } = await import('../../server/mail/sender.ts');
    expect(await requeueMessage(t.db, row!.id)).toBe(false);
  });

  it('deletes sent email after the retention period, and keeps what is still queued', async () => {
    const sentId = (await enqueueEmail(t.db, {
      to: 'old@example.org',
      because: 'account.role-granted',
      template: 'role-granted',
      data: { name: 'Old', role: 'organiser' },
    }))!;
    // A second ahead: the row's time comes from the database, which may be a little ahead of ours.
    await t.app.mail.deliverDue(new Date(Date.now() + 1000));
    expect((await t.db.select({ status: outboxMessages.status }).from(outboxMessages).where(eq(outboxMessages.id, sentId)))[0]!.status).toBe('sent');
    const queuedId = (await enqueueEmail(t.db, {
      to: 'later@example.org',
      because: 'account.role-granted',
      template: 'role-granted',
      data: { name: 'Later', role: 'organiser' },
    }))!;
    await deleteOldMessages(t.db, { now: new Date(Date.now() + 29 * 86_400_000), days: 30 });
    expect(await t.db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.id, sentId))).toHaveLength(1);
    await deleteOldMessages(t.db, { now: new Date(Date.now() + 31 * 86_400_000), days: 30 });
    expect(await t.db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.id, sentId))).toHaveLength(0);
    expect(await t.db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.id, queuedId))).toHaveLength(1);
    const [{ n }] = (await t.db.select({ n: sql<number>`count(*)::int` }).from(outboxMessages).where(eq(outboxMessages.status, 'sent'))) as [{ n: number }];
    expect(Number(n)).toBe(0);
  });
});

describe('manage links after the event', () => {
  it('stop working 30 days after the event ends, with a page that says so', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Ash', email: 'after@example.org' });
    await t.app.mail.deliverDue(new Date(Date.now() + 1000));
    const mail = receivedBy('after@example.org').find((m) => /Your place is booked/.test(String(m.subject)))!;
    const managePath = /http:\/\/convene\.test(\/bookings\/[A-Za-z0-9_-]{20,})/.exec(String(mail.text))![1]!;

    const day = 86_400_000;
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 29 * day), endsAt: new Date(Date.now() - 29 * day + 3_600_000) })
      .where(eq(events.id, event.id));
    expect((await t.client().get(managePath)).statusCode).toBe(200);

    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 31 * day), endsAt: new Date(Date.now() - 31 * day + 3_600_000) })
      .where(eq(events.id, event.id));
    const expired = await t.client().get(managePath);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This booking link has stopped working');
    expect(expired.body).not.toContain('Ash');
    expect((await t.client().post(`${managePath}/cancel`)).statusCode).toBe(410);
  });

  it('still open for the person who booked, signed in, from Your bookings or the old link', async () => {
    const event = await makeEvent(t.db, { title: 'Long past seminar' });
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Bea', email: 'long-after@example.org' });
    await t.app.mail.deliverDue(new Date(Date.now() + 1000));
    const mail = receivedBy('long-after@example.org').find((m) => /Your place is booked/.test(String(m.subject)))!;
    const managePath = /http:\/\/convene\.test(\/bookings\/[A-Za-z0-9_-]{20,})/.exec(String(mail.text))![1]!;
    const day = 86_400_000;
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 90 * day), endsAt: new Date(Date.now() - 90 * day + 3_600_000) })
      .where(eq(events.id, event.id));

    // "Manage" on Your bookings mints a new link, which opens for the booker.
    const booker = await t.signedIn('long-after@example.org');
    const list = await booker.get('/account/bookings');
    expect(list.body).toContain('Long past seminar');
    const id = /action="\/account\/bookings\/([0-9a-f-]{36})\/link"/.exec(list.body)![1]!;
    const minted = await booker.post(`/account/bookings/${id}/link`);
    expect(minted.statusCode).toBe(303);
    const page = await booker.get(String(minted.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Long past seminar');
    // So does the emailed link, for the booker only.
    expect((await booker.get(managePath)).statusCode).toBe(200);
    const someoneElse = await t.signedIn('not-the-booker@example.org');
    const notTheirs = await someoneElse.get(managePath);
    expect(notTheirs.statusCode).toBe(410);
    expect(notTheirs.body).toContain('It is not a booking made with the account you are signed in with.');
    expect(notTheirs.body).toContain('<a class="govuk-link" href="/account/bookings">See your bookings</a>');
    expect(notTheirs.body).not.toContain('Long past seminar');
    expect((await someoneElse.get(String(minted.headers.location))).statusCode).toBe(410);
    // Signed out, the page leads to signing in and back to Your bookings.
    const signedOut = await t.client().get(String(minted.headers.location));
    expect(signedOut.statusCode).toBe(410);
    expect(signedOut.body).toContain('<a class="govuk-link" href="/sign-in?next=%2Faccount%2Fbookings">Sign in to see your bookings</a>');
    expect(signedOut.body).not.toContain('Long past seminar');
  });
});
