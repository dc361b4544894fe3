// The one answer to "does this edit matter to the people holding or waiting for a place, and
// what changed?". Anything they would act on (when, where, how to join, the format) is a change
// to tell them of, old → new; wording (title, summary, description, notes) is not.
import type { Attendance, EventFormat } from '../../db/schema/index.ts';
import { eventFormatLabels } from '../event-labels.ts';
import { formatTimeRange } from '../format.ts';

/** The parts of an event an attendee acts on. */
export interface AttendeeFacts {
  format: EventFormat;
  startsAt: Date | null;
  endsAt: Date | null;
  venueName: string;
  venueAddress: string;
  onlinePlatform: string;
  onlineJoinUrl: string;
}

export type ChangedPart = 'when' | 'format' | 'venue' | 'platform' | 'joinUrl';

export interface AttendeeChange {
  part: ChangedPart;
  /** What changed, as the email names it ("Date and time"). */
  what: string;
  before: string;
  after: string;
}

const NOT_SET = 'not set';

function when(f: AttendeeFacts): string {
  return f.startsAt ? formatTimeRange(f.startsAt, f.endsAt) : NOT_SET;
}

function venue(f: AttendeeFacts): string {
  return (
    [f.venueName, f.venueAddress]
      .map((s) => s.trim())
      .filter(Boolean)
      .join(', ') || NOT_SET
  );
}

/**
 * What changed between `before` and `after` that an attendee would act on, in the order an
 * email lists it. Empty when only wording changed. The venue counts only when the event (now)
 * meets in person, the platform and joining link only when it (now) meets online.
 */
export function attendeeChanges(before: AttendeeFacts, after: AttendeeFacts): AttendeeChange[] {
  const changes: AttendeeChange[] = [];
  const add = (part: ChangedPart, what: string, a: string, b: string) => {
    if (a !== b) changes.push({ part, what, before: a, after: b });
  };
  add('when', 'Date and time', when(before), when(after));
  add('format', 'How it meets', eventFormatLabels[before.format], eventFormatLabels[after.format]);
  if (after.format !== 'online') add('venue', 'Venue', venue(before), venue(after));
  if (after.format !== 'in_person') {
    add('platform', 'Online platform', before.onlinePlatform.trim() || NOT_SET, after.onlinePlatform.trim() || NOT_SET);
    add('joinUrl', 'Joining link', before.onlineJoinUrl.trim() || NOT_SET, after.onlineJoinUrl.trim() || NOT_SET);
  }
  return changes;
}

/**
 * The changes as one person may see them: a joining link is only for someone whose place is
 * confirmed, so anyone else is told it changed and where they will find it.
 */
export function changesFor(changes: AttendeeChange[], placeConfirmed: boolean): { what: string; before: string; after: string }[] {
  return changes.map(({ what, before, after, part }) =>
    part === 'joinUrl' && !placeConfirmed
      ? { what, before: 'the previous link', after: 'a new link, on your booking page once your place is confirmed' }
      : { what, before, after },
  );
}

/**
 * At an event in person and online, the changes that concern one person's own place: the venue
 * for a place in the room, the platform and joining link for one online (the link is never sent
 * to someone in the room). When and how it meets concern everyone. Elsewhere, every change.
 */
export function changesForPlace(changes: AttendeeChange[], format: EventFormat, attendance: Attendance | null): AttendeeChange[] {
  if (format !== 'hybrid') return changes;
  const online = attendance === 'online';
  return changes.filter((c) => (c.part === 'venue' ? !online : c.part === 'platform' || c.part === 'joinUrl' ? online : true));
}
