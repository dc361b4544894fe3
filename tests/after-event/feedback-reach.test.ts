// Issue 16's further reach: the optional survey for people who booked and did not come; consent
// to quote, so only consented and cleared answers reach the "you said, we did" note and the public
// event page; comparison with other events of the same kind; certificates and named answers in
// the person's data export, erased with them and by retention; and the certificates pages' words.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificates,
  events,
  outboxMessages,
  people,
  registrations,
  surveyAnswers,
  surveyResponses,
  surveys,
  type SurveyAudience,
} from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { forgetOldAfterEvent } from '../../server/certificates/erase.ts';
import { issueAll } from '../../server/certificates/service.ts';
import { ensureSurvey, listQuestions } from '../../server/surveys/service.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, mailsTo } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'reach-org@example.org');
});
afterAll(async () => {
  await t.close();
});

/** An event that ended three hours ago: one person checked in, one booked who did not come. */
async function pastEvent(title: string, overrides: Partial<typeof events.$inferInsert> = {}) {
  const startsAt = new Date(Date.now() - 6 * 3_600_000);
  const event = await makeEvent(t.db, { title, startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000), ...overrides });
  const tag = event.slug.slice(-8);
  const email = (who: string) => `${who}-${tag}@example.org`;
  const [came] = await t.db
    .insert(registrations)
    .values({ eventId: event.id, status: 'attended', name: 'Ada Came', email: email('ada') })
    .returning();
  const [missed] = await t.db
    .insert(registrations)
    .values({ eventId: event.id, status: 'confirmed', name: 'Bo Missed', email: email('bo') })
    .returning();
  return { event, came: came!, missed: missed!, email };
}

async function linkTo(address: string): Promise<string> {
  const [mail] = (await mailsTo(t.db, address)).filter((m) => m.template === 'survey-invitation');
  if (typeof mail?.data.surveyPath !== 'string') throw new Error(`No survey link to ${address}`);
  return mail.data.surveyPath;
}

async function surveyOf(eventId: string, audience: SurveyAudience) {
  const [row] = await t.db
    .select()
    .from(surveys)
    .where(and(eq(surveys.eventId, eventId), eq(surveys.audience, audience)));
  return row!;
}

describe('the no-shows’ survey', () => {
  it('is off until an organiser turns it on; then people who booked and did not come are asked what got in the way', async () => {
    const off = await pastEvent('Nobody asked');
    await t.app.afterEventJobs.runDue();
    expect((await mailsTo(t.db, off.email('bo'))).filter((m) => m.template === 'survey-invitation')).toHaveLength(0);

    const { event, email } = await pastEvent('We missed you');
    const base = `/plan/${event.id}/feedback/no_shows`;
    const shape = await organiser.get(base);
    expect(shape.statusCode).toBe(200);
    expect(shape.body).toContain('This survey is off');
    expect(shape.body).toContain('What stopped you coming?');
    expect((await organiser.post(`${base}/settings`, { enabled: 'yes', anonymous: 'yes', sendAfterHours: '2' })).statusCode).toBe(303);
    expect((await organiser.get(base)).body).toContain('This survey will be sent.');

    await t.app.afterEventJobs.runDue();
    const [asked] = (await mailsTo(t.db, email('bo'))).filter((m) => m.template === 'survey-invitation');
    expect(asked!.data).toMatchObject({ noShow: true, planner: false });
    expect(asked!.subject).toBe('We missed you at We missed you');
    // The person checked in gets the ordinary survey only.
    const adas = (await mailsTo(t.db, email('ada'))).filter((m) => m.template === 'survey-invitation');
    expect(adas.map((m) => m.data.noShow)).toEqual([false]);

    const path = await linkTo(email('bo'));
    const page = await t.client().get(path);
    expect(page.body).toContain('we missed you on the day');
    expect(page.body).toContain('What stopped you coming?');
    const survey = await surveyOf(event.id, 'no_shows');
    const [why] = await listQuestions(t.db, survey.id);
    expect((await t.client().post(path, { [`q_${why!.id}`]: 'Travel or cost' })).statusCode).toBe(200);
    const results = await organiser.get(`${base}/results`);
    expect(results.body).toContain('data-label="Travel or cost" data-count="1"');
  });

  it('is not sent when nobody was checked in: nobody is known not to have come', async () => {
    const startsAt = new Date(Date.now() - 6 * 3_600_000);
    const event = await makeEvent(t.db, { title: 'No check-in', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) });
    const address = `unchecked-${event.slug.slice(-8)}@example.org`;
    await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Cy Unchecked', email: address });
    const survey = await ensureSurvey(t.db, event.id, 'no_shows');
    await t.db.update(surveys).set({ enabled: true }).where(eq(surveys.id, survey.id));
    await t.app.afterEventJobs.runDue();
    expect((await mailsTo(t.db, address)).filter((m) => m.template === 'survey-invitation')).toHaveLength(0);
  });
});

