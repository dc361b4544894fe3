// The Hub's directory of networks and organisations, who belongs to them, and the events they
// co-host. An organisation asks to be listed (or an organiser adds it); only approved ones are
// shown. Its contact is shown publicly only when whoever gave it said so; a member's belonging
// is shown only when they said so.
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';

export const organisationKinds = ['service_user_led', 'network', 'professional_body', 'university', 'charity', 'statutory_body'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const organisationStatuses = ['pending', 'approved', 'declined'] as const;
export type OrganisationStatus = (typeof organisationStatuses)[number];

export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    kind: text('kind', { enum: organisationKinds }).notNull(),
    website: text('website').notNull().default(''),
    /** One of the list's regions, or '' for UK-wide. */
    region: text('region').notNull().default(''),
    description: text('description').notNull().default(''),
    contactName: text('contact_name').notNull().default(''),
    contactEmail: text('contact_email').notNull().default(''),
    /** The contact may be shown on the public directory: said by whoever gave it. */
    contactPublic: boolean('contact_public').notNull().default(false),
    status: text('status', { enum: organisationStatuses }).notNull().default('pending'),
    /** Who asked for it to be listed: told the decision, then forgotten (see decideOrganisation). */
    requesterEmail: text('requester_email').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => people.id, { onDelete: 'set null' }),
  },
  (t) => [index('organisations_status_idx').on(t.status, t.name)],
);

/**
 * Each time the public forms (asking to be listed, asking for a change) are sent, by IP: the
 * database-counted limit. Kept apart from the requests so a decision, which forgets who asked,
 * does not give the connection its allowance back; rows older than the limit's hour are deleted.
 */
export const directoryRequestTries = pgTable(
  'directory_request_tries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestedIp: text('requested_ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('directory_request_tries_ip_idx').on(t.requestedIp, t.createdAt)],
);

/**
 * Someone (the organisation's contact, say) asks for a listed entry to be changed or removed.
 * Organisers read it, make the change, and mark it done, which deletes it with the address.
 */
export const directoryChangeRequests = pgTable(
  'directory_change_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    message: text('message').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('directory_change_requests_email_idx').on(t.email)],
);

/** A signed-in person's word that they belong to an organisation; public only if they say so. */
export const organisationMembers = pgTable(
  'organisation_members',
  {
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    showPublicly: boolean('show_publicly').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.personId] }), index('organisation_members_person_idx').on(t.personId)],
);

/** The organisations that host an event together (the Hub and a partner network, say), in the order named. */
export const eventCohosts = pgTable(
  'event_cohosts',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.organisationId] }), index('event_cohosts_organisation_idx').on(t.organisationId)],
);
