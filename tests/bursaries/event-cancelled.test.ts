// Cancelling an event settles its bursary applications in the same transaction: undecided ones
// (draft or submitted) are closed with the reason written on them and their applicants told;
// approved ones stay open so people can still claim what they have already spent, and are told
// how; declined and withdrawn ones are left alone. One audit entry sums it up.
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, bursaryApplications, bursaryClaims, bursaryItems, bursaryMessages, outboxMessages } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { EVENT_CANCELLED_REASON } from '../../server/bursaries/event-cancelled.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, pngBytes, postMultipart, uuidIn } from './support.ts';

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
let t: TestApp;
let boss: TestClient;
let event: { id: string; slug: string };
let other: { id: string; slug: string };
let fundId: string;
const ids: Record<string, string> = {};
const clients: Record<string, TestClient> = {};

const fullDraft = {
  perspective: 'service_user',
  paymentMethod: 'bank_transfer',
  paymentName: 'A Person',
  sortCode: '30-94-57',
  accountNumber: '31926819',
  travelDescription: 'Train from Leeds',
  travelAmount: '40',
  careDescription: 'Sitter for my mum',
  careAmount: '60',
};

async function start(email: string, slug: string): Promise<string> {
  clients[email] ??= await t.signedIn(email);
  const started = await clients[email].post(`/events/${slug}/bursary`);
  expect(started.statusCode, started.body.slice(0, 300)).toBe(303);
  return idFrom(started.headers.location, uuidIn);
}

async function submitted(email: string, slug = event.slug): Promise<string> {
  const id = await start(email, slug);
  expect((await clients[email]!.post(`/bursaries/applications/${id}/edit`, fullDraft)).statusCode).toBe(303);
  const sent = await clients[email]!.post(`/bursaries/applications/${id}/submit`);
  expect(sent.statusCode, sent.body.slice(0, 300)).toBe(303);
  return id;
}

async function decide(applicationId: string, values: Record<string, string>, onFund = fundId) {
  const response = await boss.post(`/bursaries/funds/${onFund}/applications/${applicationId}/decision`, { message: 'Thank you for applying.', ...values });
  expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
}

async function mailFor(email: string) {
  return t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email)).orderBy(asc(outboxMessages.createdAt));
}

async function statusOf(applicationId: string) {
  const [row] = await t.db.select().from(bursaryApplications).where(eq(bursaryApplications.id, applicationId));
  return row!;
}

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'bursary-boss@example.org');
  event = await createEvent(t.db, { title: 'Carers & survivors day', capacity: 30 });
  other = await createEvent(t.db, { title: 'Another day' });
  const made = await boss.post('/bursaries/funds', { eventId: event.id, name: 'Day fund', budget: '1000', eligibility: '', covers: '', deadline: '' });
  fundId = idFrom(made.headers.location, uuidIn);
  const otherFund = await boss.post('/bursaries/funds', { eventId: other.id, name: 'Other fund', budget: '1000', eligibility: '', covers: '', deadline: '' });
  expect(otherFund.statusCode).toBe(303);

  clients['waiting@example.org'] = await t.signedIn('waiting@example.org');
  await clients['waiting@example.org'].post('/account', { displayName: 'Sam' });
  ids.submitted = await submitted('waiting@example.org');
  ids.draft = await start('drafting@example.org', event.slug);
  expect(
    (
      await clients['drafting@example.org']!.post(`/bursaries/applications/${ids.draft}/edit`, {
        ...fullDraft,
        paymentName: '',
        sortCode: '',
        accountNumber: '',
      })
    ).statusCode,
  ).toBe(303);
  ids.emptyDraft = await start('empty@example.org', event.slug);

  ids.approved = await submitted('approved@example.org');
  await decide(ids.approved, { outcome: 'approve_all' });
  const advance = await boss.post(`/bursaries/funds/${fundId}/applications/${ids.approved}/payments`, {
    kind: 'advance',
    amount: '40',
    paidOn: '2026-11-20',
    method: 'Bank transfer',
    reference: 'ADV-7',
  });
  expect(advance.statusCode).toBe(303);

  ids.partApproved = await submitted('part@example.org');
  const items = await t.db
    .select({ id: bursaryItems.id, category: bursaryItems.category })
    .from(bursaryItems)
    .where(eq(bursaryItems.applicationId, ids.partApproved));
  await decide(ids.partApproved, {
    outcome: 'approve_part',
    [`amount-${items.find((i) => i.category === 'travel')!.id}`]: '40',
    [`amount-${items.find((i) => i.category === 'care')!.id}`]: '',
  });

  ids.declined = await submitted('declined@example.org');
  await decide(ids.declined, { outcome: 'decline' });
  ids.withdrawn = await submitted('withdrew@example.org');
  expect((await clients['withdrew@example.org']!.post(`/bursaries/applications/${ids.withdrawn}/withdraw`)).statusCode).toBe(303);

  // Someone waiting on another event's panel is not touched.
  ids.otherEvent = await submitted('elsewhere@example.org', other.slug);

  expect((await boss.get(`/bursaries/funds/${fundId}`)).body).not.toContain('No applications are waiting.');
  const cancelled = await boss.post(`/plan/${event.id}/cancel`, { reason: 'The venue has flooded.' });
  expect(cancelled.statusCode, cancelled.body.slice(0, 300)).toBe(303);
});
afterAll(async () => {
  await t.close();
});

