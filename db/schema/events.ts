// Events: launch days, seminars, training events, conferences, round tables and webinars.
// Their states follow ../shared/DOMAIN.md: planning → published → (cancelled | completed).
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const eventTypes = ['launch_day', 'seminar', 'training_event', 'conference', 'round_table', 'webinar', 'other'] as const;
export type EventType = (typeof eventTypes)[number];

export const eventStatuses = ['planning', 'published', 'cancelled', 'completed'] as const;
export type EventStatus = (typeof eventStatuses)[number];

export const eventFormats = ['in_person', 'online', 'hybrid'] as const;
export type EventFormat = (typeof eventFormats)[number];

export const events = pgTable(
  'events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull().unique(),
    title: text('title').notNull(),
    type: text('type', { enum: eventTypes }).notNull(),
    status: text('status', { enum: eventStatuses }).notNull().default('planning'),
    summary: text('summary').notNull().default(''),
    /** Markdown, rendered and sanitised for display. */
    description: text('description').notNull().default(''),
    format: text('format', { enum: eventFormats }).notNull().default('in_person'),
    startsAt: timestamp('starts_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    venueName: text('venue_name').notNull().default(''),
    venueAddress: text('venue_address').notNull().default(''),
    travelInfo: text('travel_info').notNull().default(''),
    onlinePlatform: text('online_platform').notNull().default(''),
    /** Shown only to confirmed registrants, in their emails and private feeds. */
    onlineJoinUrl: text('online_join_url').notNull().default(''),
    /**
     * Places for all ticket types together; null until the planning group sets it. For a hybrid
     * event these are the places in the room (see onlineCapacity).
     */
    capacity: integer('capacity'),
    /**
     * A hybrid event's online places, counted apart from the room's (server/registration/holds.ts);
     * null means no limit online. Ignored for an event that is only in person or only online.
     */
    onlineCapacity: integer('online_capacity'),
    // Access and wellbeing, as structured fields rather than prose.
    stepFreeAccess: boolean('step_free_access').notNull().default(false),
    hearingLoop: boolean('hearing_loop').notNull().default(false),
    bslInterpretation: boolean('bsl_interpretation').notNull().default(false),
    liveCaptions: boolean('live_captions').notNull().default(false),
    quietRoom: boolean('quiet_room').notNull().default(false),
    accessInfo: text('access_info').notNull().default(''),
    contentNotes: text('content_notes').notNull().default(''),
    dayContactName: text('day_contact_name').notNull().default(''),
    dayContactPhone: text('day_contact_phone').notNull().default(''),
    easyReadSummary: text('easy_read_summary').notNull().default(''),
    /** Raised on every change people would notice, for calendar clients (RFC 5545 SEQUENCE). */
    sequence: integer('sequence').notNull().default(0),
    cancelledReason: text('cancelled_reason').notNull().default(''),
    /**
     * Kept out of the public list, the home page and the public calendar feeds (an invitation-only
     * round table the organisers chose not to list); its page still opens for those given the link.
     */
    unlisted: boolean('unlisted').notNull().default(false),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When what the public feeds show of this event last changed: every change made while it is
     * public (published, cancelled or finished) and unpublishing it. Edits to a draft leave it, so
     * they leave the public feeds' validators alone. Null: never public since this was added.
     * Set by every UPDATE that does not set it itself (publishing sets it, as the row was a draft).
     */
    publicChangedAt: timestamp('public_changed_at', { withTimezone: true })
      // Without a default, Drizzle would use the update expression on INSERT too.
      .$defaultFn(() => sql`null`)
      .$onUpdateFn(() => sql`case when "events"."status" <> 'planning' then now() else "events"."public_changed_at" end`),
  },
  (t) => [
    // Every column the public list filters and sorts on, so that choosing a page and counting the
    // matches read the index alone (an index-only scan), not each event's row: with 10,000 events
    // the list read 367 pages of rows twice a request.
    index('events_listing_idx').on(t.status, t.startsAt, t.id, t.unlisted, t.endsAt),
    index('events_type_starts_idx').on(t.type, t.startsAt),
  ],
);
