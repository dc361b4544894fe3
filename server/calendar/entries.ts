// Events as calendar entries: plain-text summary, description and location, in the words people
// see on the site. Public entries never carry the online joining link; private ones may, for
// people whose place is confirmed.
import { eventTypeLabels } from '../event-labels.ts';
import type { CalendarEntry } from './ics.ts';
import { namesInWords } from '../network/directory.ts';
import { COHOST_SEPARATOR, later, type FeedEventRow, type SessionRow } from './queries.ts';
import { eventUid, programmeSessionUid } from './uid.ts';

type EntryEvent = Omit<FeedEventRow, 'publicChangedAt'>;

export function eventPageUrl(baseUrl: string, slug: string): string {
  return `${baseUrl}/events/${slug}`;
}

/** One line: "Venue, 1 Street, Town", "Zoom", or "Venue, 1 Street, Town, and online (Zoom)". */
export function eventLocation(event: Pick<EntryEvent, 'format' | 'venueName' | 'venueAddress' | 'onlinePlatform'>): string {
  const venue = [event.venueName, ...event.venueAddress.split(/\r?\n/)]
    .map((part) => part.trim())
    .filter(Boolean)
    .join(', ');
  const online = event.onlinePlatform ? `online (${event.onlinePlatform})` : 'online';
  if (event.format === 'online') return event.onlinePlatform || 'Online';
  if (event.format === 'hybrid') return venue ? `${venue}, and ${online}` : `In person and ${online}`;
  return venue;
}

export interface EntryOptions {
  baseUrl: string;
  /** Private feeds of confirmed registrants only. */
  joinUrl?: string;
  /** Private feeds: a waiting-list offer is shown as tentative. */
  offered?: boolean;
  /** A later change of the person's own place (an offer accepted), when there is one. */
  placeChangedAt?: Date;
}

/** A public feed's entries, a slice of events at a time (see buildFromFeedEvents). */
export async function* eventEntriesOf(slices: AsyncIterable<FeedEventRow[]>, options: EntryOptions): AsyncGenerator<CalendarEntry[]> {
  for await (const rows of slices) yield rows.flatMap((row) => (row.startsAt ? [eventEntry({ ...row, startsAt: row.startsAt }, options)] : []));
}

export function eventEntry(event: EntryEvent & { startsAt: Date }, options: EntryOptions): CalendarEntry {
  const cancelled = event.status === 'cancelled';
  const pageUrl = eventPageUrl(options.baseUrl, event.slug);
  const description = [
    cancelled ? `This event has been cancelled.${event.cancelledReason ? ` ${event.cancelledReason}` : ''}` : '',
    options.offered ? 'You have been offered a place from the waiting list. Accept it using the link in our email before the offer ends.' : '',
    // A cancelled event has nothing to join: its pages show no link, and neither does its calendar entry.
    options.joinUrl && !cancelled ? `Join online: ${options.joinUrl}` : '',
    event.summary,
    event.description,
    event.cohosts ? `Co-hosted by ${namesInWords(event.cohosts.split(COHOST_SEPARATOR))}.` : '',
    event.byInvitation
      ? `${eventTypeLabels[event.type]}, by invitation only. Details and access information: ${pageUrl}`
      : `${eventTypeLabels[event.type]}. Details, access information and booking: ${pageUrl}`,
  ]
    .map((part) => part.trim())
    .filter(Boolean)
    .join('\n\n');
  const prefix = cancelled ? 'Cancelled: ' : options.offered ? 'Place offered: ' : '';
  return {
    uid: eventUid(event.id),
    sequence: event.sequence,
    changedAt: later(options.placeChangedAt, event.updatedAt)!,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    status: cancelled ? 'cancelled' : options.offered ? 'tentative' : 'confirmed',
    summary: `${prefix}${event.title}`,
    description,
    location: eventLocation(event),
    url: pageUrl,
  };
}

/**
 * A programme session as its own entry. It changes when it is edited and when its event does
 * (status, title, place), so its SEQUENCE adds the two (each only rises) and its change time is
 * the later of the two.
 */
export function sessionEntry(event: EntryEvent, session: SessionRow, baseUrl: string): CalendarEntry {
  const cancelled = event.status === 'cancelled';
  const pageUrl = eventPageUrl(baseUrl, event.slug);
  return {
    uid: programmeSessionUid(session.id),
    sequence: event.sequence + session.sequence,
    changedAt: later(session.updatedAt, event.updatedAt)!,
    startsAt: session.startsAt,
    endsAt: session.endsAt,
    status: cancelled ? 'cancelled' : 'confirmed',
    summary: `${cancelled ? 'Cancelled: ' : ''}${session.title} (${event.title})`,
    description: [session.description.trim(), `Part of ${event.title}: ${pageUrl}`].filter(Boolean).join('\n\n'),
    location: [session.room.trim(), eventLocation(event)].filter(Boolean).join(', '),
    url: pageUrl,
  };
}

export interface MeetingFacts {
  uid: string;
  title: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  joinUrl: string;
  notes: string;
  sequence: number;
  cancelledAt: Date | null;
  updatedAt: Date;
  eventTitle: string;
}

/** A planning meeting, the same in private feeds and in the invitations its group is sent. */
export function meetingEntry(meeting: MeetingFacts): CalendarEntry {
  const cancelled = meeting.cancelledAt !== null;
  return {
    uid: meeting.uid,
    sequence: meeting.sequence,
    changedAt: meeting.updatedAt,
    startsAt: meeting.startsAt,
    endsAt: meeting.endsAt,
    status: cancelled ? 'cancelled' : 'confirmed',
    summary: `${cancelled ? 'Cancelled: ' : ''}Planning meeting: ${meeting.title} (${meeting.eventTitle})`,
    description: [
      cancelled ? 'This planning meeting has been cancelled.' : '',
      meeting.joinUrl ? `Join online: ${meeting.joinUrl}` : '',
      meeting.notes.trim(),
      `For the planning group of ${meeting.eventTitle}.`,
    ]
      .filter(Boolean)
      .join('\n\n'),
    location: meeting.place || (meeting.joinUrl ? 'Online' : ''),
    url: meeting.joinUrl || null,
  };
}
