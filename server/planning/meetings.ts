// Planning meetings, sent to the group as calendar invitations (server/calendar/ics.ts). Each
// meeting keeps one UID for its whole life: an update is the same UID with a higher SEQUENCE
// (METHOD:REQUEST), and a cancellation is METHOD:CANCEL with the same UID, so calendar apps
// change the entry in place. The group changes too: someone who joins late is sent the meetings
// already arranged, and someone who steps back or is removed is sent a CANCEL for each. The
// SEQUENCE rises whenever any copy changes, so every copy a person is sent is newer than the last.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { people, planningMeetings } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import { meetingEntry, type MeetingFacts } from '../calendar/entries.ts';
import { buildInvitation, hubOrganizer, type CalendarPerson, type InvitationMethod, type Invitee } from '../calendar/ics.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formatTimeRange } from '../format.ts';
import { type MailBudget, spendMailBudget } from '../mail/budget.ts';
import { calendarAttachment, enqueueEmail } from '../mail/outbox.ts';
import type { ChangeName } from '../notify/who-is-told.ts';
import { planningAccess, type EventRow } from './access.ts';
import { groupRecipients, type GroupRecipient } from './group-members.ts';

/** What the person arranging a meeting says about it (the calendar entry is made from the same facts). */
export type MeetingInput = Pick<MeetingFacts, 'title' | 'startsAt' | 'endsAt' | 'place' | 'joinUrl' | 'notes'>;

export type MeetingRow = typeof planningMeetings.$inferSelect;

/** new/updated/cancelled: the whole group; withdrawn: one person who is no longer in it. */
export type MeetingNews = 'new' | 'updated' | 'cancelled' | 'withdrawn';

function checkMeeting(input: MeetingInput): void {
  const errors = [];
  if (!input.title.trim()) errors.push({ field: 'meetingTitle', message: 'Enter what the meeting is, for example “First planning meeting”' });
  if (!input.place.trim() && !input.joinUrl.trim()) errors.push({ field: 'place', message: 'Enter where the meeting is, or a link to join it online' });
  if (input.joinUrl.trim() && !/^https:\/\/\S+$/.test(input.joinUrl.trim()))
    errors.push({ field: 'joinUrl', message: 'Enter the joining link starting with https://' });
  if (errors.length) throw new InvalidInputError(errors);
}

function personOf(row: { email: string; displayName: string }): CalendarPerson {
  return { name: row.displayName || row.email, email: row.email };
}

/** Whoever arranged the meeting stays its ORGANIZER for good; the Hub if they have been erased. */
async function organiserOf(tx: Db, meeting: MeetingRow): Promise<CalendarPerson> {
  if (!meeting.organiserId) return hubOrganizer();
  const [row] = await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, meeting.organiserId));
  return row ? personOf(row) : hubOrganizer();
}

/** The meeting as an invitation: everyone in the group as ATTENDEE, its organiser as chair. */
export async function meetingIcs(
  tx: Db,
  meeting: MeetingRow,
  event: Pick<EventRow, 'title'>,
  method: InvitationMethod,
  attendees: GroupRecipient[],
): Promise<string> {
  const organiser = await organiserOf(tx, meeting);
  const invitees: Invitee[] = attendees.map((a) => ({ ...personOf(a), isOrganiser: a.personId === meeting.organiserId }));
  return buildInvitation(method, meetingEntry({ ...meeting, eventTitle: event.title }), organiser, invitees);
}

/**
 * Emails the meeting to `to` (the whole group unless given). A CANCEL names only the people it
 * is for, so a withdrawn invitation leaves everyone else's copy alone.
 */
