// Feedback surveys: one per event for the people who came, and one for its planning group about
// working together. Each starts from a sensible default set, which the event's leads and the
// organisers may shape until the first answer arrives. After the event a timed job sends each
// person a private link that works once, and a reminder once. An anonymous survey's answers keep
// no link at all to who gave them: no invitation, no name, no time.
import { and, asc, eq, inArray, isNull, lte, max, sql } from 'drizzle-orm';
import {
  events,
  people,
  planningMembers,
  registrations,
  surveyAnswers,
  surveyInvitations,
  surveyQuestions,
  surveyResponses,
  surveys,
  surveyAudiences,
  type SurveyAudience,
  type SurveyQuestionKind,
} from '../../db/schema/index.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { enqueueEmail, isErasedAddress } from '../mail/outbox.ts';
import { defaultQuestions } from './defaults.ts';

export type SurveyRow = typeof surveys.$inferSelect;
export type QuestionRow = typeof surveyQuestions.$inferSelect;

export const REMIND_AFTER_MS = 7 * 86_400_000;
export const SEND_WITHIN_MS = 30 * 86_400_000;
export const MAX_TEXT = 2000;

/** The event's survey for an audience, made from the defaults the first time it is asked for. */
export async function ensureSurvey(db: Db, eventId: string, audience: SurveyAudience): Promise<SurveyRow> {
  const [existing] = await db
    .select()
    .from(surveys)
    .where(and(eq(surveys.eventId, eventId), eq(surveys.audience, audience)));
  if (existing) return existing;
  // The no-shows' survey is the organisers' choice: it starts off.
  const [made] = await db
    .insert(surveys)
    .values({ eventId, audience, enabled: audience !== 'no_shows' })
    .onConflictDoNothing()
    .returning();
  if (!made) return ensureSurvey(db, eventId, audience);
  await db
    .insert(surveyQuestions)
    .values(defaultQuestions[audience].map((q, position) => ({ surveyId: made.id, kind: q.kind, label: q.label, options: q.options, position })));
  return made;
}

export async function listQuestions(db: Db, surveyId: string): Promise<QuestionRow[]> {
  return db.select().from(surveyQuestions).where(eq(surveyQuestions.surveyId, surveyId)).orderBy(asc(surveyQuestions.position), asc(surveyQuestions.label));
}

export async function responseCount(db: Db, surveyId: string): Promise<number> {
  return db.$count(surveyResponses, eq(surveyResponses.surveyId, surveyId));
}

/** Shaping stops once anyone has answered: the answers must mean what was asked. */
async function requireNoAnswers(db: Db, surveyId: string): Promise<void> {
  if ((await responseCount(db, surveyId)) > 0)
    throw new ConflictError('survey_answered', 'People have started answering this survey, so its questions and whether it is anonymous can no longer change.');
}

export interface QuestionInput {
  kind: SurveyQuestionKind;
  label: string;
  /** One option per line (choices; a rating's scale, lowest first). */
  options: string;
}

export async function addQuestion(db: Database, survey: SurveyRow, input: QuestionInput, actor: Me): Promise<void> {
  const label = input.label.trim();
  const options = input.options
    .split('\n')
    .map((o) => o.trim())
    .filter(Boolean);
  const errors: FieldError[] = [];
  if (!label) errors.push({ field: 'label', message: 'Enter the question' });
  if (input.kind === 'choice' && options.length < 2) errors.push({ field: 'options', message: 'Enter at least two choices, one on each line' });
  if (input.kind === 'rating' && options.length > 0 && (options.length < 2 || options.length > 10))
    errors.push({ field: 'options', message: 'A scale has from 2 to 10 points, one on each line' });
  if (options.some((o) => o.length > 200)) errors.push({ field: 'options', message: 'Each choice must be 200 characters or fewer' });
  if (errors.length) throw new InvalidInputError(errors);
  await db.transaction(async (tx) => {
    await tx.select({ id: surveys.id }).from(surveys).where(eq(surveys.id, survey.id)).for('update');
    await requireNoAnswers(tx, survey.id);
    const [last] = await tx
      .select({ position: max(surveyQuestions.position) })
      .from(surveyQuestions)
      .where(eq(surveyQuestions.surveyId, survey.id));
    const scale = input.kind === 'rating' && options.length === 0 ? defaultQuestions.attendees[0]!.options : options;
    await tx
      .insert(surveyQuestions)
      .values({ surveyId: survey.id, kind: input.kind, label, options: input.kind === 'text' ? [] : scale, position: (last?.position ?? -1) + 1 });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'survey.question.added',
      subjectType: 'event',
      subjectId: survey.eventId,
      details: { audience: survey.audience },
    });
  });
}

