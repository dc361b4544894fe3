// Places at events: ticket types, questions, registrations (bookings) with their answers and
// companion places, holds on places, and payments. States follow ../shared/DOMAIN.md:
// pending_payment → confirmed → (cancelled | attended); waitlisted → offered → confirmed, or
// offered → expired. Availability is computed from these rows, never stored as a counter.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';

/**
 * How people get a place: booking here (the default), no booking needed (people just come),
 * booking handled somewhere else (a partner's system), or by invitation only (a round table:
 * organisers invite people, server/network/invitations.ts). Only 'here' needs a kind of place on
 * sale before the event is published, and only 'here' takes bookings.
 */
export const bookingModes = ['here', 'not_needed', 'elsewhere', 'invitation'] as const;
export type BookingMode = (typeof bookingModes)[number];

/** Per-event registration settings; an event without a row uses the defaults. */
export const registrationSettings = pgTable('registration_settings', {
  eventId: uuid('event_id')
    .primaryKey()
    .references(() => events.id, { onDelete: 'cascade' }),
  /** How long a waiting-list offer holds a place before it passes on. */
  offerHours: integer('offer_hours').notNull().default(48),
  /** Organisers may close registration early without unpublishing the event. */
  registrationOpen: boolean('registration_open').notNull().default(true),
  bookingMode: text('booking_mode', { enum: bookingModes }).notNull().default('here'),
  /** Check-in opens on the event's day; an organiser may open it earlier (recorded in the audit log). */
  checkInOpenedEarlyAt: timestamp('check_in_opened_early_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const ticketTypes = pgTable(
  'ticket_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** 0 is a free place. */
    pricePence: integer('price_pence').notNull().default(0),
    /** Its own limit inside the event's capacity; null means only the event's capacity applies. */
    capacity: integer('capacity'),
    salesStartAt: timestamp('sales_start_at', { withTimezone: true }),
    salesEndAt: timestamp('sales_end_at', { withTimezone: true }),
    /** Who may choose it, self-declared, e.g. "People with lived experience and carers". Empty: anyone. */
    eligibility: text('eligibility').notNull().default(''),
    position: integer('position').notNull().default(0),
    /** Withdrawn types stay for existing bookings but cannot be chosen. */
    withdrawn: boolean('withdrawn').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_types_event_idx').on(t.eventId, t.position)],
);

export const questionKinds = ['short_text', 'long_text', 'choice', 'checkbox'] as const;
export type QuestionKind = (typeof questionKinds)[number];

/** Custom questions; the built-in ones (name, email, organisation, ...) are registration columns. */
export const eventQuestions = pgTable(
  'event_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: questionKinds }).notNull(),
    label: text('label').notNull(),
    hint: text('hint').notNull().default(''),
    /** For choice questions. */
    options: jsonb('options').$type<string[]>().notNull().default([]),
    required: boolean('required').notNull().default(false),
    position: integer('position').notNull().default(0),
    withdrawn: boolean('withdrawn').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('event_questions_event_idx').on(t.eventId, t.position)],
);

export const registrationStatuses = ['pending_payment', 'confirmed', 'attended', 'cancelled', 'waitlisted', 'offered', 'expired'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];
/** Statuses that take a place in the availability sum (an offer takes its place through its hold). */
export const placeTakingStatuses = ['pending_payment', 'confirmed', 'attended'] as const;

export const perspectives = ['lived_experience', 'carer', 'practitioner', 'academic', 'other', 'prefer_not'] as const;
export type Perspective = (typeof perspectives)[number];

export const paymentModes = ['free', 'stripe', 'invoice'] as const;

/**
 * How someone comes to a hybrid event: each has its own places. Null on a booking or hold of an
 * event that is only in person or only online (one set of places); at a hybrid event null counts
 * as in person (bookings made before hybrid places were counted apart, bursary holds).
 */
export const attendanceModes = ['in_person', 'online'] as const;
export type Attendance = (typeof attendanceModes)[number];

/**
 * Places an organiser keeps for a group (a service-user-led organisation, say) behind a code.
 * Until it expires, its unused places are out of everyone else's reach (holds.ts counts them like
 * a hold); bookings made with the code use them. The code is kept upper-case, so typing it is
 * case-insensitive; it is not a private link (it opens no one's data), so organisers can see it
 * again to pass it on.
 */
export const reservedPlaces = pgTable(
  'reserved_places',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    /** Who the places are for, e.g. "Survivors' Voices". */
    groupName: text('group_name').notNull(),
    code: text('code').notNull(),
    places: integer('places').notNull(),
    /** At a hybrid event, which places are kept; null: in person (or the only places there are). */
    attendance: text('attendance', { enum: attendanceModes }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdById: uuid('created_by_id').references(() => people.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('reserved_places_event_code_idx').on(t.eventId, t.code)],
);

/** Each try of a code on the booking form, counted per IP so codes cannot be guessed at speed. */
export const reservedCodeTries = pgTable(
  'reserved_code_tries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestedIp: text('requested_ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('reserved_code_tries_ip_idx').on(t.requestedIp, t.createdAt)],
);

export const registrations = pgTable(
  'registrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    /** Null for a companion place, which is free and counts only against the event's capacity. */
    ticketTypeId: uuid('ticket_type_id').references(() => ticketTypes.id, { onDelete: 'restrict' }),
    /** Set when the registrant was signed in, so they see it among their bookings. */
    personId: uuid('person_id').references(() => people.id, { onDelete: 'set null' }),
    /** A companion place (support worker / personal assistant) points at the booking it goes with. */
    companionOfId: uuid('companion_of_id'),
    status: text('status', { enum: registrationStatuses }).notNull(),
    name: text('name').notNull(),
    /** Lower-case. A companion place uses its booker's address. */
    email: text('email').notNull(),
    organisation: text('organisation').notNull().default(''),
    /** Optional, for monitoring only. Empty when not given. */
    perspective: text('perspective').notNull().default(''),
    accessRequirements: text('access_requirements').notNull().default(''),
    dietaryNeeds: text('dietary_needs').notNull().default(''),
    consentFutureEvents: boolean('consent_future_events').notNull().default(false),
    pricePence: integer('price_pence').notNull().default(0),
    paymentMode: text('payment_mode', { enum: paymentModes }).notNull().default('free'),
    /** At a hybrid event, how they come (their places are counted apart); see attendanceModes. */
    attendance: text('attendance', { enum: attendanceModes }),
    /**
     * Who pays, as given on the form, for a paid place waiting on the waiting list in invoice mode:
     * the invoice issued when an offer is accepted goes to this payer without asking again. Null
     * otherwise, and emptied once the invoice holds it or the waiting ends (never kept for long).
     */
    invoicePayer: jsonb('invoice_payer').$type<{ payerName: string; payerAddress: string; purchaseOrder: string; invoiceEmail: string }>(),
    /** An organiser who made the booking for the person (who phoned or wrote); null when they booked themselves. */
    bookedById: uuid('booked_by_id').references(() => people.id, { onDelete: 'set null' }),
    /** The reserved places (by code) this booking uses. */
    reservationId: uuid('reservation_id').references(() => reservedPlaces.id, { onDelete: 'restrict' }),
    waitlistedAt: timestamp('waitlisted_at', { withTimezone: true }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    attendedAt: timestamp('attended_at', { withTimezone: true }),
    reminderLongSentAt: timestamp('reminder_long_sent_at', { withTimezone: true }),
    reminderShortSentAt: timestamp('reminder_short_sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Counting places reads only this index: by event and status, and per ticket type.
    index('registrations_event_status_type_idx').on(t.eventId, t.status, t.ticketTypeId),
    index('registrations_event_waitlist_idx').on(t.eventId, t.waitlistedAt),
    index('registrations_person_idx').on(t.personId),
    // Signed-in people see bookings made with their address before they signed in.
    index('registrations_email_idx').on(t.email),
    index('registrations_companion_idx').on(t.companionOfId),
    index('registrations_reservation_idx').on(t.reservationId),
  ],
);

/**
 * Private links to manage a booking. Each email that carries a link mints its own token, so a
 * job can send a fresh link later; only the SHA-256 of each token is kept.
 */
export const registrationLinks = pgTable(
  'registration_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('registration_links_registration_idx').on(t.registrationId)],
);

/**
 * Each time an anonymous visitor makes us email a booking's link (asking for it again, or booking
 * again with an address that has a booking), counted per address and per IP like sign-in links,
 * so the form cannot be used to flood someone's inbox. Rows older than the window are not needed.
 */
export const bookingLinkRequests = pgTable(
  'booking_link_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    requestedIp: text('requested_ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('booking_link_requests_email_idx').on(t.email, t.createdAt), index('booking_link_requests_ip_idx').on(t.requestedIp, t.createdAt)],
);

export const registrationAnswers = pgTable(
  'registration_answers',
  {
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    questionId: uuid('question_id')
      .notNull()
      .references(() => eventQuestions.id, { onDelete: 'cascade' }),
    /** The text typed, the option chosen, or "yes" for a ticked checkbox. */
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.registrationId, t.questionId] })],
);