describe('cancelling an event with bursary applications', () => {
  it('closes applications still waiting for a decision, with the reason, and without recording a decision', async () => {
    for (const key of ['submitted', 'draft', 'emptyDraft']) {
      const app = await statusOf(ids[key]!);
      expect(app.status, key).toBe('withdrawn');
      // Nobody decided: no decision date or decider is recorded.
      expect(app.decidedAt, key).toBeNull();
      expect(app.decidedBy, key).toBeNull();
      const messages = await t.db.select({ body: bursaryMessages.body }).from(bursaryMessages).where(eq(bursaryMessages.applicationId, ids[key]!));
      expect(
        messages.map((m) => m.body),
        key,
      ).toEqual([EVENT_CANCELLED_REASON]);
      expect(EVENT_CANCELLED_REASON).toMatch(/^The event was cancelled/);
    }
  });

  it('tells the applicant plainly, and does not call it withdrawn', async () => {
    const client = clients['waiting@example.org']!;
    const page = await client.get(`/bursaries/applications/${ids.submitted}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Closed – the event was cancelled');
    expect(page.body).toContain('The event was cancelled, so this application was closed');
    expect(page.body).not.toContain('>Withdrawn<');
    const list = await client.get('/bursaries');
    expect(list.body).toContain('Closed – the event was cancelled');

    // A closed draft can no longer be changed or sent.
    const drafter = clients['drafting@example.org']!;
    expect((await drafter.get(`/bursaries/applications/${ids.draft}/edit`)).headers.location).toBe(`/bursaries/applications/${ids.draft}`);
    const send = await drafter.post(`/bursaries/applications/${ids.draft}/submit`);
    expect((await statusOf(ids.draft!)).status).toBe('withdrawn');
    expect(send.statusCode).toBe(303);
  });

  it('emails the people whose applications were closed, but not the owner of an empty draft', async () => {
    for (const [email, name, wasDraft] of [
      ['waiting@example.org', 'Sam', false],
      ['drafting@example.org', '', true],
    ] as const) {
      const mails = (await mailFor(email)).filter((m) => m.template === 'bursary-event-cancelled-closed');
      expect(mails, email).toHaveLength(1);
      const key = wasDraft ? 'draft' : 'submitted';
      expect(mails[0]!.data).toEqual({ name, eventTitle: 'Carers & survivors day', applicationPath: `/bursaries/applications/${ids[key]}`, wasDraft });
      const rendered = renderEmail('bursary-event-cancelled-closed', mails[0]!.data as never, site);
      expect(rendered.text).toContain(name ? 'Hello Sam,' : 'Hello,');
      expect(rendered.text).toContain(wasDraft ? 'closed the bursary application you started' : 'closed your bursary application');
      expect(rendered.subject).toBe('Carers & survivors day has been cancelled: your bursary application');
      expect(rendered.text).toContain('Carers & survivors day has been cancelled.');
      expect(rendered.text).toContain('It is not a decision about you or about your application.');
      expect(rendered.text).toContain('You do not need to do anything.');
      expect(rendered.text).toContain(`https://hub.example/bursaries/applications/${ids[key]}`);
      expect(rendered.html).toContain('Carers &amp; survivors day');
    }
    expect((await mailFor('empty@example.org')).filter((m) => m.template.startsWith('bursary-'))).toHaveLength(0);
  });

  it('leaves approved applications as they were and tells their applicants how to claim', async () => {
    const approved = await statusOf(ids.approved!);
    expect(approved.status).toBe('approved');
    expect(approved.closedAt).toBeNull();
    expect((await statusOf(ids.partApproved!)).status).toBe('part_approved');

    for (const [email, key, hadAdvance] of [
      ['approved@example.org', 'approved', true],
      ['part@example.org', 'partApproved', false],
    ] as const) {
      const mails = (await mailFor(email)).filter((m) => m.template === 'bursary-event-cancelled-approved');
      expect(mails, email).toHaveLength(1);
      expect(mails[0]!.data).toEqual({
        name: '',
        eventTitle: 'Carers & survivors day',
        applicationPath: `/bursaries/applications/${ids[key]}`,
        claimSent: false,
        hadAdvance,
      });
      expect((await mailFor(email)).filter((m) => m.template === 'bursary-event-cancelled-closed')).toHaveLength(0);
      const rendered = renderEmail('bursary-event-cancelled-approved', mails[0]!.data as never, site);
      expect(rendered.subject).toBe('Carers & survivors day has been cancelled: you can still claim what you have spent');
      expect(rendered.text).toContain('Your bursary is still in place.');
      expect(rendered.text).toContain('cannot get the money back, you can still claim it');
      expect(rendered.text).toContain(`https://hub.example/bursaries/applications/${ids[key]}`);
      if (hadAdvance) expect(rendered.text).toContain('We paid you some of your bursary in advance. Please do not worry about it.');
      else expect(rendered.text).not.toContain('in advance');

      // The application's own page says the event was cancelled, and what that means for the money.
      const page = await clients[email]!.get(`/bursaries/applications/${ids[key]}`);
      expect(page.body).toContain('Cancelled — the event was cancelled. Your bursary is still in place');
    }
  });

  it('leaves declined and withdrawn applications alone, and says nothing more to their applicants', async () => {
    for (const [email, key, status] of [
      ['declined@example.org', 'declined', 'declined'],
      ['withdrew@example.org', 'withdrawn', 'withdrawn'],
    ] as const) {
      expect((await statusOf(ids[key]!)).status).toBe(status);
      const messages = await t.db.select({ body: bursaryMessages.body }).from(bursaryMessages).where(eq(bursaryMessages.applicationId, ids[key]!));
      expect(messages.map((m) => m.body)).not.toContain(EVENT_CANCELLED_REASON);
      expect((await mailFor(email)).filter((m) => m.template.startsWith('bursary-event-cancelled'))).toHaveLength(0);
    }
    // Pages call any withdrawn application of a cancelled event closed because of the
    // cancellation: true for someone who withdrew first too, and it never tells someone who did
    // not withdraw that they did.
    expect((await clients['withdrew@example.org']!.get(`/bursaries/applications/${ids.withdrawn}`)).body).toContain('Closed – the event was cancelled');
    // Another event's application is still waiting.
    expect((await statusOf(ids.otherEvent!)).status).toBe('submitted');
    expect((await mailFor('elsewhere@example.org')).filter((m) => m.template.startsWith('bursary-event-cancelled'))).toHaveLength(0);
  });

  it('no longer shows the closed applications to the panel as waiting', async () => {
    const page = await boss.get(`/bursaries/funds/${fundId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No applications are waiting.');
    const decision = await boss.post(`/bursaries/funds/${fundId}/applications/${ids.submitted}/decision`, { outcome: 'approve_all', message: 'Yes' });
    expect(decision.statusCode).toBe(303);
    expect((await statusOf(ids.submitted!)).status).toBe('withdrawn');
  });

  it('records one audit entry with counts and ids, and nothing personal', async () => {
    const audit = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, event.id), eq(auditEntries.action, 'bursary.event_cancelled.applications_settled')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.subjectType).toBe('event');
    const details = audit[0]!.details as Record<string, unknown>;
    expect(details).toMatchObject({ draftsClosed: 2, submittedClosed: 1, approvedKept: 2, approvedWithAdvance: 1, applicantsEmailed: 4 });
    expect((details.closedApplicationIds as string[]).sort()).toEqual([ids.submitted, ids.draft, ids.emptyDraft].sort());
    expect((details.keptApplicationIds as string[]).sort()).toEqual([ids.approved, ids.partApproved].sort());
    expect(details.advancePaidApplicationIds).toEqual([ids.approved]);
    const text = JSON.stringify(details);
    expect(text).not.toContain('@');
    expect(text).not.toContain('Leeds');
  });

  it('still lets an approved applicant claim what they had already spent', async () => {
    const client = clients['approved@example.org']!;
    const items = await t.db
      .select({ id: bursaryItems.id, category: bursaryItems.category })
      .from(bursaryItems)
      .where(eq(bursaryItems.applicationId, ids.approved!));
    const travel = items.find((i) => i.category === 'travel')!;
    const care = items.find((i) => i.category === 'care')!;
    const page = await client.get(`/bursaries/applications/${ids.approved}`);
    expect(page.body).toContain('Approved');

    const upload = await postMultipart(
      client,
      `/bursaries/applications/${ids.approved}/receipts`,
      { itemId: travel.id },
      { field: 'receipt', filename: 'non-refundable ticket.png', contentType: 'image/png', data: pngBytes },
    );
    expect(upload.statusCode, upload.body.slice(0, 300)).toBe(303);
    const claim = await client.post(`/bursaries/applications/${ids.approved}/claim`, { [`claim-${travel.id}`]: '38.50', [`claim-${care.id}`]: '' });
    expect(claim.statusCode, claim.body.slice(0, 300)).toBe(303);
    const [row] = await t.db.select().from(bursaryClaims).where(eq(bursaryClaims.applicationId, ids.approved!));
    expect(row!.status).toBe('submitted');

    // The panel can approve it as usual.
    const approve = await boss.post(`/bursaries/funds/${fundId}/applications/${ids.approved}/claim/approve`);
    expect(approve.statusCode, approve.body.slice(0, 300)).toBe(303);
  });
});
