// Creating and changing events: organisers create them directly, accepting a proposal creates
// one in `planning`; the planning group fills in its details; readiness decides when it may be
// published (an organiser may override a missing item, with a recorded reason); it can be
// unpublished (the planning group is told), cancelled (registrants, bursary applicants and the
// group are told; open places are closed and undecided bursary applications with them) or moved
// (registrants are told, calendars update).
import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import {
  type Attendance,
  auditEntries,
  bursaryFunds,
  events,
  planningMembers,
  publishOverrides,
  payments,
  registrations,
  type EventFormat,
  type EventType,
  type PlanningRole,
} from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import { lockBursaryApplicationsOf, settleBursariesForCancelledEvent } from '../bursaries/event-cancelled.ts';
import type { Database, Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../errors.ts';
import { eventOver } from '../event-over.ts';
import { formatDate, formatTimeRange } from '../format.ts';
import { calendarAttachment, enqueueEmail } from '../mail/outbox.ts';
import { attendeeIcs, bookingState, closePlacesForCancelledEvent, mintManagePath, type PaymentFacts, placesReady } from '../registration/api.ts';
import { planningAccess, requireLead, requireOrganiser, type EventRow } from './access.ts';
import { attendeeChanges, changesFor, changesForPlace, type AttendeeChange } from './event-changes.ts';
import { groupRecipients } from './group-members.ts';
import { tellInvitees } from '../invitations/service.ts';
import { cancelMeetingsOfEvent } from './meetings.ts';
import { moveProgramme } from './workspace.ts';

export function slugify(title: string): string {
  const base = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return base || 'event';
}

async function freeSlug(tx: Db, title: string): Promise<string> {
  const base = slugify(title);
  const [taken] = await tx.select({ id: events.id }).from(events).where(eq(events.slug, base));
  if (!taken) return base;
  return `${base}-${randomBytes(3).toString('hex')}`;
}

export interface NewEventInput {
  title: string;
  type: EventType;
  summary?: string;
  description?: string;
  format?: EventFormat;
  startsAt?: Date | null;
  endsAt?: Date | null;
  capacity?: number | null;
  /** Where, as the proposers wrote it: the venue (or, for an online event, the platform). */
  place?: string;
  /** The proposal's accessibility plan, as the first draft of the event's access information. */
  accessInfo?: string;
  /** The first planning group; everyone in it has already agreed (they proposed the event). */
  group: { personId: string; role: PlanningRole }[];
}

/** Creates an event in `planning`, inside the caller's transaction. */
export async function createPlanningEvent(tx: Db, input: NewEventInput, me: Me): Promise<string> {
  const values = {
    title: input.title.trim(),
    type: input.type,
    status: 'planning' as const,
    summary: input.summary ?? '',
    description: input.description ?? '',
    format: input.format ?? 'in_person',
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    capacity: input.capacity ?? null,
    venueName: input.format === 'online' ? '' : (input.place ?? '').trim(),
    onlinePlatform: input.format === 'online' ? (input.place ?? '').trim() : '',
    accessInfo: (input.accessInfo ?? '').trim(),
  };
  let slug = await freeSlug(tx, input.title);
  let row: { id: string } | undefined;
  for (let attempt = 0; !row; attempt++) {
    try {
      // A savepoint, so that losing a race for the same slug does not spoil the transaction.
      [row] = await tx.transaction((sp) =>
        sp
          .insert(events)
          .values({ ...values, slug })
          .returning({ id: events.id }),
      );
    } catch (error) {
      const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
      if (code !== '23505' || attempt >= 3) throw error;
      slug = `${slugify(input.title)}-${randomBytes(3).toString('hex')}`;
    }
  }
  const now = new Date();
  if (input.group.length) {
    await tx
      .insert(planningMembers)
      .values(
        input.group.map((g) => ({ eventId: row!.id, personId: g.personId, role: g.role, status: 'accepted' as const, invitedBy: me.id, respondedAt: now })),
      )
      .onConflictDoNothing();
  }
  await recordAudit(tx, { actorId: me.id, action: 'event.created', subjectType: 'event', subjectId: row!.id, details: { title: input.title } });
  return row!.id;
}

/** An organiser creates an event directly; they lead its planning group until others join. */
export async function createEvent(db: Database, input: { title: string; type: EventType }, me: Me): Promise<string> {
  if (!me.isOrganiser) throw new ForbiddenError();
  if (!input.title.trim()) throw new InvalidInputError([{ field: 'title', message: 'Enter the event’s title' }]);
  return db.transaction((tx) => createPlanningEvent(tx, { ...input, group: [{ personId: me.id, role: 'lead' }] }, me));
}

export interface EventDetailsInput {
  title: string;
  type: EventType;
  summary: string;
  description: string;
  format: EventFormat;
  startsAt: Date | null;
  endsAt: Date | null;
  venueName: string;
  venueAddress: string;
  travelInfo: string;
  onlinePlatform: string;
  onlineJoinUrl: string;
  capacity: number | null;
  stepFreeAccess: boolean;
  hearingLoop: boolean;
  bslInterpretation: boolean;
  liveCaptions: boolean;
  quietRoom: boolean;
  accessInfo: string;
  contentNotes: string;
  dayContactName: string;
  dayContactPhone: string;
  easyReadSummary: string;
}

/** Changes a calendar would show; any of them raises the event's SEQUENCE. */
const noticeable = ['title', 'summary', 'description', 'format', 'venueName', 'venueAddress', 'onlinePlatform', 'onlineJoinUrl'] as const;

function sameTime(a: Date | null, b: Date | null): boolean {
  return (a?.getTime() ?? null) === (b?.getTime() ?? null);
}

export interface DetailsSaved {
  dateChanged: boolean;
  told: number;
  /** What a new date may have left out of step, for the person who moved it to check. */
  toCheck: string[];
}

export async function updateEventDetails(db: Database, eventId: string, input: EventDetailsInput, me: Me): Promise<DetailsSaved> {
  const errors = [];
  if (!input.title.trim()) errors.push({ field: 'title', message: 'Enter the event’s title' });
  if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt) errors.push({ field: 'endTime', message: 'The event must end after it starts' });
  if (input.startsAt && !input.endsAt) errors.push({ field: 'endTime', message: 'Enter when the event ends' });
  if (input.onlineJoinUrl && !/^https:\/\/\S+$/.test(input.onlineJoinUrl))
    errors.push({ field: 'onlineJoinUrl', message: 'Enter the joining link starting with https://' });
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me, { lock: true });
    requireLead(access);
    const before = access.event;
    if (before.status === 'cancelled' || before.status === 'completed') {
      throw new ConflictError('event_closed', 'This event has been cancelled or has finished, so its details cannot be changed.');
    }
    const dateChanged = !sameTime(before.startsAt, input.startsAt) || !sameTime(before.endsAt, input.endsAt);
    if (before.status === 'published' && (!input.startsAt || !input.endsAt)) {
      throw new InvalidInputError([{ field: 'startDate', message: 'A published event must have a date. Unpublish it first if the date is not known.' }]);
    }
    // A published title is what every attendee's calendar and emails carry: only an organiser
    // changes it, so a lead cannot send words of their own to everyone booked.
    if (before.status === 'published' && input.title.trim() !== before.title && !access.isOrganiser) {
      throw new InvalidInputError([
        { field: 'title', message: 'Only an organiser can change the title of a published event. Ask an organiser, or unpublish it first.' },
      ]);
    }
    const changed = dateChanged || noticeable.some((k) => before[k] !== input[k].trim());
    const values = {
      ...input,
      title: input.title.trim(),
      summary: input.summary.trim(),
      description: input.description.trim(),
      venueName: input.venueName.trim(),
      venueAddress: input.venueAddress.trim(),
      travelInfo: input.travelInfo.trim(),
      onlinePlatform: input.onlinePlatform.trim(),
      onlineJoinUrl: input.onlineJoinUrl.trim(),
      accessInfo: input.accessInfo.trim(),
      contentNotes: input.contentNotes.trim(),
      dayContactName: input.dayContactName.trim(),
      dayContactPhone: input.dayContactPhone.trim(),
      easyReadSummary: input.easyReadSummary.trim(),
      sequence: changed ? before.sequence + 1 : before.sequence,
      updatedAt: new Date(),
    };
    const changes = attendeeChanges(before, values);
    await tx.update(events).set(values).where(eq(events.id, eventId));
    if (dateChanged) await moveProgramme(tx, eventId, before, values);
    await recordAudit(tx, {
      actorId: me.id,
      action: 'event.details.updated',
      subjectType: 'event',
      subjectId: eventId,
      details: { dateChanged, changed: changes.map((c) => c.part) },
    });
    // Whatever the status: an unpublished event keeps its bookings, and they must hear too.
    let told = 0;
    if (changes.length) {
      const [after] = await tx.select().from(events).where(eq(events.id, eventId));
      const attendees = await notifyRegistrants(tx, after!, 'changed', { changes });
      await tellInvitees(tx, after!, { kind: 'changed', changes }, attendees);
      told = attendees.size;
      if (told > 0) await spendChangeBudget(tx, me, access.isOrganiser, eventId, changes, told);
      await tellRestOfGroup(tx, after!, { because: 'event.changed', kind: 'changed', changes, told }, me, attendees);
    }
    return { dateChanged, told, toCheck: dateChanged ? await toCheckAfterMove(tx, eventId, values, access.isOrganiser) : [] };
  });
}

