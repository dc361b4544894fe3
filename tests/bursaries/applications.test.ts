// Funds, applying (draft, submit, withdraw, delete) and the panel's decisions within budget.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, bursaryApplications, bursaryFunds, bursaryItems, outboxMessages } from '../../db/schema/index.ts';
import { fundFigures } from '../../server/bursaries/funds.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, personId, planner, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;
let event: { id: string; slug: string };
let fundId: string;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'organiser@example.org');
  event = await createEvent(t.db, { title: 'Carers in research' });
});
afterAll(async () => {
  await t.close();
});

async function apply(client: TestClient, fields: Record<string, string>): Promise<string> {
  const started = await client.post(`/events/${event.slug}/bursary`);
  expect(started.statusCode).toBe(303);
  const id = idFrom(started.headers.location, uuidIn);
  const saved = await client.post(`/bursaries/applications/${id}/edit`, {
    perspective: 'carer',
    paymentMethod: 'bank_transfer',
    paymentName: 'J Smith',
    sortCode: '30-94-57',
    accountNumber: '31926819',
    ...fields,
  });
  expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
  return id;
}

describe('funds', () => {
  it('an organiser sets up a fund for an event, with its figures computed', async () => {
    const form = await boss.get('/bursaries/funds/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Carers in research');
    const bad = await boss.post('/bursaries/funds', { eventId: event.id, name: '', budget: 'lots', eligibility: '', covers: '', deadline: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a name for the fund');
    expect(bad.body).toContain('Enter the budget in pounds');
    const made = await boss.post('/bursaries/funds', {
      eventId: event.id,
      name: 'Spring bursaries',
      budget: '100',
      eligibility: 'Service users and carers',
      covers: 'Travel and care',
      deadline: '',
    });
    expect(made.statusCode).toBe(303);
    fundId = idFrom(made.headers.location, uuidIn);
    const page = await boss.get(`/bursaries/funds/${fundId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('£100');
    const twice = await boss.post('/bursaries/funds', { eventId: event.id, name: 'Again', budget: '5', eligibility: '', covers: '', deadline: '' });
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('already has a bursary fund');
  });
});

describe('applying', () => {
  it('a member saves a draft with mileage at the Hub rate, then sends it; the panel is not shown drafts', async () => {
    const carer = await t.signedIn('carer@example.org');
    const info = await carer.get(`/events/${event.slug}/bursary`);
    expect(info.body).toContain('Travel and care');
    const id = await apply(carer, { travelDescription: 'Car from Leeds', travelMiles: '20', careDescription: 'Sitter for my mum', careAmount: '30' });
    const items = await t.db.select().from(bursaryItems).where(eq(bursaryItems.applicationId, id));
    expect(items.find((i) => i.category === 'travel')).toMatchObject({ miles: 20, estimatePence: 20 * 45 });
    expect(items.find((i) => i.category === 'care')).toMatchObject({ estimatePence: 3000 });

    const draftForPanel = await boss.get(`/bursaries/funds/${fundId}/applications/${id}`);
    expect(draftForPanel.statusCode).toBe(404);

    const sent = await carer.post(`/bursaries/applications/${id}/submit`);
    expect(sent.statusCode).toBe(303);
    const [row] = await t.db.select({ status: bursaryApplications.status }).from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(row!.status).toBe('submitted');
    const mail = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.template, 'bursary-submitted'), eq(outboxMessages.toAddress, 'carer@example.org')));
    expect(mail).toHaveLength(1);
    // The email names the event and links to the application, and carries nothing else.
    expect(Object.keys(mail[0]!.data).sort()).toEqual(['applicationPath', 'eventTitle', 'name']);

    const again = await carer.post(`/bursaries/applications/${id}/edit`, { perspective: 'carer', careAmount: '999' });
    expect(again.statusCode).toBe(303);
    const [still] = await t.db
      .select({ estimatePence: bursaryItems.estimatePence })
      .from(bursaryItems)
      .where(and(eq(bursaryItems.applicationId, id), eq(bursaryItems.category, 'care')));
    expect(still!.estimatePence).toBe(3000);
  });

  it('refuses to send an incomplete application, with the problems beside the fields', async () => {
    const person = await t.signedIn('incomplete@example.org');
    const started = await person.post(`/events/${event.slug}/bursary`);
    const id = idFrom(started.headers.location, uuidIn);
    const bad = await person.post(`/bursaries/applications/${id}/edit`, { travelAmount: 'twelve pounds' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Other travel costs must be an amount in pounds, like 12.50');
    expect(bad.body).toContain('value="twelve pounds"');
    const sent = await person.post(`/bursaries/applications/${id}/submit`);
    expect(sent.statusCode).toBe(400);
    expect(sent.body).toContain('Select what makes you eligible');
    expect(sent.body).toContain('Enter at least one cost');
    expect(sent.body).toContain('Select how you would like to be paid');
  });

  it("shows the schema's and the costs' problems together, in one round", async () => {
    const person = await t.signedIn('both-wrong@example.org');
    const id = await apply(person, {});
    const res = await person.post(`/bursaries/applications/${id}/edit`, { perspective: 'someone', travelAmount: 'lots', travelMiles: 'far' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Select what makes you eligible');
    expect(res.body).toContain('Miles by car must be a whole number');
  });

  it('asks before withdrawing or deleting, and does neither in one click', async () => {
    const person = await t.signedIn('unsure@example.org');
    const id = await apply(person, { subsistenceAmount: '12' });
    const url = `/bursaries/applications/${id}`;
    const draftPage = await person.get(url);
    expect(draftPage.body).toContain(`href="${url}/delete"`);
    expect(draftPage.body).not.toContain(`action="${url}/delete"`);
    const askDelete = await person.get(`${url}/delete`);
    expect(askDelete.statusCode).toBe(200);
    expect(askDelete.body).toContain('Are you sure you want to delete your application?');
    expect(askDelete.body).toContain(`action="${url}/delete"`);
    expect((await person.post(`${url}/submit`)).statusCode).toBe(303);
    const sentPage = await person.get(url);
    expect(sentPage.body).toContain(`href="${url}/withdraw"`);
    expect(sentPage.body).not.toContain(`action="${url}/withdraw"`);
    const ask = await person.get(`${url}/withdraw`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Are you sure you want to withdraw your application?');
    expect(ask.body).toContain(`href="${url}">No, keep it</a>`);
    // Asking changed nothing; a sent application cannot be deleted, so that question is not asked.
    const [row] = await t.db.select({ status: bursaryApplications.status }).from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(row!.status).toBe('submitted');
    expect((await person.get(`${url}/delete`)).statusCode).toBe(303);
    expect((await person.post(`${url}/withdraw`)).statusCode).toBe(303);
    const again = await person.get(`${url}/withdraw`);
    expect(again.statusCode).toBe(303);
    // It says why, rather than "cannot be withdrawn now".
    expect((await person.get(again.headers.location!)).body).toContain('This application has already been withdrawn.');
    // Someone else's application: no question page for them either.
    expect((await (await t.signedIn('nosy@example.org')).get(`${url}/withdraw`)).statusCode).toBe(404);
  });

  it('withdraws, then deletes at once', async () => {
    const person = await t.signedIn('withdrawer@example.org');
    const id = await apply(person, { subsistenceAmount: '12' });
    expect((await person.post(`/bursaries/applications/${id}/submit`)).statusCode).toBe(303);
    expect((await person.post(`/bursaries/applications/${id}/delete`)).statusCode).toBe(303);
    // Not deleted while it waits for a decision.
    expect(await t.db.select({ id: bursaryApplications.id }).from(bursaryApplications).where(eq(bursaryApplications.id, id))).toHaveLength(1);
    expect((await person.post(`/bursaries/applications/${id}/withdraw`)).statusCode).toBe(303);
    expect((await person.post(`/bursaries/applications/${id}/delete`)).statusCode).toBe(303);
    expect(await t.db.select({ id: bursaryApplications.id }).from(bursaryApplications).where(eq(bursaryApplications.id, id))).toHaveLength(0);
    expect(await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, id))).toHaveLength(0);
    const audit = await t.db.select({ action: auditEntries.action }).from(auditEntries).where(eq(auditEntries.subjectId, id));
    expect(audit.map((a) => a.action)).toContain('bursary.application.deleted');
  });

  it('refuses applications after the deadline', async () => {
    const late = await createEvent(t.db);
    await t.db.insert(bursaryFunds).values({ eventId: late.id, name: 'Closed', budgetPence: 1000, deadlineAt: new Date(Date.now() - 60_000) });
    const person = await t.signedIn('late@example.org');
    const page = await person.get(`/events/${late.slug}/bursary`);
    expect(page.body).toContain('The deadline for applications has passed');
    const start = await person.post(`/events/${late.slug}/bursary`);
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe(`/events/${late.slug}/bursary`);
  });
});

describe('the general fund', () => {
  it('takes applications for events without their own fund, and only organisers decide them', async () => {
    const plain = await createEvent(t.db, { title: 'A round table with no fund' });
    const person = await t.signedIn('general@example.org');
    expect((await person.get('/bursaries')).body).not.toContain('A round table with no fund');
    const made = await boss.post('/bursaries/funds', { eventId: '', name: 'Hub general fund', budget: '1000', eligibility: '', covers: '', deadline: '' });
    expect(made.statusCode).toBe(303);
    const generalId = idFrom(made.headers.location, uuidIn);
    const list = await person.get('/bursaries');
    expect(list.body).toContain('A round table with no fund');
    expect(list.body).toContain('Carers in research');
    const started = await person.post(`/events/${plain.slug}/bursary`);
    const id = idFrom(started.headers.location, uuidIn);
    const [row] = await t.db.select({ fundId: bursaryApplications.fundId }).from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(row!.fundId).toBe(generalId);
    // A lead of that event is not on the general fund's panel.
    const lead = await planner(t, 'plain-lead@example.org', plain.id, 'lead');
    expect((await lead.get(`/bursaries/funds/${generalId}`)).statusCode).toBe(403);
  });
});

describe('deciding within the budget', () => {
  it('approves part, refuses going over the remaining budget, and lets an organiser override with a reason', async () => {
    const first = await t.signedIn('first@example.org');
    const a = await apply(first, { travelAmount: '40', careAmount: '50' });
    await first.post(`/bursaries/applications/${a}/submit`);
    const items = await t.db.select({ id: bursaryItems.id, category: bursaryItems.category }).from(bursaryItems).where(eq(bursaryItems.applicationId, a));
    const travel = items.find((i) => i.category === 'travel')!.id;
    const care = items.find((i) => i.category === 'care')!.id;

    const missing = await boss.post(`/bursaries/funds/${fundId}/applications/${a}/decision`, { outcome: 'approve_part', message: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Enter a message to the applicant');

    const tooMuch = await boss.post(`/bursaries/funds/${fundId}/applications/${a}/decision`, {
      outcome: 'approve_part',
      message: 'ok',
      [`amount-${travel}`]: '45',
    });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.body).toContain('You cannot approve more than was asked for');

    const part = await boss.post(`/bursaries/funds/${fundId}/applications/${a}/decision`, {
      outcome: 'approve_part',
      message: 'We can pay your travel and most of the care.\nThe rest is over our limit.',
      [`amount-${travel}`]: '40',
      [`amount-${care}`]: '35',
    });
    expect(part.statusCode).toBe(303);
    const [decided] = await t.db.select({ status: bursaryApplications.status }).from(bursaryApplications).where(eq(bursaryApplications.id, a));
    expect(decided!.status).toBe('part_approved');
    expect(await fundFigures(t.db, fundId)).toMatchObject({ budgetPence: 10000, approvedPence: 7500, remainingPence: 2500 });
    const shrink = await boss.post(`/bursaries/funds/${fundId}/edit`, { name: 'Spring bursaries', budget: '50', eligibility: '', covers: '', deadline: '' });
    expect(shrink.statusCode).toBe(400);
    expect(shrink.body).toContain('cannot be less than what is already taken from it');

    const mail = await t.db
      .select()
      .from(outboxMessages)
      .where(and(eq(outboxMessages.template, 'bursary-decided'), eq(outboxMessages.toAddress, 'first@example.org')));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.data).toMatchObject({ outcome: 'part_approved' });
    expect(JSON.stringify(mail[0]!.data)).not.toContain('care');

    const seen = await first.get(`/bursaries/applications/${a}`);
    // Its lines kept as the panel wrote them.
    expect(seen.body).toContain('<p class="govuk-body convene-pre-line">We can pay your travel and most of the care.\nThe rest is over our limit.</p>');
    expect(seen.body).toContain('Partly approved');

    // A second application asks for more than is left.
    const second = await t.signedIn('second@example.org');
    const b = await apply(second, { accommodationAmount: '60' });
    await second.post(`/bursaries/applications/${b}/submit`);
    const over = await boss.post(`/bursaries/funds/${fundId}/applications/${b}/decision`, { outcome: 'approve_all', message: 'Yes' });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain('remaining budget');
    expect(over.body).toContain('(£25 left)');
    const overridden = await boss.post(`/bursaries/funds/${fundId}/applications/${b}/decision`, {
      outcome: 'approve_all',
      message: 'Yes',
      overrideReason: 'Trustees agreed extra on 3 March',
    });
    expect(overridden.statusCode).toBe(303);
    expect(await fundFigures(t.db, fundId)).toMatchObject({ approvedPence: 13500, remainingPence: -3500 });
    const audit = await t.db.select({ action: auditEntries.action, details: auditEntries.details }).from(auditEntries).where(eq(auditEntries.subjectId, b));
    expect(audit.find((e) => e.action === 'bursary.application.approved')?.details).toMatchObject({ overBudget: true });

    // Deciding twice is refused.
    const twice = await boss.post(`/bursaries/funds/${fundId}/applications/${b}/decision`, { outcome: 'decline', message: 'No' });
    expect(twice.statusCode).toBe(303);
    const [stillApproved] = await t.db.select({ status: bursaryApplications.status }).from(bursaryApplications).where(eq(bursaryApplications.id, b));
    expect(stillApproved!.status).toBe('approved');
  });

  it('declined money does not count against the budget, and every panel view is audited', async () => {
    const person = await t.signedIn('declined@example.org');
    const id = await apply(person, { otherDescription: 'Taxi', otherAmount: '20' });
    await person.post(`/bursaries/applications/${id}/submit`);
    const before = await fundFigures(t.db, fundId);
    const page = await boss.get(`/bursaries/funds/${fundId}/applications/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('declined@example.org');
    const declined = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/decision`, { outcome: 'decline', message: 'Sorry, the fund is spent.' });
    expect(declined.statusCode).toBe(303);
    expect(await fundFigures(t.db, fundId)).toEqual(before);
    const bossId = await personId(t.db, 'organiser@example.org');
    const views = await t.db
      .select({ action: auditEntries.action })
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, id), eq(auditEntries.actorId, bossId), eq(auditEntries.action, 'bursary.application.viewed')));
    expect(views.length).toBeGreaterThanOrEqual(1);
    expect((await t.db.select({ action: auditEntries.action }).from(auditEntries).where(eq(auditEntries.subjectId, id))).map((e) => e.action)).toContain(
      'bursary.application.declined',
    );
  });
});
