// THREATS never 7: one member must not be able to make the Hub write to a bursary panel again and
// again. Submitting, withdrawing, starting again and submitting tells the panel once a day; what
// is withdrawn, or no longer the member's panel, leaves no notice waiting for a digest.
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryPanelMembers, bursaryPanelNotices, outboxMessages, people } from '../../db/schema/index.ts';
import { createEvent, idFrom, organiser, panelMember, uuidIn } from '../bursaries/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let boss: TestClient;
let event: { id: string; slug: string };
let fundId: string;
let daily: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'boss-attack@example.org');
  event = await createEvent(t.db, { capacity: 10 });
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Attacked fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers
      .location,
    uuidIn,
  );
  daily = await panelMember(t, 'daily-attack@example.org', fundId);
  expect((await daily.post('/bursaries/notices', { mode: 'daily' })).statusCode).toBe(303);
});
afterAll(async () => {
  await t.close();
});

const toBoss = async () =>
  t.db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.toAddress, 'boss-attack@example.org'), eq(outboxMessages.template, 'bursary-panel-new')));
const waitingNotices = async () =>
  t.db
    .select()
    .from(bursaryPanelNotices)
    .where(and(eq(bursaryPanelNotices.fundId, fundId), isNull(bursaryPanelNotices.sentAt)));

async function submitNew(client: TestClient): Promise<string> {
  const id = idFrom((await client.post(`/events/${event.slug}/bursary`)).headers.location, uuidIn);
  await client.post(`/bursaries/applications/${id}/edit`, {
    perspective: 'carer',
    paymentMethod: 'bank_transfer',
    paymentName: 'N',
    sortCode: '30-94-57',
    accountNumber: '31926819',
    travelAmount: '8',
  });
  expect((await client.post(`/bursaries/applications/${id}/submit`)).statusCode).toBe(303);
  return id;
}

describe('the panel’s notices cannot be used to flood it', () => {
  it('tells the panel once a day of one applicant’s applications, however often they submit and withdraw', async () => {
    const member = await t.signedIn('flooder@example.org');
    for (let round = 0; round < 4; round++) {
      const id = await submitNew(member);
      expect((await member.post(`/bursaries/applications/${id}/withdraw`)).statusCode).toBe(303);
    }
    expect(await toBoss()).toHaveLength(1);
    // Withdrawn, nothing is left waiting for the daily digest either.
    expect(await waitingNotices()).toHaveLength(0);
    // Someone else applying is news to the panel.
    await submitNew(await t.signedIn('another-applicant@example.org'));
    expect(await toBoss()).toHaveLength(2);
    expect(await waitingNotices()).toHaveLength(1);
  });

  it('leaves a member taken off the panel no notice waiting for their digest', async () => {
    expect(await waitingNotices()).toHaveLength(1);
    const [person] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'daily-attack@example.org'));
    const [row] = await t.db
      .select()
      .from(bursaryPanelMembers)
      .where(and(eq(bursaryPanelMembers.fundId, fundId), eq(bursaryPanelMembers.personId, person!.id)));
    expect((await boss.post(`/bursaries/funds/${fundId}/panel/${row!.id}/remove`)).statusCode).toBe(303);
    expect(await waitingNotices()).toHaveLength(0);
  });
});
