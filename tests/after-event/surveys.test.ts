// Feedback surveys: only people checked in (and the planning group, with its own survey) get a
// link; each link answers once; an anonymous survey keeps no link between an answer and a
// person; the results' charts show exactly the answers given; shaping stops once people answer.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  outboxMessages,
  people,
  planningMembers,
  registrations,
  surveyAnswers,
  surveyInvitations,
  surveyQuestions,
  surveyResponses,
  surveys,
} from '../../db/schema/index.ts';
import { hideSecrets } from '../../server/app.ts';
import { MAX_TEXT } from '../../server/surveys/service.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, mailsTo } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'survey-org@example.org');
});
afterAll(async () => {
  await t.close();
});

async function pastEvent(title: string) {
  const startsAt = new Date(Date.now() - 6 * 3_600_000);
  const event = await makeEvent(t.db, { title, startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000) });
  const tag = event.slug.slice(-8);
  const email = (who: string) => `${who}-${tag}@example.org`;
  const [ann] = await t.db
    .insert(registrations)
    .values({ eventId: event.id, status: 'attended', name: 'Ann Attendee', email: email('ann') })
    .returning();
  const [ben] = await t.db
    .insert(registrations)
    .values({ eventId: event.id, status: 'attended', name: 'Ben Attendee', email: email('ben') })
    .returning();
  await t.db.insert(registrations).values([
    { eventId: event.id, status: 'attended', name: 'Ann’s assistant', email: email('ann'), companionOfId: ann!.id },
    { eventId: event.id, status: 'confirmed', name: 'Cal Absent', email: email('cal') },
  ]);
  const [planner] = await t.db
    .insert(people)
    .values({ email: email('planner'), displayName: 'Pip Planner' })
    .returning();
  await t.db.insert(planningMembers).values({ eventId: event.id, personId: planner!.id, role: 'speaker', status: 'accepted' });
  return { event, ann: ann!, ben: ben!, email };
}

async function surveyPath(address: string): Promise<string> {
  const [mail] = (await mailsTo(t.db, address)).filter((m) => m.template === 'survey-invitation');
  if (typeof mail?.data.surveyPath !== 'string') throw new Error(`No survey link to ${address}`);
  return mail.data.surveyPath;
}

