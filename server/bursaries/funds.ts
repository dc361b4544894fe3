// Bursary funds and their figures. The remaining budget is always computed from the decisions,
// claims and payments in the ledger (ledger.ts), never stored: budget − what approved applications take.
import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { bursaryApplications, bursaryFunds, events } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import { formatDateTime } from '../format.ts';
import { londonDate } from '../london-time.ts';
import type { Database, Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { formatPence, parsePounds } from '../money.ts';
import { fundFigures } from './ledger.ts';
import type { Actor } from './panel.ts';

export interface FundRow {
  id: string;
  eventId: string | null;
  name: string;
  budgetPence: number;
  eligibility: string;
  covers: string;
  deadlineAt: Date | null;
  eventTitle: string | null;
  eventSlug: string | null;
}

const fundColumns = {
  id: bursaryFunds.id,
  eventId: bursaryFunds.eventId,
  name: bursaryFunds.name,
  budgetPence: bursaryFunds.budgetPence,
  eligibility: bursaryFunds.eligibility,
  covers: bursaryFunds.covers,
  deadlineAt: bursaryFunds.deadlineAt,
  eventTitle: events.title,
  eventSlug: events.slug,
};

export async function getFund(db: Db, fundId: string): Promise<FundRow> {
  const [row] = await db.select(fundColumns).from(bursaryFunds).leftJoin(events, eq(events.id, bursaryFunds.eventId)).where(eq(bursaryFunds.id, fundId));
  if (!row) throw new NotFoundError('We could not find that bursary fund.');
  return row;
}

/** All funds (organisers), or only the given ones (the panels someone was added to). */
export async function listFunds(db: Db, onlyFundIds?: string[]): Promise<FundRow[]> {
  if (onlyFundIds && onlyFundIds.length === 0) return [];
  return db
    .select(fundColumns)
    .from(bursaryFunds)
    .leftJoin(events, eq(events.id, bursaryFunds.eventId))
    .where(onlyFundIds ? inArray(bursaryFunds.id, onlyFundIds) : undefined)
    .orderBy(asc(bursaryFunds.name));
}

/** The fund an application for this event is made to: the event's own, else the Hub's general fund. */
const fundOfEvent = prepared((db) =>
  db
    .select(fundColumns)
    .from(bursaryFunds)
    .leftJoin(events, eq(events.id, bursaryFunds.eventId))
    .where(eq(bursaryFunds.eventId, sql.placeholder('eventId')))
    .prepare('fund_of_event'),
);

/**
 * A published event's "help with costs" page: the event, the fund that covers it (its own or the
 * general fund), and the applicant's application still in progress there, if any.
 */
export async function eventFundFor(
  db: Db,
  slug: string,
  applicantId: string,
): Promise<{ event: { id: string; title: string }; fund: FundRow | null; openApplicationId: string | null } | null> {
  const [event] = await db.select({ id: events.id, title: events.title, status: events.status }).from(events).where(eq(events.slug, slug));
  if (event?.status !== 'published') return null;
  const fund = await fundForEvent(db, event.id);
  const [existing] = await db
    .select({ id: bursaryApplications.id })
    .from(bursaryApplications)
    .where(
      and(
        eq(bursaryApplications.eventId, event.id),
        eq(bursaryApplications.applicantId, applicantId),
        inArray(bursaryApplications.status, ['draft', 'submitted']),
      ),
    );
  return { event: { id: event.id, title: event.title }, fund, openApplicationId: existing?.id ?? null };
}

/** Events that have no fund of their own yet, by title: the choices when setting one up. */
export async function eventsWithoutFund(db: Db): Promise<{ id: string; title: string }[]> {
  return db
    .select({ id: events.id, title: events.title })
    .from(events)
    .leftJoin(bursaryFunds, eq(bursaryFunds.eventId, events.id))
    .where(isNull(bursaryFunds.id))
    .orderBy(asc(events.title));
}

export async function fundForEvent(db: Db, eventId: string): Promise<FundRow | null> {
  const [own] = await fundOfEvent(db).execute({ eventId });
  if (own) return own;
  const [general] = await db
    .select(fundColumns)
    .from(bursaryFunds)
    .leftJoin(events, eq(events.id, bursaryFunds.eventId))
    .where(isNull(bursaryFunds.eventId))
    .limit(1);
  return general ?? null;
}

export interface FundInput {
  eventId: string;
  name: string;
  budget: string;
  eligibility: string;
  covers: string;
  deadline: string;
}

function readFundInput(input: FundInput): { values: Omit<typeof bursaryFunds.$inferInsert, 'createdBy'>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push({ field: 'name', message: 'Enter a name for the fund' });
  const budgetPence = parsePounds(input.budget);
  if (budgetPence === null || Number.isNaN(budgetPence)) errors.push({ field: 'budget', message: 'Enter the budget in pounds, like 500 or 750.50' });
  let deadlineAt: Date | null = null;
  if (input.deadline.trim()) {
    // The deadline is a day in London; applications are open until the end of it.
    const day = DateTime.fromISO(input.deadline.trim(), { zone: 'Europe/London' });
    if (!day.isValid) errors.push({ field: 'deadline', message: 'Enter the deadline as a real date' });
    else deadlineAt = day.endOf('day').toUTC().toJSDate();
  }
  return {
    values: {
      eventId: input.eventId || null,
      name,
      budgetPence: budgetPence ?? 0,
      eligibility: input.eligibility.trim(),
      covers: input.covers.trim(),
      deadlineAt,
    },
    errors,
  };
}

export async function createFund(db: Database, input: FundInput, actor: Actor): Promise<string> {
  if (!actor.isOrganiser) throw new ForbiddenError();
  const { values, errors } = readFundInput(input);
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    const existing = values.eventId
      ? await tx.select({ id: bursaryFunds.id }).from(bursaryFunds).where(eq(bursaryFunds.eventId, values.eventId))
      : await tx.select({ id: bursaryFunds.id }).from(bursaryFunds).where(isNull(bursaryFunds.eventId));
    if (existing.length)
      throw new InvalidInputError([
        { field: 'eventId', message: values.eventId ? 'That event already has a bursary fund' : 'There is already a general Hub fund' },
      ]);
    if (values.eventId) {
      const [event] = await tx.select({ id: events.id }).from(events).where(eq(events.id, values.eventId));
      if (!event) throw new InvalidInputError([{ field: 'eventId', message: 'Select an event' }]);
    }
    const [row] = await tx
      .insert(bursaryFunds)
      .values({ ...values, createdBy: actor.id })
      .returning({ id: bursaryFunds.id });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.fund.created',
      subjectType: 'bursary_fund',
      subjectId: row!.id,
      details: { budgetPence: values.budgetPence },
    });
    return row!.id;
  });
}

