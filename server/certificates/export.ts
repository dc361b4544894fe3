// What came after an event, for a person's data export: their certificates of attendance and
// their answers to named feedback surveys. An anonymous survey's answers hold no link to anyone,
// so they cannot be found for anyone (and are not theirs to be given as someone's). A companion's
// certificate is the companion's, not the booker's, so it is left out.
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { certificates, events, registrations, surveyAnswers, surveyQuestions, surveyResponses, surveys } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { groupedCode } from './codes.ts';

export interface AfterEventExport {
  /** Every certificate issued to the person, including ones replaced by a corrected name (no longer valid). */
  certificates: { eventTitle: string; name: string; code: string; issuedAt: string; valid: boolean }[];
  /** Answers the person gave to feedback surveys that were not anonymous. */
  feedback: {
    eventTitle: string;
    survey: 'attendees' | 'planners' | 'no_shows';
    question: string;
    answer: string;
    answeredAt: string | null;
    agreedToBeQuoted: boolean;
  }[];
}

export async function afterEventOf(db: Db, person: { id: string; email: string }): Promise<AfterEventExport> {
  const bookings = await db
    .select({ id: registrations.id, status: registrations.status })
    .from(registrations)
    .where(and(isNull(registrations.companionOfId), or(eq(registrations.personId, person.id), eq(registrations.email, person.email))));
  const ids = bookings.map((b) => b.id);
  const attended = new Set(bookings.filter((b) => b.status === 'attended').map((b) => b.id));
  const issued = ids.length
    ? await db
        .select({
          registrationId: certificates.registrationId,
          eventTitle: events.title,
          name: certificates.name,
          code: certificates.code,
          issuedAt: certificates.issuedAt,
          replacedAt: certificates.replacedAt,
        })
        .from(certificates)
        .innerJoin(events, eq(events.id, certificates.eventId))
        .where(inArray(certificates.registrationId, ids))
        .orderBy(asc(certificates.issuedAt))
    : [];
  const answers = await db
    .select({
      eventTitle: events.title,
      survey: surveys.audience,
      question: surveyQuestions.label,
      answer: surveyAnswers.value,
      options: surveyQuestions.options,
      kind: surveyQuestions.kind,
      answeredAt: surveyResponses.submittedAt,
      agreed: surveyResponses.consentToQuote,
    })
    .from(surveyResponses)
    .innerJoin(surveys, eq(surveys.id, surveyResponses.surveyId))
    .innerJoin(events, eq(events.id, surveys.eventId))
    .innerJoin(surveyAnswers, eq(surveyAnswers.responseId, surveyResponses.id))
    .innerJoin(surveyQuestions, eq(surveyQuestions.id, surveyAnswers.questionId))
    .where(or(eq(surveyResponses.personId, person.id), ...(ids.length ? [inArray(surveyResponses.registrationId, ids)] : [])))
    .orderBy(asc(surveyResponses.submittedAt), asc(surveyQuestions.position));
  return {
    certificates: issued.map((c) => ({
      eventTitle: c.eventTitle,
      name: c.name,
      code: groupedCode(c.code),
      issuedAt: c.issuedAt.toISOString(),
      valid: c.replacedAt === null && attended.has(c.registrationId),
    })),
    feedback: answers.map((a) => ({
      eventTitle: a.eventTitle,
      survey: a.survey,
      question: a.question,
      // A rating is kept as its point on the scale: give its words too.
      answer: a.kind === 'rating' ? `${a.answer} (${a.options[Number(a.answer) - 1] ?? ''})` : a.answer,
      answeredAt: a.answeredAt ? a.answeredAt.toISOString() : null,
      agreedToBeQuoted: a.agreed,
    })),
  };
}
