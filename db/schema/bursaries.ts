// Bursaries: funds with a budget, applications with itemised costs, the panel's decisions, claims
// with receipts, and payments. This is special-category personal data (health, caring): see
// server/bursaries/ for who may read it, the audit of every view and the retention job.
// Remaining budget is computed from these rows under a lock on the fund, never stored.
import { sql } from 'drizzle-orm';
import { boolean, check, customType, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';
import { events } from './events.ts';

/** Receipt files live in the database (never under the web root). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

export const bursaryPerspectives = ['service_user', 'carer'] as const;
export type BursaryPerspective = (typeof bursaryPerspectives)[number];

export const bursaryCategories = ['travel', 'accommodation', 'subsistence', 'care', 'support_worker', 'data_phone', 'other'] as const;
export type BursaryCategory = (typeof bursaryCategories)[number];

export const bursaryApplicationStatuses = ['draft', 'submitted', 'approved', 'part_approved', 'declined', 'withdrawn'] as const;
export type BursaryApplicationStatus = (typeof bursaryApplicationStatuses)[number];

export const bursaryPaymentMethods = ['bank_transfer', 'other'] as const;
export type BursaryPaymentMethod = (typeof bursaryPaymentMethods)[number];

export const bursaryClaimStatuses = ['submitted', 'approved', 'paid'] as const;
export type BursaryClaimStatus = (typeof bursaryClaimStatuses)[number];

/** The kinds of ledger entry that are money the Hub sent (the payment form offers these). */
export const bursaryPaymentKinds = ['advance', 'settlement'] as const;
export type BursaryPaymentKind = (typeof bursaryPaymentKinds)[number];

export const bursaryFunds = pgTable(
  'bursary_funds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null for the Hub's general fund, usable across events. */
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    budgetPence: integer('budget_pence').notNull(),
    eligibility: text('eligibility').notNull().default(''),
    covers: text('covers').notNull().default(''),
    /** Applications may be submitted until then (null: no deadline). */
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('bursary_funds_event_idx').on(t.eventId)],
);

export const bursaryApplications = pgTable(
  'bursary_applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fundId: uuid('fund_id')
      .notNull()
      .references(() => bursaryFunds.id, { onDelete: 'restrict' }),
    /** The event the applicant wants to attend (also for the general fund). */
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'restrict' }),
    /** Null once the retention job has anonymised the application. */
    applicantId: uuid('applicant_id').references(() => people.id, { onDelete: 'set null' }),
    status: text('status', { enum: bursaryApplicationStatuses }).notNull().default('draft'),
    perspective: text('perspective', { enum: bursaryPerspectives }),
    inAdvance: boolean('in_advance').notNull().default(false),
    hubBooksTickets: boolean('hub_books_tickets').notNull().default(false),
    paymentMethod: text('payment_method', { enum: bursaryPaymentMethods }),
    /** The name on the bank account, kept apart from the name the person uses. */
    paymentName: text('payment_name').notNull().default(''),
    /** For people without a bank account: how they would like to be paid. */
    paymentArrangement: text('payment_arrangement').notNull().default(''),
    note: text('note').notNull().default(''),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => people.id, { onDelete: 'set null' }),
    /** Why an organiser approved beyond the remaining budget. */
    overrideReason: text('override_reason').notNull().default(''),
    /** Closed as settled or unclaimed: only what was paid still counts against the budget. */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('bursary_applications_fund_status_idx').on(t.fundId, t.status), index('bursary_applications_applicant_idx').on(t.applicantId)],
);

/**
 * Bank details for paying a bursary by bank transfer: the name on the account, sort code and
 * account number, encrypted together (AES-256-GCM, server/data-keys.ts) and bound to the
 * application's id. Only the panel members who pay can open them; they are deleted once the
 * application is settled (its claim paid, or it is closed, declined or withdrawn).
 */
export const bursaryBankDetails = pgTable('bursary_bank_details', {
  applicationId: uuid('application_id')
    .primaryKey()
    .references(() => bursaryApplications.id, { onDelete: 'cascade' }),
  /** Which data key encrypted it (also inside `sealed`), so rotation finds rows under old keys. */
  keyId: text('key_id').notNull(),
  sealed: text('sealed').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const bursaryItems = pgTable(
  'bursary_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => bursaryApplications.id, { onDelete: 'cascade' }),
    category: text('category', { enum: bursaryCategories }).notNull(),
    /** What it is for; for travel, how and from where. */
    description: text('description').notNull().default(''),
    /** Car mileage: the estimate is miles × the Hub's rate, and no receipt is needed. */
    miles: integer('miles'),
    estimatePence: integer('estimate_pence').notNull(),
    /** Set by the panel's decision; 0 when this item was not approved. */
    approvedPence: integer('approved_pence'),
    /** What it actually cost, from the applicant's claim. */
    claimedPence: integer('claimed_pence'),
  },
  (t) => [index('bursary_items_application_idx').on(t.applicationId, t.category)],
);

/** Everything said to the applicant: decision messages and notes from the panel. */
export const bursaryMessages = pgTable(
  'bursary_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => bursaryApplications.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => people.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('bursary_messages_application_idx').on(t.applicationId, t.createdAt)],
);

/** One claim per application: actual costs are on its items (claimedPence). */
export const bursaryClaims = pgTable('bursary_claims', {
  applicationId: uuid('application_id')
    .primaryKey()
    .references(() => bursaryApplications.id, { onDelete: 'cascade' }),
  status: text('status', { enum: bursaryClaimStatuses }).notNull().default('submitted'),
  submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
  approvedAt: timestamp('approved_at', { withTimezone: true }),
  approvedBy: uuid('approved_by').references(() => people.id, { onDelete: 'set null' }),
  /** The total the panel accepted: claimed amounts, each capped at its approved amount. */
  approvedPence: integer('approved_pence'),
});

export const bursaryReceipts = pgTable(
  'bursary_receipts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Random, unguessable; the only name the file is fetched by. */
    storageKey: text('storage_key').notNull().unique(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => bursaryApplications.id, { onDelete: 'cascade' }),
    itemId: uuid('item_id')
      .notNull()
      .references(() => bursaryItems.id, { onDelete: 'cascade' }),
    /** The name it was uploaded with, cleaned; shown to people, never used to decide the type. */
    filename: text('filename').notNull(),
    /** From the file's content (file-type), not from its name or the browser. */
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    content: bytea('content').notNull(),
    uploadedBy: uuid('uploaded_by').references(() => people.id, { onDelete: 'set null' }),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('bursary_receipts_application_idx').on(t.applicationId)],
);