/**
 * A new date does not rewrite what people typed around the old one: the travel notes may name
 * a day or a timetable, and the event's bursary fund may now close after the event starts.
 * Nothing is changed for them; the person who moved the event is asked to check.
 */
async function toCheckAfterMove(tx: Db, eventId: string, event: { startsAt: Date | null; travelInfo: string }, isOrganiser: boolean): Promise<string[]> {
  const toCheck: string[] = [];
  if (event.travelInfo) toCheck.push('Check that the travel notes still fit the new date.');
  const [fund] = await tx.select({ deadlineAt: bursaryFunds.deadlineAt }).from(bursaryFunds).where(eq(bursaryFunds.eventId, eventId));
  if (fund?.deadlineAt && event.startsAt && fund.deadlineAt > event.startsAt) {
    toCheck.push(
      `The bursary deadline, ${formatDate(fund.deadlineAt)}, is now after the event starts: ${isOrganiser ? 'change it on the event’s bursary fund page' : 'ask an organiser to change it'}.`,
    );
  }
  return toCheck;
}

/** Changes a lead who is not an organiser may email to everyone booked on one event, per 24 hours. */
export const LEAD_CHANGES_TOLD_PER_DAY = 2;

const changeFields: Record<AttendeeChange['part'], string> = {
  when: 'startDate',
  format: 'format',
  venue: 'venueName',
  platform: 'onlinePlatform',
  joinUrl: 'onlineJoinUrl',
};

