// Two Convene processes behind a load balancer share one PostgreSQL: a session started on one
// works on the other, and their outbox senders never send the same message twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../server/db/database.ts';
import { enqueueEmail } from '../server/mail/outbox.ts';
import { deliverDueMessages } from '../server/mail/sender.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { TestClient } from './support/client.ts';
import { SmtpPeer } from './support/smtp-peer.ts';

const peer = new SmtpPeer();
let shared: TestDatabase;
let first: TestApp;
let second: TestApp;

beforeAll(async () => {
  await peer.start(0);
  shared = await createTestDatabase();
  // Each instance has its own connection pool, as separate processes would.
  first = await startTestApp({ database: { ...connectPostgres(shared.url!), url: shared.url }, env: { SMTP_URL: peer.url } });
  second = await startTestApp({ database: { ...connectPostgres(shared.url!), url: shared.url }, env: { SMTP_URL: peer.url } });
});
afterAll(async () => {
  await first.close();
  await second.close();
  await first.database.close();
  await second.database.close();
  await shared.close();
  await peer.stop();
});

describe('two app instances on one PostgreSQL', () => {
  it('share sessions: signed in on one, recognised on the other, signed out everywhere from either', async () => {
    const onFirst = await first.signedIn('roaming@example.org');
    const onSecond = new TestClient(second.app);
    for (const [name, value] of onFirst.cookies) onSecond.cookies.set(name, value);
    const account = await onSecond.get('/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('roaming@example.org');

    await onSecond.post('/sign-out-everywhere');
    expect((await onFirst.get('/account')).statusCode).toBe(303);
  });

  it('deliver each queued email exactly once when both senders run at the same time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(
        (await enqueueEmail(first.db, {
          to: `reader${i}@example.org`,
          because: 'account.sign-in-asked',
          template: 'sign-in',
          data: { signInPath: `/sign-in/t${i}`, expiresInMinutes: 20 },
        }))!,
      );
    }
    // Small batches so that the two senders really compete for the same rows.
    const site = { baseUrl: first.config.baseUrl, siteName: 'Social Perspectives Hub' };
    const sendFrom = (t: TestApp) => deliverDueMessages(t.db, { transport: t.app.mail.transport, site, from: t.config.mailFrom, batchSize: 5 });
    const readers = () => peer.received.filter((m) => JSON.stringify(m.to).includes('reader')).length;
    for (let round = 0; round < 50 && readers() < 40; round++) {
      await Promise.all([sendFrom(first), sendFrom(second), sendFrom(first), sendFrom(second)]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const messageIds = peer.received.map((m) => m.messageId);
    expect(new Set(messageIds).size).toBe(messageIds.length);
    for (let i = 0; i < 40; i++) {
      expect(peer.received.filter((m) => JSON.stringify(m.to).includes(`reader${i}@example.org`))).toHaveLength(1);
    }
  });
});