export async function changeQuestion(db: Database, survey: SurveyRow, questionId: string, change: 'up' | 'down' | 'remove', actor: Me): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.select({ id: surveys.id }).from(surveys).where(eq(surveys.id, survey.id)).for('update');
    await requireNoAnswers(tx, survey.id);
    const questions = await listQuestions(tx, survey.id);
    const index = questions.findIndex((q) => q.id === questionId);
    if (index < 0) throw new NotFoundError('We could not find that question.');
    if (change === 'remove') {
      await tx.delete(surveyQuestions).where(and(eq(surveyQuestions.id, questionId), eq(surveyQuestions.surveyId, survey.id)));
    } else {
      const other = change === 'up' ? index - 1 : index + 1;
      if (other < 0 || other >= questions.length) return;
      [questions[index], questions[other]] = [questions[other]!, questions[index]!];
      for (const [position, q] of questions.entries()) await tx.update(surveyQuestions).set({ position }).where(eq(surveyQuestions.id, q.id));
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: `survey.question.${change === 'remove' ? 'removed' : 'moved'}`,
      subjectType: 'event',
      subjectId: survey.eventId,
      details: { audience: survey.audience },
    });
  });
}

export async function changeSettings(
  db: Database,
  survey: SurveyRow,
  input: { anonymous: boolean; sendAfterHours: number; enabled: boolean },
  actor: Me,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.select({ id: surveys.id }).from(surveys).where(eq(surveys.id, survey.id)).for('update');
    if (input.anonymous !== survey.anonymous) {
      await requireNoAnswers(tx, survey.id);
      // The invitations already sent told people whether their answers are anonymous.
      if ((await tx.$count(surveyInvitations, eq(surveyInvitations.surveyId, survey.id))) > 0) {
        throw new ConflictError('survey_invited', 'People have been invited to this survey and told whether it is anonymous, so that can no longer change.');
      }
    }
    await tx.update(surveys).set({ anonymous: input.anonymous, sendAfterHours: input.sendAfterHours, enabled: input.enabled }).where(eq(surveys.id, survey.id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'survey.settings.changed',
      subjectType: 'event',
      subjectId: survey.eventId,
      details: { audience: survey.audience, ...input },
    });
  });
}

// ---- Sending ----

const eventEnd = sql`coalesce(${events.endsAt}, ${events.startsAt})`;

/** Invites everyone due, then reminds once those who have not answered after a week. */
export async function sendDueSurveys(db: Database, now: Date = new Date()): Promise<{ invited: number; reminded: number }> {
  const ended = await db
    .select({ id: events.id, title: events.title })
    .from(events)
    .where(
      and(
        inArray(events.status, ['published', 'completed']),
        sql`${eventEnd} <= ${now.toISOString()}::timestamptz`,
        sql`${eventEnd} > ${new Date(now.getTime() - SEND_WITHIN_MS).toISOString()}::timestamptz`,
      ),
    );
  let invited = 0;
  // One event's failure is reported after the others have had their turn, not instead of them.
  const failures: unknown[] = [];
  for (const event of ended) {
    for (const audience of surveyAudiences) {
      invited += await db
        .transaction(async (tx) => {
          const survey = await ensureSurvey(tx, event.id, audience);
          if (!survey.enabled) return 0;
          const [due] = await tx
            .select({ due: sql<boolean>`${eventEnd} + make_interval(hours => ${surveys.sendAfterHours}) <= ${now.toISOString()}::timestamptz` })
            .from(surveys)
            .innerJoin(events, eq(events.id, surveys.eventId))
            .where(eq(surveys.id, survey.id))
            .for('update', { of: surveys });
          if (!due?.due) return 0;
          const people_ =
            audience === 'planners' ? await plannersToAsk(tx, event.id, survey.id) : await bookersToAsk(tx, event.id, survey.id, audience === 'no_shows');
          for (const person of people_) {
            const token = newSecret();
            await tx.insert(surveyInvitations).values({
              surveyId: survey.id,
              registrationId: person.registrationId,
              personId: person.personId,
              email: person.email,
              name: person.name,
              tokenHash: hashSecret(token),
              invitedAt: now,
            });
            await enqueueEmail(tx, {
              because: 'survey.invitation-due',
              to: person.email,
              template: 'survey-invitation',
              data: {
                name: person.name,
                eventTitle: event.title,
                surveyPath: `/surveys/${token}`,
                anonymous: survey.anonymous,
                planner: audience === 'planners',
                noShow: audience === 'no_shows',
                reminder: false,
              },
            });
          }
          return people_.length;
        })
        .catch((error: unknown) => {
          failures.push(error);
          return 0;
        });
    }
  }
  const reminded = await db.transaction(async (tx) => {
    const due = await tx
      .select({
        id: surveyInvitations.id,
        email: surveyInvitations.email,
        name: surveyInvitations.name,
        anonymous: surveys.anonymous,
        audience: surveys.audience,
        title: events.title,
      })
      .from(surveyInvitations)
      .innerJoin(surveys, eq(surveys.id, surveyInvitations.surveyId))
      .innerJoin(events, eq(events.id, surveys.eventId))
      .where(
        and(
          eq(surveyInvitations.answered, false),
          isNull(surveyInvitations.remindedAt),
          lte(surveyInvitations.invitedAt, new Date(now.getTime() - REMIND_AFTER_MS)),
          sql`${events.status} <> 'cancelled'`,
        ),
      )
      .limit(200)
      .for('update', { of: surveyInvitations, skipLocked: true });
    for (const invitation of due) {
      // A fresh link: only hashes are kept, so the first one cannot be sent again.
      const token = newSecret();
      await tx
        .update(surveyInvitations)
        .set({ tokenHash: hashSecret(token), remindedAt: now })
        .where(eq(surveyInvitations.id, invitation.id));
      await enqueueEmail(tx, {
        because: 'survey.reminder-due',
        to: invitation.email,
        template: 'survey-invitation',
        data: {
          name: invitation.name,
          eventTitle: invitation.title,
          surveyPath: `/surveys/${token}`,
          anonymous: invitation.anonymous,
          planner: invitation.audience === 'planners',
          noShow: invitation.audience === 'no_shows',
          reminder: true,
        },
      });
    }
    return due.length;
  });
  await forgetEndedInvitations(db, now);
  if (failures.length) throw new AggregateError(failures, `Survey invitations failed for ${failures.length} event survey(s); the rest were sent`);
  return { invited, reminded };
}

