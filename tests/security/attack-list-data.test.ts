// Attacks on what the mailing list keeps and what it sends to an address nobody has proven.
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubscribers, outboxMessages } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emailData } from '../support/outbox.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function mailsTo(address: string) {
  const rows = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, address)).orderBy(desc(outboxMessages.createdAt));
  return rows.map((row) => ({ template: row.template, subject: row.subject, data: emailData(row) }));
}

describe('a stranger joins the list with someone else’s address', () => {
  // THREATS 7: the Hub's name is never lent to spam. The join form is anonymous and takes any
  // address; what the stranger types as "name" must not travel in the Hub's email to that inbox.
  it('does not put the stranger’s words in the email to that address', async () => {
    const spam = 'Cheap pills at spam.example';
    const sent = await t.client().post('/list/join', { email: 'inbox-of-someone@example.org', name: spam });
    expect(sent.statusCode).toBe(303);
    const [mail] = await mailsTo('inbox-of-someone@example.org');
    expect(mail!.template).toBe('list-confirm');
    expect(JSON.stringify(mail)).not.toContain('spam.example');
  });
});

describe('someone who leaves the list', () => {
  // THREATS data table: "mailing list subscription and consent record — kept until unsubscribe
  // (address kept hashed in the suppression list)". After leaving, the address, name and
  // interests must not stay in usable form (THREATS 8): a visitor who joined without an account
  // has no other way to erase them.
  it('leaves no address or name behind, only the suppression hash', async () => {
    const address = 'leaver-keeps-nothing@example.org';
    const visitor = t.client();
    expect((await visitor.post('/list/join', { email: address, name: 'Lee Ver', regions: 'Wales' })).statusCode).toBe(303);
    const [mail] = await mailsTo(address);
    const confirmed = await visitor.post(String(mail!.data.confirmPath));
    const preferences = String(confirmed.headers.location);
    const left = await t.app.inject({
      method: 'POST',
      url: `${preferences}/leave`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(left.statusCode).toBe(200);

    const rows = await t.db.select().from(listSubscribers);
    const kept = JSON.stringify(rows);
    expect(kept).not.toContain(address);
    expect(kept).not.toContain('Lee Ver');
  });
});