/**
 * Each change emailed to the people booked is recorded; a lead (an ordinary member) may send a
 * few a day, so nobody can use an event's bookings to write to everyone again and again.
 * Over it, the whole change is undone and the lead asked to go to an organiser.
 */
async function spendChangeBudget(
  tx: Db,
  me: Me,
  isOrganiser: boolean,
  eventId: string,
  changes: AttendeeChange[],
  told: number,
  now = new Date(),
): Promise<void> {
  if (!isOrganiser) {
    const [recent] = await tx
      .select({ n: count() })
      .from(auditEntries)
      .where(
        and(
          eq(auditEntries.subjectType, 'event'),
          eq(auditEntries.subjectId, eventId),
          eq(auditEntries.action, 'event.change.told'),
          gt(auditEntries.at, new Date(now.getTime() - 86_400_000)),
        ),
      );
    if ((recent?.n ?? 0) >= LEAD_CHANGES_TOLD_PER_DAY) {
      throw new InvalidInputError([
        {
          field: changeFields[changes[0]!.part],
          message: `This change would email everyone booked, and they have already been emailed about ${LEAD_CHANGES_TOLD_PER_DAY} changes today. Nothing has been saved. Ask an organiser to make it, or try again tomorrow.`,
        },
      ]);
    }
  }
  await recordAudit(tx, {
    actorId: me.id,
    action: 'event.change.told',
    subjectType: 'event',
    subjectId: eventId,
    details: { told, changed: changes.map((c) => c.part) },
  });
}

