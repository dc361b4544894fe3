// Who may see and act on bursary data. Every bursary and receipt route is tried by anonymous
// people, other applicants, plain members, planners of the event (its lead included) and panel
// members of another fund; none gets in, and nothing changes.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, bursaryApplications, bursaryClaims, bursaryItems, bursaryPanelMembers, bursaryLedger, bursaryReceipts } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, panelMember, planner, pngBytes, postMultipart, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;
let applicant: TestClient;
let fundId: string;
let pendingId: string;
let approvedId: string;
let approvedItemId: string;
let receiptKey: string;
let outsiders: Record<string, TestClient>;
let reviewer: TestClient;
let otherFundId: string;
let reviewerMemberId: string;

async function applyAndSend(client: TestClient, slug: string, fields: Record<string, string>): Promise<string> {
  const started = await client.post(`/events/${slug}/bursary`);
  const id = idFrom(started.headers.location, uuidIn);
  await client.post(`/bursaries/applications/${id}/edit`, {
    perspective: 'service_user',
    paymentMethod: 'bank_transfer',
    paymentName: 'R Person',
    sortCode: '30-94-57',
    accountNumber: '31926819',
    ...fields,
  });
  expect((await client.post(`/bursaries/applications/${id}/submit`)).statusCode).toBe(303);
  return id;
}

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'organiser@example.org');
  const event = await createEvent(t.db, { title: 'The main event' });
  const other = await createEvent(t.db, { title: 'Another event' });
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Main fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
  otherFundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: other.id, name: 'Other fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );

  applicant = await t.signedIn('applicant@example.org');
  // One draft-free application waiting for a decision, one already approved with a receipt.
  pendingId = await applyAndSend(applicant, event.slug, { travelAmount: '20' });
  const second = await t.signedIn('applicant2@example.org');
  approvedId = await applyAndSend(second, event.slug, { careAmount: '50' });
  await boss.post(`/bursaries/funds/${fundId}/applications/${approvedId}/decision`, { outcome: 'approve_all', message: 'Yes' });
  const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, approvedId));
  approvedItemId = item!.id;
  expect(
    (
      await postMultipart(
        second,
        `/bursaries/applications/${approvedId}/receipts`,
        { itemId: approvedItemId },
        { field: 'receipt', filename: 'r.png', contentType: 'image/png', data: pngBytes },
      )
    ).statusCode,
  ).toBe(303);
  expect((await second.post(`/bursaries/applications/${approvedId}/claim`, { [`claim-${approvedItemId}`]: '50' })).statusCode).toBe(303);
  const [receipt] = await t.db.select({ key: bursaryReceipts.storageKey }).from(bursaryReceipts);
  receiptKey = receipt!.key;

  const otherApplicant = await t.signedIn('other-applicant@example.org');
  await applyAndSend(otherApplicant, event.slug, { otherAmount: '5' });
  outsiders = {
    'another applicant': otherApplicant,
    'a member': await t.signedIn('member@example.org'),
    'a speaker of the event': await planner(t, 'speaker@example.org', event.id, 'speaker'),
    'the lead of the event': await planner(t, 'lead@example.org', event.id, 'lead'),
    'a co-lead of the event': await planner(t, 'colead@example.org', event.id, 'co_lead'),
    'a panel member of another fund': await panelMember(t, 'reviewer-elsewhere@example.org', otherFundId),
  };
  reviewer = await panelMember(t, 'reviewer@example.org', fundId);
  reviewerMemberId = (await t.db.select({ id: bursaryPanelMembers.id }).from(bursaryPanelMembers).where(eq(bursaryPanelMembers.fundId, fundId)))[0]!.id;
});
afterAll(async () => {
  await t.close();
});

interface Attempt {
  method: 'GET' | 'POST';
  url: () => string;
  fields?: () => Record<string, string>;
  multipart?: boolean;
}

