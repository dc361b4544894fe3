// The Hub's mailing list: people who asked to hear about new events, with what they consented to
// and when. Joining takes two steps (double opt-in): the form stores a request and emails the
// address a link; only following it makes a subscriber. Whoever leaves the list, or whose mail
// bounces, goes on the suppression list, which every later send to the list checks.
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';

/** What a subscriber wants to hear about; empty lists mean "everything". */
export interface ListInterests {
  types: string[];
  formats: string[];
  regions: string[];
}

/** How someone's consent was given. */
/** `imported`: brought from an older list whose record says when and how the person agreed. */
export const consentMethods = ['web_form', 'account_setting', 'booking_form', 'existing_preference', 'imported'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

export const subscriberStatuses = ['subscribed', 'unsubscribed'] as const;

export const listSubscribers = pgTable(
  'list_subscribers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Lower-case, one row per address. */
    email: text('email').notNull().unique(),
    name: text('name').notNull().default(''),
    interests: jsonb('interests').$type<ListInterests>().notNull().default({ types: [], formats: [], regions: [] }),
    status: text('status', { enum: subscriberStatuses }).notNull().default('subscribed'),
    /** The account this address belongs to, if any: its profile setting is this subscription. */
    personId: uuid('person_id').references(() => people.id, { onDelete: 'set null' }),
    consentedAt: timestamp('consented_at', { withTimezone: true }).notNull(),
    /** The words the person agreed to, as they were shown. */
    consentWording: text('consent_wording').notNull(),
    consentMethod: text('consent_method', { enum: consentMethods }).notNull(),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('list_subscribers_person_idx').on(t.personId)],
);

/** A "join the list" form sent and not yet confirmed from its email. */
export const listJoinRequests = pgTable(
  'list_join_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    interests: jsonb('interests').$type<ListInterests>().notNull(),
    consentWording: text('consent_wording').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    requestedIp: text('requested_ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('list_join_requests_ip_idx').on(t.requestedIp, t.createdAt), index('list_join_requests_email_idx').on(t.email, t.createdAt)],
);

export const suppressionReasons = ['unsubscribed', 'bounced', 'complained'] as const;

/**
 * Addresses no list message may go to, whatever else says otherwise. Kept as a SHA-256 of the
 * lower-case address, so that honouring "never again" does not mean keeping the address itself
 * after its owner is erased.
 */
export const mailSuppressions = pgTable('mail_suppressions', {
  emailHash: text('email_hash').primaryKey(),
  reason: text('reason', { enum: suppressionReasons }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const announcementStatuses = ['draft', 'sent'] as const;

/**
 * An email to the mailing list, written by an organiser. Sending queues one outbox message per
 * subscriber in the audience (each carrying this id), spaced to the configured rate; the counts
 * below are kept as the sender works, because sent email leaves the outbox after a while.
 */
export const announcements = pgTable('announcements', {
  id: uuid('id').primaryKey().defaultRandom(),
  subject: text('subject').notNull(),
  /** Markdown, sanitised when rendered. */
  body: text('body').notNull(),
  /** Who it is for: subscribers whose interests meet these (an empty list means anyone). */
  audience: jsonb('audience').$type<ListInterests>().notNull().default({ types: [], formats: [], regions: [] }),
  /** The event it announces, when it was made from one. */
  eventId: uuid('event_id').references(() => events.id, { onDelete: 'set null' }),
  status: text('status', { enum: announcementStatuses }).notNull().default('draft'),
  createdBy: uuid('created_by').references(() => people.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  sentBy: uuid('sent_by').references(() => people.id, { onDelete: 'set null' }),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  audienceSize: integer('audience_size').notNull().default(0),
  deliveredCount: integer('delivered_count').notNull().default(0),
  failedCount: integer('failed_count').notNull().default(0),
  /** Messages not sent because their subscriber left the list after it was queued. */
  skippedCount: integer('skipped_count').notNull().default(0),
  /** Copies the receiving mail server refused for good (no such mailbox): their addresses left the list. */
  bouncedCount: integer('bounced_count').notNull().default(0),
});
