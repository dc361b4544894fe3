// Separation of duties: nobody on a panel, organisers included, decides, approves the claim of,
// pays, or closes their own application. The service refuses with a message shown on the page,
// nothing changes, and the fund page says another panel member must decide. Another organiser
// can do each of these things.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryClaims, bursaryItems, bursaryLedger } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, uuidIn } from './support.ts';

const refusal = 'This is your own application, so another panel member must decide it';

let t: TestApp;
let boss: TestClient;
let colleague: TestClient;
let fundId: string;
let ownId: string;
let itemId: string;

const review = () => `/bursaries/funds/${fundId}/applications/${ownId}`;

async function status() {
  const [row] = await t.db
    .select({ status: bursaryApplications.status, closedAt: bursaryApplications.closedAt })
    .from(bursaryApplications)
    .where(eq(bursaryApplications.id, ownId));
  const [claim] = await t.db.select({ status: bursaryClaims.status }).from(bursaryClaims).where(eq(bursaryClaims.applicationId, ownId));
  const payments = await t.db
    .select({ id: bursaryLedger.id })
    .from(bursaryLedger)
    .where(and(eq(bursaryLedger.applicationId, ownId), inArray(bursaryLedger.kind, ['advance', 'settlement'])));
  return { status: row!.status, closed: Boolean(row!.closedAt), claim: claim?.status ?? null, payments: payments.length };
}

/** Posts as the applicant-organiser and checks the refusal is shown on the page it returns to. */
async function refusedOwn(url: string, fields: Record<string, string> = {}) {
  const before = await status();
  const response = await boss.post(url, fields);
  expect(response.statusCode, url).toBe(303);
  expect(response.headers.location).toBe(review());
  const page = await boss.get(response.headers.location!);
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain(refusal);
  expect(await status()).toEqual(before);
}

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'organiser@example.org');
  colleague = await organiser(t, 'colleague@example.org');
  const event = await createEvent(t.db, { title: 'Survivors and the law' });
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Law day fund', budget: '300', eligibility: '', covers: '', deadline: '' })).headers
      .location,
    uuidIn,
  );
  // An organiser with lived experience applies like anyone else.
  ownId = idFrom((await boss.post(`/events/${event.slug}/bursary`)).headers.location, uuidIn);
  await boss.post(`/bursaries/applications/${ownId}/edit`, {
    perspective: 'service_user',
    paymentMethod: 'bank_transfer',
    paymentName: 'O Organiser',
    sortCode: '30-94-57',
    accountNumber: '31926819',
    travelAmount: '8',
  });
  expect((await boss.post(`/bursaries/applications/${ownId}/submit`)).statusCode).toBe(303);
  [{ id: itemId }] = (await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, ownId))) as [{ id: string }];
});
afterAll(async () => {
  await t.close();
});

describe('nobody acts on their own application', () => {
  it('refuses an organiser’s decision on their own application, and the fund page says another panel member must decide', async () => {
    await refusedOwn(`${review()}/decision`, { outcome: 'approve_all', message: 'Yes to me' });
    const fund = await boss.get(`/bursaries/funds/${fundId}`);
    expect(fund.body).toContain('Your own application: another panel member must decide');
    expect(fund.body).not.toContain(`href="${review()}"`);
    // Their own review page offers no decision, and says why.
    const page = await boss.get(review());
    expect(page.body).toContain(refusal);
    expect(page.body).not.toContain('Record the decision');
    // Another organiser decides it, and sees the normal queue.
    expect((await colleague.get(`/bursaries/funds/${fundId}`)).body).toContain(`href="${review()}"`);
    expect((await colleague.post(`${review()}/decision`, { outcome: 'approve_all', message: 'Approved' })).statusCode).toBe(303);
    expect((await status()).status).toBe('approved');
  });

  it('refuses their advance, claim approval, payment and closing; another organiser does each', async () => {
    const payment = { kind: 'advance', amount: '8', paidOn: '2026-11-20', method: 'Bank transfer' };
    await refusedOwn(`${review()}/payments`, payment);
    expect((await boss.post(`/bursaries/applications/${ownId}/claim`, { [`claim-${itemId}`]: '8' })).statusCode).toBe(303);
    await refusedOwn(`${review()}/claim/approve`);
    const page = await boss.get(review());
    expect(page.body).not.toContain('Approve the claim');
    expect(page.body).not.toContain('Record the payment');
    expect(page.body).not.toContain('Close the application');
    expect((await colleague.post(`${review()}/claim/approve`)).statusCode).toBe(303);
    await refusedOwn(`${review()}/payments`, { ...payment, kind: 'settlement' });
    await refusedOwn(`${review()}/close`);
    expect((await colleague.post(`${review()}/payments`, { ...payment, kind: 'settlement' })).statusCode).toBe(303);
    expect((await colleague.post(`${review()}/close`)).statusCode).toBe(303);
    expect(await status()).toEqual({ status: 'approved', closed: true, claim: 'paid', payments: 1 });
  });
});
