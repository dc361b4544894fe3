// Importing an existing mailing list from a CSV file. The upload is read into rows at once, each
// with the problem that stops it (if any), so the organiser sees a preview before anything
// happens; starting the import hands the rows to a background job that works through them in
// batches, so a long list shows its progress. A row whose consent was recorded (when and how)
// becomes a subscriber, its consent kept as imported; any other row is sent one email asking
// whether they want to join, and hears nothing else unless they say yes.
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';

export const listImportStatuses = ['previewed', 'importing', 'done', 'cancelled'] as const;
export type ListImportStatus = (typeof listImportStatuses)[number];

export const listImports = pgTable('list_imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  filename: text('filename').notNull(),
  status: text('status', { enum: listImportStatuses }).notNull().default('previewed'),
  rowCount: integer('row_count').notNull(),
  createdBy: uuid('created_by').references(() => people.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/** Why a row will not be imported, found when the file is read. */
export const importRowProblems = ['bad_address', 'duplicate', 'already_subscribed', 'suppressed', 'already_asked'] as const;
export type ImportRowProblem = (typeof importRowProblems)[number];

/** What happened to a row: waiting, made a subscriber, asked to confirm, or left out. */
export const importRowOutcomes = ['waiting', 'subscribed', 'asked', 'skipped'] as const;

export const listImportRows = pgTable(
  'list_import_rows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    importId: uuid('import_id')
      .notNull()
      .references(() => listImports.id, { onDelete: 'cascade' }),
    /** The line of the file (the header is line 1). */
    line: integer('line').notNull(),
    /**
     * As written in the file (trimmed), so a bad one can be shown back; erased (with the name and
     * consent) once the import finishes or is cancelled, or when a preview is left unstarted.
     */
    email: text('email').notNull(),
    /**
     * Kept after that only for a row that was asked to join (the hash, as in the suppression list),
     * so that no later import asks the same person again.
     */
    emailHash: text('email_hash'),
    name: text('name').notNull().default(''),
    /** The consent column as written: when and how the person agreed. */
    consent: text('consent').notNull().default(''),
    /** When they consented, read from the consent column; null: no recorded consent. */
    consentedAt: timestamp('consented_at', { withTimezone: true }),
    problem: text('problem', { enum: importRowProblems }),
    outcome: text('outcome', { enum: importRowOutcomes }).notNull().default('waiting'),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    index('list_import_rows_import_idx').on(t.importId, t.outcome, t.line),
    index('list_import_rows_email_idx').on(t.email),
    index('list_import_rows_email_hash_idx').on(t.emailHash),
  ],
);
