// What organisers do with places and bookings: ticket types and questions, the attendee list and
// its summaries, messages to attendees, and check-in on the day. Every lookup is scoped by the
// event, so a booking of one event can never be changed through another event's pages.
import { and, asc, count, desc, eq, ilike, inArray, isNull, max, or, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  eventQuestions,
  events,
  payments,
  people,
  reservedPlaces,
  questionKinds,
  registrations,
  registrationSettings,
  ticketTypes,
  type QuestionKind,
  type BookingMode,
  type RegistrationStatus,
} from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { ConflictError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { requireCheckInOpen } from './check-in.ts';
import { lockEvent } from '../db/event-lock.ts';
import { mintManagePath } from './links.ts';
import { passOnFreedPlaces } from './offers.ts';
import { eventFacts, getEvent } from './queries.ts';

export interface AttendeeFilter {
  status?: string;
  ticketTypeId?: string;
  search?: string;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Whoever booked a place for someone else (an organiser). */
const bookers = alias(people, 'bookers');

/** The conditions an attendee filter puts on an event's bookings. */
function attendeeConditions(eventId: string, filter: AttendeeFilter) {
  const conditions = [eq(registrations.eventId, eventId)];
  if (filter.status) conditions.push(eq(registrations.status, filter.status as RegistrationStatus));
  if (filter.ticketTypeId) conditions.push(eq(registrations.ticketTypeId, filter.ticketTypeId));
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    conditions.push(or(ilike(registrations.name, pattern), ilike(registrations.email, pattern), ilike(registrations.organisation, pattern))!);
  }
  return and(...conditions);
}

/** The attendee list's order: by when booked, then by name (several booked in the same moment). */
const attendeeOrder = [asc(registrations.createdAt), asc(registrations.name), asc(registrations.id)];

/** What the organisers' pages show of each booking. */
const attendeeColumns = {
  id: registrations.id,
  name: registrations.name,
  email: registrations.email,
  personId: registrations.personId,
  organisation: registrations.organisation,
  perspective: registrations.perspective,
  status: registrations.status,
  ticketTypeId: registrations.ticketTypeId,
  ticketName: ticketTypes.name,
  companionOfId: registrations.companionOfId,
  accessRequirements: registrations.accessRequirements,
  dietaryNeeds: registrations.dietaryNeeds,
  consentFutureEvents: registrations.consentFutureEvents,
  pricePence: registrations.pricePence,
  paymentMode: registrations.paymentMode,
  createdAt: registrations.createdAt,
  attendedAt: registrations.attendedAt,
  attendance: registrations.attendance,
  bookedById: registrations.bookedById,
  bookedByName: bookers.displayName,
  bookedByEmail: bookers.email,
  reservedFor: reservedPlaces.groupName,
};

/** Every booking of an event the filter matches, in the attendee list's order. */
export async function listAttendees(db: Db, eventId: string, filter: AttendeeFilter = {}) {
  return db
    .select(attendeeColumns)
    .from(registrations)
    .leftJoin(ticketTypes, eq(ticketTypes.id, registrations.ticketTypeId))
    .leftJoin(bookers, eq(bookers.id, registrations.bookedById))
    .leftJoin(reservedPlaces, eq(reservedPlaces.id, registrations.reservationId))
    .where(attendeeConditions(eventId, filter))
    .orderBy(...attendeeOrder)
    .limit(5000);
}

/** The booking a companion's place came with. */
const leads = alias(registrations, 'leads');

/** The latest payment of the booking in the outer query (a lateral join). */
function latestPaymentOf(db: Db) {
  return db
    .select({ method: payments.method, status: payments.status })
    .from(payments)
    .where(eq(payments.registrationId, registrations.id))
    .orderBy(desc(payments.createdAt))
    .limit(1)
    .as('latest_payment');
}

/**
 * A page of the bookings `matching` picks out, each with the name of the booking a companion
 * came with and its latest payment, and (in every row) how many match in all.
 */
function attendeesChosen(db: Db, matching: SQL | undefined, limit: number | Placeholder, offset: number | Placeholder) {
  const chosen = db
    .select({ id: registrations.id, total: sql<number>`count(*) over ()`.mapWith(Number).as('total') })
    .from(registrations)
    .where(matching)
    .orderBy(...attendeeOrder)
    .limit(limit)
    .offset(offset)
    .as('chosen');
  const latestPayment = latestPaymentOf(db);
  return db
    .select({ ...attendeeColumns, companionOfName: leads.name, paymentMethod: latestPayment.method, paymentStatus: latestPayment.status, total: chosen.total })
    .from(registrations)
    .innerJoin(chosen, eq(chosen.id, registrations.id))
    .leftJoin(ticketTypes, eq(ticketTypes.id, registrations.ticketTypeId))
    .leftJoin(bookers, eq(bookers.id, registrations.bookedById))
    .leftJoin(reservedPlaces, eq(reservedPlaces.id, registrations.reservationId))
    .leftJoin(leads, eq(leads.id, registrations.companionOfId))
    .leftJoinLateral(latestPayment, sql`true`)
    .orderBy(...attendeeOrder);
}

/** The unfiltered list, the one organisers open most: built once. */
const unfilteredAttendees = prepared((db) =>
  attendeesChosen(db, eq(registrations.eventId, sql.placeholder('eventId')), sql.placeholder('limit'), sql.placeholder('offset')).prepare('attendee_page'),
);

/**
 * The attendee list as shown, in one statement: the bookings the filter matches (a page of them
 * when `page` is given, every one for the spreadsheet), and how many match in all. A page of a
 * 1,000-place event reads 100 rows, not 1,000: the counts above the list come from
 * attendeeTallies.
 */
export async function attendeePage(db: Db, eventId: string, filter: AttendeeFilter, page?: { limit: number; offset: number }) {
  // Without a page, every booking: the spreadsheet promises all of them (no cap to fall short of).
  const { limit = Number.MAX_SAFE_INTEGER, offset = 0 } = page ?? {};
  const filtered = Boolean(filter.status || filter.ticketTypeId || filter.search?.trim());
  const rows = filtered
    ? await attendeesChosen(db, attendeeConditions(eventId, filter), limit, offset)
    : await unfilteredAttendees(db).execute({ eventId, limit, offset });
  // Past the last page nothing comes back to carry the count: it is counted on its own.
  const total = rows[0]?.total ?? (offset > 0 ? await countMatching(db, attendeeConditions(eventId, filter)) : 0);
  return { rows, total };
}

async function countMatching(db: Db, matching: ReturnType<typeof attendeeConditions>): Promise<number> {
  const [row] = await db.select({ n: count() }).from(registrations).where(matching);
  return row?.n ?? 0;
}

const talliesOf = prepared((db) => {
  const companion = sql<boolean>`${registrations.companionOfId} is not null`;
  return db
    .select({
      status: registrations.status,
      ticketTypeId: registrations.ticketTypeId,
      companion,
      attendance: registrations.attendance,
      perspective: registrations.perspective,
      n: count(),
    })
    .from(registrations)
    .where(eq(registrations.eventId, sql.placeholder('eventId')))
    .groupBy(registrations.status, registrations.ticketTypeId, companion, registrations.attendance, registrations.perspective)
    .prepare('attendee_tallies');
});

/**
 * How many bookings of an event there are of each kind the attendee list counts (status, kind of
 * place, companion or not, how they attend, perspective), as a few grouped rows rather than every
 * booking.
 */
export async function attendeeTallies(db: Db, eventId: string) {
  return talliesOf(db).execute({ eventId });
}

/** Notes in the audit log that someone downloaded an event's attendee list (personal data). */
export async function auditAttendeeExport(db: Db, eventId: string, rows: number, actor: Me): Promise<void> {
  await recordAudit(db, { actorId: actor.id, action: 'registration.attendees.exported', subjectType: 'event', subjectId: eventId, details: { rows } });
}

/** The latest payment status of each booking of an event, for the attendee list. */
export async function paymentStatuses(db: Db, eventId: string): Promise<Map<string, { method: string; status: string }>> {
  // By the event, not by a list of booking ids: one query of one parameter however many are booked.
  const rows = await db
    .select({ registrationId: payments.registrationId, method: payments.method, status: payments.status })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .where(eq(registrations.eventId, eventId))
    .orderBy(asc(payments.createdAt));
  return new Map(rows.map((r) => [r.registrationId, { method: r.method, status: r.status }]));
}

/** Marks a booked person as attended, or undoes it. */
export async function setAttended(db: Database, eventId: string, registrationId: string, attended: boolean, actor: Me): Promise<{ name: string }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: registrations.status, name: registrations.name })
      .from(registrations)
      .where(and(eq(registrations.id, registrationId), eq(registrations.eventId, eventId)))
      .for('update');
    if (!row) throw new NotFoundError('We could not find that booking for this event.');
    await requireCheckInOpen(tx, (await getEvent(tx, eventId))!);
    const from: RegistrationStatus = attended ? 'confirmed' : 'attended';
    if (row.status !== from) {
      if (row.status === (attended ? 'attended' : 'confirmed')) return { name: row.name };
      if (row.status === 'pending_payment')
        throw new ConflictError('not_paid', `${row.name}’s place is not paid for yet. Mark their invoice paid on the attendee list, then check them in.`);
      throw new ConflictError('not_booked', `${row.name} does not have a booked place, so cannot be checked in.`);
    }
    const now = new Date();
    await tx
      .update(registrations)
      .set({ status: attended ? 'attended' : 'confirmed', attendedAt: attended ? now : null, updatedAt: now })
      .where(eq(registrations.id, registrationId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: attended ? 'registration.checkin.marked' : 'registration.checkin.undone',
      subjectType: 'registration',
      subjectId: registrationId,
      details: { eventId },
    });
    return { name: row.name };
  });
}

