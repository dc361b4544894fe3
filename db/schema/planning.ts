// Planning an event together: its planning group, programme, tasks, discussion and decisions,
// planning meetings, the 4PI record, involvement payments, publishing overrides, the impact note
// and resources. Everything here belongs to one event and is seen only by its planning group,
// organisers and admins, except the programme, the published 4PI statements and resources.
import { sql } from 'drizzle-orm';
import { boolean, customType, date, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';

// No role here opens bursary data: the bursary panel is appointed by organisers apart from the
// group (bursary_panel_members); the old 'bursary_reviewer' role became 'note_taker' in migration.
export const planningRoles = ['lead', 'co_lead', 'speaker', 'facilitator', 'note_taker', 'access_lead'] as const;
export type PlanningRole = (typeof planningRoles)[number];

export const plannerPerspectives = ['lived_experience', 'carer', 'practitioner', 'academic', 'other'] as const;
export type PlannerPerspective = (typeof plannerPerspectives)[number];

export const memberStatuses = ['invited', 'accepted', 'declined'] as const;
export type MemberStatus = (typeof memberStatuses)[number];

export const planningMembers = pgTable(
  'planning_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    role: text('role', { enum: planningRoles }).notNull(),
    /** Self-declared, optional, and visible only inside the planning group. */
    perspective: text('perspective', { enum: plannerPerspectives }),
    status: text('status', { enum: memberStatuses }).notNull().default('invited'),
    invitedBy: uuid('invited_by').references(() => people.id, { onDelete: 'set null' }),
    invitedAt: timestamp('invited_at', { withTimezone: true }).notNull().defaultNow(),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
  },
  (t) => [unique('planning_members_event_person').on(t.eventId, t.personId), index('planning_members_person_idx').on(t.personId)],
);

/** A session in the event's programme; public once the event is published. */
export const programmeSessions = pgTable(
  'programme_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** Planning-group members speaking (their display names are shown). */
    speakerIds: uuid('speaker_ids').array().notNull().default([]),
    /** Speakers from outside the group, as they wish to be named. */
    guestSpeakers: text('guest_speakers').notNull().default(''),
    room: text('room').notNull().default(''),
    /** For calendars (DTSTAMP, LAST-MODIFIED, SEQUENCE): every UPDATE moves both on. */
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdateFn(() => sql`now()`),
    sequence: integer('sequence')
      .notNull()
      .default(0)
      // Without a default of its own, Drizzle would use the update expression on INSERT too.
      .$defaultFn(() => 0)
      .$onUpdateFn(() => sql`"programme_sessions"."sequence" + 1`),
  },
  (t) => [index('programme_sessions_event_idx').on(t.eventId, t.startsAt)],
);

export const planningTasks = pgTable(
  'planning_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    ownerId: uuid('owner_id').references(() => people.id, { onDelete: 'set null' }),
    /** A calendar day in London. */
    dueOn: date('due_on', { mode: 'string' }),
    doneAt: timestamp('done_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('planning_tasks_event_idx').on(t.eventId)],
);

export const planningPosts = pgTable(
  'planning_posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => people.id, { onDelete: 'set null' }),
    /** Markdown. */
    body: text('body').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('planning_posts_event_idx').on(t.eventId, t.at)],
);

/** The decision log: who decided what, and when. */
export const planningDecisions = pgTable(
  'planning_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    decision: text('decision').notNull(),
    /** Who decided, in the group's words ("the whole group", "Sam and Ade"). */
    decidedBy: text('decided_by').notNull(),
    decidedOn: date('decided_on', { mode: 'string' }).notNull(),
    recordedBy: uuid('recorded_by').references(() => people.id, { onDelete: 'set null' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('planning_decisions_event_idx').on(t.eventId, t.decidedOn)],
);

export const planningMeetings = pgTable(
  'planning_meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    place: text('place').notNull().default(''),
    joinUrl: text('join_url').notNull().default(''),
    notes: text('notes').notNull().default(''),
    /** The calendar UID never changes; updates and cancellations raise the sequence. */
    uid: text('uid').notNull().unique(),
    sequence: integer('sequence').notNull().default(0),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    organiserId: uuid('organiser_id').references(() => people.id, { onDelete: 'set null' }),
    /** For calendars (DTSTAMP, LAST-MODIFIED) and feed validators: every UPDATE moves it on. */
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdateFn(() => sql`now()`),
  },
  (t) => [index('planning_meetings_event_idx').on(t.eventId, t.startsAt)],
);

