// A fund's deadline is shown on its change form as a day only. Saving the form without changing
// that day keeps the deadline exactly (a 10am deadline stayed 10am, not "11:59pm"); a new day
// means the end of that day in London, in winter (GMT) and in summer (BST) alike.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryFunds } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'fund-deadline@example.org');
});
afterAll(async () => {
  await t.close();
});

/** A fund whose deadline is set to an exact instant, as the demo's seed sets 10am. */
async function fundClosingAt(title: string, deadlineAt: Date): Promise<string> {
  const event = await createEvent(t.db, { title });
  const made = await boss.post('/bursaries/funds', {
    eventId: event.id,
    name: `Bursaries: ${title}`,
    budget: '500',
    eligibility: '',
    covers: '',
    deadline: '',
  });
  expect(made.statusCode, made.body.slice(0, 300)).toBe(303);
  const fundId = idFrom(made.headers.location, uuidIn);
  await t.db.update(bursaryFunds).set({ deadlineAt }).where(eq(bursaryFunds.id, fundId));
  return fundId;
}

/** The change form's fields as the page fills them in. */
function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of ['name', 'budget', 'deadline']) fields[name] = html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1] ?? '';
  for (const name of ['eligibility', 'covers']) fields[name] = html.match(new RegExp(`name="${name}"[^>]*>([^<]*)</textarea>`))?.[1] ?? '';
  return fields;
}

const deadlineOf = async (fundId: string) => (await t.db.select({ at: bursaryFunds.deadlineAt }).from(bursaryFunds).where(eq(bursaryFunds.id, fundId)))[0]!.at;

describe('a bursary fund’s deadline', () => {
  for (const [season, tenAm, laterDay, endOfLaterDay] of [
    ['winter (GMT)', '2027-01-14T10:00:00.000Z', '2027-01-21', '2027-01-21T23:59:59.999Z'],
    ['summer (BST)', '2027-07-14T09:00:00.000Z', '2027-07-21', '2027-07-21T22:59:59.999Z'],
  ] as const) {
    it(`stays exactly as it was when the form is saved unchanged, and a new day means its end: ${season}`, async () => {
      const fundId = await fundClosingAt(`Deadline in ${season}`, new Date(tenAm));

      // The fund's own page says when applications close.
      const page = await boss.get(`/bursaries/funds/${fundId}`);
      expect(page.body).toMatch(/Applications close:? <strong>[^<]*14 [A-Z][a-z]+ 2027, 10am<\/strong>/);

      const form = await boss.get(`/bursaries/funds/${fundId}/edit`);
      const fields = formFields(form.body);
      expect(fields.deadline).toBe(tenAm.slice(0, 10));
      // The form does not claim the day's end while the deadline is 10am.
      expect(form.body).toContain('10am');
      expect(form.body).not.toContain('Applications are open until the end of this day');

      const saved = await boss.post(`/bursaries/funds/${fundId}/edit`, fields);
      expect(saved.statusCode, saved.body.slice(0, 300)).toBe(303);
      expect((await deadlineOf(fundId))!.toISOString()).toBe(tenAm);

      const moved = await boss.post(`/bursaries/funds/${fundId}/edit`, { ...fields, deadline: laterDay });
      expect(moved.statusCode).toBe(303);
      expect((await deadlineOf(fundId))!.toISOString()).toBe(endOfLaterDay);
      // Now at the day's end, the form says so again.
      expect((await boss.get(`/bursaries/funds/${fundId}/edit`)).body).toContain('Applications are open until the end of this day');

      const cleared = await boss.post(`/bursaries/funds/${fundId}/edit`, { ...fields, deadline: '' });
      expect(cleared.statusCode).toBe(303);
      expect(await deadlineOf(fundId)).toBeNull();
      expect((await boss.get(`/bursaries/funds/${fundId}`)).body).toContain('No deadline');
    });
  }
});