/** Sends a message through the outbox to all booked people, or the ones chosen. */
export async function messageAttendees(
  db: Database,
  eventId: string,
  input: { subject: string; message: string; registrationIds: string[]; includeWaiting: boolean },
  actor: Me,
): Promise<number> {
  const errors: FieldError[] = [];
  const subject = input.subject.trim();
  const message = input.message.trim();
  if (!subject) errors.push({ field: 'subject', message: 'Enter a subject' });
  if (subject.length > 150) errors.push({ field: 'subject', message: 'Subject must be 150 characters or fewer' });
  if (!message) errors.push({ field: 'message', message: 'Enter your message' });
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    const event = await getEvent(tx, eventId);
    if (!event) throw new NotFoundError();
    const statuses: RegistrationStatus[] = input.includeWaiting
      ? ['confirmed', 'pending_payment', 'attended', 'waitlisted', 'offered']
      : ['confirmed', 'pending_payment', 'attended'];
    const conditions = [eq(registrations.eventId, eventId), isNull(registrations.companionOfId), inArray(registrations.status, statuses)];
    if (input.registrationIds.length) conditions.push(inArray(registrations.id, input.registrationIds));
    const recipients = await tx
      .select({ id: registrations.id, email: registrations.email })
      .from(registrations)
      .where(and(...conditions));
    if (recipients.length === 0)
      throw new InvalidInputError([{ field: 'registrationIds', message: 'Nobody matches: choose at least one person with a booking' }]);
    for (const r of recipients) {
      const managePath = await mintManagePath(tx, r.id);
      await enqueueEmail(tx, {
        because: 'event.message-sent',
        to: r.email,
        template: 'attendee-message',
        data: { ...eventFacts(event), subjectLine: subject, message, managePath },
      });
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'registration.attendees.messaged',
      subjectType: 'event',
      subjectId: eventId,
      details: { subject, recipients: recipients.length },
    });
    return recipients.length;
  });
}