describe('quoting feedback in the “you said, we did” note', () => {
  it('only consented, cleared answers can be chosen; chosen ones go with the note and onto the public event page', async () => {
    const { event, email } = await pastEvent('Quotes with consent');
    const tag = event.slug.slice(-8);
    const [dee] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'attended', name: 'Dee Came', email: `dee-${tag}@example.org` })
      .returning();
    await t.app.afterEventJobs.runDue();
    const survey = await surveyOf(event.id, 'attendees');
    const written = (await listQuestions(t.db, survey.id)).find((q) => q.kind === 'text')!;
    const page = await t.client().get(await linkTo(email('ada')));
    expect(page.body).toContain('May we quote what you wrote?');
    expect((await t.client().post(await linkTo(email('ada')), { [`q_${written.id}`]: 'Ada agreed to this.', consentToQuote: 'yes' })).statusCode).toBe(200);
    expect((await t.client().post(await linkTo(dee!.email), { [`q_${written.id}`]: 'Dee said no.', consentToQuote: 'no' })).statusCode).toBe(200);
    const answers = await t.db.select().from(surveyAnswers).where(eq(surveyAnswers.questionId, written.id));
    const adas = answers.find((a) => a.value === 'Ada agreed to this.')!;
    const dees = answers.find((a) => a.value === 'Dee said no.')!;

    // Consented but not yet cleared: not offered.
    const after = `/plan/${event.id}/after`;
    expect((await organiser.get(after)).body).not.toContain('Ada agreed to this.');
    const base = `/plan/${event.id}/feedback/attendees`;
    expect((await organiser.post(`${base}/answers/${adas.id}`, { approved: 'yes' })).statusCode).toBe(303);
    expect((await organiser.post(`${base}/answers/${dees.id}`, { approved: 'yes' })).headers['x-error-code']).toBe('survey_no_consent');
    const offered = (await organiser.get(after)).body;
    expect(offered).toContain('Ada agreed to this.');
    expect(offered).not.toContain('Dee said no.');

    // An answer not offered is ignored if sent anyway.
    await t.db.delete(outboxMessages);
    const sent = await organiser.post(`/plan/${event.id}/impact-note`, {
      note: 'You said the room was loud; we booked a quieter one.',
      action: 'send',
      quotes: [adas.id, dees.id],
    });
    expect(sent.statusCode).toBe(303);
    const [mail] = (await mailsTo(t.db, email('ada'))).filter((m) => m.template === 'impact-note');
    expect(mail!.data.quotes).toEqual(['Ada agreed to this.']);
    const [deeAnswer] = await t.db.select().from(surveyAnswers).where(eq(surveyAnswers.id, dees.id));
    expect(deeAnswer!.quoted).toBe(false);

    const publicPage = await t.client().get(`/events/${event.slug}`);
    expect(publicPage.body).toContain('You said, we did');
    expect(publicPage.body).toContain('we booked a quieter one');
    expect(publicPage.body).toContain('Ada agreed to this.');
    expect(publicPage.body).not.toContain('Dee said no.');
    expect(publicPage.body).not.toContain('Ada Came');

    // Taking the clearance back takes the quote off the public page.
    expect((await organiser.post(`${base}/answers/${adas.id}`, { approved: 'no' })).statusCode).toBe(303);
    expect((await t.client().get(`/events/${event.slug}`)).body).not.toContain('Ada agreed to this.');
  });
});

