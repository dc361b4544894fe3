// Involvement payments: time logged at the Hub's rate, each person's choice, totals per tax year,
// a person's own cap, and organisers marking items paid; nobody else sees a person's items.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { involvementItems } from '../../db/schema/index.ts';
import { taxYearOf } from '../../server/planning/involvement.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { idFrom, signedInOrganiser } from '../proposals/support.ts';

let t: TestApp;
let organiser: TestClient;
let planner: TestClient;
let colleague: TestClient;
let outsider: TestClient;
let eventId: string;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'org@example.org');
  planner = await t.signedIn('planner@example.org');
  colleague = await t.signedIn('colleague@example.org');
  outsider = await t.signedIn('outsider@example.org');
  eventId = idFrom((await organiser.post('/organise/events', { title: 'Paid properly', type: 'seminar' })).headers.location, '/plan');
  for (const [client, email] of [
    [planner, 'planner@example.org'],
    [colleague, 'colleague@example.org'],
  ] as const) {
    await organiser.post(`/plan/${eventId}/members`, { email, role: 'speaker' });
    await client.post(`/plan/${eventId}/invitation`, { answer: 'yes' });
  }
});
afterAll(async () => {
  await t.close();
});

describe('involvement payments', () => {
  it('knows the UK tax year starts on 6 April', () => {
    expect(taxYearOf('2027-04-05')).toBe(2026);
    expect(taxYearOf('2027-04-06')).toBe(2027);
    expect(taxYearOf('2027-12-31')).toBe(2027);
  });

  it('values time at the Hub’s rate when it is logged', async () => {
    expect((await planner.post('/organise/involvement-rate', { rate: '30' })).statusCode).toBe(403);
    expect((await organiser.post('/organise/involvement-rate', { rate: 'lots' })).statusCode).toBe(400);
    expect((await organiser.post('/organise/involvement-rate', { rate: '20' })).statusCode).toBe(303);
    const res = await planner.post(`/plan/${eventId}/involvement`, { activity: 'meeting', occurredOn: '2027-05-01', hours: '1', mins: '30', choice: 'paid' });
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const [item] = await t.db.select().from(involvementItems).where(eq(involvementItems.eventId, eventId));
    expect(item).toMatchObject({ minutes: 90, ratePencePerHour: 2000, amountPence: 3000, choice: 'paid' });
    // A later change of rate does not change what was logged.
    await organiser.post('/organise/involvement-rate', { rate: '25' });
    const [same] = await t.db.select().from(involvementItems).where(eq(involvementItems.id, item!.id));
    expect(same!.amountPence).toBe(3000);
  });

  it('refuses an item that would go over the person’s own cap, and suggests other choices', async () => {
    expect((await planner.post('/involvement/cap', { cap: '50' })).statusCode).toBe(303);
    // £30 so far in 2027/28; two hours at £25 is £50, which would make £80.
    const over = await planner.post(`/plan/${eventId}/involvement`, { activity: 'speaking', occurredOn: '2027-06-01', hours: '2', mins: '0', choice: 'paid' });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain('over the limit you set of £50');
    expect(
      (
        await planner.post(`/plan/${eventId}/involvement`, {
          activity: 'speaking',
          occurredOn: '2027-06-01',
          hours: '2',
          mins: '0',
          choice: 'organisation',
          organisationName: 'Mind in Leeds',
        })
      ).statusCode,
    ).toBe(303);
    // A different tax year has its own total.
    expect(
      (await planner.post(`/plan/${eventId}/involvement`, { activity: 'preparation', occurredOn: '2028-04-10', hours: '1', mins: '0', choice: 'vouchers' }))
        .statusCode,
    ).toBe(303);
    const mine = await planner.get('/involvement');
    expect(mine.body).toContain('2027 to 2028: £30');
    expect(mine.body).toContain('2028 to 2029: £25');
    // Switching the organisation item to paid would also break the cap.
    const [orgItem] = await t.db.select().from(involvementItems).where(eq(involvementItems.choice, 'organisation'));
    const switched = await planner.post(`/plan/${eventId}/involvement/${orgItem!.id}/choice`, { choice: 'paid' });
    expect(switched.statusCode).toBe(303);
    const [still] = await t.db.select().from(involvementItems).where(eq(involvementItems.id, orgItem!.id));
    expect(still!.choice).toBe('organisation');
  });

  it('shows each member only their own items; organisers see all and mark them paid', async () => {
    await colleague.post(`/plan/${eventId}/involvement`, {
      activity: 'meeting',
      occurredOn: '2027-05-01',
      hours: '1',
      mins: '0',
      choice: 'paid',
      description: 'COLLEAGUE-ITEM',
    });
    expect((await planner.get(`/plan/${eventId}/involvement`)).body).not.toContain('COLLEAGUE-ITEM');
    expect((await organiser.get(`/plan/${eventId}/involvement`)).body).toContain('COLLEAGUE-ITEM');
    const [item] = await t.db.select().from(involvementItems).where(eq(involvementItems.description, 'COLLEAGUE-ITEM'));
    expect((await planner.post(`/plan/${eventId}/involvement/${item!.id}/paid`)).statusCode).toBe(403);
    expect((await planner.post(`/plan/${eventId}/involvement/${item!.id}/choice`, { choice: 'declined' })).statusCode).toBe(404);
    expect((await outsider.get(`/plan/${eventId}/involvement`)).statusCode).toBe(403);
    expect((await organiser.post(`/plan/${eventId}/involvement/${item!.id}/paid`)).statusCode).toBe(303);
    const [paid] = await t.db.select().from(involvementItems).where(eq(involvementItems.id, item!.id));
    expect(paid!.paidAt).not.toBeNull();
    // Once paid, the choice is settled.
    await colleague.post(`/plan/${eventId}/involvement/${item!.id}/choice`, { choice: 'declined' });
    const [after] = await t.db.select().from(involvementItems).where(eq(involvementItems.id, item!.id));
    expect(after!.choice).toBe('paid');
  });

  it('never lets an organiser mark their own time as paid; another organiser can', async () => {
    const own = await signedInOrganiser(t, 'org-who-speaks@example.org');
    await organiser.post(`/plan/${eventId}/members`, { email: 'org-who-speaks@example.org', role: 'speaker' });
    await own.post(`/plan/${eventId}/invitation`, { answer: 'yes' });
    await own.post(`/plan/${eventId}/involvement`, {
      activity: 'speaking',
      occurredOn: '2027-05-02',
      hours: '1',
      mins: '0',
      choice: 'paid',
      description: 'OWN-TIME',
    });
    const [item] = await t.db.select().from(involvementItems).where(eq(involvementItems.description, 'OWN-TIME'));
    const refused = await own.post(`/plan/${eventId}/involvement/${item!.id}/paid`);
    expect(refused.statusCode).toBe(303);
    expect((await own.get(String(refused.headers.location))).body).toContain('This is your own time, so another organiser must mark it as paid.');
    const [still] = await t.db.select().from(involvementItems).where(eq(involvementItems.id, item!.id));
    expect(still!.paidAt).toBeNull();
    expect((await organiser.post(`/plan/${eventId}/involvement/${item!.id}/paid`)).statusCode).toBe(303);
    const [paid] = await t.db.select().from(involvementItems).where(eq(involvementItems.id, item!.id));
    expect(paid!.paidAt).not.toBeNull();
  });
});
