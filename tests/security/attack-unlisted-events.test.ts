// Attack: an unlisted (invitation-only, kept quiet) event must not leak through any list. The
// event list, home page and feeds were covered; these are the other pages that list events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryFunds, eventCohosts, organisations } from '../../db/schema/index.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function hiddenRoundTable(title: string) {
  return makeEvent(t.db, { title, type: 'round_table', unlisted: true });
}

describe('an unlisted event', () => {
  it('is not named on the public directory page of an organisation co-hosting it', async () => {
    const event = await hiddenRoundTable('Closed round table on restraint');
    const [org] = await t.db.insert(organisations).values({ name: 'Quiet Voices', kind: 'charity', status: 'approved' }).returning();
    await t.db.insert(eventCohosts).values({ eventId: event.id, organisationId: org!.id });
    const page = await t.client().get(`/directory/${org!.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(event.title);
    expect(page.body).not.toContain(event.slug);
    // Nor is the organisation offered as a filter of the public event list because of it.
    const list = await t.client().get('/events');
    expect(list.body).not.toContain('Quiet Voices');
  });

  it('is not offered to every member on the bursaries page', async () => {
    const event = await hiddenRoundTable('Closed round table on seclusion');
    await t.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Round table fund', budgetPence: 10_000 });
    const member = await t.signedIn('curious-member@example.org');
    const page = await member.get('/bursaries');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(event.title);
    expect(page.body).not.toContain(event.slug);
  });
});
