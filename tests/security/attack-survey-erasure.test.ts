// THREATS 8: erased means erased. A planning-group member is asked for feedback on planning
// (the planners' survey, named here) and answers; then they delete their account. Erasure
// forgot surveys reached through bookings only: the planner's invitation (address and name)
// and the name on their named answer stayed.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, planningMembers, surveyInvitations, surveyResponses } from '../../db/schema/index.ts';
import { sendDueSurveys } from '../../server/surveys/service.ts';
import { personId } from '../proposals/support.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emailData } from '../support/outbox.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('a planner who answered the planning survey, then deleted their account', () => {
  it('leaves no address or name in the survey tables', async () => {
    const startsAt = new Date(Date.now() + 420 * 86_400_000);
    const endsAt = new Date(startsAt.getTime() + 3_600_000);
    const event = await makeEvent(t.db, { startsAt, endsAt });
    const email = 'erased-planner@example.org';
    const planner = await t.signedIn(email);
    await planner.post('/account', { displayName: 'Pia Planner', pronouns: '', contactNotes: '' });
    await t.db.insert(planningMembers).values({ eventId: event.id, personId: await personId(t.db, email), role: 'lead', status: 'accepted' });
    // A named survey, chosen before anyone is invited.
    expect((await planner.post(`/plan/${event.id}/feedback/planners/settings`, { anonymous: 'no', sendAfterHours: '2' })).statusCode).toBe(303);

    await sendDueSurveys(t.db, new Date(endsAt.getTime() + 3 * 3_600_000));
    const [invite] = (await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email))).filter((m) => m.template === 'survey-invitation');
    const link = String(emailData(invite!).surveyPath);
    const form = await planner.get(link);
    const field = /name="(q_[0-9a-f-]{36})"/.exec(form.body)![1]!;
    expect((await planner.post(link, { [field]: '4' })).statusCode).toBe(200);
    expect((await t.db.select().from(surveyResponses)).some((r) => r.respondentName !== '')).toBe(true);

    expect((await planner.post('/account/delete', { confirm: 'yes' })).statusCode).toBeLessThan(400);

    const kept = JSON.stringify([await t.db.select().from(surveyInvitations), await t.db.select().from(surveyResponses)]);
    expect(kept).not.toContain(email);
    expect(kept).not.toContain('Pia Planner');
  });
});
