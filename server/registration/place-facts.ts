// Where one person's place is, in words for their emails, pages and calendar file. At an event
// in person and online, a place is either in the room or online (holds.ts counts them apart):
// someone in the room is told the venue and how to get there, never given the joining link
// (it is for the online places only); someone online is told the platform and, once the place
// is confirmed, the link. At any other event the place is simply the event's.
import type { Attendance, EventFormat } from '../../db/schema/index.ts';

export interface PlaceEvent {
  format: EventFormat;
  venueName: string;
  venueAddress: string;
  onlinePlatform: string;
  onlineJoinUrl: string;
  travelInfo?: string;
}

export interface PlaceFacts {
  /** "Venue, 1 Street", "Online (Zoom)", or at a hybrid event, this person's own one. */
  where: string;
  /** At a hybrid event, "in the room" or "online"; '' elsewhere. */
  placeKind: '' | 'in the room' | 'online';
  /** The joining link, for a confirmed place that is online; '' otherwise. */
  joinUrl: string;
  /** How to get to the venue, for a place in the room; '' for one online. */
  travelInfo: string;
  /** How the person comes: in the room (in person) or online. */
  comes: Attendance;
}

function venueText(event: PlaceEvent): string {
  return [event.venueName, event.venueAddress].filter(Boolean).join(', ') || 'Venue to be confirmed';
}

function onlineText(event: PlaceEvent): string {
  return event.onlinePlatform ? `Online (${event.onlinePlatform})` : 'Online';
}

/** How a booking comes to its event: a hybrid booking without a choice counts as in the room (holds.ts). */
export function howTheyCome(format: EventFormat, attendance: Attendance | null | undefined): Attendance {
  if (format === 'hybrid') return attendance ?? 'in_person';
  return format === 'online' ? 'online' : 'in_person';
}

/**
 * The place facts of a booking. `confirmed`: the place is booked (only then does an online place
 * carry the joining link).
 */
export function placeFacts(event: PlaceEvent, attendance: Attendance | null | undefined, options: { confirmed: boolean }): PlaceFacts {
  const comes = howTheyCome(event.format, attendance);
  const hybrid = event.format === 'hybrid';
  return {
    where: comes === 'online' ? onlineText(event) : venueText(event),
    placeKind: hybrid ? (comes === 'online' ? 'online' : 'in the room') : '',
    joinUrl: options.confirmed && comes === 'online' ? event.onlineJoinUrl : '',
    travelInfo: comes === 'online' ? '' : (event.travelInfo ?? ''),
    comes,
  };
}

/** The words every email about a booking gives for its place: where, and at a hybrid event which kind. */
export function placeWords(event: PlaceEvent, attendance: Attendance | null | undefined): { where: string; placeKind: PlaceFacts['placeKind'] } {
  const { where, placeKind } = placeFacts(event, attendance, { confirmed: false });
  return { where, placeKind };
}