// ---- Readiness and publishing ----

export const readinessLabels = {
  date: 'A date and time',
  place: 'A venue or online platform',
  capacity: 'How many places there are',
  places: 'A kind of place on sale (or booking marked as not needed, or done elsewhere)',
  access: 'Accessibility information',
  // Carers count as well (isCoProduced): the words say so, as the co-produced mark does.
  livedExperience: 'A planning-group member who has declared lived experience or being a carer',
} as const;
export type ReadinessItem = keyof typeof readinessLabels;

/** Declared lived experience (or being a carer) in the accepted group makes an event co-produced. */
const coProducer = prepared((db) =>
  db
    .select({ id: planningMembers.id })
    .from(planningMembers)
    .where(
      and(
        eq(planningMembers.eventId, sql.placeholder('eventId')),
        eq(planningMembers.status, 'accepted'),
        inArray(planningMembers.perspective, ['lived_experience', 'carer']),
      ),
    )
    .limit(1)
    .prepare('co_producer'),
);

export async function isCoProduced(db: Db, eventId: string): Promise<boolean> {
  const [row] = await coProducer(db).execute({ eventId });
  return Boolean(row);
}

/**
 * What the event still lacks before it can be published. `coProduced` may be given by a page that
 * reads the group anyway (isCoProduced otherwise).
 */
export async function missingForPublishing(db: Db, event: EventRow, coProduced?: boolean): Promise<ReadinessItem[]> {
  const missing: ReadinessItem[] = [];
  if (!event.startsAt || !event.endsAt) missing.push('date');
  const needsVenue = event.format !== 'online';
  const needsPlatform = event.format !== 'in_person';
  if ((needsVenue && !event.venueName) || (needsPlatform && !event.onlinePlatform)) missing.push('place');
  if (event.capacity == null) missing.push('capacity');
  if (!(await placesReady(db, event.id))) missing.push('places');
  if (!event.accessInfo) missing.push('access');
  if (!(coProduced ?? (await isCoProduced(db, event.id)))) missing.push('livedExperience');
  return missing;
}

export async function publishEvent(db: Database, eventId: string, input: { overrideReason?: string }, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me, { lock: true });
    requireLead(access);
    const event = access.event;
    if (event.status !== 'planning') throw new ConflictError('event_not_in_planning', 'Only an event that is being planned can be published.');
    const missing = await missingForPublishing(tx, event);
    const reason = input.overrideReason?.trim() ?? '';
    if (missing.length) {
      if (!access.isOrganiser) {
        throw new ConflictError(
          'event_not_ready',
          `This event is not ready to publish yet. Missing: ${missing.map((m) => readinessLabels[m].toLowerCase()).join('; ')}.`,
        );
      }
      if (!reason) throw new InvalidInputError([{ field: 'overrideReason', message: 'Give the reason for publishing with items missing' }]);
      if (missing.includes('date'))
        throw new InvalidInputError([{ field: 'overrideReason', message: 'An event cannot be published without a date and time, even with a reason' }]);
      await tx.insert(publishOverrides).values({ eventId, missing, reason, actorId: me.id });
    }
    const now = new Date();
    await tx
      .update(events)
      .set({ status: 'published', publishedAt: event.publishedAt ?? now, sequence: event.sequence + 1, updatedAt: now, publicChangedAt: now })
      .where(eq(events.id, eventId));
    await recordAudit(tx, {
      actorId: me.id,
      action: 'event.published',
      subjectType: 'event',
      subjectId: eventId,
      details: missing.length ? { overridden: missing, reason } : {},
    });
    await tellRestOfGroup(tx, event, { because: 'event.published', kind: 'published', changes: [], told: 0 }, me);
  });
}