function sameLondonDay(a: Date | null, b: Date | null): boolean {
  return a !== null && b !== null && londonDate(a) === londonDate(b);
}

export async function updateFund(db: Database, fundId: string, input: Omit<FundInput, 'eventId'>, actor: Actor): Promise<void> {
  if (!actor.isOrganiser) throw new ForbiddenError();
  const { values, errors } = readFundInput({ ...input, eventId: '' });
  if (errors.length) throw new InvalidInputError(errors);
  await db.transaction(async (tx) => {
    const [fund] = await tx
      .select({ id: bursaryFunds.id, deadlineAt: bursaryFunds.deadlineAt })
      .from(bursaryFunds)
      .where(eq(bursaryFunds.id, fundId))
      .for('update');
    if (!fund) throw new NotFoundError('We could not find that bursary fund.');
    // The form shows the deadline as its day only. That day sent back unchanged keeps the deadline
    // exactly (a 10am deadline was moved to 11:59pm by saving the form for another change); only a
    // different day means the end of that day.
    const chosen = values.deadlineAt ?? null;
    const deadlineAt = sameLondonDay(chosen, fund.deadlineAt) ? fund.deadlineAt : chosen;
    const figures = await fundFigures(tx, fundId);
    if (values.budgetPence < figures.approvedPence) {
      throw new InvalidInputError([
        { field: 'budget', message: `The budget cannot be less than what is already taken from it (${formatPence(figures.approvedPence)})` },
      ]);
    }
    await tx
      .update(bursaryFunds)
      .set({
        name: values.name,
        budgetPence: values.budgetPence,
        eligibility: values.eligibility,
        covers: values.covers,
        deadlineAt,
        updatedAt: new Date(),
      })
      .where(eq(bursaryFunds.id, fundId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.fund.updated',
      subjectType: 'bursary_fund',
      subjectId: fundId,
      details: { budgetPence: values.budgetPence },
    });
  });
}

