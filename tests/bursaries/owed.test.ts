// Money owed back, through the pages: the panel sees the overpayment with write-off offered first
// for a small amount; a write-off without a reason is refused on the same page with what was typed
// kept; the applicant's page says it kindly; afterwards both say it was written off.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryItems } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, pngBytes, postMultipart, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;
let person: TestClient;
let fundId: string;
let id: string;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'treasurer@example.org');
  const event = await createEvent(t.db);
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Fund', budget: '100', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
  person = await t.signedIn('owes@example.org');
  id = idFrom((await person.post(`/events/${event.slug}/bursary`)).headers.location, uuidIn);
  await person.post(`/bursaries/applications/${id}/edit`, {
    perspective: 'carer',
    paymentMethod: 'other',
    paymentArrangement: 'Cash',
    travelDescription: 'Train',
    travelAmount: '40',
  });
  await person.post(`/bursaries/applications/${id}/submit`);
  await boss.post(`/bursaries/funds/${fundId}/applications/${id}/decision`, { outcome: 'approve_all', message: 'Yes' });
  await boss.post(`/bursaries/funds/${fundId}/applications/${id}/payments`, { kind: 'advance', amount: '40', paidOn: '2026-11-20', method: 'Bank transfer' });
  const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
  await postMultipart(
    person,
    `/bursaries/applications/${id}/receipts`,
    { itemId: item!.id },
    { field: 'receipt', filename: 'ticket.png', contentType: 'image/png', data: pngBytes },
  );
  await person.post(`/bursaries/applications/${id}/claim`, { [`claim-${item!.id}`]: '38' });
  expect((await boss.post(`/bursaries/funds/${fundId}/applications/${id}/claim/approve`)).statusCode).toBe(303);
});
afterAll(async () => {
  await t.close();
});

describe('an overpaid bursary', () => {
  it('is explained kindly, written off with a reason, and then says so', async () => {
    const mine = await person.get(`/bursaries/applications/${id}`);
    expect(mine.body).toContain('£2 overpaid — nothing needed straight away');
    expect(mine.body).toContain('ask us about writing it off');
    const review = await boss.get(`/bursaries/funds/${fundId}/applications/${id}`);
    expect(review.body).toContain('£2 overpaid — to be paid back or written off');
    expect(review.body).toContain('Amounts under £5 are usually written off');
    // Write-off comes first for a small amount.
    expect(review.body.indexOf('/write-off')).toBeLessThan(review.body.indexOf('/repayments'));
    expect(review.body).not.toContain(`${id}/close`);
    // Nothing is left to pay, so no payment form.
    expect(review.body).not.toContain(`${id}/payments`);

    const noReason = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/write-off`, { writeOffAmount: '2', writeOffReason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Enter why the Hub is writing this off');
    expect(noReason.body).toMatch(/name="writeOffAmount"[^>]*value="2"/);
    const tooMuch = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/repayments`, {
      repaidAmount: '5',
      repaidOn: '2026-11-25',
      repaidMethod: 'Bank transfer',
    });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.body).toContain('That is more than is owed back (£2)');

    expect((await boss.post(`/bursaries/funds/${fundId}/applications/${id}/write-off`, { writeOffAmount: '', writeOffReason: 'Under £5' })).statusCode).toBe(
      303,
    );
    const after = await person.get(`/bursaries/applications/${id}`);
    expect(after.body).toContain('£2 overpaid — the Hub has written this off');
    const fund = await boss.get(`/bursaries/funds/${fundId}`);
    expect(fund.body).toMatch(/id="budget-written-off">£2</);
    expect(fund.body).toMatch(/id="budget-paid">£40</);
    expect(fund.body).toMatch(/id="budget-remaining">£60</);
  });
});

describe('more than one item in a category', () => {
  it('takes two train fares and a night, keeps them apart through the decision, and adds them up', async () => {
    const event = await createEvent(t.db);
    const fund = idFrom(
      (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Two trains', budget: '500', eligibility: '', covers: '', deadline: '' })).headers
        .location,
      uuidIn,
    );
    const traveller = await t.signedIn('two-trains@example.org');
    const app = idFrom((await traveller.post(`/events/${event.slug}/bursary`)).headers.location, uuidIn);
    // The second fare's amount is not money: refused beside that field, with both kept.
    const bad = await traveller.post(`/bursaries/applications/${app}/edit`, {
      perspective: 'service_user',
      paymentMethod: 'other',
      paymentArrangement: 'Cash',
      travelDescription: 'Train there',
      travelAmount: '30',
      travelDescription2: 'Train back',
      travelAmount2: 'thirty',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="travelAmount2-error"/);
    expect(bad.body).toMatch(/name="travelDescription2"[^>]*>Train back</);
    expect(bad.body).toMatch(/<details class="govuk-details" open>/);
    const ok = await traveller.post(`/bursaries/applications/${app}/edit`, {
      perspective: 'service_user',
      paymentMethod: 'other',
      paymentArrangement: 'Cash',
      travelDescription: 'Train there',
      travelAmount: '30',
      travelDescription2: 'Train back',
      travelAmount2: '25.50',
      accommodationDescription: 'A night',
      accommodationAmount: '70',
    });
    expect(ok.statusCode).toBe(303);
    const items = await t.db
      .select({ category: bursaryItems.category, description: bursaryItems.description, estimatePence: bursaryItems.estimatePence })
      .from(bursaryItems)
      .where(eq(bursaryItems.applicationId, app));
    expect(items).toEqual(
      expect.arrayContaining([
        { category: 'travel', description: 'Train there', estimatePence: 3000 },
        { category: 'travel', description: 'Train back', estimatePence: 2550 },
        { category: 'accommodation', description: 'A night', estimatePence: 7000 },
      ]),
    );
    // The form shows them again in their places.
    const form = await traveller.get(`/bursaries/applications/${app}/edit`);
    expect(form.body).toMatch(/name="travelAmount2"[^>]*value="25.50"/);
    // Each kind of cost offers another in plain words.
    expect(form.body).toContain('One more travel cost');
    expect(form.body).toContain('Another data or phone cost');
    expect(form.body).toContain('Another cost of something else');
    expect(form.body).not.toMatch(/costs cost|anything else cost/);
    await traveller.post(`/bursaries/applications/${app}/submit`);
    expect((await boss.post(`/bursaries/funds/${fund}/applications/${app}/decision`, { outcome: 'approve_all', message: 'Yes' })).statusCode).toBe(303);
    const page = await traveller.get(`/bursaries/applications/${app}`);
    expect(page.body).toContain('Travel: Train back (approved £25.50)');
    const csv = await boss.get(`/bursaries/funds/${fund}/report.csv`);
    // Travel asked and approved add both fares.
    expect(csv.body).toContain('55.50,55.50,0.00');
  });
});