export const holdKinds = ['checkout', 'offer', 'bursary', 'invitation'] as const;
export type HoldKind = (typeof holdKinds)[number];
export const holdStates = ['live', 'released', 'consumed', 'expired'] as const;
export type HoldState = (typeof holdStates)[number];

/** Something that takes a place without being a confirmed booking yet (see server/registration/holds.ts). */
export const placeHolds = pgTable(
  'place_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    ticketTypeId: uuid('ticket_type_id').references(() => ticketTypes.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: holdKinds }).notNull(),
    registrationId: uuid('registration_id').references(() => registrations.id, { onDelete: 'cascade' }),
    /** Another feature's record, e.g. "bursary-application:<id>". */
    reference: text('reference'),
    /**
     * The person a place is kept for (a bursary applicant): only they, booking signed in, take it
     * up. Cleared when the hold ends, so an ended hold names nobody.
     */
    personId: uuid('person_id').references(() => people.id, { onDelete: 'set null' }),
    /** At a hybrid event, which places it holds (null: in person); see attendanceModes. */
    attendance: text('attendance', { enum: attendanceModes }),
    state: text('state', { enum: holdStates }).notNull().default('live'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    index('place_holds_event_live_idx').on(t.eventId, t.state, t.expiresAt),
    index('place_holds_registration_idx').on(t.registrationId),
    uniqueIndex('place_holds_live_reference_idx').on(t.reference).where(sql`${t.state} = 'live' and ${t.reference} is not null`),
  ],
);