describe('comparison across a series', () => {
  it('compares rating averages with other events of the same kind, leaving out events with fewer than 3 answers', async () => {
    const answerAll = async (eventId: string, ratings: number[]) => {
      const survey = await ensureSurvey(t.db, eventId, 'attendees');
      const [overall] = await listQuestions(t.db, survey.id);
      for (const rating of ratings) {
        const [response] = await t.db.insert(surveyResponses).values({ surveyId: survey.id }).returning();
        await t.db.insert(surveyAnswers).values({ responseId: response!.id, questionId: overall!.id, value: String(rating) });
      }
    };
    const earlier = (days: number) => new Date(Date.now() - days * 86_400_000);
    const first = await makeEvent(t.db, { title: 'Round table one', type: 'round_table', startsAt: earlier(90), endsAt: earlier(90) });
    const second = await makeEvent(t.db, { title: 'Round table two', type: 'round_table', startsAt: earlier(60), endsAt: earlier(60) });
    const few = await makeEvent(t.db, { title: 'Round table too few', type: 'round_table', startsAt: earlier(30), endsAt: earlier(30) });
    const seminar = await makeEvent(t.db, { title: 'A seminar, not a round table', type: 'seminar', startsAt: earlier(45), endsAt: earlier(45) });
    await answerAll(first.id, [2, 3, 4]);
    await answerAll(second.id, [5, 5, 4, 4]);
    await answerAll(few.id, [1, 1]);
    await answerAll(seminar.id, [1, 1, 1]);
    const { event } = await pastEvent('Round table now', { type: 'round_table' });
    await answerAll(event.id, [4, 5]);

    const page = (await organiser.get(`/plan/${event.id}/feedback/attendees/results`)).body;
    const section = page.slice(page.indexOf('Compared with other round tables'));
    expect(section).toContain('Round table one');
    expect(section).toContain('Round table two');
    expect(section).not.toContain('Round table too few');
    expect(section).not.toContain('A seminar, not a round table');
    // This event 4.5; the others (2+3+4+5+5+4+4)/7 = 3.857…
    expect(section).toContain('This event averaged 4.5; the 2 other events averaged 3.9 out of 5.');
    expect(section).toContain('data-label="Round table one" data-count="3"');
    expect(section).toContain('Show the averages as a table');
  });
});

describe('certificates and named answers belong to the person', () => {
  it('are in their data export, lose the name on erasure and by retention, and certificates go after their time', async () => {
    const { event, came, email } = await pastEvent('Exported and erased');
    const [person] = await t.db.insert(people).values({ email: came.email, displayName: 'Ada Came' }).returning();
    await t.db.update(registrations).set({ personId: person!.id }).where(eq(registrations.id, came.id));
    await issueAll(t.db, event.id, null);
    const survey = await ensureSurvey(t.db, event.id, 'attendees');
    await t.db.update(surveys).set({ anonymous: false }).where(eq(surveys.id, survey.id));
    await t.app.afterEventJobs.runDue();
    const written = (await listQuestions(t.db, survey.id)).find((q) => q.kind === 'text')!;
    expect((await t.client().post(await linkTo(email('ada')), { [`q_${written.id}`]: 'My named answer.', consentToQuote: 'yes' })).statusCode).toBe(200);
    // Once the invitations are forgotten (60 days), the answer still knows whose it is.
    await t.app.afterEventJobs.runDue(new Date(Date.now() + 61 * 86_400_000));

    const member = await t.signedIn(came.email);
    const file = await member.get('/account/your-data.json');
    expect(file.statusCode).toBe(200);
    const data = JSON.parse(file.body);
    expect(data.afterEvents.certificates).toHaveLength(1);
    expect(data.afterEvents.certificates[0]).toMatchObject({ eventTitle: 'Exported and erased', name: 'Ada Came', valid: true });
    expect(data.afterEvents.feedback).toContainEqual(expect.objectContaining({ answer: 'My named answer.', agreedToBeQuoted: true }));
    const summary = await member.get('/account/your-data');
    expect(summary.body).toContain('Certificates and feedback');
    expect(summary.body).toContain('My named answer.');

    // Retention: named answers lose their name after EVENT_DATA_RETENTION_MONTHS; certificates
    // go after CERTIFICATE_RETENTION_MONTHS.
    const later = new Date(Date.now() + 7 * 31 * 86_400_000);
    const kept = await forgetOldAfterEvent(t.db, { now: later, certificateMonths: 72, answerMonths: 6 });
    expect(kept.answers).toBeGreaterThanOrEqual(1);
    const [response] = await t.db.select().from(surveyResponses).where(eq(surveyResponses.surveyId, survey.id));
    expect(response).toMatchObject({ respondentName: '', personId: null, registrationId: null });
    expect(await t.db.select().from(certificates).where(eq(certificates.eventId, event.id))).toHaveLength(1);
    await forgetOldAfterEvent(t.db, { now: new Date(Date.now() + 73 * 31 * 86_400_000), certificateMonths: 72, answerMonths: 6 });
    expect(await t.db.select().from(certificates).where(eq(certificates.eventId, event.id))).toHaveLength(0);
  });

  it('a named answer loses its name when the person deletes their account, long after the invitation was forgotten', async () => {
    const { event, came, email } = await pastEvent('Erased later');
    const survey = await ensureSurvey(t.db, event.id, 'attendees');
    await t.db.update(surveys).set({ anonymous: false }).where(eq(surveys.id, survey.id));
    await t.app.afterEventJobs.runDue();
    const [overall] = await listQuestions(t.db, survey.id);
    expect((await t.client().post(await linkTo(email('ada')), { [`q_${overall!.id}`]: '4' })).statusCode).toBe(200);
    await t.app.afterEventJobs.runDue(new Date(Date.now() + 61 * 86_400_000));
    const member = await t.signedIn(came.email);
    expect((await member.post('/account/delete')).statusCode).toBe(303);
    const [response] = await t.db.select().from(surveyResponses).where(eq(surveyResponses.surveyId, survey.id));
    expect(response!.respondentName).toBe('');
    expect(response!.registrationId).toBeNull();
  });
});

