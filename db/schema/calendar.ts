// Calendar feeds: the secret behind each person's private feed URL. Only its hash is kept, so the
// URL cannot be recovered from the database; making a new one replaces the row and the old URL
// stops working at once.
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';

export const privateFeedTokens = pgTable('private_feed_tokens', {
  /** One private feed per person. */
  personId: uuid('person_id')
    .primaryKey()
    .references(() => people.id, { onDelete: 'cascade' }),
  /** SHA-256 of the token in the feed URL. */
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /**
   * Set when something leaves the person's feed without leaving a trace elsewhere (they left a
   * planning group, whose meetings go with it), so Last-Modified still moves forward.
   */
  changedAt: timestamp('changed_at', { withTimezone: true }),
});