/**
 * What an entry in the ledger records. Every amount of an application is one of these; all are
 * positive pence, and what each means for the balances is worked out in server/bursaries/ledger.ts
 * (which also states the identities that always hold between them):
 * - approved: the panel's decision (the sum of the items approved);
 * - claim_approved: the panel accepted the claim, for this total (at most what was approved);
 * - advance / settlement: money the Hub sent the applicant, before and after the claim approval;
 * - owed_back: the Hub paid more than the claim allows; the applicant owes this much back;
 * - repaid: the applicant paid some of that back;
 * - written_off: the Hub decided not to ask for some of it back (a reason is required);
 * - released: what was approved but will not be paid (closed unclaimed) returns to the budget.
 */
export const bursaryLedgerKinds = ['approved', 'claim_approved', 'advance', 'settlement', 'owed_back', 'repaid', 'written_off', 'released'] as const;
export type BursaryLedgerKind = (typeof bursaryLedgerKinds)[number];

/**
 * The bursary ledger: append-only, one row per amount. Fund pages, application pages, reports and
 * the finance CSV are all computed from it, so they always agree. The fund's budget is the fund's
 * own figure (bursary_funds.budget_pence), changed only by organisers and audited.
 */
export const bursaryLedger = pgTable(
  'bursary_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fundId: uuid('fund_id')
      .notNull()
      .references(() => bursaryFunds.id, { onDelete: 'restrict' }),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => bursaryApplications.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: bursaryLedgerKinds }).notNull(),
    amountPence: integer('amount_pence').notNull(),
    /** The day it happened (a payment's date), in London. */
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    /** For money that moved: how (bank transfer, cash …). */
    method: text('method').notNull().default(''),
    reference: text('reference').notNull().default(''),
    /** Why (a write-off's reason). */
    reason: text('reason').notNull().default(''),
    recordedBy: uuid('recorded_by').references(() => people.id, { onDelete: 'set null' }),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('bursary_ledger_application_idx').on(t.applicationId, t.recordedAt),
    index('bursary_ledger_fund_idx').on(t.fundId),
    check('bursary_ledger_amount_positive', sql`${t.amountPence} > 0`),
  ],
);

/**
 * Who sits on a fund's panel besides organisers and admins (who sit on every panel). Kept apart
 * from planning roles: only organisers and admins add or remove people here, never a planner,
 * and never someone for themselves. Every change is audited and emailed to the organisers.
 */
export const bursaryPanelMembers = pgTable(
  'bursary_panel_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fundId: uuid('fund_id')
      .notNull()
      .references(() => bursaryFunds.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    /** Null for members moved here from the old planning role 'bursary_reviewer'. */
    addedBy: uuid('added_by').references(() => people.id, { onDelete: 'set null' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('bursary_panel_members_fund_person_idx').on(t.fundId, t.personId), index('bursary_panel_members_person_idx').on(t.personId)],
);

/** How a panel member hears of new applications and claims: an email each time, or one a day. */
export const panelNoticeModes = ['at_once', 'daily'] as const;
export type PanelNoticeMode = (typeof panelNoticeModes)[number];

/** Each panel member's choice (no row: at once). Per person, across every panel they sit on. */
export const bursaryPanelSettings = pgTable('bursary_panel_settings', {
  personId: uuid('person_id')
    .primaryKey()
    .references(() => people.id, { onDelete: 'cascade' }),
  noticeMode: text('notice_mode', { enum: panelNoticeModes }).notNull().default('at_once'),
  lastDigestAt: timestamp('last_digest_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const panelNoticeKinds = ['application', 'claim'] as const;

/**
 * New applications and claims waiting to go into a panel member's daily digest. Only ids: the
 * digest says how many are waiting and where, never who applied or for what.
 */
export const bursaryPanelNotices = pgTable(
  'bursary_panel_notices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    fundId: uuid('fund_id')
      .notNull()
      .references(() => bursaryFunds.id, { onDelete: 'cascade' }),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => bursaryApplications.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: panelNoticeKinds }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('bursary_panel_notices_person_idx').on(t.personId, t.sentAt)],
);
