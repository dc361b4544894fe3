// Demo after-event content: the Westminster round table (two months ago) with people checked in,
// their certificates, and answered feedback, so a first start shows the results page and a
// certificate to download (sign in as member@example.org and open "Your bookings").
import { eq } from 'drizzle-orm';
import { certificates, events, registrations, surveyAnswers, surveyResponses } from '../../db/schema/index.ts';
import { issueIn } from '../certificates/service.ts';
import type { Db } from '../db/database.ts';
import { ensureSurvey, listQuestions } from '../surveys/service.ts';

const ATTENDEES = [
  { name: 'Jo Member', email: 'member@example.org' },
  { name: 'Ravi Chandran', email: 'ravi@example.org' },
  { name: 'Morag Kerr', email: 'morag@example.org' },
  { name: 'Tomasz Nowak', email: 'tomasz@example.org' },
  { name: 'Efua Mensah', email: 'efua@example.org' },
  { name: 'Lena Fischer', email: 'lena@example.org' },
];

// One row per person who answered: overall, heard, access, will act, difference, better.
const ANSWERS: [number, number, number, string, string, string][] = [
  [5, 5, 4, 'Yes', 'I will take the round table’s points to our team meeting.', ''],
  [4, 4, 5, 'Yes', 'Hearing MPs ask about caseloads made me feel our work is seen.', 'More time for questions from the floor.'],
  [4, 3, 4, 'Maybe', '', 'The room was hard to hear in at the back.'],
  [5, 4, 5, 'Yes', 'I understand how to raise issues with Directors of Adult Social Care.', ''],
  [3, 4, 3, 'No', '', 'Papers in advance would have helped me prepare.'],
];

export async function seedDemoAfterEvent(tx: Db): Promise<void> {
  const [event] = await tx.select({ id: events.id }).from(events).where(eq(events.slug, 'westminster-round-table'));
  if (!event) return;
  const [already] = await tx.select({ id: certificates.id }).from(certificates).where(eq(certificates.eventId, event.id)).limit(1);
  if (already) return;

  const came = await tx
    .insert(registrations)
    .values(
      ATTENDEES.map((a) => ({ eventId: event.id, status: 'attended' as const, name: a.name, email: a.email, confirmedAt: new Date(), attendedAt: new Date() })),
    )
    .returning({ id: registrations.id });
  // Two months ago: past the thank-you job's 30 days, so nobody is emailed on a first start.
  for (const { id } of came) await issueIn(tx, id);

  const survey = await ensureSurvey(tx, event.id, 'attendees');
  const questions = await listQuestions(tx, survey.id);
  const byLabel = (start: string) => questions.find((q) => q.label.startsWith(start))!;
  const order = [byLabel('Overall'), byLabel('I felt heard'), byLabel('The event met'), byLabel('Will you'), byLabel('What difference'), byLabel('What could')];
  for (const row of ANSWERS) {
    const [response] = await tx.insert(surveyResponses).values({ surveyId: survey.id }).returning({ id: surveyResponses.id });
    const values = row
      .map((value, i) => ({ responseId: response!.id, questionId: order[i]!.id, value: String(value), approvedForPublic: i === 4 && Boolean(value) }))
      .filter((a) => a.value !== '');
    await tx.insert(surveyAnswers).values(values);
  }
}