/** Links end with their purpose: some time after the last reminder, who was asked is forgotten. */
export const FORGET_INVITATIONS_MS = 60 * 86_400_000;

async function forgetEndedInvitations(db: Database, now: Date): Promise<void> {
  const before = new Date(now.getTime() - FORGET_INVITATIONS_MS).toISOString();
  await db
    .delete(surveyInvitations)
    .where(
      sql`${surveyInvitations.surveyId} in (select s.id from ${surveys} s join ${events} e on e.id = s.event_id where coalesce(e.ends_at, e.starts_at) < ${before}::timestamptz)`,
    );
}

interface ToAsk {
  registrationId: string | null;
  personId: string | null;
  email: string;
  name: string;
}

/**
 * People checked in; or, for the no-shows' survey, people whose place was confirmed but who were
 * not checked in. That is only known when the event used check-in: with nobody checked in, nobody
 * is asked why they did not come.
 *
 * One link a person, asked once: someone can hold two places at one event (booked for themselves
 * and again by an organiser, say), and the invitations table allows one a person a survey. Two
 * bookings once broke that rule inside the job's transaction, and the job then stopped, at every
 * run, before the events after it. Bookings without an account each get their link: two people
 * may share one address (a carer's, say).
 */
async function bookersToAsk(tx: Db, eventId: string, surveyId: string, noShows: boolean): Promise<ToAsk[]> {
  if (noShows && (await tx.$count(registrations, and(eq(registrations.eventId, eventId), eq(registrations.status, 'attended')))) === 0) return [];
  const rows = await tx
    .select({ registrationId: registrations.id, personId: registrations.personId, email: registrations.email, name: registrations.name })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, eventId),
        eq(registrations.status, noShows ? 'confirmed' : 'attended'),
        isNull(registrations.companionOfId),
        // Checked in on another of their places (or their companion was), they came: not someone "we missed".
        ...(noShows
          ? [
              sql`not exists (select 1 from ${registrations} came where came.event_id = ${eventId}
                and came.person_id = ${registrations.personId} and came.status = 'attended')`,
            ]
          : []),
        sql`not exists (select 1 from ${surveyInvitations} i where i.survey_id = ${surveyId}
          and (i.registration_id = ${registrations.id} or i.person_id = ${registrations.personId}))`,
      ),
    )
    .orderBy(registrations.createdAt, registrations.id);
  const seen = new Set<string>();
  return (
    rows
      // No one to write to: a place an organiser booked for someone without email, or an erased person's.
      .filter((r) => !isErasedAddress(r.email))
      .filter((r) => r.personId === null || (!seen.has(r.personId) && seen.add(r.personId)))
  );
}