// --- Places and questions --------------------------------------------------------------------

export interface TicketTypeInput {
  name: string;
  description: string;
  pricePence: number;
  capacity: number | null;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  eligibility: string;
}

function checkTicketType(input: TicketTypeInput): void {
  const errors: FieldError[] = [];
  if (!input.name.trim()) errors.push({ field: 'name', message: 'Enter a name for this kind of place' });
  if (!Number.isInteger(input.pricePence) || input.pricePence < 0)
    errors.push({ field: 'price', message: 'Enter a price in pounds, like 12.50, or 0 for free' });
  if (input.pricePence > 0 && input.pricePence < 30) errors.push({ field: 'price', message: 'A paid place must cost at least 30p' });
  if (input.capacity !== null && (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > 100_000))
    errors.push({ field: 'capacity', message: 'Places must be a whole number, or left empty' });
  if (input.salesStartAt && input.salesEndAt && input.salesEndAt <= input.salesStartAt)
    errors.push({ field: 'salesEndAt', message: 'Sales must end after they start' });
  if (errors.length) throw new InvalidInputError(errors);
}

export async function addTicketType(db: Database, eventId: string, input: TicketTypeInput, actor: Me): Promise<string> {
  checkTicketType(input);
  return db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const [last] = await tx
      .select({ n: max(ticketTypes.position) })
      .from(ticketTypes)
      .where(eq(ticketTypes.eventId, eventId));
    const [row] = await tx
      .insert(ticketTypes)
      .values({
        ...input,
        name: input.name.trim(),
        description: input.description.trim(),
        eligibility: input.eligibility.trim(),
        eventId,
        position: (last?.n ?? 0) + 1,
      })
      .returning({ id: ticketTypes.id });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'registration.ticket_type.added',
      subjectType: 'event',
      subjectId: eventId,
      details: { ticketTypeId: row!.id, name: input.name, pricePence: input.pricePence },
    });
    return row!.id;
  });
}