describe('feedback surveys', () => {
  it('go only to people checked in and the planning group; one answer per link; anonymous answers keep no link to anyone', async () => {
    const { event, ann, ben, email } = await pastEvent('Listening well');
    await t.db.delete(outboxMessages);
    await t.app.afterEventJobs.runDue();
    expect((await mailsTo(t.db, email('ann'))).filter((m) => m.template === 'survey-invitation')).toHaveLength(1);
    expect((await mailsTo(t.db, email('ben'))).filter((m) => m.template === 'survey-invitation')).toHaveLength(1);
    expect(await mailsTo(t.db, email('cal'))).toHaveLength(0);
    const [plannerMail] = (await mailsTo(t.db, email('planner'))).filter((m) => m.template === 'survey-invitation');
    expect(plannerMail!.data.planner).toBe(true);
    // The link is sealed in the outbox, never stored usable.
    const [row] = await t.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.toAddress, email('ann')));
    expect(JSON.stringify(row!.data)).not.toContain('/surveys/');

    const annPath = await surveyPath(email('ann'));
    const visitor = t.client();
    const page = await visitor.get(annPath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('I felt heard');
    expect(page.body).toContain('<fieldset class="govuk-fieldset"');
    const [survey] = await t.db
      .select()
      .from(surveys)
      .where(and(eq(surveys.eventId, event.id), eq(surveys.audience, 'attendees')));
    const questions = await t.db.select().from(surveyQuestions).where(eq(surveyQuestions.surveyId, survey!.id)).orderBy(surveyQuestions.position);
    const [overall, heard, , change, difference] = questions;

    const bad = await visitor.post(annPath, { [`q_${overall!.id}`]: '9', [`q_${difference!.id}`]: 'Kept as typed' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('Kept as typed');
    const answered = await visitor.post(annPath, {
      [`q_${overall!.id}`]: '5',
      [`q_${heard!.id}`]: '4',
      [`q_${change!.id}`]: 'Yes',
      [`q_${difference!.id}`]: 'I now ask people what helps.',
      consentToQuote: 'yes',
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.body).toContain('Thank you for your feedback');
    // The link works once.
    expect((await visitor.get(annPath)).statusCode).toBe(410);
    expect((await visitor.post(annPath, { [`q_${overall!.id}`]: '1' })).statusCode).toBe(410);

    const benPath = await surveyPath(email('ben'));
    expect(
      (
        await t
          .client()
          .post(benPath, { [`q_${overall!.id}`]: '3', [`q_${heard!.id}`]: '4', [`q_${change!.id}`]: 'Maybe', [`q_${difference!.id}`]: 'Ben wrote this.' })
      ).statusCode,
    ).toBe(200);

    // Scan every answer row: nothing in them points at Ann, Ben, their bookings or invitations.
    const responses = await t.db.select().from(surveyResponses).where(eq(surveyResponses.surveyId, survey!.id));
    expect(responses).toHaveLength(2);
    const answers = await t.db
      .select()
      .from(surveyAnswers)
      .where(
        inArray(
          surveyAnswers.responseId,
          responses.map((r) => r.id),
        ),
      );
    const invitations = await t.db.select().from(surveyInvitations).where(eq(surveyInvitations.surveyId, survey!.id));
    const stored = JSON.stringify([responses, answers]);
    for (const r of responses) expect(r).toMatchObject({ invitationId: null, respondentName: '', submittedAt: null });
    for (const secret of [ann.id, ben.id, ann.email, ben.email, 'Ann Attendee', 'Ben Attendee', ...invitations.map((i) => i.id)])
      expect(stored).not.toContain(secret);
    expect(invitations.filter((i) => i.answered).every((i) => i.tokenHash === null)).toBe(true);

    // ---- Results: the charts and tables show exactly the answers given ----
    const lead = organiser;
    const results = await lead.get(`/plan/${event.id}/feedback/attendees/results`);
    expect(results.statusCode).toBe(200);
    const bars = (label: string) => {
      const section = results.body.slice(results.body.indexOf(`>${label}</h2>`));
      const svg = section.slice(0, section.indexOf('</svg>'));
      return [...svg.matchAll(/data-label="([^"]*)" data-count="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    };
    expect(bars('Overall, how was the event?')).toEqual([
      ['1. Very poor', 0],
      ['2. Poor', 0],
      ['3. All right', 1],
      ['4. Good', 0],
      ['5. Very good', 1],
    ]);
    expect(bars('I felt heard')).toEqual([
      ['1. Strongly disagree', 0],
      ['2. Disagree', 0],
      ['3. Neither agree nor disagree', 0],
      ['4. Agree', 2],
      ['5. Strongly agree', 0],
    ]);
    expect(bars('Will you do anything differently because of it?')).toEqual([
      ['Yes', 1],
      ['Maybe', 1],
      ['No', 0],
    ]);
    expect(results.body).toContain('averaging 4 out of 5');
    // A tie is told as a tie, not as one answer given most.
    expect(results.body).toContain('Most often: All right and Very good.');
    expect(results.body).toContain('role="img"');
    expect(results.body).toContain('Show the numbers as a table');
    expect(results.body).toContain('I now ask people what helps.');
    const csv = await lead.get(`/plan/${event.id}/feedback/attendees/results.csv`);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body.trim().split('\n')).toHaveLength(3);
    expect(csv.body).toContain('5 (Very good)');

    // Written answers are cleared for quoting one by one.
    const [written] = answers.filter((a) => a.questionId === difference!.id);
    expect((await lead.post(`/plan/${event.id}/feedback/attendees/answers/${written!.id}`, { approved: 'yes' })).statusCode).toBe(303);
    const [cleared] = await t.db.select().from(surveyAnswers).where(eq(surveyAnswers.id, written!.id));
    expect(cleared!.approvedForPublic).toBe(true);
    // Ben did not say he may be quoted: his answer cannot be cleared, and the page says why.
    const bens = answers.find((a) => a.value === 'Ben wrote this.')!;
    const refusedQuote = await lead.post(`/plan/${event.id}/feedback/attendees/answers/${bens.id}`, { approved: 'yes' });
    expect(refusedQuote.headers['x-error-code']).toBe('survey_no_consent');
    const [notCleared] = await t.db.select().from(surveyAnswers).where(eq(surveyAnswers.id, bens.id));
    expect(notCleared!.approvedForPublic).toBe(false);
    expect((await lead.get(`/plan/${event.id}/feedback/attendees/results`)).body).toContain('the author did not agree to be quoted');

    // People outside the planning group see nothing; the planners' survey is for organisers only.
    const outsider = await t.signedIn('survey-outsider@example.org');
    expect((await outsider.get(`/plan/${event.id}/feedback/attendees/results`)).statusCode).toBe(403);

    // Private links are not logged; and once their purpose has ended, who was asked is forgotten.
    expect(hideSecrets(annPath)).toBe('/surveys/[secret]');
    await t.app.afterEventJobs.runDue(new Date(Date.now() + 61 * 86_400_000));
    expect(await t.db.select().from(surveyInvitations).where(eq(surveyInvitations.surveyId, survey!.id))).toHaveLength(0);
    expect(await t.db.select().from(surveyResponses).where(eq(surveyResponses.surveyId, survey!.id))).toHaveLength(2);
  });

  it('leads shape the survey until the first answer; a named survey keeps the name', async () => {
    const { event, email } = await pastEvent('Named and shaped');
    const base = `/plan/${event.id}/feedback/attendees`;
    const shape = await organiser.get(base);
    expect(shape.statusCode).toBe(200);
    const empty = await organiser.post(`${base}/questions`, { kind: 'choice', label: 'Which session helped most?', options: 'Only one' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter at least two choices');
    expect(empty.body).toContain('Which session helped most?');
    expect((await organiser.post(`${base}/questions`, { kind: 'choice', label: 'Which session helped most?', options: 'Morning\nAfternoon' })).statusCode).toBe(
      303,
    );
    expect((await organiser.post(`${base}/settings`, { anonymous: 'no', sendAfterHours: '1' })).statusCode).toBe(303);
    const [survey] = await t.db
      .select()
      .from(surveys)
      .where(and(eq(surveys.eventId, event.id), eq(surveys.audience, 'attendees')));
    const questions = await t.db.select().from(surveyQuestions).where(eq(surveyQuestions.surveyId, survey!.id)).orderBy(surveyQuestions.position);
    expect(questions.at(-1)!.label).toBe('Which session helped most?');
    expect((await organiser.post(`${base}/questions/${questions.at(-1)!.id}/up`)).statusCode).toBe(303);
    const moved = await t.db.select().from(surveyQuestions).where(eq(surveyQuestions.surveyId, survey!.id)).orderBy(surveyQuestions.position);
    expect(moved.at(-2)!.label).toBe('Which session helped most?');
    expect((await organiser.post(`${base}/questions/${moved[0]!.id}/remove`)).statusCode).toBe(303);

    await t.app.afterEventJobs.runDue();
    const path = await surveyPath(email('ann'));
    const session = moved.find((q) => q.label === 'Which session helped most?')!;
    expect((await t.client().post(path, { [`q_${session.id}`]: 'Morning' })).statusCode).toBe(200);
    const [response] = await t.db.select().from(surveyResponses).where(eq(surveyResponses.surveyId, survey!.id));
    expect(response!.respondentName).toBe('Ann Attendee');
    expect(response!.invitationId).not.toBeNull();

    // Answers are in: the questions and the anonymity no longer change.
    const refused = await organiser.post(`${base}/questions`, { kind: 'text', label: 'Too late?' });
    expect(refused.statusCode).toBe(303);
    expect(await t.db.select().from(surveyQuestions).where(eq(surveyQuestions.label, 'Too late?'))).toHaveLength(0);
    expect((await organiser.post(`${base}/settings`, { anonymous: 'yes', sendAfterHours: '1' })).statusCode).toBe(303);
    const [still] = await t.db.select().from(surveys).where(eq(surveys.id, survey!.id));
    expect(still!.anonymous).toBe(false);
  });

  it('ask someone with two places at an event once, and still reach the other events’ people', async () => {
    const twice = await pastEvent('Two places, one person');
    const [person] = await t.db
      .insert(people)
      .values({ email: twice.email('dee'), displayName: 'Dee Twice' })
      .returning();
    // Booked for herself, and again by an organiser on her behalf: both places checked in.
    await t.db.insert(registrations).values([
      { eventId: twice.event.id, personId: person!.id, status: 'attended', name: 'Dee Twice', email: twice.email('dee') },
      { eventId: twice.event.id, personId: person!.id, status: 'attended', name: 'Dee Twice', email: twice.email('dee') },
    ]);
    const other = await pastEvent('The event after');
    await t.app.afterEventJobs.runDue();
    expect((await mailsTo(t.db, twice.email('dee'))).filter((m) => m.template === 'survey-invitation')).toHaveLength(1);
    expect((await mailsTo(t.db, other.email('ann'))).filter((m) => m.template === 'survey-invitation')).toHaveLength(1);
    // The next run asks nobody again.
    await t.app.afterEventJobs.runDue();
    expect((await mailsTo(t.db, twice.email('dee'))).filter((m) => m.template === 'survey-invitation')).toHaveLength(1);
  });

  it('show the limit a written answer really has, and keep every answer when one is too long', async () => {
    const { event, email } = await pastEvent('Long answers');
    await t.app.afterEventJobs.runDue();
    const path = await surveyPath(email('ann'));
    const [survey] = await t.db
      .select()
      .from(surveys)
      .where(and(eq(surveys.eventId, event.id), eq(surveys.audience, 'attendees')));
    const questions = await t.db.select().from(surveyQuestions).where(eq(surveyQuestions.surveyId, survey!.id)).orderBy(surveyQuestions.position);
    const text = questions.filter((q) => q.kind === 'text');
    const choice = questions.find((q) => q.kind !== 'text')!;
    expect(text.length).toBeGreaterThan(1);
    const visitor = t.client();
    const page = await visitor.get(path);
    // The character count shows the limit the answer is held to.
    expect(page.body).toContain(`data-maxlength="${MAX_TEXT}"`);
    expect(page.body).not.toContain('data-maxlength="5000"');
    for (const length of [MAX_TEXT + 1, 6_000]) {
      const long = 'a'.repeat(length);
      const refused = await visitor.post(path, { [`q_${text[0]!.id}`]: long, [`q_${text[1]!.id}`]: 'Short and kept', [`q_${choice.id}`]: '4' });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('There is a problem');
      expect(refused.body).toContain('must be 2,000 characters or fewer');
      expect(refused.body).toContain(long);
      expect(refused.body).toContain('Short and kept');
      expect(refused.body).toMatch(/value="4"[^>]*checked/);
    }
    expect(await t.db.select().from(surveyResponses).where(eq(surveyResponses.surveyId, survey!.id))).toHaveLength(0);
  });
});