async function sendMeeting(
  tx: Db,
  because: ChangeName,
  meeting: MeetingRow,
  event: Pick<EventRow, 'id' | 'title'>,
  news: MeetingNews,
  to?: GroupRecipient[],
): Promise<void> {
  const group = await groupRecipients(tx, event.id);
  const recipients = to ?? group;
  const method: InvitationMethod = news === 'cancelled' || news === 'withdrawn' ? 'CANCEL' : 'REQUEST';
  const ics = await meetingIcs(tx, meeting, event, method, news === 'withdrawn' ? recipients : group);
  for (const person of recipients) {
    await enqueueEmail(tx, {
      because,
      to: person.email,
      template: 'planning-meeting',
      data: {
        name: person.displayName,
        eventTitle: event.title,
        meetingTitle: meeting.title,
        kind: news,
        when: formatTimeRange(meeting.startsAt, meeting.endsAt),
        place: meeting.place,
        joinUrl: meeting.joinUrl,
        notes: meeting.notes,
        planningPath: `/plan/${event.id}/meetings`,
      },
      attachments: [calendarAttachment('meeting.ics', ics, method)],
    });
  }
}

/** Meetings still to come and not called off, locked: the ones a change of group touches. */
async function upcomingMeetings(tx: Db, eventId: string, now: Date): Promise<MeetingRow[]> {
  return tx
    .select()
    .from(planningMeetings)
    .where(and(eq(planningMeetings.eventId, eventId), isNull(planningMeetings.cancelledAt), gt(planningMeetings.endsAt, now)))
    .orderBy(asc(planningMeetings.startsAt))
    .for('update');
}

async function raiseSequence(tx: Db, meeting: MeetingRow, extra: { cancelledAt?: Date } = {}): Promise<MeetingRow> {
  const [row] = await tx
    .update(planningMeetings)
    .set({ sequence: meeting.sequence + 1, ...extra })
    .where(eq(planningMeetings.id, meeting.id))
    .returning();
  return row!;
}

/** Someone has just joined the group: they are sent the meetings already arranged. In the caller's transaction. */
export async function inviteToArrangedMeetings(tx: Db, event: Pick<EventRow, 'id' | 'title'>, personId: string, now = new Date()): Promise<number> {
  const meetings = await upcomingMeetings(tx, event.id, now);
  if (!meetings.length) return 0;
  const person = (await groupRecipients(tx, event.id)).find((p) => p.personId === personId);
  if (!person) return 0;
  for (const meeting of meetings) await sendMeeting(tx, 'planning.invitation-answered', await raiseSequence(tx, meeting), event, 'new', [person]);
  return meetings.length;
}

/** Someone has left the group (or been removed): each meeting to come is cancelled in their calendar. Call it once they are out of the group. */
export async function withdrawFromMeetings(
  tx: Db,
  because: 'planning.member-removed' | 'planning.stepped-back',
  event: Pick<EventRow, 'id' | 'title'>,
  person: GroupRecipient,
  now = new Date(),
): Promise<number> {
  const meetings = await upcomingMeetings(tx, event.id, now);
  for (const meeting of meetings) await sendMeeting(tx, because, await raiseSequence(tx, meeting), event, 'withdrawn', [person]);
  return meetings.length;
}

/** The event is cancelled: so are its planning meetings still to come, in everyone's calendar. In the caller's transaction. */
export async function cancelMeetingsOfEvent(tx: Db, event: Pick<EventRow, 'id' | 'title'>, me: Me, now = new Date()): Promise<number> {
  const meetings = await upcomingMeetings(tx, event.id, now);
  for (const meeting of meetings) {
    const cancelled = await raiseSequence(tx, meeting, { cancelledAt: now });
    await recordAudit(tx, {
      actorId: me.id,
      action: 'planning.meeting.cancelled',
      subjectType: 'event',
      subjectId: event.id,
      details: { meetingId: meeting.id, because: 'event_cancelled' },
    });
    await sendMeeting(tx, 'event.cancelled', cancelled, event, 'cancelled');
  }
  return meetings.length;
}

/**
 * Any member of a group may arrange its meetings, and each one emails the whole group: the emails
 * to others come out of the member's daily budget (server/mail/budget.ts), or nothing is saved.
 */
