// People, their site-wide roles, sign-in links and server-side sessions.
import { boolean, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const people = pgTable('people', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Always stored lower-case so that one address is one person. */
  email: text('email').notNull().unique(),
  displayName: text('display_name').notNull().default(''),
  pronouns: text('pronouns').notNull().default(''),
  /** Send emails as plain text only (easier with some screen readers and slow connections). */
  prefersPlainText: boolean('prefers_plain_text').notNull().default(false),
  /** Free text: how the person would like to be contacted, e.g. "no phone calls please". */
  contactNotes: text('contact_notes').notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const siteRoles = ['admin', 'organiser'] as const;
export type SiteRole = (typeof siteRoles)[number];

export const roleGrants = pgTable(
  'role_grants',
  {
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    role: text('role', { enum: siteRoles }).notNull(),
    grantedBy: uuid('granted_by').references(() => people.id, { onDelete: 'set null' }),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.role] })],
);

export const signInTokens = pgTable(
  'sign_in_tokens',
  {
    /** SHA-256 of the token; the token itself only ever exists in the email. */
    tokenHash: text('token_hash').primaryKey(),
    email: text('email').notNull(),
    /** Where to go after signing in: a path on this site. */
    nextPath: text('next_path').notNull().default('/'),
    requestedIp: text('requested_ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('sign_in_tokens_email_created_idx').on(t.email, t.createdAt), index('sign_in_tokens_ip_created_idx').on(t.requestedIp, t.createdAt)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie value. */
    idHash: text('id_hash').primaryKey(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_person_idx').on(t.personId), index('sessions_expires_idx').on(t.expiresAt)],
);
