// The mail server is down while 200 people book; when it comes back, every confirmation and
// waiting-list email is delivered exactly once (stable Message-ID per outbox row), and mail that
// can never be delivered becomes visible to admins instead of vanishing.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../db/schema/index.ts';
import { backoffMs } from '../../server/mail/sender.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { SmtpPeer } from '../support/smtp-peer.ts';
import { bookAnonymously, makeEvent, makeTicketType } from '../registration/fixtures.ts';

const peer = new SmtpPeer();
let t: TestApp;

beforeAll(async () => {
  await peer.start(0);
  await peer.stop();
  t = await startTestApp({
    env: { SMTP_URL: peer.url, FORM_RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_MINUTE: '100000', BOOKING_REQUESTS_PER_IP_PER_HOUR: '100000' },
  });
});
afterAll(async () => {
  await t.close();
  await peer.stop();
});

describe('a mail outage during a rush of bookings', () => {
  it('loses nothing and sends nothing twice', async () => {
    const event = await makeEvent(t.db, { capacity: 150, slug: 'rush-hour-seminar' });
    const type = await makeTicketType(t.db, event.id);
    const visitor = t.client();
    await visitor.get(`/events/${event.slug}/book`);
    for (let i = 0; i < 200; i++) {
      // Each books without signing in and confirms from the emailed link: two emails each.
      const { confirmed } = await bookAnonymously(t.db, visitor, event.slug, { ticketTypeId: type.id, name: `Person ${i}`, email: `rush${i}@example.org` });
      expect(confirmed.statusCode, confirmed.body.slice(0, 300)).toBe(303);
      // The sender keeps trying while the server is down; nothing is lost meanwhile.
      if (i % 50 === 49) await t.app.mail.deliverDue();
    }
    const queued = await t.db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.status, 'queued'));
    expect(queued).toHaveLength(400);
    expect(peer.received).toHaveLength(0);

    await peer.start();
    let now = Date.now();
    for (let round = 1; round <= 20; round++) {
      now += backoffMs(round) + 1000;
      const result = await t.app.mail.deliverDue(new Date(now));
      if (result.sent === 0 && result.retrying === 0) break;
    }
    const rows = await t.db.select({ status: outboxMessages.status, messageId: outboxMessages.messageId }).from(outboxMessages);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(peer.received).toHaveLength(400);
    const ids = peer.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(400);
    expect(new Set(ids)).toEqual(new Set(rows.map((r) => `<${r.messageId}>`)));
    for (let i = 0; i < 200; i++) {
      expect(peer.received.filter((m) => m.to && JSON.stringify(m.to).includes(`"rush${i}@example.org"`))).toHaveLength(2);
    }
    const subjects = peer.received.map((m) => m.subject ?? '');
    expect(subjects.filter((s) => /waiting list/i.test(s))).toHaveLength(50);
  }, 300_000);
});
