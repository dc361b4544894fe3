// Proposals: anyone signed in suggests an event; the steering group reviews it and decides.
// States follow ../shared/DOMAIN.md:
// draft → submitted → (changes_requested → submitted)* → accepted | declined, or withdrawn.
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { eventFormats, events, eventTypes } from './events.ts';

export const proposalStatuses = ['draft', 'submitted', 'changes_requested', 'accepted', 'declined', 'withdrawn'] as const;
export type ProposalStatus = (typeof proposalStatuses)[number];

export const proposals = pgTable(
  'proposals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => people.id, { onDelete: 'restrict' }),
    status: text('status', { enum: proposalStatuses }).notNull().default('draft'),
    title: text('title').notNull(),
    type: text('type', { enum: eventTypes }).notNull(),
    summary: text('summary').notNull().default(''),
    purpose: text('purpose').notNull().default(''),
    audience: text('audience').notNull().default(''),
    format: text('format', { enum: eventFormats }).notNull().default('in_person'),
    place: text('place').notNull().default(''),
    expectedNumbers: integer('expected_numbers'),
    accessibilityPlan: text('accessibility_plan').notNull().default(''),
    coproductionPlan: text('coproduction_plan').notNull().default(''),
    budgetNeeds: text('budget_needs').notNull().default(''),
    /** Pence asked for the event's bursary fund; null when none is asked for. */
    bursaryBudgetPence: integer('bursary_budget_pence'),
    /** Set when the proposal is accepted: the event it became. */
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'set null' }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('proposals_author_idx').on(t.authorId), index('proposals_status_idx').on(t.status, t.submittedAt)],
);

/** The dates the proposers suggest; the planning group settles the real one. */
export const proposalDateOptions = pgTable(
  'proposal_date_options',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    proposalId: uuid('proposal_id')
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }),
  },
  (t) => [index('proposal_date_options_proposal_idx').on(t.proposalId)],
);

/** The author and the co-proposers they invited by email (each becomes a known person). */
export const proposalProposers = pgTable(
  'proposal_proposers',
  {
    proposalId: uuid('proposal_id')
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    isAuthor: boolean('is_author').notNull().default(false),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.personId] }), index('proposal_proposers_person_idx').on(t.personId)],
);

/**
 * Invitations to co-propose, sent by email. Nothing exists for the invitee (no account, no
 * membership) until they accept through the private link; only the link's SHA-256 is stored.
 */
export const proposalInvitations = pgTable(
  'proposal_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    proposalId: uuid('proposal_id')
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    /** Lower-case. */
    email: text('email').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: uuid('invited_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    declinedAt: timestamp('declined_at', { withTimezone: true }),
  },
  (t) => [index('proposal_invitations_proposal_idx').on(t.proposalId, t.email)],
);

export const proposalEntryKinds = [
  'created',
  'submitted',
  'resubmitted',
  'comment',
  'changes_requested',
  'accepted',
  'declined',
  'withdrawn',
  'co_proposer_added',
] as const;
export type ProposalEntryKind = (typeof proposalEntryKinds)[number];

/** The proposal's history and messages, all visible to its proposers. Never deleted. */
export const proposalEntries = pgTable(
  'proposal_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    proposalId: uuid('proposal_id')
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: proposalEntryKinds }).notNull(),
    actorId: uuid('actor_id').references(() => people.id, { onDelete: 'set null' }),
    message: text('message').notNull().default(''),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('proposal_entries_proposal_idx').on(t.proposalId, t.at)],
);

/** Notes reviewers keep for each other; proposers never see them. */
export const proposalReviewerNotes = pgTable(
  'proposal_reviewer_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    proposalId: uuid('proposal_id')
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => people.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('proposal_reviewer_notes_proposal_idx').on(t.proposalId, t.at)],
);

/** The review rubric: each criterion scored 1 (weak) to 5 (strong). */
export const rubricCriteria = ['purpose', 'coproduction', 'accessibility', 'feasibility'] as const;
export type RubricCriterion = (typeof rubricCriteria)[number];

/** One reviewer's score; others' scores are shown to a reviewer only after they give their own. */
export const proposalScores = pgTable(
  'proposal_scores',
  {
    proposalId: uuid('proposal_id')
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    reviewerId: uuid('reviewer_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    purpose: integer('purpose').notNull(),
    coproduction: integer('coproduction').notNull(),
    accessibility: integer('accessibility').notNull(),
    feasibility: integer('feasibility').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.reviewerId] })],
);