async function plannersToAsk(tx: Db, eventId: string, surveyId: string): Promise<ToAsk[]> {
  const rows = await tx
    .select({ personId: people.id, email: people.email, name: people.displayName })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(
      and(
        eq(planningMembers.eventId, eventId),
        eq(planningMembers.status, 'accepted'),
        sql`not exists (select 1 from ${surveyInvitations} i where i.survey_id = ${surveyId} and i.person_id = ${people.id})`,
      ),
    );
  return rows.map((r) => ({ ...r, registrationId: null }));
}

// ---- Answering ----

export interface OpenSurvey {
  invitationId: string;
  survey: SurveyRow;
  eventTitle: string;
  questions: QuestionRow[];
}

/** The survey a link opens, or null for no such link or one already used. */
export async function surveyForToken(db: Db, token: string): Promise<OpenSurvey | null> {
  const [row] = await db
    .select({ invitationId: surveyInvitations.id, survey: surveys, eventTitle: events.title })
    .from(surveyInvitations)
    .innerJoin(surveys, eq(surveys.id, surveyInvitations.surveyId))
    .innerJoin(events, eq(events.id, surveys.eventId))
    .where(and(eq(surveyInvitations.tokenHash, hashSecret(token)), eq(surveyInvitations.answered, false)));
  if (!row) return null;
  return { ...row, questions: await listQuestions(db, row.survey.id) };
}

/**
 * Whether a survey asks for consent to quote written answers: it has a written question and its
 * answers may be quoted (the planning group's are for organisers only).
 */
export function asksConsentToQuote(survey: Pick<SurveyRow, 'audience'>, questions: Pick<QuestionRow, 'kind'>[]): boolean {
  return survey.audience !== 'planners' && questions.some((q) => q.kind === 'text');
}

/** Checks the answers against the questions: a rating's point, one of the choices, text not too long. */
export function readAnswers(questions: QuestionRow[], body: Record<string, string | undefined>): { questionId: string; value: string }[] {
  const errors: FieldError[] = [];
  const answers: { questionId: string; value: string }[] = [];
  for (const q of questions) {
    const field = `q_${q.id}`;
    const value = (body[field] ?? '').trim();
    if (!value) continue;
    if (q.kind === 'rating' && !(/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= q.options.length))
      errors.push({ field, message: `Select one of the answers to “${q.label}”` });
    else if (q.kind === 'choice' && !q.options.includes(value)) errors.push({ field, message: `Select one of the answers to “${q.label}”` });
    else if (q.kind === 'text' && value.length > MAX_TEXT)
      errors.push({ field, message: `Your answer to “${q.label}” must be ${MAX_TEXT.toLocaleString('en-GB')} characters or fewer` });
    else answers.push({ questionId: q.id, value });
  }
  if (!errors.length && answers.length === 0) errors.push({ field: questions[0] ? `q_${questions[0].id}` : 'form', message: 'Answer at least one question' });
  if (errors.length) throw new InvalidInputError(errors);
  return answers;
}

/** Saves one answer for the link's person; the link then stops working. */
export async function submitResponse(db: Database, token: string, body: Record<string, string | undefined>): Promise<void> {
  await db.transaction(async (tx) => {
    const [invitation] = await tx
      .select({
        id: surveyInvitations.id,
        surveyId: surveyInvitations.surveyId,
        name: surveyInvitations.name,
        answered: surveyInvitations.answered,
        registrationId: surveyInvitations.registrationId,
        personId: surveyInvitations.personId,
      })
      .from(surveyInvitations)
      .where(eq(surveyInvitations.tokenHash, hashSecret(token)))
      .for('update');
    if (!invitation || invitation.answered)
      throw new ConflictError('survey_answered', 'This link has already been used to answer the survey, or it does not work. Each link works once.');
    const [survey] = await tx.select().from(surveys).where(eq(surveys.id, invitation.surveyId));
    const questions = await listQuestions(tx, invitation.surveyId);
    const answers = readAnswers(questions, body);
    // Only a clear yes is consent; no answer is a no.
    const consentToQuote = asksConsentToQuote(survey!, questions) && body.consentToQuote === 'yes';
    const [response] = await tx
      .insert(surveyResponses)
      .values(
        survey!.anonymous
          ? { surveyId: invitation.surveyId, consentToQuote }
          : {
              surveyId: invitation.surveyId,
              invitationId: invitation.id,
              respondentName: invitation.name,
              submittedAt: new Date(),
              registrationId: invitation.registrationId,
              personId: invitation.personId,
              consentToQuote,
            },
      )
      .returning({ id: surveyResponses.id });
    await tx.insert(surveyAnswers).values(answers.map((a) => ({ responseId: response!.id, questionId: a.questionId, value: a.value })));
    await tx.update(surveyInvitations).set({ answered: true, tokenHash: null }).where(eq(surveyInvitations.id, invitation.id));
  });
}
