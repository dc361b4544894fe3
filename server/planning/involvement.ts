// Involvement payments: planners log the time they give (meetings, preparation, speaking) at the
// Hub's hourly rate, and choose per item to be paid, take vouchers, have it paid to their
// organisation, or decline. People on benefits often must limit what they earn, so each person
// may set a cap per tax year; an item that would go over it is refused with a plain reason.
// Organisers mark items paid.
import { and, asc, desc, eq, gte, inArray, lte, ne } from 'drizzle-orm';
import {
  events,
  involvementCaps,
  involvementItems,
  involvementSettings,
  people,
  type InvolvementActivity,
  type InvolvementChoice,
} from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formatPence } from '../format.ts';
import { planningAccess } from './access.ts';

/** Used until an organiser sets the Hub's rate: £25 an hour. */
export const DEFAULT_RATE_PENCE = 2500;
/** Paid to the person (as money or vouchers), so counted against their own cap. */
const countsForPerson: InvolvementChoice[] = ['paid', 'vouchers'];

/** The UK tax year a day falls in, named by its first year: 6 April 2026 to 5 April 2027 is 2026. */
export function taxYearOf(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return m > 4 || (m === 4 && d >= 6) ? y : y - 1;
}

export function taxYearRange(year: number): { from: string; to: string; label: string } {
  return { from: `${year}-04-06`, to: `${year + 1}-04-05`, label: `${year} to ${year + 1}` };
}

export async function hubRate(db: Db): Promise<number> {
  const [row] = await db.select({ rate: involvementSettings.ratePencePerHour }).from(involvementSettings).where(eq(involvementSettings.key, 'hub'));
  return row?.rate ?? DEFAULT_RATE_PENCE;
}

export async function setHubRate(db: Database, ratePencePerHour: number, me: Me): Promise<void> {
  if (!me.isOrganiser) throw new ForbiddenError();
  if (!Number.isInteger(ratePencePerHour) || ratePencePerHour < 0 || ratePencePerHour > 100_000) {
    throw new InvalidInputError([{ field: 'rate', message: 'Enter an hourly rate in pounds, like 25 or 25.50' }]);
  }
  await db.transaction(async (tx) => {
    await tx
      .insert(involvementSettings)
      .values({ key: 'hub', ratePencePerHour, updatedBy: me.id })
      .onConflictDoUpdate({ target: involvementSettings.key, set: { ratePencePerHour, updatedBy: me.id, updatedAt: new Date() } });
    await recordAudit(tx, { actorId: me.id, action: 'involvement.rate.set', subjectType: 'settings', subjectId: 'hub', details: { ratePencePerHour } });
  });
}

export async function capOf(db: Db, personId: string): Promise<number | null> {
  const [row] = await db.select({ cap: involvementCaps.capPence }).from(involvementCaps).where(eq(involvementCaps.personId, personId));
  return row?.cap ?? null;
}

export async function setMyCap(db: Database, capPence: number | null, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    if (capPence == null) await tx.delete(involvementCaps).where(eq(involvementCaps.personId, me.id));
    else {
      await tx
        .insert(involvementCaps)
        .values({ personId: me.id, capPence })
        .onConflictDoUpdate({ target: involvementCaps.personId, set: { capPence, updatedAt: new Date() } });
    }
    await recordAudit(tx, { actorId: me.id, action: 'involvement.cap.set', subjectType: 'person', subjectId: me.id, details: { capPence } });
  });
}

/** What a person has had paid to them (money or vouchers) in one tax year, across all events. */
export async function personTotal(db: Db, personId: string, year: number, exceptItemId?: string): Promise<number> {
  const { from, to } = taxYearRange(year);
  const rows = await db
    .select({ amount: involvementItems.amountPence, id: involvementItems.id })
    .from(involvementItems)
    .where(
      and(
        eq(involvementItems.personId, personId),
        inArray(involvementItems.choice, countsForPerson),
        gte(involvementItems.occurredOn, from),
        lte(involvementItems.occurredOn, to),
      ),
    );
  return rows.filter((r) => r.id !== exceptItemId).reduce((sum, r) => sum + r.amount, 0);
}

/** Refuses a choice that would take the person over the cap they set for that tax year. */
async function checkCap(tx: Db, personId: string, occurredOn: string, amountPence: number, choice: InvolvementChoice, exceptItemId?: string): Promise<void> {
  if (!countsForPerson.includes(choice)) return;
  // Lock the person's cap so two items logged at once cannot both slip under it.
  const [cap] = await tx.select({ cap: involvementCaps.capPence }).from(involvementCaps).where(eq(involvementCaps.personId, personId)).for('update');
  if (!cap) return;
  const year = taxYearOf(occurredOn);
  const total = await personTotal(tx, personId, year, exceptItemId);
  if (total + amountPence > cap.cap) {
    throw new InvalidInputError([
      {
        field: 'choice',
        message: `This would take you over the limit you set of ${formatPence(cap.cap)} for the ${taxYearRange(year).label} tax year (${formatPence(total)} so far). Choose to have it paid to your organisation or to decline payment, or change your limit.`,
      },
    ]);
  }
}

export interface ItemInput {
  activity: InvolvementActivity;
  description: string;
  occurredOn: string;
  minutes: number;
  choice: InvolvementChoice;
  organisationName: string;
}