export async function updateTicketType(db: Database, eventId: string, ticketTypeId: string, input: TicketTypeInput, actor: Me): Promise<void> {
  checkTicketType(input);
  await db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const [existing] = await tx
      .select({ pricePence: ticketTypes.pricePence })
      .from(ticketTypes)
      .where(and(eq(ticketTypes.id, ticketTypeId), eq(ticketTypes.eventId, eventId)));
    if (!existing) throw new NotFoundError('We could not find that kind of place.');
    const [booked] = await tx.select({ n: count() }).from(registrations).where(eq(registrations.ticketTypeId, ticketTypeId));
    if (Number(booked?.n ?? 0) > 0 && existing.pricePence !== input.pricePence) {
      throw new InvalidInputError([
        { field: 'price', message: 'People have already booked this kind of place, so its price cannot change. Add a new kind of place instead.' },
      ]);
    }
    await tx
      .update(ticketTypes)
      .set({ ...input, name: input.name.trim(), description: input.description.trim(), eligibility: input.eligibility.trim() })
      .where(and(eq(ticketTypes.id, ticketTypeId), eq(ticketTypes.eventId, eventId)));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'registration.ticket_type.updated',
      subjectType: 'event',
      subjectId: eventId,
      details: { ticketTypeId },
    });
    // A larger capacity may free places for people waiting.
    await passOnFreedPlaces(tx, eventId);
  });
}

export async function setTicketTypeWithdrawn(db: Database, eventId: string, ticketTypeId: string, withdrawn: boolean, actor: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const done = await tx
      .update(ticketTypes)
      .set({ withdrawn })
      .where(and(eq(ticketTypes.id, ticketTypeId), eq(ticketTypes.eventId, eventId)))
      .returning({ id: ticketTypes.id });
    if (done.length === 0) throw new NotFoundError('We could not find that kind of place.');
    await recordAudit(tx, {
      actorId: actor.id,
      action: withdrawn ? 'registration.ticket_type.withdrawn' : 'registration.ticket_type.restored',
      subjectType: 'event',
      subjectId: eventId,
      details: { ticketTypeId },
    });
  });
}

export interface QuestionInput {
  kind: string;
  label: string;
  hint: string;
  options: string[];
  required: boolean;
}

