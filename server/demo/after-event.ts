// Demo after-event content: the Westminster round table (two months ago) with people checked in,
// their certificates, and answered feedback, so a first start shows the results page and a
// certificate to download (sign in as member@example.org and open "Your bookings"). An earlier
// round table with its own answers gives the results a series to compare with, and the
// "you said, we did" note, sent when the demo is made (its emails are in the outbox), quotes one
// answer whose author agreed, on the public event page.
// Their thank-you emails were never sent (the event was over before the demo began), and the
// certificates page says so.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { enqueueEmail } from '../mail/outbox.ts';
import { certificates, events, impactNotes, registrations, surveyAnswers, surveyResponses } from '../../db/schema/index.ts';
import { issueIn } from '../certificates/service.ts';
import type { Db } from '../db/database.ts';
import { quotableAnswers } from '../planning/after.ts';
import { ensureSurvey, listQuestions } from '../surveys/service.ts';
import { londonAt } from './time.ts';

const ATTENDEES = [
  { name: 'Jo Member', email: 'member@example.org' },
  { name: 'Ravi Chandran', email: 'ravi@example.org' },
  { name: 'Morag Kerr', email: 'morag@example.org' },
  { name: 'Tomasz Nowak', email: 'tomasz@example.org' },
  { name: 'Efua Mensah', email: 'efua@example.org' },
  { name: 'Lena Fischer', email: 'lena@example.org' },
];

// One row per person who answered: overall, heard, access, will act, difference, better, and
// whether they agreed to be quoted.
const ANSWERS: [number, number, number, string, string, string, boolean][] = [
  [5, 5, 4, 'Yes', 'I will take the round table’s points to our team meeting.', '', true],
  [4, 4, 5, 'Yes', 'Hearing MPs ask about caseloads made me feel our work is seen.', 'More time for questions from the floor.', true],
  [4, 3, 4, 'Maybe', '', 'The room was hard to hear in at the back.', false],
  [5, 4, 5, 'Yes', 'I understand how to raise issues with Directors of Adult Social Care.', '', false],
  [3, 4, 3, 'No', '', 'Papers in advance would have helped me prepare.', true],
];

/** The earlier round table's answers: overall, heard, access. */
const EARLIER: [number, number, number][] = [
  [3, 3, 2],
  [4, 3, 3],
  [3, 2, 3],
  [4, 4, 3],
];

const IMPACT_NOTE =
  'You said the room was hard to hear in at the back: the next round table has a hearing loop and microphones for the floor.\nYou asked for papers in advance: they will go out a week before.';

/** The first question of each row's answers, in the order ANSWERS gives them. */
async function questionOrder(tx: Db, eventId: string) {
  const survey = await ensureSurvey(tx, eventId, 'attendees');
  const questions = await listQuestions(tx, survey.id);
  const byLabel = (start: string) => questions.find((q) => q.label.startsWith(start))!;
  return {
    survey,
    order: [byLabel('Overall'), byLabel('I felt heard'), byLabel('The event met'), byLabel('Will you'), byLabel('What difference'), byLabel('What could')],
  };
}

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

  const { survey, order } = await questionOrder(tx, event.id);
  let quoted = '';
  for (const row of ANSWERS) {
    const consentToQuote = row[6];
    const [response] = await tx.insert(surveyResponses).values({ surveyId: survey.id, consentToQuote }).returning({ id: surveyResponses.id });
    // Read and cleared: the answers about the difference it made, from people who agreed.
    const values = row
      .slice(0, 6)
      .map((value, i) => ({
        responseId: response!.id,
        questionId: order[i]!.id,
        value: String(value),
        approvedForPublic: consentToQuote && i === 4 && Boolean(value),
      }))
      .filter((a) => a.value !== '');
    const inserted = await tx
      .insert(surveyAnswers)
      .values(values)
      .returning({ id: surveyAnswers.id, approved: surveyAnswers.approvedForPublic, value: surveyAnswers.value });
    const cleared = inserted.find((a) => a.approved);
    if (cleared && !quoted) {
      quoted = cleared.value;
      await tx.update(surveyAnswers).set({ quoted: true }).where(eq(surveyAnswers.id, cleared.id));
    }
  }
  // Saved, not yet sent: sendDemoImpactNote sends it once everyone with a place is in.
  await tx.insert(impactNotes).values({ eventId: event.id, body: IMPACT_NOTE, sentAt: null });

  // An earlier round table, to compare with.
  const [earlier] = await tx
    .insert(events)
    .values({
      slug: 'round-table-crisis-care',
      title: 'Round table on crisis care',
      type: 'round_table',
      status: 'completed',
      summary: 'Service users, carers and crisis teams talked about what helps in a crisis.',
      description: 'A round table on crisis care, with people who have used crisis services.',
      format: 'in_person',
      startsAt: londonAt(-240, '10:30'),
      endsAt: londonAt(-240, '12:30'),
      venueName: 'Friends Meeting House',
      venueAddress: '6 Mount Street, Manchester M2 5NS',
      capacity: 20,
      publishedAt: new Date(Date.now() - 300 * 86_400_000),
    })
    .returning({ id: events.id });
  const before = await questionOrder(tx, earlier!.id);
  for (const row of EARLIER) {
    const [response] = await tx.insert(surveyResponses).values({ surveyId: before.survey.id }).returning({ id: surveyResponses.id });
    await tx.insert(surveyAnswers).values(row.map((value, i) => ({ responseId: response!.id, questionId: before.order[i]!.id, value: String(value) })));
  }
}

/**
 * The round table's impact note, sent as the planning pages send it: an email to everyone who
 * came or had a place (the invitees' places are added after seedDemoAfterEvent), with the quote
 * chosen for it. Sent when the demo is made, so the page's "sent on" date and the emails in the
 * outbox agree; run again, it sends nothing.
 */
export async function sendDemoImpactNote(tx: Db, now = new Date()): Promise<void> {
  const [event] = await tx.select({ id: events.id, title: events.title, slug: events.slug }).from(events).where(eq(events.slug, 'westminster-round-table'));
  if (!event) return;
  const [note] = await tx
    .update(impactNotes)
    .set({ sentAt: now, updatedAt: now })
    .where(and(eq(impactNotes.eventId, event.id), isNull(impactNotes.sentAt)))
    .returning({ body: impactNotes.body });
  if (!note) return;
  const quotes = (await quotableAnswers(tx, event.id, { quotedOnly: true })).map((q) => q.value);
  const places = await tx
    .select({ email: registrations.email, name: registrations.name, status: registrations.status })
    .from(registrations)
    .where(and(eq(registrations.eventId, event.id), inArray(registrations.status, ['attended', 'confirmed'])))
    .orderBy(sql`${registrations.status} = 'attended' desc`);
  const seen = new Set<string>();
  for (const person of places) {
    if (seen.has(person.email)) continue;
    seen.add(person.email);
    await enqueueEmail(tx, {
      because: 'event.impact-note-sent',
      to: person.email,
      template: 'impact-note',
      data: { name: person.name, title: event.title, note: note.body, quotes, eventPath: `/events/${event.slug}`, tookPart: person.status === 'attended' },
    });
  }
}