export async function logItem(db: Database, eventId: string, input: ItemInput, me: Me): Promise<void> {
  if (input.minutes < 1 || input.minutes > 24 * 60)
    throw new InvalidInputError([{ field: 'hours', message: 'Enter the time you gave, from a few minutes up to 24 hours' }]);
  if (input.choice === 'organisation' && !input.organisationName.trim())
    throw new InvalidInputError([{ field: 'organisationName', message: 'Enter the name of the organisation to pay' }]);
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    if (!access.membership) throw new ForbiddenError('Only members of the planning group log their time here.');
    const rate = await hubRate(tx);
    const amountPence = Math.round((input.minutes * rate) / 60);
    await checkCap(tx, me.id, input.occurredOn, amountPence, input.choice);
    const [row] = await tx
      .insert(involvementItems)
      .values({
        eventId,
        personId: me.id,
        ...input,
        description: input.description.trim(),
        organisationName: input.organisationName.trim(),
        ratePencePerHour: rate,
        amountPence,
      })
      .returning({ id: involvementItems.id });
    await recordAudit(tx, {
      actorId: me.id,
      action: 'involvement.item.logged',
      subjectType: 'event',
      subjectId: eventId,
      details: { itemId: row!.id, amountPence, choice: input.choice },
    });
  });
}

export async function changeChoice(
  db: Database,
  eventId: string,
  itemId: string,
  input: { choice: InvolvementChoice; organisationName: string },
  me: Me,
): Promise<void> {
  if (input.choice === 'organisation' && !input.organisationName.trim())
    throw new InvalidInputError([{ field: 'organisationName', message: 'Enter the name of the organisation to pay' }]);
  await db.transaction(async (tx) => {
    await planningAccess(tx, eventId, me);
    const [item] = await tx
      .select()
      .from(involvementItems)
      .where(and(eq(involvementItems.id, itemId), eq(involvementItems.eventId, eventId), eq(involvementItems.personId, me.id)))
      .for('update');
    if (!item) throw new NotFoundError('We could not find that item.');
    if (item.paidAt) throw new ConflictError('item_paid', 'This item has already been paid, so its choice cannot change.');
    await checkCap(tx, me.id, item.occurredOn, item.amountPence, input.choice, item.id);
    await tx.update(involvementItems).set({ choice: input.choice, organisationName: input.organisationName.trim() }).where(eq(involvementItems.id, itemId));
    await recordAudit(tx, {
      actorId: me.id,
      action: 'involvement.item.choice_changed',
      subjectType: 'event',
      subjectId: eventId,
      details: { itemId, choice: input.choice },
    });
  });
}

export async function markPaid(db: Database, eventId: string, itemId: string, me: Me): Promise<void> {
  if (!me.isOrganiser) throw new ForbiddenError('Only an organiser can mark payments as made.');
  await db.transaction(async (tx) => {
    await planningAccess(tx, eventId, me);
    // Nobody pays themselves: an organiser's own time is marked paid by another organiser.
    const [item] = await tx
      .select({ personId: involvementItems.personId })
      .from(involvementItems)
      .where(and(eq(involvementItems.id, itemId), eq(involvementItems.eventId, eventId)));
    if (item?.personId === me.id) {
      throw new ConflictError('involvement_own_item', 'This is your own time, so another organiser must mark it as paid.');
    }
    const updated = await tx
      .update(involvementItems)
      .set({ paidAt: new Date(), paidBy: me.id })
      .where(and(eq(involvementItems.id, itemId), eq(involvementItems.eventId, eventId), ne(involvementItems.choice, 'declined')))
      .returning({ id: involvementItems.id, paidAt: involvementItems.paidAt });
    if (!updated.length) throw new NotFoundError('We could not find a payment to mark for that item.');
    await recordAudit(tx, { actorId: me.id, action: 'involvement.item.paid', subjectType: 'event', subjectId: eventId, details: { itemId } });
  });
}

/** Items for one event: a member sees their own; organisers see everyone's. */
export async function listItems(db: Db, eventId: string, me: Me) {
  return db
    .select({
      id: involvementItems.id,
      personId: involvementItems.personId,
      personName: people.displayName,
      personEmail: people.email,
      activity: involvementItems.activity,
      description: involvementItems.description,
      occurredOn: involvementItems.occurredOn,
      minutes: involvementItems.minutes,
      amountPence: involvementItems.amountPence,
      choice: involvementItems.choice,
      organisationName: involvementItems.organisationName,
      paidAt: involvementItems.paidAt,
    })
    .from(involvementItems)
    .innerJoin(people, eq(people.id, involvementItems.personId))
    .where(me.isOrganiser ? eq(involvementItems.eventId, eventId) : and(eq(involvementItems.eventId, eventId), eq(involvementItems.personId, me.id)))
    .orderBy(asc(involvementItems.occurredOn), asc(involvementItems.createdAt));
}

/** A person's own items across every event, newest first. */
export async function myItems(db: Db, me: Me) {
  return db
    .select({
      id: involvementItems.id,
      eventTitle: events.title,
      activity: involvementItems.activity,
      occurredOn: involvementItems.occurredOn,
      minutes: involvementItems.minutes,
      amountPence: involvementItems.amountPence,
      choice: involvementItems.choice,
      paidAt: involvementItems.paidAt,
    })
    .from(involvementItems)
    .innerJoin(events, eq(events.id, involvementItems.eventId))
    .where(eq(involvementItems.personId, me.id))
    .orderBy(desc(involvementItems.occurredOn));
}