/** The 4PI record (Principles, Purpose, Presence, Process, Impact); Presence is computed. */
export const fourPiRecords = pgTable('four_pi_records', {
  eventId: uuid('event_id')
    .primaryKey()
    .references(() => events.id, { onDelete: 'cascade' }),
  /** Published with the event. */
  principles: text('principles').notNull().default(''),
  /** Published with the event. */
  purpose: text('purpose').notNull().default(''),
  preMeetings: boolean('pre_meetings').notNull().default(false),
  accessiblePapers: boolean('accessible_papers').notNull().default(false),
  expensesInAdvance: boolean('expenses_in_advance').notNull().default(false),
  otherSupport: text('other_support').notNull().default(''),
  impact: text('impact').notNull().default(''),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by').references(() => people.id, { onDelete: 'set null' }),
});

export const involvementActivities = ['meeting', 'preparation', 'speaking'] as const;
export type InvolvementActivity = (typeof involvementActivities)[number];
export const involvementChoices = ['paid', 'vouchers', 'organisation', 'declined'] as const;
export type InvolvementChoice = (typeof involvementChoices)[number];

/** Time a planner gave, valued at the Hub's hourly rate when logged. */
export const involvementItems = pgTable(
  'involvement_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    activity: text('activity', { enum: involvementActivities }).notNull(),
    description: text('description').notNull().default(''),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    minutes: integer('minutes').notNull(),
    ratePencePerHour: integer('rate_pence_per_hour').notNull(),
    amountPence: integer('amount_pence').notNull(),
    choice: text('choice', { enum: involvementChoices }).notNull(),
    organisationName: text('organisation_name').notNull().default(''),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    paidBy: uuid('paid_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('involvement_items_event_idx').on(t.eventId), index('involvement_items_person_idx').on(t.personId, t.occurredOn)],
);

/** Hub-wide involvement settings: one row, key 'hub'. */
export const involvementSettings = pgTable('involvement_settings', {
  key: text('key').primaryKey(),
  ratePencePerHour: integer('rate_pence_per_hour').notNull(),
  updatedBy: uuid('updated_by').references(() => people.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A person's own limit on paid involvement per tax year (people on benefits often need one). */
export const involvementCaps = pgTable('involvement_caps', {
  personId: uuid('person_id')
    .primaryKey()
    .references(() => people.id, { onDelete: 'cascade' }),
  capPence: integer('cap_pence').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** An organiser published although readiness items were missing: what, why, who. */
export const publishOverrides = pgTable(
  'publish_overrides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    missing: text('missing').array().notNull(),
    reason: text('reason').notNull(),
    actorId: uuid('actor_id').references(() => people.id, { onDelete: 'set null' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('publish_overrides_event_idx').on(t.eventId)],
);

/** "You said, we did": sent once to attendees and the planning group after the event. */
export const impactNotes = pgTable('impact_notes', {
  eventId: uuid('event_id')
    .primaryKey()
    .references(() => events.id, { onDelete: 'cascade' }),
  body: text('body').notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  sentBy: uuid('sent_by').references(() => people.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

export const resourceKinds = ['file', 'link'] as const;

/** Reports, slides and links for an event; the file itself is kept in the database, never on disk. */
export const eventResources = pgTable(
  'event_resources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: resourceKinds }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    url: text('url').notNull().default(''),
    filename: text('filename').notNull().default(''),
    contentType: text('content_type').notNull().default(''),
    sizeBytes: integer('size_bytes').notNull().default(0),
    content: bytea('content'),
    addedBy: uuid('added_by').references(() => people.id, { onDelete: 'set null' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('event_resources_event_idx').on(t.eventId, t.addedAt)],
);