async function spendOnGroup(tx: Db, eventId: string, me: Me, budget: MailBudget): Promise<void> {
  const others = (await groupRecipients(tx, eventId)).filter((p) => p.personId !== me.id).length;
  await spendMailBudget(tx, { personId: me.id, emails: others, budget });
}

export async function scheduleMeeting(db: Database, eventId: string, input: MeetingInput, me: Me, context: { mailBudget: MailBudget }): Promise<string> {
  checkMeeting(input);
  return db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    const [meeting] = await tx
      .insert(planningMeetings)
      .values({
        eventId,
        title: input.title.trim(),
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        place: input.place.trim(),
        joinUrl: input.joinUrl.trim(),
        notes: input.notes.trim(),
        uid: `meeting-${randomUUID()}@convene`,
        organiserId: me.id,
      })
      .returning();
    await recordAudit(tx, {
      actorId: me.id,
      action: 'planning.meeting.scheduled',
      subjectType: 'event',
      subjectId: eventId,
      details: { meetingId: meeting!.id },
    });
    await spendOnGroup(tx, eventId, me, context.mailBudget);
    await sendMeeting(tx, 'meeting.arranged', meeting!, access.event, 'new');
    return meeting!.id;
  });
}

async function lockMeeting(tx: Db, eventId: string, meetingId: string): Promise<MeetingRow> {
  const [meeting] = await tx
    .select()
    .from(planningMeetings)
    .where(and(eq(planningMeetings.id, meetingId), eq(planningMeetings.eventId, eventId)))
    .for('update');
  if (!meeting) throw new NotFoundError('We could not find that meeting.');
  if (meeting.cancelledAt) throw new ConflictError('meeting_cancelled', 'This meeting has been cancelled.');
  return meeting;
}

export async function updateMeeting(
  db: Database,
  eventId: string,
  meetingId: string,
  input: MeetingInput,
  me: Me,
  context: { mailBudget: MailBudget },
): Promise<void> {
  checkMeeting(input);
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    const before = await lockMeeting(tx, eventId, meetingId);
    const [meeting] = await tx
      .update(planningMeetings)
      .set({
        title: input.title.trim(),
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        place: input.place.trim(),
        joinUrl: input.joinUrl.trim(),
        notes: input.notes.trim(),
        sequence: before.sequence + 1,
      })
      .where(eq(planningMeetings.id, meetingId))
      .returning();
    await recordAudit(tx, { actorId: me.id, action: 'planning.meeting.updated', subjectType: 'event', subjectId: eventId, details: { meetingId } });
    await spendOnGroup(tx, eventId, me, context.mailBudget);
    await sendMeeting(tx, 'meeting.changed', meeting!, access.event, 'updated');
  });
}

export async function cancelMeeting(db: Database, eventId: string, meetingId: string, me: Me, context: { mailBudget: MailBudget }): Promise<void> {
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    const before = await lockMeeting(tx, eventId, meetingId);
    const [meeting] = await tx
      .update(planningMeetings)
      .set({ cancelledAt: new Date(), sequence: before.sequence + 1 })
      .where(eq(planningMeetings.id, meetingId))
      .returning();
    await recordAudit(tx, { actorId: me.id, action: 'planning.meeting.cancelled', subjectType: 'event', subjectId: eventId, details: { meetingId } });
    await spendOnGroup(tx, eventId, me, context.mailBudget);
    await sendMeeting(tx, 'meeting.cancelled', meeting!, access.event, 'cancelled');
  });
}

export async function listMeetings(db: Db, eventId: string): Promise<MeetingRow[]> {
  return db.select().from(planningMeetings).where(eq(planningMeetings.eventId, eventId)).orderBy(asc(planningMeetings.startsAt));
}

export async function findMeeting(db: Db, eventId: string, meetingId: string): Promise<MeetingRow> {
  const [meeting] = await db
    .select()
    .from(planningMeetings)
    .where(and(eq(planningMeetings.id, meetingId), eq(planningMeetings.eventId, eventId)));
  if (!meeting) throw new NotFoundError('We could not find that meeting.');
  return meeting;
}