describe('the certificates pages say what is true', () => {
  it('the bulk button goes once everyone has one; the thank-you state is worded by the event’s timing; the public check shows hours', async () => {
    const { event } = await pastEvent('Pages that tell the truth');
    const page = () => organiser.get(`/organise/events/${event.slug}/certificates`);
    expect((await page()).body).toContain('Issue certificates to everyone checked in');
    expect((await organiser.post(`/organise/events/${event.slug}/certificates/issue`)).statusCode).toBe(303);
    const issued = (await page()).body;
    expect(issued).not.toContain('Issue certificates to everyone checked in');
    expect(issued).toContain('Everyone checked in has a certificate.');
    expect(issued).toContain('Going out shortly');

    // An event long over: its certificates will never be emailed, and the page says so.
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 60 * 86_400_000), endsAt: new Date(Date.now() - 60 * 86_400_000 + 3_600_000) })
      .where(eq(events.id, event.id));
    const old = (await page()).body;
    expect(old).toContain('that time has passed');
    expect(old).toContain('Not sent (over 30 days after the event)');
    // Booking links stop working 30 days after the event: the page does not send people to them.
    expect(old).not.toContain('from their booking or');
    expect(old).toContain('from “Your bookings”, signed in with the email address they booked with');
    expect(old).not.toContain('an hour after the event ends');

    const [certificate] = await t.db.select().from(certificates).where(eq(certificates.eventId, event.id));
    const check = await t.client().get(`/certificates/${certificate!.code}`);
    expect(check.statusCode).toBe(200);
    // The public check shows only the name, the event and its date.
    expect(check.body).not.toContain('Hours of learning');
  });

  it('a companion’s certificate goes to their booker, saying whose it is', async () => {
    const { event, came, email } = await pastEvent('With a companion');
    await t.db.insert(registrations).values({ eventId: event.id, status: 'attended', name: 'Cam Companion', email: came.email, companionOfId: came.id });
    await t.app.afterEventJobs.runDue();
    const thanks = (await mailsTo(t.db, email('ada'))).filter((m) => m.template === 'certificate-thank-you');
    expect(thanks).toHaveLength(2);
    const forCompanion = thanks.find((m) => m.data.companionName === 'Cam Companion')!;
    expect(forCompanion.data.name).toBe('Ada Came');
    expect(forCompanion.subject).toBe('The certificate of attendance for your companion at With a companion');
    const text = renderEmail('certificate-thank-you', forCompanion.data as never, { baseUrl: t.config.baseUrl, siteName: 'Social Perspectives Hub' }).text;
    expect(text).toContain('You booked a place for Cam Companion to come with you');
    expect(text).not.toContain('download the certificate again from your booking');
  });
});
