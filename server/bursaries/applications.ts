// Bursary applications: the applicant's draft, submission and withdrawal, and the panel's
// decision within the remaining budget. Each use case is one transaction; audit entries and
// emails are written in it. Emails carry no bursary details beyond the outcome and a link.
import { and, asc, count, desc, eq, inArray, ne, notInArray, or, sql, type SQL } from 'drizzle-orm';
import {
  bursaryApplications,
  bursaryCategories,
  bursaryClaims,
  bursaryItems,
  bursaryMessages,
  bursaryReceipts,
  events,
  people,
  type BursaryApplicationStatus,
  type BursaryCategory,
  type BursaryPaymentMethod,
  type BursaryPerspective,
} from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { assertOpen, fundForEvent, fundFigures, getFund, lockFund } from './funds.ts';
import { categoryLabels } from './labels.ts';
import { forgetPanelNotices, tellPanel } from './notices.ts';
import { holdPlaceFor, onlinePlacesLeft, placeAfterApproval, releaseHeldPlace, type PlaceAfterApproval } from './places.ts';
import type { BursarySettings } from './money.ts';
import { assertNotOwnApplication, isOnPanel, type Actor } from './panel.ts';
import { formatPence, parsePounds } from '../money.ts';
import { addEntry, entriesOf } from './ledger.ts';
import { eraseBankDetails, hasBankDetails, readBankDetails, storeBankDetails } from './bank-details.ts';

export function applicationPath(id: string): string {
  return `/bursaries/applications/${id}`;
}

export function reviewPath(fundId: string, id: string): string {
  return `/bursaries/funds/${fundId}/applications/${id}`;
}

/** Starts (or returns the open) application of this person for a published event. */
export async function startApplication(db: Database, eventSlug: string, actor: Actor, now = new Date()): Promise<string> {
  return db.transaction(async (tx) => {
    const [event] = await tx.select({ id: events.id, status: events.status }).from(events).where(eq(events.slug, eventSlug));
    if (event?.status !== 'published') throw new NotFoundError('We could not find that event.');
    const fund = await fundForEvent(tx, event.id);
    if (!fund) throw new NotFoundError('This event has no bursaries.');
    const [open] = await tx
      .select({ id: bursaryApplications.id })
      .from(bursaryApplications)
      .where(
        and(
          eq(bursaryApplications.eventId, event.id),
          eq(bursaryApplications.applicantId, actor.id),
          inArray(bursaryApplications.status, ['draft', 'submitted']),
        ),
      );
    if (open) return open.id;
    assertOpen(fund, now);
    const [row] = await tx
      .insert(bursaryApplications)
      .values({ fundId: fund.id, eventId: event.id, applicantId: actor.id })
      .returning({ id: bursaryApplications.id });
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.application.started', subjectType: 'bursary_application', subjectId: row!.id });
    return row!.id;
  });
}

/** How many items one category may have, and the suffix of each one's form fields ('' for the first). */
export const itemSlots = ['', '2', '3', '4'] as const;

export interface ItemInput {
  category: BursaryCategory;
  /** Which of the category's items in the form ('' for the first, then '2' …), for its error messages. */
  slot?: string;
  description: string;
  /** Pounds as typed. */
  amount: string;
  /** Travel only: car miles (the amount is then worked out at the Hub's rate). */
  miles?: string;
}

export interface DraftInput {
  perspective: BursaryPerspective | '';
  inAdvance: boolean;
  hubBooksTickets: boolean;
  paymentMethod: BursaryPaymentMethod | '';
  /** With a sort code and account number: the bank details, kept encrypted (bank-details.ts), never in paymentName. */
  paymentName: string;
  sortCode?: string;
  accountNumber?: string;
  paymentArrangement: string;
  note: string;
  items: ItemInput[];
}

