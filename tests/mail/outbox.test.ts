// The outbox delivers through real SMTP, retries while the server is down, and sends each
// message exactly once when it comes back.
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../db/schema/index.ts';
import { backoffMs, MAX_ATTEMPTS } from '../../server/mail/sender.ts';
import { calendarAttachment, enqueueEmail } from '../../server/mail/outbox.ts';
import { fileTransport } from '../../server/mail/transport.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { SmtpPeer } from '../support/smtp-peer.ts';

const peer = new SmtpPeer();
let t: TestApp;

beforeAll(async () => {
  // Learn a free port, then stop: the mail server is "down" until a test starts it again.
  await peer.start(0);
  await peer.stop();
  t = await startTestApp({ env: { SMTP_URL: peer.url } });
});
afterAll(async () => {
  await t.close();
  await peer.stop();
});

describe('the outbox over SMTP', () => {
  it('keeps an email while the server is down and delivers it exactly once when it is back', async () => {
    const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//test//EN\r\nEND:VCALENDAR\r\n';
    const id = (await enqueueEmail(t.db, {
      because: 'account.sign-in-asked',
      to: 'down@example.org',
      template: 'sign-in',
      data: { signInPath: '/sign-in/abc', expiresInMinutes: 20 },
      attachments: [calendarAttachment('event.ics', ics)],
    }))!;

    const first = await t.app.mail.deliverDue();
    expect(first).toEqual({ sent: 0, retrying: 1, failed: 0 });
    const [waiting] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.id, id));
    expect(waiting?.status).toBe('queued');
    expect(waiting?.attempts).toBe(1);
    expect(waiting?.lastError).toBeTruthy();
    // Not due again until the backoff has passed.
    expect(await t.app.mail.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });

    await peer.start();
    const later = new Date(Date.now() + backoffMs(1) + 1000);
    expect(await t.app.mail.deliverDue(later)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await t.app.mail.deliverDue(new Date(later.getTime() + 86_400_000))).toEqual({ sent: 0, retrying: 0, failed: 0 });

    const delivered = peer.received.filter((m) => m.to && JSON.stringify(m.to).includes('down@example.org'));
    expect(delivered).toHaveLength(1);
    const mail = delivered[0]!;
    expect(mail.subject).toBe('Your link to sign in to the Social Perspectives Hub');
    expect(mail.messageId).toBe(`<${waiting!.messageId}>`);
    expect(mail.text).toContain('http://convene.test/sign-in/abc');
    expect(mail.html).toContain('href="http://convene.test/sign-in/abc"');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['event.ics']);
    expect(mail.attachments[0]!.content.toString()).toContain('BEGIN:VCALENDAR');
    await peer.stop();
  });

  it('gives up after its retries and shows the failure to admins', async () => {
    const id = (await enqueueEmail(t.db, {
      to: 'never@example.org',
      because: 'account.role-granted',
      template: 'role-granted',
      data: { name: 'Never', role: 'organiser' },
    }))!;
    // A second ahead: the row's time comes from the database with microseconds, Date.now() has none.
    let now = Date.now() + 1000;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await t.app.mail.deliverDue(new Date(now));
      now += backoffMs(attempt) + 1000;
    }
    const [row] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.id, id));
    expect(row?.status).toBe('failed');
    expect(row?.attempts).toBe(MAX_ATTEMPTS);

    const admin = await t.signedIn('admin@example.org');
    const [person] = await t.app.db.query.people.findMany({ where: (p, { eq }) => eq(p.email, 'admin@example.org') });
    await grantRole(t.db, null, person!.id, 'admin');
    expect((await admin.get('/admin')).body).toContain('could not be delivered');
    const page = await admin.get('/admin/outbox');
    expect(page.body).toContain('never@example.org');

    await peer.start();
    const retry = await admin.post(`/admin/outbox/${id}/retry`);
    expect(retry.statusCode).toBe(303);
    await t.app.mail.deliverDue();
    const [after] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.id, id));
    expect(after?.status).toBe('sent');
    await peer.stop();
  });

  it('sends a batch in the order its emails were written', async () => {
    // Written in one order, dated in the reverse one: the database hands claimed rows back in
    // no set order, and people must get their emails in the order things happened.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        (await enqueueEmail(t.db, {
          to: 'order@example.org',
          because: 'account.sign-in-asked',
          template: 'sign-in',
          data: { signInPath: `/sign-in/order-${i}`, expiresInMinutes: 20 },
        }))!,
      );
    for (const [i, id] of ids.entries())
      await t.db
        .update(outboxMessages)
        .set({ createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 10 - i)) })
        .where(eq(outboxMessages.id, id));
    await peer.start();
    expect(await t.app.mail.deliverDue(new Date(Date.now() + 60_000))).toMatchObject({ sent: 6 });
    await peer.stop();
    const order = peer.received.filter((m) => JSON.stringify(m.to).includes('order@example.org')).map((m) => /order-(\d)/.exec(m.text ?? '')?.[1]);
    expect(order).toEqual(['5', '4', '3', '2', '1', '0']);
  });
});

describe('the outbox without SMTP', () => {
  it('writes each message as an .eml file a newcomer can open', async () => {
    const folder = path.join(t.config.dataDir, 'eml-test');
    const local = await startTestApp({ database: t.database, mailTransport: fileTransport(folder) });
    try {
      await local.client().post('/sign-in', { email: 'newcomer@example.org' });
      const result = await local.app.mail.deliverDue();
      expect(result.sent).toBeGreaterThanOrEqual(1);
      const files = fs.readdirSync(folder);
      const eml = files.map((f) => fs.readFileSync(path.join(folder, f), 'utf8')).find((s) => s.includes('newcomer@example.org'));
      expect(eml).toMatch(/Subject: Your link to sign in/);
      expect(eml).toMatch(/\/sign-in\/[A-Za-z0-9_-]{20,}/);
    } finally {
      await local.app.close();
    }
  });
});