export async function unpublishEvent(db: Database, eventId: string, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me, { lock: true });
    requireLead(access);
    if (access.event.status !== 'published') throw new ConflictError('event_not_published', 'Only a published event can be unpublished.');
    // Places are left as they are: unpublishing is for a while, not for good. Bookings stay, and
    // open checkouts and waiting-list offers run to their own end (paid, accepted or expired), so
    // nobody loses a place they were part-way to taking. Cancelling is what closes places.
    await tx
      .update(events)
      .set({ status: 'planning', sequence: access.event.sequence + 1, updatedAt: new Date() })
      .where(eq(events.id, eventId));
    await recordAudit(tx, { actorId: me.id, action: 'event.unpublished', subjectType: 'event', subjectId: eventId });
    await notifyGroup(tx, access.event, { kind: 'unpublished', reason: '', told: 0 }, me);
  });
}

export async function cancelEvent(db: Database, eventId: string, reason: string, me: Me): Promise<number> {
  const text = reason.trim();
  if (!text) throw new InvalidInputError([{ field: 'reason', message: 'Give the reason for cancelling; everyone registered will see it' }]);
  return db.transaction(async (tx) => {
    // Bursary applications before the event, in the order their own changes take them.
    await lockBursaryApplicationsOf(tx, eventId);
    const access = await planningAccess(tx, eventId, me, { lock: true });
    requireOrganiser(access);
    if (access.event.status === 'cancelled' || access.event.status === 'completed')
      throw new ConflictError('event_closed', 'This event has already been cancelled or has finished.');
    const now = new Date();
    await tx
      .update(events)
      .set({ status: 'cancelled', cancelledReason: text, sequence: access.event.sequence + 1, updatedAt: now })
      .where(eq(events.id, eventId));
    await recordAudit(tx, { actorId: me.id, action: 'event.cancelled', subjectType: 'event', subjectId: eventId, details: { reason: text } });
    const [after] = await tx.select().from(events).where(eq(events.id, eventId));
    // Registrants first: they are found by the statuses that closing their places then changes.
    const attendees = await notifyRegistrants(tx, after!, 'cancelled', {});
    await tellInvitees(tx, after!, { kind: 'cancelled', reason: text }, attendees);
    await closePlacesForCancelledEvent(tx, eventId, me.id, now);
    await settleBursariesForCancelledEvent(tx, eventId, me.id, now);
    await cancelMeetingsOfEvent(tx, after!, me, now);
    await notifyGroup(tx, after!, { kind: 'cancelled', reason: text, told: attendees.size }, me, attendees);
    return attendees.size;
  });
}

/** After the day: the event is marked finished so the impact note and resources can follow. */
export async function completeEvent(db: Database, eventId: string, me: Me, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me, { lock: true });
    requireLead(access);
    const e = access.event;
    if (e.status !== 'published') throw new ConflictError('event_not_published', 'Only a published event can be marked as finished.');
    if (!eventOver(e, now)) throw new ConflictError('event_not_over', 'The event can be marked as finished once it has ended.');
    await tx.update(events).set({ status: 'completed', updatedAt: now }).where(eq(events.id, eventId));
    await recordAudit(tx, { actorId: me.id, action: 'event.completed', subjectType: 'event', subjectId: eventId });
  });
}

// ---- Telling registrants ----

/**
 * The attendee's calendar entry for the event as it is now (server/registration/ics.ts): the same
 * UID published again with the new SEQUENCE, so it replaces their copy, joining link included
 * for a confirmed place; a cancellation is STATUS:CANCELLED.
 */
export function eventChangeIcs(event: EventRow, place: { confirmed: boolean; attendance?: Attendance | null } = { confirmed: true }): string | null {
  return attendeeIcs(event, place);
}

/** Each booking's latest payment on the event, as booking pages use it. */
async function latestPayments(tx: Db, eventId: string): Promise<Map<string, PaymentFacts>> {
  const rows = await tx
    .select({ registrationId: payments.registrationId, method: payments.method, status: payments.status, amountPence: payments.amountPence })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .where(eq(registrations.eventId, eventId))
    .orderBy(asc(payments.createdAt));
  return new Map(rows.map((p) => [p.registrationId, { method: p.method, status: p.status, amountPence: p.amountPence }]));
}

