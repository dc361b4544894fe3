// Who did what to which record, and when: every state change and every view of bursary data.
import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';

export const auditEntries = pgTable(
  'audit_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid('actor_id').references(() => people.id, { onDelete: 'set null' }),
    /** A dotted verb, e.g. "account.role.granted" or "bursary.application.viewed". */
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_entries_subject_idx').on(t.subjectType, t.subjectId), index('audit_entries_at_idx').on(t.at)],
);