export async function addQuestion(db: Database, eventId: string, input: QuestionInput, actor: Me): Promise<string> {
  const errors: FieldError[] = [];
  if (!(questionKinds as readonly string[]).includes(input.kind)) errors.push({ field: 'kind', message: 'Select the kind of question' });
  if (!input.label.trim()) errors.push({ field: 'label', message: 'Enter the question' });
  const options = input.options.map((o) => o.trim()).filter(Boolean);
  if (input.kind === 'choice' && options.length < 2) errors.push({ field: 'options', message: 'Enter at least two answers to choose from, one on each line' });
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    const [last] = await tx
      .select({ n: max(eventQuestions.position) })
      .from(eventQuestions)
      .where(eq(eventQuestions.eventId, eventId));
    const [row] = await tx
      .insert(eventQuestions)
      .values({
        eventId,
        kind: input.kind as QuestionKind,
        label: input.label.trim(),
        hint: input.hint.trim(),
        options: input.kind === 'choice' ? options : [],
        required: input.required,
        position: (last?.n ?? 0) + 1,
      })
      .returning({ id: eventQuestions.id });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'registration.question.added',
      subjectType: 'event',
      subjectId: eventId,
      details: { questionId: row!.id },
    });
    return row!.id;
  });
}

export async function withdrawQuestion(db: Database, eventId: string, questionId: string, actor: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const done = await tx
      .update(eventQuestions)
      .set({ withdrawn: true })
      .where(and(eq(eventQuestions.id, questionId), eq(eventQuestions.eventId, eventId)))
      .returning({ id: eventQuestions.id });
    if (done.length === 0) throw new NotFoundError('We could not find that question.');
    await recordAudit(tx, { actorId: actor.id, action: 'registration.question.withdrawn', subjectType: 'event', subjectId: eventId, details: { questionId } });
  });
}

export async function saveSettings(
  db: Database,
  eventId: string,
  input: { offerHours: number; registrationOpen: boolean; bookingMode: BookingMode },
  actor: Me,
): Promise<void> {
  if (!Number.isInteger(input.offerHours) || input.offerHours < 1 || input.offerHours > 336) {
    throw new InvalidInputError([{ field: 'offerHours', message: 'Hours to accept a waiting-list offer must be a whole number from 1 to 336' }]);
  }
  await db.transaction(async (tx) => {
    // Under the event's lock, so a booking deciding at this moment sees booking open or closed.
    await lockEvent(tx, eventId);
    await tx
      .insert(registrationSettings)
      .values({ eventId, ...input })
      .onConflictDoUpdate({ target: registrationSettings.eventId, set: { ...input, updatedAt: new Date() } });
    await recordAudit(tx, { actorId: actor.id, action: 'registration.settings.updated', subjectType: 'event', subjectId: eventId, details: input });
  });
}

/**
 * Sets a hybrid event's online places (null: no limit online). Lowering it below what is booked
 * takes no one's place away: new online bookings join the waiting list until places free up.
 */
export async function setOnlineCapacity(db: Database, eventId: string, onlineCapacity: number | null, actor: Me): Promise<void> {
  if (onlineCapacity !== null && (!Number.isInteger(onlineCapacity) || onlineCapacity < 1 || onlineCapacity > 100_000)) {
    throw new InvalidInputError([{ field: 'onlineCapacity', message: 'Online places must be a whole number from 1 to 100000, or left empty for no limit' }]);
  }
  await db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const event = await getEvent(tx, eventId);
    if (!event) throw new NotFoundError('We could not find that event.');
    if (event.format !== 'hybrid') throw new ConflictError('booking_closed', 'Only an event that is both in person and online has online places of its own.');
    await tx.update(events).set({ onlineCapacity }).where(eq(events.id, eventId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'registration.online_capacity.set',
      subjectType: 'event',
      subjectId: eventId,
      details: { from: event.onlineCapacity, to: onlineCapacity },
    });
    // More places online may be offered to people waiting for them.
    await passOnFreedPlaces(tx, eventId);
  });
}