const applicantRoutes: Attempt[] = [
  { method: 'GET', url: () => `/bursaries/applications/${pendingId}` },
  { method: 'GET', url: () => `/bursaries/applications/${pendingId}/edit` },
  { method: 'POST', url: () => `/bursaries/applications/${pendingId}/edit`, fields: () => ({ travelAmount: '999' }) },
  { method: 'POST', url: () => `/bursaries/applications/${pendingId}/submit` },
  { method: 'GET', url: () => `/bursaries/applications/${pendingId}/withdraw` },
  { method: 'POST', url: () => `/bursaries/applications/${pendingId}/withdraw` },
  { method: 'GET', url: () => `/bursaries/applications/${pendingId}/delete` },
  { method: 'POST', url: () => `/bursaries/applications/${pendingId}/delete` },
  { method: 'POST', url: () => `/bursaries/applications/${approvedId}/receipts`, fields: () => ({ itemId: approvedItemId }), multipart: true },
  { method: 'POST', url: () => `/bursaries/applications/${approvedId}/claim`, fields: () => ({ [`claim-${approvedItemId}`]: '1' }) },
  { method: 'GET', url: () => `/bursaries/receipts/${receiptKey}` },
];

const panelRoutes: Attempt[] = [
  { method: 'GET', url: () => `/bursaries/funds/${fundId}` },
  { method: 'GET', url: () => `/bursaries/funds/${fundId}/applications/${pendingId}` },
  { method: 'POST', url: () => `/bursaries/funds/${fundId}/applications/${pendingId}/decision`, fields: () => ({ outcome: 'approve_all', message: 'Yes' }) },
  { method: 'POST', url: () => `/bursaries/funds/${fundId}/applications/${approvedId}/claim/approve` },
  {
    method: 'POST',
    url: () => `/bursaries/funds/${fundId}/applications/${approvedId}/payments`,
    fields: () => ({ kind: 'advance', amount: '10', paidOn: '2026-11-01', method: 'Cash' }),
  },
  { method: 'GET', url: () => `/bursaries/funds/${fundId}/applications/${approvedId}/close` },
  { method: 'POST', url: () => `/bursaries/funds/${fundId}/applications/${approvedId}/close` },
  { method: 'GET', url: () => `/bursaries/funds/${fundId}/report` },
  { method: 'GET', url: () => `/bursaries/funds/${fundId}/report.csv` },
];

const organiserRoutes: Attempt[] = [
  { method: 'GET', url: () => '/bursaries/funds/new' },
  { method: 'POST', url: () => '/bursaries/funds', fields: () => ({ eventId: '', name: 'Sneaky', budget: '1', eligibility: '', covers: '', deadline: '' }) },
  { method: 'GET', url: () => `/bursaries/funds/${fundId}/edit` },
  {
    method: 'POST',
    url: () => `/bursaries/funds/${fundId}/edit`,
    fields: () => ({ name: 'Sneaky', budget: '100000', eligibility: '', covers: '', deadline: '' }),
  },
  { method: 'GET', url: () => `/bursaries/funds/${fundId}/panel` },
  { method: 'POST', url: () => `/bursaries/funds/${fundId}/panel`, fields: () => ({ email: 'sneaky@example.org' }) },
  { method: 'GET', url: () => `/bursaries/funds/${fundId}/panel/${reviewerMemberId}/remove` },
  { method: 'POST', url: () => `/bursaries/funds/${fundId}/panel/${reviewerMemberId}/remove` },
];

async function attempt(client: TestClient, a: Attempt) {
  if (a.method === 'GET') return client.get(a.url());
  if (a.multipart) return postMultipart(client, a.url(), a.fields?.() ?? {}, { field: 'receipt', filename: 'x.png', contentType: 'image/png', data: pngBytes });
  return client.post(a.url(), a.fields?.() ?? {});
}

async function snapshot() {
  return {
    applications: await t.db.select().from(bursaryApplications).orderBy(bursaryApplications.id),
    items: await t.db.select().from(bursaryItems).orderBy(bursaryItems.id),
    claims: await t.db.select().from(bursaryClaims),
    payments: await t.db.select().from(bursaryLedger),
    receipts: (await t.db.select({ id: bursaryReceipts.id }).from(bursaryReceipts)).length,
    panel: await t.db.select().from(bursaryPanelMembers).orderBy(bursaryPanelMembers.id),
  };
}

