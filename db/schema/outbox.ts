// Every email Convene sends is first written here, in the same transaction as the change that
// causes it; a sender loop delivers it afterwards (see server/mail/sender.ts).
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export interface StoredAttachment {
  filename: string;
  contentType: string;
  /** The file's content as UTF-8 text (calendar files) or base64 (anything binary). */
  content: string;
  encoding: 'utf8' | 'base64';
}

export const outboxStatuses = ['queued', 'sent', 'failed'] as const;

export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The template it was rendered from, e.g. "sign-in"; useful in the admin view and in tests. */
    template: text('template').notNull(),
    toAddress: text('to_address').notNull(),
    /** Rendered when queued, for the admin view; the body is rendered when sent. */
    subject: text('subject').notNull(),
    /** The template's data, without its private links (those are in `sealed`). */
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /**
     * The private links the email carries (sign-in, manage a booking), encrypted with a key only
     * the app processes hold (server/mail/sealing.ts); null once sent or given up, or if none.
     */
    sealed: text('sealed'),
    /** Set when its private links were removed; such an email cannot be sent again. */
    secretsRemovedAt: timestamp('secrets_removed_at', { withTimezone: true }),
    attachments: jsonb('attachments').$type<StoredAttachment[]>().notNull().default([]),
    /** Stable across retries so a receiving server can drop a repeat. */
    messageId: text('message_id').notNull().unique(),
    status: text('status', { enum: outboxStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** When the sender may next pick it up; also a lease while one process is sending it. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** A mailing-list announcement this message is one copy of (announcements.id); null otherwise. */
    announcementId: uuid('announcement_id'),
  },
  (t) => [
    index('outbox_messages_due_idx').on(t.status, t.nextAttemptAt),
    index('outbox_messages_to_idx').on(t.toAddress),
    index('outbox_messages_announcement_idx').on(t.announcementId),
  ],
);
