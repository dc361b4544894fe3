// Decisions taken at the same moment, on a real PostgreSQL with several connections: two
// organisers deciding one proposal, and one person logging time twice against their cap.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, involvementItems, proposals } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { completeProposal, idFrom, signedInOrganiser } from '../proposals/support.ts';

let t: TestApp;
let author: TestClient;
let first: TestClient;
let second: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  author = await t.signedIn('author@example.org');
  first = await signedInOrganiser(t, 'first@example.org');
  second = await signedInOrganiser(t, 'second@example.org');
});
afterAll(async () => {
  await t.close();
});

// Hundreds of bookings at once take minutes on a loaded machine; a timeout here would say nothing
// about the race, so only a wrong count fails these tests.
describe('at the same moment', { timeout: 300_000 }, () => {
  it('one proposal gets exactly one decision and at most one event', async () => {
    for (let round = 0; round < 5; round++) {
      const id = idFrom((await author.post('/proposals', { ...completeProposal, title: `Race ${round}` })).headers.location, '/proposals');
      expect((await author.post(`/proposals/${id}/submit`)).statusCode).toBe(303);
      const [a, b] = await Promise.all([
        first.post(`/organise/proposals/${id}/decision`, { decision: 'accept', decisionMessage: '' }),
        second.post(`/organise/proposals/${id}/decision`, { decision: 'accept', decisionMessage: '' }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([303, 409]);
      const created = await t.db
        .select({ id: events.id })
        .from(events)
        .where(eq(events.title, `Race ${round}`));
      expect(created).toHaveLength(1);
      const [row] = await t.db.select({ eventId: proposals.eventId }).from(proposals).where(eq(proposals.id, id));
      expect(row!.eventId).toBe(created[0]!.id);
    }
  });

  it('two items logged at once cannot both slip under a person’s cap', async () => {
    const eventId = idFrom((await first.post('/organise/events', { title: 'Capped', type: 'seminar' })).headers.location, '/plan');
    await first.post(`/plan/${eventId}/members`, { email: 'author@example.org', role: 'speaker' });
    await author.post(`/plan/${eventId}/invitation`, { answer: 'yes' });
    await first.post('/organise/involvement-rate', { rate: '20' });
    // A £30 cap: one hour (£20) fits, two do not.
    await author.post('/involvement/cap', { cap: '30' });
    const item = { activity: 'meeting', occurredOn: '2027-05-01', hours: '1', mins: '0', choice: 'paid' };
    const results = await Promise.all(Array.from({ length: 6 }, () => author.post(`/plan/${eventId}/involvement`, item)));
    expect(results.filter((r) => r.statusCode === 303)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 400)).toHaveLength(5);
    const logged = await t.db.select().from(involvementItems).where(eq(involvementItems.eventId, eventId));
    expect(logged).toHaveLength(1);
  });

  it('events with the same title created at once each get their own address', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => first.post('/organise/events', { title: 'Same title', type: 'webinar' })));
    expect(results.map((r) => r.statusCode)).toEqual([303, 303, 303, 303, 303]);
    const rows = await t.db.select({ slug: events.slug }).from(events).where(eq(events.title, 'Same title'));
    expect(new Set(rows.map((r) => r.slug)).size).toBe(5);
    expect(rows.map((r) => r.slug)).toContain('same-title');
  });
});
