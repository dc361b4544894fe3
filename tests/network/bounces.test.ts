// Bounces, through a real SMTP peer that says one mailbox does not exist (550 5.1.1 to RCPT TO):
// the copy is given up at once rather than retried, the address goes on the suppression list and
// leaves the mailing list, the announcement's progress page counts it, and no later send (nor an
// import of an older list) reaches it again.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcements, listSubscribers, mailSuppressions, outboxMessages, type ListInterests } from '../../db/schema/index.ts';
import { isPermanentRejection } from '../../server/mail/sender.ts';
import { emailHash, JOIN_WORDING, subscribe } from '../../server/network/list.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { SmtpPeer } from '../support/smtp-peer.ts';

const peer = new SmtpPeer();
let t: TestApp;

beforeAll(async () => {
  await peer.start();
  t = await startTestApp({ env: { SMTP_URL: peer.url, LIST_SEND_PER_MINUTE: '100' } });
});
afterAll(async () => {
  await t?.close();
  await peer.stop();
});

const none: ListInterests = { types: [], formats: [], regions: [] };
const to = (address: string) => peer.received.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((v) => v.address === address)));

describe('a bounce', () => {
  it('takes the address off the list for good, and the progress page counts it', async () => {
    for (const email of ['stays@example.org', 'gone-away@example.org', 'also-stays@example.org'])
      await subscribe(t.db, { email, interests: none, method: 'web_form', wording: JOIN_WORDING, now: new Date() });
    peer.unknownMailboxes.add('gone-away@example.org');

    const organiser = await signedInOrganiser(t, 'bounce-organiser@example.org');
    const saved = await organiser.post('/organise/announcements', { subject: 'Spring seminars', body: 'Hello' });
    const id = String(saved.headers.location).split('/').pop()!;
    expect((await organiser.post(`/organise/announcements/${id}/send`)).statusCode).toBe(303);
    await t.app.mail.deliverDue();

    expect(to('stays@example.org')).toHaveLength(1);
    expect(to('also-stays@example.org')).toHaveLength(1);
    expect(to('gone-away@example.org')).toHaveLength(0);
    // Given up on the first refusal: a mailbox that does not exist will not exist in an hour.
    const [copy] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'gone-away@example.org'));
    expect(copy).toMatchObject({ status: 'failed', attempts: 1, sealed: null });
    expect(copy!.lastError).toContain('550');
    expect(await t.db.select().from(listSubscribers).where(eq(listSubscribers.email, 'gone-away@example.org'))).toHaveLength(0);
    const [suppressed] = await t.db
      .select()
      .from(mailSuppressions)
      .where(eq(mailSuppressions.emailHash, emailHash('gone-away@example.org')));
    expect(suppressed?.reason).toBe('bounced');
    const [stored] = await t.db.select().from(announcements).where(eq(announcements.id, id));
    expect(stored).toMatchObject({ deliveredCount: 2, bouncedCount: 1, failedCount: 0 });

    const progress = await organiser.get(`/organise/announcements/${id}`);
    expect(progress.body).toMatch(/Refused by the receiving mail server \(taken off the list\)<\/dt><dd class="govuk-summary-list__value">1</);
    expect(progress.body).toMatch(/Could not be sent<\/dt><dd class="govuk-summary-list__value">0</);

    // The next announcement is for two people, not three.
    const next = await organiser.post('/organise/announcements', { subject: 'Summer seminars', body: 'Hello again' });
    const nextId = String(next.headers.location).split('/').pop()!;
    expect((await organiser.get(`/organise/announcements/${nextId}/send`)).body).toContain('Yes, send it to 2 people');
  });

  it('is only a refusal of the address: policy refusals and refusals of the message are tried again', () => {
    const refusal = (responseCode: number, command: string, response: string) => Object.assign(new Error(response), { responseCode, command, response });
    expect(isPermanentRejection(refusal(550, 'RCPT TO', '550 5.1.1 No such user'))).toBe(true);
    expect(isPermanentRejection(refusal(553, 'RCPT TO', '553 mailbox name not allowed'))).toBe(true);
    expect(isPermanentRejection(refusal(554, 'RCPT TO', '554 5.7.1 Relay access denied'))).toBe(false);
    expect(isPermanentRejection(refusal(450, 'RCPT TO', '450 4.2.1 Mailbox busy'))).toBe(false);
    expect(isPermanentRejection(refusal(552, 'DATA', '552 Message too big'))).toBe(false);
    expect(isPermanentRejection(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});
