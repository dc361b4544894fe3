// Bank details for bursaries paid by bank transfer: their form is checked (a bad sort code is
// explained beside the field, with what was typed kept and nothing saved); they are encrypted at
// rest, bound to their application; only a panel member who pays may open them (never the
// applicant, another member, or a planner); they are deleted once the application is settled;
// and rotating DATA_KEY re-encrypts them under the new key.
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, bursaryApplications, bursaryBankDetails, bursaryItems } from '../../db/schema/index.ts';
import { reencryptBankDetails } from '../../server/bursaries/bank-details.ts';
import { dataKeys, loadConfig } from '../../server/config.ts';
import { decryptForRow, installDataKeys, loadDataKeys } from '../../server/data-keys.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, panelMember, planner, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;
let fundId: string;
let event: { id: string; slug: string };

const GOOD = { paymentName: 'Robin Q Payee', sortCode: '30-94-57', accountNumber: '3192 6819' };

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'bank-boss@example.org');
  event = await createEvent(t.db, { title: 'Money safely' });
  const made = await boss.post('/bursaries/funds', { eventId: event.id, name: 'Safe fund', budget: '500', eligibility: '', covers: '', deadline: '' });
  fundId = idFrom(made.headers.location, uuidIn);
});
afterAll(async () => {
  await t.close();
});

async function applicant(email: string) {
  const client = await t.signedIn(email);
  const started = await client.post(`/events/${event.slug}/bursary`);
  const id = idFrom(started.headers.location, uuidIn);
  return { client, id };
}

const draft = (fields: Record<string, string>) => ({
  perspective: 'service_user',
  paymentMethod: 'bank_transfer',
  travelDescription: 'Bus',
  travelAmount: '8',
  ...fields,
});

