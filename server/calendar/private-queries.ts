// What one person's private feed shows, read-only: their places (confirmed, or offered from the
// waiting list) and the planning meetings of groups they belong to. The tables belong to
// registration and planning; only these reads live here.
import { and, asc, eq, gte, inArray, isNotNull, isNull, max, or, sql, type SQL } from 'drizzle-orm';
import { events, planningMeetings, planningMembers, registrations } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import type { MeetingFacts } from './entries.ts';
import { eventLastsUntil, publicEventColumns, windowStarts, type FeedEventRow, type FeedVersion } from './queries.ts';

/** Registration statuses that put an event in the person's feed. */
const shownRegistrationStatuses = ['confirmed', 'attended', 'offered'] as const;
/** Only these see the online joining link. */
const confirmedStatuses = new Set(['confirmed', 'attended']);

export interface PlaceRow {
  event: FeedEventRow & { startsAt: Date };
  registrationStatus: string;
  /** When the person's place last changed (booked, offered, accepted). */
  placeChangedAt: Date;
  /** Empty unless the place is confirmed. */
  joinUrl: string;
}

function shownPlace(now: Date): SQL {
  const { past, cancelled } = windowStarts(now);
  return and(
    isNull(registrations.companionOfId),
    inArray(registrations.status, [...shownRegistrationStatuses]),
    isNotNull(events.startsAt),
    or(and(inArray(events.status, ['published', 'completed']), eventLastsUntil(past)), and(eq(events.status, 'cancelled'), eventLastsUntil(cancelled))),
  )!;
}

export interface FeedOwner {
  personId: string;
  email: string;
}

/** The person's own bookings: made while signed in, or with their address (as "your bookings" counts them). */
function bookingsOf(owner: FeedOwner): SQL {
  return or(eq(registrations.personId, owner.personId), eq(registrations.email, owner.email))!;
}

export async function listPlaces(db: Db, owner: FeedOwner, now: Date): Promise<PlaceRow[]> {
  const rows = await db
    .select({
      event: publicEventColumns,
      registrationStatus: registrations.status,
      placeChangedAt: registrations.updatedAt,
      onlineJoinUrl: events.onlineJoinUrl,
      attendance: registrations.attendance,
    })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(and(bookingsOf(owner), shownPlace(now)))
    .orderBy(asc(events.startsAt), asc(events.id));
  // One entry per event (a UID may appear once in a calendar): a confirmed place wins over an offer.
  const byEvent = new Map<string, PlaceRow>();
  for (const row of rows) {
    const confirmed = confirmedStatuses.has(row.registrationStatus);
    const place: PlaceRow = {
      event: row.event as FeedEventRow & { startsAt: Date },
      registrationStatus: row.registrationStatus,
      placeChangedAt: row.placeChangedAt,
      // At a hybrid event the link is for online places only, never for a place in the room.
      joinUrl: confirmed && (row.event.format === 'online' || (row.event.format === 'hybrid' && row.attendance === 'online')) ? row.onlineJoinUrl : '',
    };
    const earlier = byEvent.get(row.event.id);
    if (!earlier || (confirmed && !confirmedStatuses.has(earlier.registrationStatus))) byEvent.set(row.event.id, place);
  }
  return [...byEvent.values()];
}

export type MeetingRow = MeetingFacts;

function groupsOf(personId: string) {
  return and(eq(planningMembers.personId, personId), eq(planningMembers.status, 'accepted'));
}

function shownMeeting(now: Date): SQL {
  const { past, cancelled } = windowStarts(now);
  return or(
    and(isNull(planningMeetings.cancelledAt), gte(planningMeetings.startsAt, past)),
    and(isNotNull(planningMeetings.cancelledAt), gte(planningMeetings.startsAt, cancelled)),
  )!;
}

export async function listPlanningMeetings(db: Db, personId: string, now: Date): Promise<MeetingRow[]> {
  return db
    .select({
      uid: planningMeetings.uid,
      title: planningMeetings.title,
      startsAt: planningMeetings.startsAt,
      endsAt: planningMeetings.endsAt,
      place: planningMeetings.place,
      joinUrl: planningMeetings.joinUrl,
      notes: planningMeetings.notes,
      sequence: planningMeetings.sequence,
      cancelledAt: planningMeetings.cancelledAt,
      updatedAt: planningMeetings.updatedAt,
      eventTitle: events.title,
    })
    .from(planningMeetings)
    .innerJoin(planningMembers, eq(planningMembers.eventId, planningMeetings.eventId))
    .innerJoin(events, eq(events.id, planningMeetings.eventId))
    .where(and(groupsOf(personId), shownMeeting(now)))
    .orderBy(asc(planningMeetings.startsAt), asc(planningMeetings.id));
}

/**
 * The private feed's state without building it: the latest change to the person's registrations
 * and their events, to the meetings of their groups and to their memberships (joining shows a
 * group's meetings), and a digest of what is shown. Leaving a group is recorded on the feed
 * itself (private_feed_tokens.changed_at, read by the caller).
 */
export async function privateFeedVersion(db: Db, owner: FeedOwner, now: Date): Promise<FeedVersion> {
  const [places] = await db
    .select({
      registrationChange: max(registrations.updatedAt),
      eventChange: max(events.updatedAt),
      // Statuses too, in case a status changes without touching updated_at.
      shown: sql<
        string | null
      >`md5(string_agg(concat_ws('|', ${registrations.id}, ${registrations.status}), ',' order by ${registrations.id}) filter (where ${shownPlace(now)}))`,
    })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(bookingsOf(owner));
  const [meetings] = await db
    .select({
      meetingChange: max(planningMeetings.updatedAt),
      joined: max(planningMembers.respondedAt),
      digest: sql<
        string | null
      >`md5(string_agg(concat_ws('|', ${planningMeetings.id}, ${planningMeetings.sequence}, ${planningMeetings.startsAt}, ${planningMeetings.endsAt}, ${planningMeetings.cancelledAt}, ${planningMeetings.title}, ${planningMeetings.place}, ${planningMeetings.joinUrl}, md5(${planningMeetings.notes}), ${events.title}), ',' order by ${planningMeetings.id}) filter (where ${shownMeeting(now)}))`,
    })
    .from(planningMeetings)
    .innerJoin(planningMembers, eq(planningMembers.eventId, planningMeetings.eventId))
    .innerJoin(events, eq(events.id, planningMeetings.eventId))
    .where(groupsOf(owner.personId));
  const changes = [places?.registrationChange, places?.eventChange, meetings?.meetingChange, meetings?.joined].filter((d): d is Date => d instanceof Date);
  const lastChange = changes.length ? new Date(Math.max(...changes.map((d) => d.getTime()))) : null;
  return { lastChange, tag: `places=${places?.shown ?? ''};meetings=${meetings?.digest ?? ''}` };
}