describe('refusals', () => {
  it('sends anonymous people to sign in on every bursary and receipt route', async () => {
    const anonymous = t.client();
    for (const a of [...applicantRoutes, ...panelRoutes, ...organiserRoutes]) {
      const response = await attempt(anonymous, a);
      expect(response.statusCode, `${a.method} ${a.url()}`).toBe(303);
      expect(response.headers.location).toMatch(/^\/sign-in/);
    }
  });

  it('refuses other applicants, members, the event’s planners (its lead too) and panel members of another fund', async () => {
    const before = await snapshot();
    for (const [who, client] of Object.entries(outsiders)) {
      for (const a of [...applicantRoutes, ...panelRoutes, ...organiserRoutes]) {
        const response = await attempt(client, a);
        // Someone else's application or receipt is "not found"; a panel or organiser page is "forbidden".
        expect([403, 404], `${who}: ${a.method} ${a.url()} answered ${response.statusCode}`).toContain(response.statusCode);
        expect(response.body).not.toContain('R Person');
        expect(response.headers['content-disposition']).toBeUndefined();
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('lets the event’s reviewer and organisers use the panel, but not the applicant’s own pages', async () => {
    for (const client of [reviewer, boss]) {
      expect((await client.get(`/bursaries/funds/${fundId}`)).statusCode).toBe(200);
      expect((await client.get(`/bursaries/funds/${fundId}/applications/${pendingId}`)).statusCode).toBe(200);
      expect((await client.get(`/bursaries/receipts/${receiptKey}`)).statusCode).toBe(200);
      expect((await client.get(`/bursaries/funds/${fundId}/report.csv`)).statusCode).toBe(200);
      expect((await client.get(`/bursaries/applications/${pendingId}`)).statusCode).toBe(404);
    }
    // The reviewer sits on this fund's panel only, and cannot change who sits on it.
    expect((await reviewer.get(`/bursaries/funds/${otherFundId}`)).statusCode).toBe(403);
    expect((await reviewer.get('/bursaries/funds/new')).statusCode).toBe(403);
    const before = await snapshot();
    for (const a of organiserRoutes) expect((await attempt(reviewer, a)).statusCode, `${a.method} ${a.url()}`).toBe(403);
    expect(await snapshot()).toEqual(before);
    const bursaries = await reviewer.get('/bursaries');
    expect(bursaries.body).toContain('Main fund');
    expect(bursaries.body).not.toContain('Other fund');
  });

  it('a reviewer (not an organiser) cannot approve over the remaining budget, even with a reason', async () => {
    const person = await t.signedIn('big@example.org');
    const main = await t.db.query.events.findFirst({ where: (e, { eq }) => eq(e.title, 'The main event') });
    const id = await applyAndSend(person, main!.slug, { accommodationAmount: '600' });
    const response = await reviewer.post(`/bursaries/funds/${fundId}/applications/${id}/decision`, {
      outcome: 'approve_all',
      message: 'Yes',
      overrideReason: 'Because',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('ask an organiser');
    const [row] = await t.db.select({ status: bursaryApplications.status }).from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(row!.status).toBe('submitted');
    const ok = await reviewer.post(`/bursaries/funds/${fundId}/applications/${pendingId}/decision`, { outcome: 'approve_all', message: 'Yes' });
    expect(ok.statusCode).toBe(303);
  });

  it('records views by the applicant and the panel in the audit log, which admins can read', async () => {
    const views = await t.db.select({ action: auditEntries.action }).from(auditEntries).where(eq(auditEntries.subjectId, pendingId));
    expect(views.filter((v) => v.action === 'bursary.application.viewed').length).toBeGreaterThanOrEqual(2);
    const admin = await t.signedIn('admin@example.org');
    const [person] = await t.db.query.people.findMany({ where: (p, { eq }) => eq(p.email, 'admin@example.org') });
    await grantRole(t.db, null, person!.id, 'admin');
    const log = await admin.get('/admin/audit');
    expect(log.body).toContain('bursary.application.viewed');
    // An admin may open an application on the panel pages.
    expect((await admin.get(`/bursaries/funds/${fundId}/applications/${pendingId}`)).statusCode).toBe(200);
  });
});