export { fundFigures, type FundFigures } from './ledger.ts';

/** Locks the fund row until the transaction ends: every spending decision starts here. */
export async function lockFund(tx: Db, fundId: string): Promise<{ id: string; eventId: string | null; budgetPence: number }> {
  const [row] = await tx
    .select({ id: bursaryFunds.id, eventId: bursaryFunds.eventId, budgetPence: bursaryFunds.budgetPence })
    .from(bursaryFunds)
    .where(eq(bursaryFunds.id, fundId))
    .for('update');
  if (!row) throw new NotFoundError('We could not find that bursary fund.');
  return row;
}

export function assertOpen(fund: { deadlineAt: Date | null }, now: Date): void {
  if (fund.deadlineAt && fund.deadlineAt.getTime() < now.getTime()) {
    throw new ConflictError('bursary_closed', 'The deadline for bursary applications for this event has passed.');
  }
}

export interface OpenEvent {
  title: string;
  slug: string;
  deadlineAt: Date | null;
}

/**
 * Published events still to come that take applications now: those with their own open fund,
 * and, while the Hub's general fund is open, every other one.
 */
export async function eventsOpenForApplications(db: Db, now: Date): Promise<OpenEvent[]> {
  const upcoming = await db
    .select({ title: events.title, slug: events.slug, fundDeadline: bursaryFunds.deadlineAt, fundId: bursaryFunds.id })
    .from(events)
    .leftJoin(bursaryFunds, eq(bursaryFunds.eventId, events.id))
    // An unlisted event is in no list: its invitees reach its bursary from its own page.
    .where(and(eq(events.status, 'published'), eq(events.unlisted, false), or(isNull(events.startsAt), gt(events.startsAt, now))))
    .orderBy(asc(events.startsAt));
  const [general] = await db.select({ deadlineAt: bursaryFunds.deadlineAt }).from(bursaryFunds).where(isNull(bursaryFunds.eventId)).limit(1);
  const generalOpen = general && (!general.deadlineAt || general.deadlineAt > now);
  return upcoming.flatMap((e) => {
    if (e.fundId) return !e.fundDeadline || e.fundDeadline > now ? [{ title: e.title, slug: e.slug, deadlineAt: e.fundDeadline }] : [];
    return generalOpen ? [{ title: e.title, slug: e.slug, deadlineAt: general.deadlineAt }] : [];
  });
}

export interface BursaryOffer {
  applyUrl: string;
  eligibility: string;
  covers: string;
  deadline: string | null;
}

/**
 * What the public event page says about help with costs: shown while the event is to come and
 * its fund (its own, or the Hub's general fund) takes applications.
 */
export async function publicBursaryOffer(
  db: Db,
  event: { id: string; slug: string; status: string; startsAt: Date | null },
  now = new Date(),
): Promise<BursaryOffer | null> {
  if (event.status !== 'published' || (event.startsAt && event.startsAt <= now)) return null;
  const fund = await fundForEvent(db, event.id);
  if (!fund || (fund.deadlineAt && fund.deadlineAt <= now)) return null;
  return {
    applyUrl: `/events/${event.slug}/bursary`,
    eligibility: fund.eligibility,
    covers: fund.covers,
    deadline: fund.deadlineAt ? formatDateTime(fund.deadlineAt) : null,
  };
}
