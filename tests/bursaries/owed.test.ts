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
  fundId = idFrom((await boss.post('/bursaries/funds', { eventId: event.id, name: 'Fund', budget: '100', eligibility: '', covers: '', deadline: '' })).headers.location, uuidIn);
  person = await t.signedIn('owes@example.org');
  id = idFrom((await person.post(`/events/${event.slug}/bursary`)).headers.location, uuidIn);
  await person.post(`/bursaries/applications/${id}/edit`, { perspective: 'carer', paymentMethod: 'other', paymentArrangement: 'Cash', travelDescription: 'Train', travelAmount: '40' });
  await person.post(`/bursaries/applications/${id}/submit`);
  await boss.post(`/bursaries/funds/${fundId}/applications/${id}/decision`, { outcome: 'approve_all', message: 'Yes' });
  await boss.post(`/bursaries/funds/${fundId}/applications/${id}/payments`, { kind: 'advance', amount: '40', paidOn: '2026-11-20', method: 'Bank transfer' });
  const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
  await postMultipart(person, `/bursaries/applications/${id}/receipts`, { itemId: item!.id }, { field: 'receipt', filename: 'ticket.png', contentType: 'image/png', data: pngBytes });
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
    const tooMuch = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/repayments`, { repaidAmount: '5', repaidOn: '2026-11-25', repaidMethod: 'Bank transfer' });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.body).toContain('That is more than is owed back (£2)');

    expect((await boss.post(`/bursaries/funds/${fundId}/applications/${id}/write-off`, { writeOffAmount: '', writeOffReason: 'Under £5' })).statusCode).toBe(303);
    const after = await person.get(`/bursaries/applications/${id}`);
    expect(after.body).toContain('£2 overpaid — the Hub has written this off');
    const fund = await boss.get(`/bursaries/funds/${fundId}`);
    expect(fund.body).toMatch(/id="budget-written-off">£2</);
    expect(fund.body).toMatch(/id="budget-paid">£40</);
    expect(fund.body).toMatch(/id="budget-remaining">£60</);
  });
});
