// An attendee's own calendar entry for an event: attached to the booking confirmation, offered on
// the manage page, and sent again with every change and the cancellation. It is the event as the
// feeds describe it (server/calendar), with the joining link for a confirmed place, published
// (METHOD:PUBLISH) with the event's current SEQUENCE, so each copy replaces the one before it in
// the person's calendar, joining link, page address and location included every time.
import { eventEntry } from '../calendar/entries.ts';
import { buildPublication, calendarBaseUrl } from '../calendar/ics.ts';
import type { FeedEventRow } from '../calendar/queries.ts';
import { eventUid } from '../calendar/uid.ts';

export type AttendeeEvent = Omit<FeedEventRow, 'publicChangedAt'> & { onlineJoinUrl: string };

// The UID comes from the calendar feature, so an event is one entry whether it arrived by email
// or by feed.
export { eventUid };

export interface AttendeePlace {
  /** Where the event's pages are (BASE_URL; the configured one if not given). */
  baseUrl?: string;
  /** Only a confirmed place carries the online joining link (default: confirmed). */
  confirmed?: boolean;
}

/** The person's calendar entry for this event as a PUBLISH .ics, or null while it has no date. */
export function attendeeIcs(event: AttendeeEvent, place: AttendeePlace = {}): string | null {
  if (!event.startsAt) return null;
  const joinUrl = place.confirmed !== false && event.format !== 'in_person' ? event.onlineJoinUrl : '';
  return buildPublication(
    event.title,
    eventEntry({ ...event, startsAt: event.startsAt }, { baseUrl: place.baseUrl ?? calendarBaseUrl(), joinUrl: joinUrl || undefined }),
  );
}

/** The MIME type of an attendee's .ics (the method parameter must match METHOD, RFC 5545 8.1). */
export const ATTENDEE_ICS_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH';
