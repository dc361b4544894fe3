// Attack on the anonymity of survey answers: an event's lead turns an anonymous survey into a
// named one after the invitations (which promise anonymity) have gone out, while someone has the
// form open that says "Your answers are anonymous". Their answer is then kept with their name and
// shown to the lead: a promise broken and a page that said something untrue (THREATS 3, 9).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, planningMembers, registrations, surveyResponses } from '../../db/schema/index.ts';
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

describe('an anonymous survey whose invitations have gone out', () => {
  it('cannot be made named, so no answer given as anonymous is kept with a name', async () => {
    const startsAt = new Date(Date.now() + 400 * 86_400_000);
    const endsAt = new Date(startsAt.getTime() + 3_600_000);
    const event = await makeEvent(t.db, { startsAt, endsAt });
    const lead = await t.signedIn('survey-lead@example.org');
    await t.db
      .insert(planningMembers)
      .values({ eventId: event.id, personId: await personId(t.db, 'survey-lead@example.org'), role: 'lead', status: 'accepted' });
    await t.db.insert(registrations).values({ eventId: event.id, status: 'attended', name: 'Sam Secret', email: 'sam-secret@example.org' });

    await sendDueSurveys(t.db, new Date(endsAt.getTime() + 3 * 3_600_000));
    const [invite] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'sam-secret@example.org'));
    const data = emailData(invite!);
    expect(data.anonymous).toBe(true);
    const link = String(data.surveyPath);

    const attendee = t.client();
    const form = await attendee.get(link);
    expect(form.body).toContain('Your answers are anonymous');

    // Nobody has answered yet, so the lead may still change the settings …
    const changed = await lead.post(`/plan/${event.id}/feedback/attendees/settings`, { anonymous: 'no', sendAfterHours: '2' });
    expect(changed.statusCode).toBe(303);

    // … and the attendee sends the form the page promised was anonymous.
    const question = /name="(q_[0-9a-f-]{36})"[^>]*type="radio"|type="radio"[^>]*name="(q_[0-9a-f-]{36})"/.exec(form.body);
    const field = question?.[1] ?? question?.[2] ?? /name="(q_[0-9a-f-]{36})"/.exec(form.body)![1]!;
    await attendee.post(link, { [field]: '5' });

    const responses = await t.db.select().from(surveyResponses);
    expect(responses.length).toBeGreaterThan(0);
    for (const r of responses) expect(r.respondentName).toBe('');
    const results = await lead.get(`/plan/${event.id}/feedback/attendees/results`);
    expect(results.body).not.toContain('Sam Secret');
  });
});
