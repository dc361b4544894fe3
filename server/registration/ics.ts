// An attendee's own calendar entry for an event: attached to the booking confirmation, offered on
// the manage page, and sent again with every change and the cancellation. It is the event as the
// feeds describe it (server/calendar), with the joining link for a confirmed place, published
// (METHOD:PUBLISH) with the event's current SEQUENCE, so each copy replaces the one before it in
// the person's calendar, joining link, page address and location included every time. At an
// event in person and online, the entry is the person's own place: the venue for a place in the
// room (no joining link), the platform and link for one online (place-facts.ts).
import type { Attendance } from '../../db/schema/index.ts';
import { eventEntry } from '../calendar/entries.ts';
import { buildPublication, calendarBaseUrl } from '../calendar/ics.ts';
import type { FeedEventRow } from '../calendar/queries.ts';
import { eventUid } from '../calendar/uid.ts';
import { placeFacts } from './place-facts.ts';

export type AttendeeEvent = Omit<FeedEventRow, 'publicChangedAt'> & { onlineJoinUrl: string };

// The UID comes from the calendar feature, so an event is one entry whether it arrived by email
// or by feed.
export { eventUid };

export interface AttendeePlace {
  /** Where the event's pages are (BASE_URL; the configured one if not given). */
  baseUrl?: string;
  /** Only a confirmed place carries the online joining link (default: confirmed). */
  confirmed?: boolean;
  /** At a hybrid event, the person's place: in the room (the default) or online. */
  attendance?: Attendance | null;
}

/** The person's calendar entry for this event as a PUBLISH .ics, or null while it has no date. */
export function attendeeIcs(event: AttendeeEvent, place: AttendeePlace = {}): string | null {
  if (!event.startsAt) return null;
  const facts = placeFacts(event, place.attendance, { confirmed: place.confirmed !== false });
  // The entry's location is the person's own place: as if the event met only that way.
  return buildPublication(
    event.title,
    eventEntry(
      { ...event, format: event.format === 'hybrid' ? facts.comes : event.format, startsAt: event.startsAt },
      { baseUrl: place.baseUrl ?? calendarBaseUrl(), joinUrl: facts.joinUrl || undefined },
    ),
  );
}

/** The MIME type of an attendee's .ics (the method parameter must match METHOD, RFC 5545 8.1). */
export const ATTENDEE_ICS_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH';
