// A planning-group member's letter of involvement: their role, hours and dates, from their own
// items only; nobody outside the group gets one.
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people } from '../../db/schema/index.ts';
import { eq } from 'drizzle-orm';
import { idFrom, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('letter of involvement', () => {
  it('gives a planner their role, hours and dates, and nobody outside the group a letter', async () => {
    const organiser = await signedInOrganiser(t, 'letter-org@example.org');
    const planner = await t.signedIn('letter-planner@example.org');
    const colleague = await t.signedIn('letter-colleague@example.org');
    const outsider = await t.signedIn('letter-outsider@example.org');
    await t.db.update(people).set({ displayName: 'Priya Planner' }).where(eq(people.email, 'letter-planner@example.org'));
    const eventId = idFrom((await organiser.post('/organise/events', { title: 'Co-produced care', type: 'seminar' })).headers.location, '/plan');
    for (const [client, email] of [
      [planner, 'letter-planner@example.org'],
      [colleague, 'letter-colleague@example.org'],
    ] as const) {
      await organiser.post(`/plan/${eventId}/members`, { email, role: 'speaker' });
      await client.post(`/plan/${eventId}/invitation`, { answer: 'yes' });
    }
    expect(
      (await planner.post(`/plan/${eventId}/involvement`, { activity: 'meeting', occurredOn: '2027-05-01', hours: '1', mins: '30', choice: 'declined' }))
        .statusCode,
    ).toBe(303);
    expect(
      (await planner.post(`/plan/${eventId}/involvement`, { activity: 'speaking', occurredOn: '2027-06-01', hours: '2', mins: '0', choice: 'declined' }))
        .statusCode,
    ).toBe(303);
    expect(
      (await colleague.post(`/plan/${eventId}/involvement`, { activity: 'preparation', occurredOn: '2027-05-03', hours: '5', mins: '0', choice: 'declined' }))
        .statusCode,
    ).toBe(303);

    const page = await planner.get(`/plan/${eventId}/involvement`);
    expect(page.body).toContain(`/plan/${eventId}/involvement/letter.pdf`);
    const letter = await planner.get(`/plan/${eventId}/involvement/letter.pdf`);
    expect(letter.statusCode).toBe(200);
    expect(letter.headers['content-type']).toBe('application/pdf');
    const parser = new PDFParse({ data: new Uint8Array(letter.rawPayload) });
    const text = (await parser.getText()).text.replace(/\s+/g, ' ');
    await parser.destroy();
    expect(text).toContain('Priya Planner');
    expect(text).toContain('Co-produced care');
    expect(text).toContain('as Speaker');
    // The event has no date yet: the letter does not speak of it as past.
    expect(text).toContain('Priya Planner is a member of the planning group');
    expect(text).toContain('3.5 hours');
    expect(text).toContain('Saturday 1 May 2027');
    expect(text).toContain('Tuesday 1 June 2027');
    // Only their own time: not the colleague's five hours, and no money.
    expect(text).not.toContain('Preparation');
    expect(text).not.toContain('8.5 hours');
    expect(text).not.toContain('£');

    expect((await outsider.get(`/plan/${eventId}/involvement/letter.pdf`)).statusCode).toBe(403);
  });
});