/**
 * Emails everyone holding or waiting for a place about a cancellation or a new date, in the
 * caller's transaction. Companion places share their booker's address, so each address is
 * written to once. Returns the addresses told (lower case), so that a planner who also holds a
 * place gets one email, not a second one as a planner.
 */
export async function notifyRegistrants(tx: Db, event: EventRow, kind: 'cancelled' | 'changed', extra: { changes?: AttendeeChange[] }): Promise<Set<string>> {
  const rows = await tx
    .select({ id: registrations.id, email: registrations.email, name: registrations.name, status: registrations.status, attendance: registrations.attendance })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, event.id),
        inArray(registrations.status, ['confirmed', 'waitlisted', 'offered', 'pending_payment']),
        isNull(registrations.companionOfId),
      ),
    );
  // A cancellation says what happens about each person's money, as their booking page does.
  const paid = kind === 'cancelled' ? await latestPayments(tx, event.id) : new Map();
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.email.toLowerCase())) continue;
    // At a hybrid event, only what concerns the person's own place: nothing to send if that is none.
    const mine = extra.changes ? changesFor(changesForPlace(extra.changes, event.format, r.attendance), r.status === 'confirmed') : undefined;
    if (mine?.length === 0) continue;
    seen.add(r.email.toLowerCase());
    const ics = eventChangeIcs(event, { confirmed: r.status === 'confirmed', attendance: r.attendance });
    await enqueueEmail(tx, {
      because: kind === 'cancelled' ? 'event.cancelled' : 'event.changed',
      to: r.email,
      template: 'event-changed',
      data: {
        name: r.name,
        title: event.title,
        kind,
        reason: event.cancelledReason,
        when: event.startsAt ? formatTimeRange(event.startsAt, event.endsAt) : '',
        previousWhen: '',
        ...(mine ? { changes: mine } : {}),
        eventPath: `/events/${event.slug}`,
        managePath: await mintManagePath(tx, r.id),
        ...(kind === 'cancelled' ? { money: bookingState(r, event, paid.get(r.id) ?? null).money } : {}),
      },
      attachments: ics ? [calendarAttachment(`${event.slug}.ics`, ics, 'PUBLISH')] : [],
    });
  }
  return seen;
}

/** Tells each accepted member of the planning group that the event was cancelled or unpublished, but not one already told as an attendee. */
async function notifyGroup(
  tx: Db,
  event: EventRow,
  change: { kind: 'cancelled' | 'unpublished'; reason: string; told: number },
  me: Me,
  toldAsAttendees = new Set<string>(),
): Promise<void> {
  for (const person of await groupRecipients(tx, event.id)) {
    if (toldAsAttendees.has(person.email.toLowerCase())) continue;
    await enqueueEmail(tx, {
      because: change.kind === 'cancelled' ? 'event.cancelled' : 'event.unpublished',
      to: person.email,
      template: 'planning-event-status',
      data: {
        name: person.displayName,
        title: event.title,
        kind: change.kind,
        byName: me.displayName || me.email,
        reason: change.reason,
        told: change.told,
        planningPath: `/plan/${event.id}`,
      },
    });
  }
}

/** Tells the planning group, except the person who did it, that the event was published or changed. */
async function tellRestOfGroup(
  tx: Db,
  event: EventRow,
  news: { because: 'event.published' | 'event.changed'; kind: 'published' | 'changed'; changes: AttendeeChange[]; told: number },
  me: Me,
  toldAsAttendees = new Set<string>(),
): Promise<void> {
  for (const person of await groupRecipients(tx, event.id)) {
    if (person.personId === me.id || toldAsAttendees.has(person.email.toLowerCase())) continue;
    await enqueueEmail(tx, {
      because: news.because,
      to: person.email,
      template: 'planning-event-news',
      data: {
        name: person.displayName,
        title: event.title,
        kind: news.kind,
        byName: me.displayName || 'A member of the planning group',
        changes: news.changes.map(({ what, before, after }) => ({ what, before, after })),
        told: news.told,
        planningPath: `/plan/${event.id}`,
      },
    });
  }
}

export { groupRecipients } from './group-members.ts';
