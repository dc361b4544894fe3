// Invitation-only events (a round table): the people organisers invite, each with the perspective
// they are asked to bring, and whether they have answered. An event is invitation-only when its
// registration settings' booking mode is 'invitation'; nobody books it from the public page.
// Accepting makes a confirmed booking through registration's API, under the event's lock.
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';
import { registrations } from './registration.ts';

/** What an invitee is asked to bring; the first two are lived experience. */
export const invitedPerspectives = ['service_user_survivor', 'carer', 'practitioner', 'academic', 'policy_maker', 'other'] as const;
export type InvitedPerspective = (typeof invitedPerspectives)[number];

/** withdrawn: the organisers took the invitation back (the link then says so). */
export const invitationStatuses = ['invited', 'accepted', 'declined', 'withdrawn'] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

/** The share of people coming that organisers aim to have lived experience. */
export const balanceTargets = ['none', 'quarter', 'third', 'half', 'two_thirds'] as const;
export type BalanceTarget = (typeof balanceTargets)[number];

/** Per event: the balance organisers aim for. An event without a row aims for a third. */
export const invitationPlans = pgTable('invitation_plans', {
  eventId: uuid('event_id')
    .primaryKey()
    .references(() => events.id, { onDelete: 'cascade' }),
  livedExperienceTarget: text('lived_experience_target', { enum: balanceTargets }).notNull().default('third'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const eventInvitations = pgTable(
  'event_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Lower-case; one invitation per address per event. */
    email: text('email').notNull(),
    perspective: text('perspective', { enum: invitedPerspectives }).notNull(),
    /** Where the invitee came from, when an organiser chose them from the directory. */
    organisation: text('organisation').notNull().default(''),
    status: text('status', { enum: invitationStatuses }).notNull().default('invited'),
    /** Given when accepting; seen by the event's organisers only. */
    accessNeeds: text('access_needs').notNull().default(''),
    /**
     * The confirmed place (registration's booking) an acceptance made, so the invitee is on the
     * attendee list, checked in, reminded and sent certificates and surveys like anyone booked.
     */
    registrationId: uuid('registration_id').references(() => registrations.id, { onDelete: 'set null' }),
    invitedBy: uuid('invited_by').references(() => people.id, { onDelete: 'set null' }),
    invitedAt: timestamp('invited_at', { withTimezone: true }).notNull().defaultNow(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('event_invitations_event_email_idx').on(t.eventId, t.email),
    index('event_invitations_unanswered_idx').on(t.status, t.remindedAt, t.invitedAt),
  ],
);