async function approve(id: string) {
  const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
  const decided = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/decision`, {
    outcome: 'approve_all',
    message: 'Yes.',
    [`amount-${item!.id}`]: '8',
  });
  expect(decided.statusCode).toBe(303);
  return item!.id;
}

const stored = async (id: string) => (await t.db.select().from(bursaryBankDetails).where(eq(bursaryBankDetails.applicationId, id)))[0];

describe('bank details', () => {
  it('a bad sort code is explained beside the field, with what was typed kept and nothing saved', async () => {
    const { client, id } = await applicant('bank-typo@example.org');
    const refused = await client.post(
      `/bursaries/applications/${id}/edit`,
      draft({ paymentName: 'Typo Person', sortCode: '30-94', accountNumber: '31926819' }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Enter a sort code of 6 digits, like 30-94-57');
    expect(refused.body).toContain('href="#sortCode"');
    expect(refused.body).toContain('value="30-94"');
    expect(refused.body).toContain('value="Typo Person"');
    expect(refused.body).toContain('value="31926819"');
    expect(await stored(id)).toBeUndefined();
    const [row] = await t.db.select().from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(row!.paymentMethod).toBeNull();

    const badNumber = await client.post(`/bursaries/applications/${id}/edit`, draft({ paymentName: 'Typo Person', sortCode: '309457', accountNumber: '123' }));
    expect(badNumber.statusCode).toBe(400);
    expect(badNumber.body).toContain('Enter an account number of 8 digits');
    // Sending without them is refused too.
    expect((await client.post(`/bursaries/applications/${id}/edit`, draft({}))).statusCode).toBe(303);
    const unsent = await client.post(`/bursaries/applications/${id}/submit`);
    expect(unsent.statusCode).toBe(400);
    expect(unsent.body).toContain('Enter the name on the bank account, its sort code and account number');
  });

  it('are encrypted at rest, bound to their application; the applicant sees only the last four digits', async () => {
    const { client, id } = await applicant('bank-stored@example.org');
    expect((await client.post(`/bursaries/applications/${id}/edit`, draft(GOOD))).statusCode).toBe(303);
    const row = await stored(id);
    expect(row).toBeDefined();
    for (const plain of ['31926819', '3192 6819', '309457', '30-94-57', 'Robin Q Payee', 'Robin']) expect(row!.sealed).not.toContain(plain);
    expect(row!.sealed.startsWith(`v1.${row!.keyId}.`)).toBe(true);
    const [app] = await t.db.select().from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(app!.paymentName).toBe('');
    // The plain number is nowhere in the database's text of the row.
    expect(JSON.stringify(app)).not.toContain('31926819');
    // Moved to another application's row, the ciphertext does not open.
    const other = await applicant('bank-other@example.org');
    expect(() => decryptForRow(other.id, row!.sealed)).toThrow();
    expect(JSON.parse(decryptForRow(id, row!.sealed))).toEqual({ accountName: 'Robin Q Payee', sortCode: '30-94-57', accountNumber: '31926819' });

    const page = await client.get(`/bursaries/applications/${id}`);
    expect(page.body).toContain('account ending 6819');
    expect(page.body).not.toContain('31926819');
    // Saving again with the fields empty keeps them.
    const form = await client.get(`/bursaries/applications/${id}/edit`);
    expect(form.body).toContain('Leave these three empty to keep them');
    expect((await client.post(`/bursaries/applications/${id}/edit`, draft({}))).statusCode).toBe(303);
    expect((await stored(id))!.sealed).toBe(row!.sealed);
  });

  it('only a panel member who pays may open them; the applicant, other members and planners are refused', async () => {
    const { client, id } = await applicant('bank-shown@example.org');
    expect((await client.post(`/bursaries/applications/${id}/edit`, draft(GOOD))).statusCode).toBe(303);
    expect((await client.post(`/bursaries/applications/${id}/submit`)).statusCode).toBe(303);
    const path = `/bursaries/funds/${fundId}/applications/${id}/bank-details`;
    // Not approved yet: nothing to pay.
    const early = await boss.get(path);
    expect(early.statusCode).toBe(303);
    expect(early.headers['x-error-code']).toBe('bursary_not_approved');
    await approve(id);

    const payer = await panelMember(t, 'bank-payer@example.org', fundId);
    const review = await payer.get(`/bursaries/funds/${fundId}/applications/${id}`);
    expect(review.body).toContain('Show the bank details to pay');
    expect(review.body).not.toContain('31926819');
    const shown = await payer.get(path);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('31926819');
    expect(shown.body).toContain('30-94-57');
    expect(shown.body).toContain('Robin Q Payee');
    expect(shown.headers['cache-control']).toBe('no-store');
    const looks = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'bursary.bank_details.viewed'), eq(auditEntries.subjectId, id)));
    expect(looks).toHaveLength(1);

    const refused = [
      client, // the applicant themselves: they typed them; the page is for paying
      await t.signedIn('bank-stranger@example.org'),
      await planner(t, 'bank-lead@example.org', event.id, 'lead'),
    ];
    for (const who of refused) {
      const response = await who.get(path);
      expect([403, 404]).toContain(response.statusCode);
      expect(response.body).not.toContain('31926819');
    }
    // A panel member of another fund.
    const otherEvent = await createEvent(t.db, { title: 'Another fund’s event' });
    const otherFund = idFrom(
      (await boss.post('/bursaries/funds', { eventId: otherEvent.id, name: 'Other', budget: '50', eligibility: '', covers: '', deadline: '' })).headers
        .location,
      uuidIn,
    );
    const elsewhere = await panelMember(t, 'bank-elsewhere@example.org', otherFund);
    expect((await elsewhere.get(path)).statusCode).toBe(403);
    expect((await elsewhere.get(`/bursaries/funds/${otherFund}/applications/${id}/bank-details`)).statusCode).toBe(404);
  });

  it('are erased once the application is settled: its claim paid, or it is closed or declined', async () => {
    // Paid: the claim approved and paid in full.
    const paid = await applicant('bank-paid@example.org');
    expect((await paid.client.post(`/bursaries/applications/${paid.id}/edit`, draft(GOOD))).statusCode).toBe(303);
    expect((await paid.client.post(`/bursaries/applications/${paid.id}/submit`)).statusCode).toBe(303);
    const itemId = await approve(paid.id);
    expect((await paid.client.post(`/bursaries/applications/${paid.id}/claim`, { [`claim-${itemId}`]: '8' })).statusCode).toBe(303);
    expect((await boss.post(`/bursaries/funds/${fundId}/applications/${paid.id}/claim/approve`)).statusCode).toBe(303);
    expect(await stored(paid.id)).toBeDefined();
    const payment = await boss.post(`/bursaries/funds/${fundId}/applications/${paid.id}/payments`, {
      kind: 'settlement',
      amount: '8',
      paidOn: new Date().toISOString().slice(0, 10),
      method: 'Bank transfer',
      reference: 'BUR-1',
    });
    expect(payment.statusCode).toBe(303);
    expect(await stored(paid.id)).toBeUndefined();
    const after = await boss.get(`/bursaries/funds/${fundId}/applications/${paid.id}/bank-details`);
    expect(after.statusCode).toBe(303);

    // Closed without a claim.
    const closed = await applicant('bank-closed@example.org');
    await closed.client.post(`/bursaries/applications/${closed.id}/edit`, draft(GOOD));
    await closed.client.post(`/bursaries/applications/${closed.id}/submit`);
    await approve(closed.id);
    expect((await boss.post(`/bursaries/funds/${fundId}/applications/${closed.id}/close`)).statusCode).toBe(303);
    expect(await stored(closed.id)).toBeUndefined();

    // Declined.
    const declined = await applicant('bank-declined@example.org');
    await declined.client.post(`/bursaries/applications/${declined.id}/edit`, draft(GOOD));
    await declined.client.post(`/bursaries/applications/${declined.id}/submit`);
    expect((await boss.post(`/bursaries/funds/${fundId}/applications/${declined.id}/decision`, { outcome: 'decline', message: 'Sorry.' })).statusCode).toBe(
      303,
    );
    expect(await stored(declined.id)).toBeUndefined();
  });

  it('rotating DATA_KEY re-encrypts every row under the new key', async () => {
    const { client, id } = await applicant('bank-rotate@example.org');
    expect((await client.post(`/bursaries/applications/${id}/edit`, draft(GOOD))).statusCode).toBe(303);
    const before = (await stored(id))!;
    const old = loadDataKeys(t.config);
    const fresh = randomBytes(32).toString('hex');
    const both = dataKeys(`new7:${fresh},${old.map((k) => `${k.id}:${k.key.toString('hex')}`).join(',')}`)!;
    installDataKeys(both);
    try {
      expect(await reencryptBankDetails(t.db)).toBeGreaterThanOrEqual(1);
      const after = (await stored(id))!;
      expect(after.keyId).toBe('new7');
      expect(after.sealed).not.toBe(before.sealed);
      // Only the new key is needed now.
      installDataKeys(dataKeys(`new7:${fresh}`)!);
      expect(JSON.parse(decryptForRow(id, after.sealed)).accountNumber).toBe('31926819');
    } finally {
      // Back to the app's own key for the other tests: rotated back the same way.
      installDataKeys([...old, { id: 'new7', key: Buffer.from(fresh, 'hex') }]);
      await reencryptBankDetails(t.db);
      installDataKeys(old);
    }
  });

  it('DATA_KEY is required with DATABASE_URL, and a bad one stops the start with a clear message', () => {
    const key = randomBytes(32).toString('hex');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', OUTBOX_KEY: key })).toThrow(/DATA_KEY must be set when DATABASE_URL is set/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', OUTBOX_KEY: key, DATA_KEY: 'short' })).toThrow(/DATA_KEY must be 32 random bytes/);
    expect(loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', OUTBOX_KEY: key, DATA_KEY: `2:${key},1:${key}` }).dataKeys!.map((k) => k.id)).toEqual([
      '2',
      '1',
    ]);
  });
});
