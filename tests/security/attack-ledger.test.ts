// Attacks on the bursary ledger's repayments and write-offs (THREATS 2 and 3): the applicant,
// even an organiser or a panel member of that very fund, never settles their own overpayment,
// and nobody outside the fund's panel touches it by changing the ids in the URL.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryItems, bursaryLedger } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, panelMember, pngBytes, postMultipart, uuidIn } from '../bursaries/support.ts';

let t: TestApp;
let boss: TestClient;
let self: TestClient;
let fundId: string;
let otherFundId: string;
let id: string;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'ledger-boss@example.org');
  const event = await createEvent(t.db);
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Fund', budget: '100', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
  const other = await createEvent(t.db);
  otherFundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: other.id, name: 'Other', budget: '100', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
  // The applicant is an organiser AND on this fund's panel.
  self = await organiser(t, 'ledger-self@example.org');
  await panelMember(t, 'ledger-self@example.org', fundId);
  id = idFrom((await self.post(`/events/${event.slug}/bursary`)).headers.location, uuidIn);
  await self.post(`/bursaries/applications/${id}/edit`, {
    perspective: 'carer',
    paymentMethod: 'other',
    paymentArrangement: 'Cash',
    travelDescription: 'Train',
    travelAmount: '40',
  });
  await self.post(`/bursaries/applications/${id}/submit`);
  await boss.post(`/bursaries/funds/${fundId}/applications/${id}/decision`, { outcome: 'approve_all', message: 'Yes' });
  await boss.post(`/bursaries/funds/${fundId}/applications/${id}/payments`, { kind: 'advance', amount: '40', paidOn: '2026-11-20', method: 'Bank transfer' });
  const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
  await postMultipart(
    self,
    `/bursaries/applications/${id}/receipts`,
    { itemId: item!.id },
    { field: 'receipt', filename: 'ticket.png', contentType: 'image/png', data: pngBytes },
  );
  await self.post(`/bursaries/applications/${id}/claim`, { [`claim-${item!.id}`]: '10' });
  expect((await boss.post(`/bursaries/funds/${fundId}/applications/${id}/claim/approve`)).statusCode).toBe(303);
});
afterAll(async () => {
  await t.close();
});

const settled = async () =>
  (await t.db.select().from(bursaryLedger).where(eq(bursaryLedger.applicationId, id))).filter((e) => e.kind === 'repaid' || e.kind === 'written_off');

describe('£30 overpaid to an organiser who sits on the fund’s panel', () => {
  it('cannot be written off or marked repaid by the applicant', async () => {
    const off = await self.post(`/bursaries/funds/${fundId}/applications/${id}/write-off`, { writeOffAmount: '', writeOffReason: 'I say so' });
    expect(off.headers['x-error-code']).toBe('bursary_own_application');
    const repaid = await self.post(`/bursaries/funds/${fundId}/applications/${id}/repayments`, {
      repaidAmount: '30',
      repaidOn: '2026-11-25',
      repaidMethod: 'Cash',
    });
    expect(repaid.headers['x-error-code']).toBe('bursary_own_application');
    expect(await settled()).toHaveLength(0);
  });

  it('cannot be touched by a member, or a panel member of another fund, or through another fund’s URL', async () => {
    const member = await t.signedIn('ledger-member@example.org');
    const otherPanel = await panelMember(t, 'ledger-other-panel@example.org', otherFundId);
    for (const [client, fund] of [
      [member, fundId],
      [otherPanel, fundId],
      [otherPanel, otherFundId],
    ] as const) {
      const off = await client.post(`/bursaries/funds/${fund}/applications/${id}/write-off`, { writeOffAmount: '', writeOffReason: 'x' });
      expect(off.statusCode).toBeGreaterThanOrEqual(400);
      expect(off.statusCode).toBeLessThan(500);
    }
    expect(await settled()).toHaveLength(0);
  });

  it('refuses odd amounts without a 500 and records nothing', async () => {
    for (const amount of ['-5', '0', '0.00', '1e3', '30.001', '99999999', ' ', '£30.00.1']) {
      const res = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/repayments`, {
        repaidAmount: amount,
        repaidOn: '2026-11-25',
        repaidMethod: 'Cash',
      });
      expect(res.statusCode, amount).toBe(400);
    }
    for (const paidOn of ['2026-02-30', 'yesterday', '']) {
      const res = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/repayments`, { repaidAmount: '1', repaidOn: paidOn, repaidMethod: 'Cash' });
      expect(res.statusCode, paidOn).toBe(400);
    }
    expect(await settled()).toHaveLength(0);
  });
});
