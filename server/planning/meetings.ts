// Planning meetings, sent to the group as calendar invitations. Each meeting keeps one UID for
// its whole life: an update is the same UID with a higher SEQUENCE (METHOD:REQUEST), and a
// cancellation is METHOD:CANCEL with the same UID, so calendar apps change the entry in place.
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { planningMeetings } from '../../db/schema/index.ts';
import type { Me } from '../accounts/sessions.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formatTimeRange } from '../format.ts';
import { calendarAttachment, enqueueEmail } from '../mail/outbox.ts';
import { planningAccess, type EventRow } from './access.ts';
import { groupRecipients } from './events.ts';

export interface MeetingInput {
  title: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  joinUrl: string;
  notes: string;
}

type MeetingRow = typeof planningMeetings.$inferSelect;

function checkMeeting(input: MeetingInput): void {
  const errors = [];
  if (!input.title.trim()) errors.push({ field: 'meetingTitle', message: 'Enter what the meeting is, for example “First planning meeting”' });
  if (!input.place.trim() && !input.joinUrl.trim()) errors.push({ field: 'place', message: 'Enter where the meeting is, or a link to join it online' });
  if (input.joinUrl.trim() && !/^https:\/\/\S+$/.test(input.joinUrl.trim())) errors.push({ field: 'joinUrl', message: 'Enter the joining link starting with https://' });
  if (errors.length) throw new InvalidInputError(errors);
}

export function meetingIcs(meeting: MeetingRow, event: EventRow, organiser: { name: string; email: string }, attendees: { name: string; email: string }[]): string {
  const cancelled = Boolean(meeting.cancelledAt);
  const calendar = ical({ prodId: { company: 'Social Perspectives Hub', product: 'Convene', language: 'EN' } });
  calendar.method(cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST);
  calendar.createEvent({
    id: meeting.uid,
    sequence: meeting.sequence,
    start: meeting.startsAt,
    end: meeting.endsAt,
    summary: `${meeting.title} (${event.title})`,
    description: [meeting.notes, meeting.joinUrl ? `Join online: ${meeting.joinUrl}` : ''].filter(Boolean).join('\n\n') || null,
    location: meeting.place || meeting.joinUrl || null,
    url: meeting.joinUrl || null,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: organiser.name, email: organiser.email },
    attendees: attendees.map((a) => ({ name: a.name, email: a.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION, rsvp: true })),
  });
  return calendar.toString();
}

const meetingChange = { new: 'meeting.arranged', updated: 'meeting.changed', cancelled: 'meeting.cancelled' } as const;

async function sendMeeting(tx: Db, meeting: MeetingRow, event: EventRow, kind: 'new' | 'updated' | 'cancelled', me: Me): Promise<void> {
  const group = await groupRecipients(tx, event.id);
  const attendees = group.map((g) => ({ name: g.displayName || g.email, email: g.email }));
  const ics = meetingIcs(meeting, event, { name: me.displayName || me.email, email: me.email }, attendees);
  for (const person of group) {
    await enqueueEmail(tx, {
      because: meetingChange[kind],
      to: person.email,
      template: 'planning-meeting',
      data: {
        name: person.displayName,
        eventTitle: event.title,
        meetingTitle: meeting.title,
        kind,
        when: formatTimeRange(meeting.startsAt, meeting.endsAt),
        place: meeting.place,
        joinUrl: meeting.joinUrl,
        notes: meeting.notes,
        planningPath: `/plan/${event.id}/meetings`,
      },
      attachments: [calendarAttachment('meeting.ics', ics, kind === 'cancelled' ? 'CANCEL' : 'REQUEST')],
    });
  }
}

export async function scheduleMeeting(db: Database, eventId: string, input: MeetingInput, me: Me): Promise<string> {
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
    await recordAudit(tx, { actorId: me.id, action: 'planning.meeting.scheduled', subjectType: 'event', subjectId: eventId, details: { meetingId: meeting!.id } });
    await sendMeeting(tx, meeting!, access.event, 'new', me);
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

export async function updateMeeting(db: Database, eventId: string, meetingId: string, input: MeetingInput, me: Me): Promise<void> {
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
    await sendMeeting(tx, meeting!, access.event, 'updated', me);
  });
}

export async function cancelMeeting(db: Database, eventId: string, meetingId: string, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    const before = await lockMeeting(tx, eventId, meetingId);
    const [meeting] = await tx
      .update(planningMeetings)
      .set({ cancelledAt: new Date(), sequence: before.sequence + 1 })
      .where(eq(planningMeetings.id, meetingId))
      .returning();
    await recordAudit(tx, { actorId: me.id, action: 'planning.meeting.cancelled', subjectType: 'event', subjectId: eventId, details: { meetingId } });
    await sendMeeting(tx, meeting!, access.event, 'cancelled', me);
  });
}

export async function listMeetings(db: Db, eventId: string): Promise<MeetingRow[]> {
  return db.select().from(planningMeetings).where(eq(planningMeetings.eventId, eventId)).orderBy(asc(planningMeetings.startsAt));
}

export async function findMeeting(db: Db, eventId: string, meetingId: string): Promise<MeetingRow> {
  const [meeting] = await db.select().from(planningMeetings).where(and(eq(planningMeetings.id, meetingId), eq(planningMeetings.eventId, eventId)));
  if (!meeting) throw new NotFoundError('We could not find that meeting.');
  return meeting;
}
