// The library: reports and resources from every event, each linked to the event it came from and
// optionally to a later event where it is launched (a round table's report at the conference).
// Files are kept in the database, never under the web root, with the type read from their content.
// Searching uses PostgreSQL full-text search over a generated tsvector (works on PGlite too).
import { type SQL, sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';

export const libraryKinds = ['report', 'briefing', 'slides', 'toolkit', 'recording', 'article', 'other'] as const;
export type LibraryKind = (typeof libraryKinds)[number];

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const libraryItems = pgTable(
  'library_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    kind: text('kind', { enum: libraryKinds }).notNull(),
    /** Lower-case words people filter by, e.g. "housing", "peer support". */
    topics: jsonb('topics').$type<string[]>().notNull().default([]),
    year: integer('year').notNull(),
    /** The event it came from (a report of a round table). */
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'set null' }),
    /** A later event where it is launched (the round table's report at the conference). */
    launchEventId: uuid('launch_event_id').references(() => events.id, { onDelete: 'set null' }),
    /** A link elsewhere, or empty when the item is a file kept here. */
    url: text('url').notNull().default(''),
    filename: text('filename').notNull().default(''),
    /** From the file's content (file-type), never its name. */
    contentType: text('content_type').notNull().default(''),
    sizeBytes: integer('size_bytes').notNull().default(0),
    content: bytea('content'),
    /** Title weighted above summary and topics; kept by PostgreSQL, never written by the app. */
    search: tsvector('search').generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(summary, '')), 'B') || setweight(to_tsvector('english', coalesce(topics::text, '')), 'C')`,
    ),
    addedBy: uuid('added_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('library_items_search_idx').using('gin', t.search),
    index('library_items_event_idx').on(t.eventId),
    index('library_items_launch_idx').on(t.launchEventId),
  ],
);
