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

export const libraryImportStatuses = ['previewed', 'importing', 'done', 'discarded'] as const;
export type LibraryImportStatus = (typeof libraryImportStatuses)[number];

/**
 * An archive being brought into the library: a spreadsheet (CSV) of items and the files it names,
 * uploaded together. Each row is checked and kept here with its file and its problems, shown as a
 * preview; once an organiser starts it, a job moves the rows without problems into the library a
 * few at a time, so the progress page can count them and a restart carries on where it stopped.
 */
export const libraryImports = pgTable('library_imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  status: text('status', { enum: libraryImportStatuses }).notNull().default('previewed'),
  csvFilename: text('csv_filename').notNull().default(''),
  createdBy: uuid('created_by').references(() => people.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/** What one row of an import's spreadsheet asks for, once read and checked. */
export interface LibraryImportFields {
  title: string;
  summary: string;
  kind: string;
  topics: string[];
  year: number | null;
  eventId: string | null;
  launchEventId: string | null;
  url: string;
  filename: string;
}

export const libraryImportRowStates = ['ready', 'invalid', 'imported'] as const;

export const libraryImportRows = pgTable(
  'library_import_rows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    importId: uuid('import_id')
      .notNull()
      .references(() => libraryImports.id, { onDelete: 'cascade' }),
    /** The spreadsheet's row number as the organiser sees it (the header is row 1). */
    rowNumber: integer('row_number').notNull(),
    fields: jsonb('fields').$type<LibraryImportFields>().notNull(),
    /** Each problem in words; empty when the row can be imported. */
    problems: jsonb('problems').$type<string[]>().notNull().default([]),
    state: text('state', { enum: libraryImportRowStates }).notNull(),
    contentType: text('content_type').notNull().default(''),
    content: bytea('content'),
    itemId: uuid('item_id').references(() => libraryItems.id, { onDelete: 'set null' }),
  },
  (t) => [index('library_import_rows_import_idx').on(t.importId, t.state, t.rowNumber)],
);
