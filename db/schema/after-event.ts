// After the event: hours of learning (CPD) and certificates of attendance; feedback surveys,
// their private links and their answers.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';
import { programmeSessions } from './planning.ts';
import { registrations } from './registration.ts';

/** Hours of learning the organisers give an event, in minutes; no row: the event's length. */
export const eventCpd = pgTable('event_cpd', {
  eventId: uuid('event_id')
    .primaryKey()
    .references(() => events.id, { onDelete: 'cascade' }),
  minutes: integer('minutes'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Hours of learning per programme session; when any are set, the certificate lists them. */
export const sessionCpd = pgTable('session_cpd', {
  sessionId: uuid('session_id')
    .primaryKey()
    .references(() => programmeSessions.id, { onDelete: 'cascade' }),
  minutes: integer('minutes').notNull(),
});

/**
 * A certificate of attendance. The verification code is printed on the certificate for anyone
 * the holder shows it to, and opens only the name, event and date: a proof meant to be shared,
 * not a private link to anything, so it is kept as it is (the PDF is made again from it). It is
 * valid only while its booking is checked in (undoing a check-in revokes it) and until it is
 * replaced (a corrected name gives a new certificate and code).
 */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    /** 26 characters of Crockford base32 (130 bits, 128 of them random). */
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    replacedAt: timestamp('replaced_at', { withTimezone: true }),
    /** When the "thank you" email with it went (kept across a corrected name, so once per person). */
    thankedAt: timestamp('thanked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('certificates_current_idx').on(t.registrationId).where(sql`${t.replacedAt} is null`), index('certificates_event_idx').on(t.eventId)],
);

/** People who came; the planning group; people who booked but did not come (if the organisers choose). */
export const surveyAudiences = ['attendees', 'planners', 'no_shows'] as const;
export type SurveyAudience = (typeof surveyAudiences)[number];
export const surveyQuestionKinds = ['rating', 'choice', 'text'] as const;
export type SurveyQuestionKind = (typeof surveyQuestionKinds)[number];

/** One feedback survey per event and audience. */
export const surveys = pgTable(
  'surveys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    audience: text('audience', { enum: surveyAudiences }).notNull(),
    /** Anonymous: answers keep no link to the person or their invitation. */
    anonymous: boolean('anonymous').notNull().default(true),
    /** Hours after the event ends that the invitations go. */
    sendAfterHours: integer('send_after_hours').notNull().default(2),
    /** Whether it is sent at all: the no-shows' survey starts off, the others on. */
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('surveys_event_audience_idx').on(t.eventId, t.audience)],
);

export const surveyQuestions = pgTable(
  'survey_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: surveyQuestionKinds }).notNull(),
    label: text('label').notNull(),
    /** Choices; a rating's scale words, lowest first (1 … n). */
    options: jsonb('options').$type<string[]>().notNull().default([]),
    position: integer('position').notNull().default(0),
  },
  (t) => [index('survey_questions_survey_idx').on(t.surveyId, t.position)],
);

/**
 * Who was asked. Only the SHA-256 of each link's token is kept; the link works once. Either a
 * booking (attendees) or a planning-group member (planners).
 */
export const surveyInvitations = pgTable(
  'survey_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    registrationId: uuid('registration_id').references(() => registrations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id'),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    tokenHash: text('token_hash').unique(),
    invitedAt: timestamp('invited_at', { withTimezone: true }).notNull().defaultNow(),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    answered: boolean('answered').notNull().default(false),
  },
  (t) => [
    uniqueIndex('survey_invitations_registration_idx').on(t.surveyId, t.registrationId),
    uniqueIndex('survey_invitations_person_idx').on(t.surveyId, t.personId),
  ],
);

/**
 * One answer to a survey. For an anonymous survey it has no invitation and no time (a time
 * could be matched with the moment an invitation was marked answered).
 */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    /** Named surveys only. */
    invitationId: uuid('invitation_id').references(() => surveyInvitations.id, { onDelete: 'set null' }),
    respondentName: text('respondent_name').notNull().default(''),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    /**
     * Named surveys only: whose answer it is, kept after the invitation is forgotten, so the
     * person's data export finds it and erasure or retention removes the name.
     */
    registrationId: uuid('registration_id').references(() => registrations.id, { onDelete: 'set null' }),
    personId: uuid('person_id').references(() => people.id, { onDelete: 'set null' }),
    /** The person agreed that their written answers may be quoted, without their name. */
    consentToQuote: boolean('consent_to_quote').notNull().default(false),
  },
  (t) => [index('survey_responses_survey_idx').on(t.surveyId)],
);

export const surveyAnswers = pgTable(
  'survey_answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    responseId: uuid('response_id')
      .notNull()
      .references(() => surveyResponses.id, { onDelete: 'cascade' }),
    questionId: uuid('question_id')
      .notNull()
      .references(() => surveyQuestions.id, { onDelete: 'cascade' }),
    /** The rating (1 … n), the choice, or the text typed. */
    value: text('value').notNull(),
    /** Free text an organiser has read and cleared for quoting in public. */
    approvedForPublic: boolean('approved_for_public').notNull().default(false),
    /** Chosen by the leads to quote in the event's "you said, we did" note (only if cleared and consented). */
    quoted: boolean('quoted').notNull().default(false),
  },
  (t) => [index('survey_answers_question_idx').on(t.questionId)],
);