export const paymentMethods = ['stripe', 'invoice'] as const;
/** refund_due: the money is to go back (an invoice's refund not yet paid, a card refund not yet made). */
/** `refund_failed`: a card refund Stripe reported made, then failed or was cancelled (refund.updated): the money is still owed. */
export const paymentStatuses = ['open', 'paid', 'expired', 'refund_due', 'refunded', 'refund_failed'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    method: text('method', { enum: paymentMethods }).notNull(),
    amountPence: integer('amount_pence').notNull(),
    status: text('status', { enum: paymentStatuses }).notNull().default('open'),
    stripeSessionId: text('stripe_session_id').unique(),
    stripePaymentIntentId: text('stripe_payment_intent_id'),
    stripeRefundId: text('stripe_refund_id'),
    /** When an ended Checkout Session was also expired at Stripe (so it can no longer be paid). */
    stripeSessionClosedAt: timestamp('stripe_session_closed_at', { withTimezone: true }),
    /** Invoice payments: who marked it paid. */
    markedPaidBy: uuid('marked_paid_by').references(() => people.id, { onDelete: 'set null' }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('payments_registration_idx').on(t.registrationId)],
);

/** Stripe webhook events already handled, so a repeated delivery changes nothing twice. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A booking asked for by someone who has not proved the address typed (not signed in with it).
 * Nothing is booked and no place is taken until the address's owner opens the emailed link and
 * confirms. Only the link token's hash is kept. The form's fields are cleared once the request is
 * used, and the row goes some time after it expires; rows per IP are the database-counted limit.
 */
export const bookingRequests = pgTable(
  'booking_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    ticketTypeId: uuid('ticket_type_id').references(() => ticketTypes.id, { onDelete: 'set null' }),
    email: text('email').notNull(),
    /** What the form held (name, answers, companion); null once used. */
    fields: jsonb('fields').$type<Record<string, unknown>>(),
    tokenHash: text('token_hash').notNull().unique(),
    requestedIp: text('requested_ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    index('booking_requests_ip_idx').on(t.requestedIp, t.createdAt),
    index('booking_requests_email_idx').on(t.email, t.createdAt),
    index('booking_requests_expires_idx').on(t.expiresAt),
  ],
);