async function lockOwnApplication(tx: Db, applicationId: string, actor: Actor) {
  const [row] = await tx
    .select({
      id: bursaryApplications.id,
      status: bursaryApplications.status,
      fundId: bursaryApplications.fundId,
      eventId: bursaryApplications.eventId,
      perspective: bursaryApplications.perspective,
      paymentMethod: bursaryApplications.paymentMethod,
      paymentName: bursaryApplications.paymentName,
      paymentArrangement: bursaryApplications.paymentArrangement,
    })
    .from(bursaryApplications)
    .where(and(eq(bursaryApplications.id, applicationId), eq(bursaryApplications.applicantId, actor.id)))
    .for('update');
  // Someone else's application looks the same as one that does not exist.
  if (!row) throw new NotFoundError('We could not find that application.');
  return row;
}

/** How the form labels a category's amount, so its message names the field as the page does. */
function amountLabel(category: BursaryCategory): string {
  if (category === 'travel') return 'Other travel costs';
  const label = categoryLabels[category].label;
  return `Estimated cost for ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
}

/** Reads the item rows of the form; items with no amount and no miles are left out. */
export function readItems(
  items: ItemInput[],
  settings: BursarySettings,
): { rows: Array<Omit<typeof bursaryItems.$inferInsert, 'applicationId'>>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const rows: Array<Omit<typeof bursaryItems.$inferInsert, 'applicationId'>> = [];
  for (const item of items) {
    if (!bursaryCategories.includes(item.category)) continue;
    const milesText = (item.miles ?? '').trim();
    let miles: number | null = null;
    if (milesText) {
      miles = Number(milesText);
      if (!/^\d{1,5}$/.test(milesText)) {
        errors.push({ field: `${item.category}Miles${item.slot ?? ''}`, message: 'Miles by car must be a whole number, like 24' });
        continue;
      }
    }
    let estimatePence = parsePounds(item.amount);
    if (Number.isNaN(estimatePence)) {
      errors.push({ field: `${item.category}Amount${item.slot ?? ''}`, message: `${amountLabel(item.category)} must be an amount in pounds, like 12.50` });
      continue;
    }
    // Mileage is paid at the Hub's rate, so the amount follows from the miles.
    if (miles !== null && miles > 0) estimatePence = miles * settings.mileagePencePerMile + (estimatePence ?? 0);
    if (!estimatePence) continue;
    rows.push({ category: item.category, description: item.description.trim().slice(0, 2000), miles: miles && miles > 0 ? miles : null, estimatePence });
  }
  return { rows, errors };
}

export async function saveDraft(db: Database, applicationId: string, input: DraftInput, actor: Actor, settings: BursarySettings): Promise<void> {
  const { rows, errors } = readItems(input.items, settings);
  const bank =
    input.paymentMethod === 'bank_transfer'
      ? readBankDetails({ accountName: input.paymentName, sortCode: input.sortCode ?? '', accountNumber: input.accountNumber ?? '' })
      : { details: null, errors: [] };
  if (errors.length || bank.errors.length) throw new InvalidInputError([...errors, ...bank.errors]);
  await db.transaction(async (tx) => {
    const app = await lockOwnApplication(tx, applicationId, actor);
    if (app.status !== 'draft') throw new ConflictError('bursary_not_draft', 'This application has been sent, so it can no longer be changed.');
    await tx
      .update(bursaryApplications)
      .set({
        perspective: input.perspective || null,
        inAdvance: input.inAdvance,
        hubBooksTickets: input.hubBooksTickets,
        paymentMethod: input.paymentMethod || null,
        // The name on the account goes, encrypted, with the rest of the bank details.
        paymentName: '',
        paymentArrangement: input.paymentMethod === 'other' ? input.paymentArrangement.trim().slice(0, 2000) : '',
        note: input.note.trim().slice(0, 5000),
        updatedAt: new Date(),
      })
      .where(eq(bursaryApplications.id, applicationId));
    // Empty bank fields keep the details already given; another way of payment drops them.
    if (bank.details) await storeBankDetails(tx, applicationId, bank.details);
    else if (input.paymentMethod !== 'bank_transfer') await eraseBankDetails(tx, applicationId);
    await tx.delete(bursaryItems).where(eq(bursaryItems.applicationId, applicationId));
    if (rows.length) await tx.insert(bursaryItems).values(rows.map((r) => ({ ...r, applicationId })));
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.application.saved', subjectType: 'bursary_application', subjectId: applicationId });
  });
}

export async function submitApplication(
  db: Database,
  applicationId: string,
  actor: Actor,
  now = new Date(),
): Promise<{ placeHeld: boolean | null; onlineLeft: boolean }> {
  return db.transaction(async (tx) => {
    const app = await lockOwnApplication(tx, applicationId, actor);
    if (app.status !== 'draft') throw new ConflictError('bursary_not_draft', 'This application has already been sent.');
    const fund = await getFund(tx, app.fundId);
    assertOpen(fund, now);
    const items = await tx.select({ estimatePence: bursaryItems.estimatePence }).from(bursaryItems).where(eq(bursaryItems.applicationId, applicationId));
    const errors: FieldError[] = [];
    if (!app.perspective) errors.push({ field: 'perspective', message: 'Select what makes you eligible' });
    if (items.length === 0) errors.push({ field: 'travelAmount', message: 'Enter at least one cost you would like help with' });
    if (!app.paymentMethod) errors.push({ field: 'paymentMethod', message: 'Select how you would like to be paid' });
    if (app.paymentMethod === 'bank_transfer' && !(await hasBankDetails(tx, applicationId)))
      errors.push({ field: 'sortCode', message: 'Enter the name on the bank account, its sort code and account number' });
    if (app.paymentMethod === 'other' && !app.paymentArrangement)
      errors.push({ field: 'paymentArrangement', message: 'Tell us how you would like to be paid' });
    if (errors.length) throw new InvalidInputError(errors);
    await tx.update(bursaryApplications).set({ status: 'submitted', submittedAt: now, updatedAt: now }).where(eq(bursaryApplications.id, applicationId));
    // lockOwnApplication checked that the actor is the applicant.
    const [person] = await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, actor.id));
    const placeHeld = await holdPlaceFor(tx, { applicationId, eventId: app.eventId, applicant: { id: actor.id, email: person?.email ?? '' } }, now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.application.submitted',
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { placeHeld },
    });
    const [event] = await tx.select({ title: events.title }).from(events).where(eq(events.id, app.eventId));
    await enqueueEmail(tx, {
      because: 'bursary.submitted',
      to: person!.email,
      template: 'bursary-submitted',
      data: { name: person!.displayName, eventTitle: event!.title, applicationPath: applicationPath(applicationId) },
    });
    await tellPanel(tx, { fund, applicationId, applicantId: actor.id, kind: 'application' });
    // A held place is in the room: when the room is full, say whether places online remain.
    return { placeHeld, onlineLeft: placeHeld === false && (await onlinePlacesLeft(tx, app.eventId, now)) };
  });
}

/** Why an application in this state cannot be withdrawn, in the applicant's words; null when it can. */
export function whyNotWithdrawable(status: BursaryApplicationStatus): string | null {
  if (status === 'draft' || status === 'submitted') return null;
  if (status === 'withdrawn') return 'This application has already been withdrawn.';
  return 'A decision has already been made on this application, so it cannot be withdrawn. Contact the Hub if your plans have changed.';
}

export async function withdrawApplication(db: Database, applicationId: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    const app = await lockOwnApplication(tx, applicationId, actor);
    const refusal = whyNotWithdrawable(app.status);
    if (refusal) throw new ConflictError('bursary_decided', refusal);
    await tx.update(bursaryApplications).set({ status: 'withdrawn', updatedAt: new Date() }).where(eq(bursaryApplications.id, applicationId));
    await eraseBankDetails(tx, applicationId);
    await releaseHeldPlace(tx, applicationId);
    await forgetPanelNotices(tx, { applicationId });
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.application.withdrawn', subjectType: 'bursary_application', subjectId: applicationId });
  });
}

/** A draft or withdrawn application is deleted at once, with everything in it. */
export async function deleteApplication(db: Database, applicationId: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    const app = await lockOwnApplication(tx, applicationId, actor);
    if (app.status !== 'draft' && app.status !== 'withdrawn') {
      throw new ConflictError(
        'bursary_not_deletable',
        'Only a draft or a withdrawn application can be deleted straight away. Others are erased automatically after the retention period.',
      );
    }
    await releaseHeldPlace(tx, applicationId);
    await tx.delete(bursaryApplications).where(eq(bursaryApplications.id, applicationId));
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.application.deleted', subjectType: 'bursary_application', subjectId: applicationId });
  });
}

export type DecisionOutcome = 'approve_all' | 'approve_part' | 'decline';

export interface DecisionInput {
  outcome: DecisionOutcome;
  /** Pounds as typed, by item id; only for approve_part. */
  amounts: Record<string, string>;
  message: string;
  overrideReason: string;
}

/**
 * For the panel's changes to one application: locks the fund, checks the actor is on this
 * fund's panel, then locks the application and refuses the actor's own application (another
 * panel member must act on it). Everything that spends or pays from the fund takes the locks in
 * this order, so every panel action goes through here.
 */
export async function lockForPanel(tx: Db, fundId: string, applicationId: string, actor: Actor) {
  await lockFund(tx, fundId);
  if (!(await isOnPanel(tx, actor, fundId))) throw new ForbiddenError();
  const [app] = await tx
    .select({
      id: bursaryApplications.id,
      status: bursaryApplications.status,
      applicantId: bursaryApplications.applicantId,
      eventId: bursaryApplications.eventId,
      closedAt: bursaryApplications.closedAt,
    })
    .from(bursaryApplications)
    .where(and(eq(bursaryApplications.id, applicationId), eq(bursaryApplications.fundId, fundId)))
    .for('update');
  if (!app) throw new NotFoundError('We could not find that application.');
  assertNotOwnApplication(app, actor);
  return app;
}

/**
 * The panel's decision. Locks the fund row, then the application, then sums what is already
 * committed: two panel members deciding at once queue on the fund lock, so the second sees the
 * first's approval and cannot spend the same money.
 */
export async function decideApplication(
  db: Database,
  fundId: string,
  applicationId: string,
  input: DecisionInput,
  actor: Actor,
  now = new Date(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const app = await lockForPanel(tx, fundId, applicationId, actor);
    if (app.status !== 'submitted')
      throw new ConflictError('bursary_not_pending', 'This application is not waiting for a decision (someone may have just decided it).');
    const message = input.message.trim();
    if (!message) throw new InvalidInputError([{ field: 'message', message: 'Enter a message to the applicant' }]);

    const items = await tx
      .select({ id: bursaryItems.id, estimatePence: bursaryItems.estimatePence })
      .from(bursaryItems)
      .where(eq(bursaryItems.applicationId, applicationId));
    const approved = new Map<string, number>();
    const errors: FieldError[] = [];
    for (const item of items) {
      if (input.outcome === 'approve_all') approved.set(item.id, item.estimatePence);
      else if (input.outcome === 'decline') approved.set(item.id, 0);
      else {
        const value = parsePounds(input.amounts[item.id]);
        if (value === null) {
          approved.set(item.id, 0);
          continue;
        }
        if (Number.isNaN(value)) {
          errors.push({ field: `amount-${item.id}`, message: 'Enter the amount to approve in pounds, like 12.50' });
          continue;
        }
        if (value > item.estimatePence) errors.push({ field: `amount-${item.id}`, message: 'You cannot approve more than was asked for' });
        approved.set(item.id, value);
      }
    }
    if (errors.length) throw new InvalidInputError(errors);
    const total = [...approved.values()].reduce((a, b) => a + b, 0);
    const asked = items.reduce((a, i) => a + i.estimatePence, 0);
    if (input.outcome === 'approve_part' && total === 0) throw new InvalidInputError([{ field: 'outcome', message: 'To approve nothing, choose "Decline"' }]);
    const status = input.outcome === 'decline' ? 'declined' : total === asked ? 'approved' : 'part_approved';

    const overrideReason = input.overrideReason.trim();
    let overridden = false;
    if (total > 0) {
      const figures = await fundFigures(tx, fundId, { excludeApplicationId: applicationId });
      if (total > figures.remainingPence) {
        if (!actor.isOrganiser) {
          throw new InvalidInputError([
            {
              field: 'outcome',
              message: `This would go over the remaining budget (${formatPence(figures.remainingPence)} left). Approve less, or ask an organiser.`,
            },
          ]);
        }
        if (!overrideReason) {
          throw new InvalidInputError([
            {
              field: 'overrideReason',
              message: `This would go over the remaining budget (${formatPence(figures.remainingPence)} left). Approve less, or give a reason for going over it.`,
            },
          ]);
        }
        overridden = true;
      }
    }

    for (const [itemId, value] of approved) {
      await tx
        .update(bursaryItems)
        .set({ approvedPence: value })
        .where(and(eq(bursaryItems.id, itemId), eq(bursaryItems.applicationId, applicationId)));
    }
    await tx
      .update(bursaryApplications)
      .set({ status, decidedAt: now, decidedBy: actor.id, overrideReason: overridden ? overrideReason : '', updatedAt: now })
      .where(eq(bursaryApplications.id, applicationId));
    await tx.insert(bursaryMessages).values({ applicationId, authorId: actor.id, body: message });
    if (status !== 'declined') await addEntry(tx, { fundId, applicationId, kind: 'approved', amountPence: total, recordedBy: actor.id, now });
    const [person] = app.applicantId
      ? await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, app.applicantId))
      : [];
    let place: PlaceAfterApproval | null = null;
    if (status === 'declined') {
      await releaseHeldPlace(tx, applicationId);
      // Nothing will be paid: the bank details go now.
      await eraseBankDetails(tx, applicationId);
    } else if (app.applicantId && person)
      place = await placeAfterApproval(tx, { applicationId, eventId: app.eventId, applicant: { id: app.applicantId, email: person.email } }, now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: `bursary.application.${status}`,
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { approvedPence: total, overBudget: overridden, place: place?.kind ?? null },
    });
    if (person) {
      const [event] = await tx.select({ title: events.title, slug: events.slug }).from(events).where(eq(events.id, app.eventId));
      await enqueueEmail(tx, {
        because: 'bursary.decided',
        to: person.email,
        template: 'bursary-decided',
        data: {
          name: person.displayName,
          eventTitle: event!.title,
          outcome: status,
          applicationPath: applicationPath(applicationId),
          // A decline says why, in the panel's words; approvals say what happens about a place.
          reason: status === 'declined' ? message : '',
          place: place?.kind ?? '',
          bookBy: place?.kind === 'held' ? formatDateTime(place.bookBy) : '',
          bookPath: `/events/${event!.slug}/book`,
        },
      });
    }
  });
}

/** A bursary item as panel and applicant pages show it. */
interface ItemRow {
  id: string;
  category: BursaryCategory;
  description: string;
  miles: number | null;
  estimatePence: number;
  approvedPence: number | null;
  claimedPence: number | null;
}

/** Rows of several applications, each application's own in their order, without the key. */
function groupByApplication<T extends { applicationId: string }>(rows: T[]): (id: string) => Omit<T, 'applicationId'>[] {
  const groups = new Map<string, Omit<T, 'applicationId'>[]>();
  for (const { applicationId, ...rest } of rows) {
    const group = groups.get(applicationId);
    if (group) group.push(rest);
    else groups.set(applicationId, [rest]);
  }
  return (id) => groups.get(id) ?? [];
}

/**
 * Applications with everything a panel or applicant page shows: the ones named (in that order),
 * or every application sent to a fund (drafts are the applicant's own), oldest first. Six queries
 * however many there are, each reading by an index: a fund by its (fund, status) index, the rest
 * by application.
 */
/**
 * Applications with everything about them. `conversation: false` leaves out the messages and
 * receipts (empty lists), for a queue that shows neither: two statements fewer, and on a fund of
 * hundreds of applications much less for a capped heap to hold while the page is built.
 */
export async function loadApplications(db: Db, scope: { ids: string[] } | { fundId: string; where?: SQL }, options: { conversation?: boolean } = {}) {
  const conversation = options.conversation ?? true;
  if ('ids' in scope && scope.ids.length === 0) return [];
  const chosen =
    'ids' in scope
      ? inArray(bursaryApplications.id, scope.ids)
      : and(eq(bursaryApplications.fundId, scope.fundId), ne(bursaryApplications.status, 'draft'), scope.where)!;
  const applicationIds = db.select({ id: bursaryApplications.id }).from(bursaryApplications).where(chosen);
  const apps = await db
    .select({
      id: bursaryApplications.id,
      fundId: bursaryApplications.fundId,
      eventId: bursaryApplications.eventId,
      applicantId: bursaryApplications.applicantId,
      status: bursaryApplications.status,
      perspective: bursaryApplications.perspective,
      inAdvance: bursaryApplications.inAdvance,
      hubBooksTickets: bursaryApplications.hubBooksTickets,
      paymentMethod: bursaryApplications.paymentMethod,
      paymentName: bursaryApplications.paymentName,
      paymentArrangement: bursaryApplications.paymentArrangement,
      note: bursaryApplications.note,
      submittedAt: bursaryApplications.submittedAt,
      decidedAt: bursaryApplications.decidedAt,
      overrideReason: bursaryApplications.overrideReason,
      closedAt: bursaryApplications.closedAt,
      erasedAt: bursaryApplications.erasedAt,
      createdAt: bursaryApplications.createdAt,
      eventTitle: events.title,
      eventSlug: events.slug,
      eventStatus: events.status,
      applicantName: people.displayName,
      applicantEmail: people.email,
      // Items are the large table: read per application by its index (a subquery for each row),
      // never by a scan of every item, however many applications a fund has.
      items: sql<
        ItemRow[] | string
      >`coalesce((select json_agg(json_build_object('id', i.id, 'category', i.category, 'description', i.description, 'miles', i.miles,
        'estimatePence', i.estimate_pence, 'approvedPence', i.approved_pence, 'claimedPence', i.claimed_pence)) from bursary_items i where i.application_id = ${bursaryApplications.id}), '[]'::json)`,
    })
    .from(bursaryApplications)
    .innerJoin(events, eq(events.id, bursaryApplications.eventId))
    .leftJoin(people, eq(people.id, bursaryApplications.applicantId))
    .where(chosen)
    .orderBy(asc(bursaryApplications.submittedAt), asc(bursaryApplications.id));
  // Four more queries for any number of applications, not five each.
  const [messages, receipts, claims, ledger] = await Promise.all([
    !conversation
      ? []
      : db
          .select({ applicationId: bursaryMessages.applicationId, body: bursaryMessages.body, createdAt: bursaryMessages.createdAt })
          .from(bursaryMessages)
          .where(inArray(bursaryMessages.applicationId, applicationIds))
          .orderBy(asc(bursaryMessages.createdAt)),
    !conversation
      ? []
      : db
          .select({
            applicationId: bursaryReceipts.applicationId,
            storageKey: bursaryReceipts.storageKey,
            itemId: bursaryReceipts.itemId,
            filename: bursaryReceipts.filename,
            sizeBytes: bursaryReceipts.sizeBytes,
            uploadedAt: bursaryReceipts.uploadedAt,
          })
          .from(bursaryReceipts)
          .where(inArray(bursaryReceipts.applicationId, applicationIds))
          .orderBy(asc(bursaryReceipts.uploadedAt)),
    db
      .select({
        applicationId: bursaryClaims.applicationId,
        status: bursaryClaims.status,
        submittedAt: bursaryClaims.submittedAt,
        approvedAt: bursaryClaims.approvedAt,
        approvedPence: bursaryClaims.approvedPence,
      })
      .from(bursaryClaims)
      .where(inArray(bursaryClaims.applicationId, applicationIds)),
    // By the same subquery, not the ids: a fund's page of a hundred applications sent a hundred
    // parameters to each query, and building them was a tenth of the page's time.
    entriesOf(db, 'ids' in scope ? apps.map((a) => a.id) : applicationIds),
  ]);
  const byId = new Map(apps.map((app) => [app.id, app]));
  const [messagesOf, receiptsOf, claimsOf, ledgerOf] = [
    groupByApplication(messages),
    groupByApplication(receipts),
    groupByApplication(claims),
    groupByApplication(ledger),
  ];
  const order = 'ids' in scope ? scope.ids : apps.map((a) => a.id);
  return order.flatMap((id) => {
    const app = byId.get(id);
    if (!app) return [];
    const items = (typeof app.items === 'string' ? (JSON.parse(app.items) as ItemRow[]) : app.items).sort(
      (a, b) => bursaryCategories.indexOf(a.category) - bursaryCategories.indexOf(b.category),
    );
    return [{ ...app, items, messages: messagesOf(id), receipts: receiptsOf(id), claim: claimsOf(id)[0] ?? null, ledger: ledgerOf(id) }];
  });
}

/** Everything about one application, for the applicant's page and the panel's. */
export async function loadApplication(db: Db, applicationId: string) {
  const [app] = await loadApplications(db, { ids: [applicationId] });
  return app ?? null;
}

export type LoadedApplication = NonNullable<Awaited<ReturnType<typeof loadApplication>>>;

/** How many decided and withdrawn applications the fund page shows at a time. */
export const DECIDED_PER_PAGE = 50;

/**
 * A fund's queue for its panel: every application waiting for a decision and every claim waiting
 * for approval (the work to do, never split across pages), and one page of the decided and
 * withdrawn ones, oldest first, with how many there are. Only the applications shown are loaded:
 * a fund with hundreds of decided applications cost the page their items, ledgers and views.
 */
export async function loadFundQueue(db: Db, fundId: string, page: number) {
  const decided = and(eq(bursaryApplications.fundId, fundId), notInArray(bursaryApplications.status, ['draft', 'submitted']));
  const pageIds = db
    .select({ id: bursaryApplications.id })
    .from(bursaryApplications)
    .where(decided)
    .orderBy(asc(bursaryApplications.submittedAt), asc(bursaryApplications.id))
    .limit(DECIDED_PER_PAGE)
    .offset((page - 1) * DECIDED_PER_PAGE);
  const claimWaiting = db.select({ id: bursaryClaims.applicationId }).from(bursaryClaims).where(eq(bursaryClaims.status, 'submitted'));
  // Chosen by subqueries in one condition, so the queries carry a few parameters, not every id.
  const shown = or(eq(bursaryApplications.status, 'submitted'), inArray(bursaryApplications.id, claimWaiting), inArray(bursaryApplications.id, pageIds));
  const [[counted], loaded, onPage] = await Promise.all([
    db.select({ decided: count() }).from(bursaryApplications).where(decided),
    loadApplications(db, { fundId, where: shown }, { conversation: false }),
    pageIds,
  ]);
  const pageSet = new Set(onPage.map((r) => r.id));
  return {
    waiting: loaded.filter((a) => a.status === 'submitted'),
    claims: loaded.filter((a) => a.claim?.status === 'submitted'),
    decided: loaded.filter((a) => pageSet.has(a.id)),
    decidedCount: counted?.decided ?? 0,
  };
}

export type FundQueue = Awaited<ReturnType<typeof loadFundQueue>>;

/**
 * Opens an application for someone: its applicant, the event's panel, or an admin; anyone else
 * is told it does not exist. Every view is audited.
 */
export async function viewApplication(
  db: Database,
  applicationId: string,
  actor: Actor,
  as: 'applicant' | 'panel',
  fundId?: string,
): Promise<LoadedApplication> {
  return db.transaction(async (tx) => {
    const app = await loadApplication(tx, applicationId);
    if (!app || app.erasedAt) throw new NotFoundError('We could not find that application.');
    if (as === 'applicant') {
      if (app.applicantId !== actor.id) throw new NotFoundError('We could not find that application.');
    } else {
      if (app.fundId !== fundId) throw new NotFoundError('We could not find that application.');
      if (!(await isOnPanel(tx, actor, app.fundId))) throw new ForbiddenError();
      // A draft is the applicant's own until they send it.
      if (app.status === 'draft') throw new NotFoundError('We could not find that application.');
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.application.viewed',
      subjectType: 'bursary_application',
      subjectId: applicationId,
      details: { as },
    });
    return app;
  });
}

/** The applicant's own applications, newest first. */
export async function listOwnApplications(db: Db, actor: Actor) {
  return db
    .select({
      id: bursaryApplications.id,
      status: bursaryApplications.status,
      eventTitle: events.title,
      eventStatus: events.status,
      createdAt: bursaryApplications.createdAt,
    })
    .from(bursaryApplications)
    .innerJoin(events, eq(events.id, bursaryApplications.eventId))
    .where(eq(bursaryApplications.applicantId, actor.id))
    .orderBy(desc(bursaryApplications.createdAt));
}
