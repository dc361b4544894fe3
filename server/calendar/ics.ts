// Every iCalendar document Convene emits is written here (RFC 5545, the RFC 7986 calendar
// properties, and RFC 5546 iTIP where a METHOD is used), so an event is described the same way
// in feeds, booking emails, change emails and meeting invitations. Three kinds:
// - feeds (subscriptions): no METHOD, since a feed is a snapshot, not an iTIP message;
// - publications (an attendee's copy of an event, in emails and downloads): METHOD:PUBLISH, which
//   RFC 5546 requires to carry an ORGANIZER (the Hub). A change or cancellation is the same UID
//   published again with a higher SEQUENCE (STATUS:CANCELLED), so it replaces what was sent first;
// - invitations (planning meetings): METHOD:REQUEST / CANCEL with ORGANIZER and ATTENDEE.
// ical-generator does the escaping and line folding; what it does not do the way the standard
// asks is done here, and each place says why.
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, {
  escape as icalEscape,
  foldLines,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
  type ICalCalendar,
} from 'ical-generator';
import { DateTime } from 'luxon';
import { LONDON_ZONE } from '../london-time.ts';

export const FEED_ZONE = LONDON_ZONE;

/** How often we ask calendar apps to look for changes (many poll less often whatever we say). */
export const REFRESH_SECONDS = 60 * 60;

export type EntryStatus = 'confirmed' | 'tentative' | 'cancelled';

export interface CalendarEntry {
  uid: string;
  /** Raised on every change people would notice. */
  sequence: number;
  /** When this entry last changed: written as DTSTAMP and LAST-MODIFIED. */
  changedAt: Date;
  startsAt: Date;
  /** Unknown end: the entry has no DTEND rather than an invented one. */
  endsAt: Date | null;
  status: EntryStatus;
  summary: string;
  /** Plain text. */
  description: string;
  location: string;
  url: string | null;
}

export interface CalendarMeta {
  name: string;
  description: string;
  /** The feed's own address (RFC 7986 URL and SOURCE). */
  url: string;
}

export interface CalendarPerson {
  name: string;
  email: string;
}

export interface Invitee extends CalendarPerson {
  /** The person who arranged the meeting: listed as its chair, already accepted, not asked to reply. */
  isOrganiser?: boolean;
}

export type InvitationMethod = 'REQUEST' | 'CANCEL';

const statuses: Record<EntryStatus, ICalEventStatus> = {
  confirmed: ICalEventStatus.CONFIRMED,
  tentative: ICalEventStatus.TENTATIVE,
  cancelled: ICalEventStatus.CANCELLED,
};

const prodId = { company: 'Social Perspectives Hub', product: 'Convene', language: 'EN' };

// ---- The Hub: ORGANIZER of publications, and where its pages are ----

// Services queue email inside their own transactions and never see the app's config, so the
// Hub's address and BASE_URL are installed once when the app is built (as the outbox key is).
// Until then they are the defaults of MAIL_FROM and BASE_URL.
let hub: CalendarPerson = { name: 'Social Perspectives Hub', email: 'hub@example.org' };
let siteUrl = 'http://localhost:3000';

/** MAIL_FROM ("Social Perspectives Hub <hub@example.org>") and BASE_URL, from the config. */
export function installCalendarSite(site: { mailFrom: string; baseUrl: string }): void {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(site.mailFrom);
  hub = match ? { name: match[1]!.trim() || hub.name, email: match[2]!.trim() } : { name: hub.name, email: site.mailFrom.trim() };
  siteUrl = site.baseUrl;
}

export function hubOrganizer(): CalendarPerson {
  return hub;
}

export function calendarBaseUrl(): string {
  return siteUrl;
}

// ---- Times ----

/**
 * A time as ical-generator should write it: London wall-clock time (with the VTIMEZONE we add),
 * except an instant in the second pass of the hour repeated when the clocks go back, which a
 * local time cannot name (RFC 5545 reads a repeated local time as its first occurrence): that
 * one is written in UTC. Returns null when the instant must be written in UTC.
 */
function londonTime(instant: Date): DateTime | null {
  const local = DateTime.fromJSDate(instant, { zone: FEED_ZONE });
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  // The earliest instant with this wall-clock time (London is UTC+0 or UTC+1).
  const firstOccurrence = [wall - 3_600_000, wall].find((candidate) => {
    const back = DateTime.fromMillis(candidate, { zone: FEED_ZONE });
    return back.hour === local.hour && back.minute === local.minute && back.day === local.day;
  });
  return firstOccurrence === instant.getTime() - instant.getUTCMilliseconds() ? local : null;
}

function addEntry(
  calendar: ICalCalendar,
  entry: CalendarEntry,
  extra: { organizer?: CalendarPerson & { sentBy?: string }; attendees?: Invitee[] } = {},
): boolean {
  const start = londonTime(entry.startsAt);
  const end = entry.endsAt ? londonTime(entry.endsAt) : null;
  // A luxon DateTime, not a Date, for local times: ical-generator would write a Date's wall-clock
  // time in the server's own zone. Both ends are written the same way.
  const local = start !== null && (entry.endsAt === null || end !== null);
  calendar.createEvent({
    id: entry.uid,
    sequence: entry.sequence,
    stamp: entry.changedAt,
    lastModified: entry.changedAt,
    timezone: local ? FEED_ZONE : null,
    start: local ? start : entry.startsAt,
    end: entry.endsAt ? (local ? end : entry.endsAt) : null,
    status: statuses[entry.status],
    summary: entry.summary,
    description: entry.description || null,
    location: entry.location || null,
    url: entry.url,
    organizer: extra.organizer ? { name: extra.organizer.name, email: extra.organizer.email, sentBy: extra.organizer.sentBy } : null,
    attendees: (extra.attendees ?? []).map((person) => ({
      name: person.name,
      email: person.email,
      role: person.isOrganiser ? ICalAttendeeRole.CHAIR : ICalAttendeeRole.REQ,
      status: person.isOrganiser ? ICalAttendeeStatus.ACCEPTED : ICalAttendeeStatus.NEEDSACTION,
      rsvp: !person.isOrganiser,
    })),
  });
  return local;
}

// ---- Writing a document ----

function newCalendar(name: string, method: ICalCalendarMethod | null, meta?: CalendarMeta): ICalCalendar {
  return ical({
    prodId,
    method,
    // ical-generator writes NAME and X-WR-CALNAME without escaping them: a comma would end the
    // name and a line break the property.
    name: icalEscape(name, false),
    ...(meta ? { description: icalEscape(meta.description, false), url: meta.url, source: meta.url, ttl: REFRESH_SECONDS } : {}),
  });
}

/**
 * ical-generator writes the calendar description only as X-WR-CALDESC, puts VTIMEZONE before
 * properties such as REFRESH-INTERVAL (RFC 5545's grammar wants properties first, then
 * components) and leaves off the CRLF that ends every content line, the last included. So the
 * RFC 7986 DESCRIPTION goes among the properties, the VTIMEZONE (tzdata, from
 * @touch4it/ical-timezones) before the first event, and the document ends with CRLF.
 */
function assemble(frame: string, events: string[], options: { description?: string; timezone: boolean }): string {
  const end = frame.lastIndexOf('END:VCALENDAR');
  let head = frame.slice(0, end);
  if (options.description !== undefined) head += `${foldLines(`DESCRIPTION:${icalEscape(options.description, false)}`)}\r\n`;
  if (options.timezone) {
    const vtimezone = getVtimezoneComponent(FEED_ZONE);
    if (!vtimezone) throw new Error(`No VTIMEZONE data for ${FEED_ZONE}`);
    head += `${vtimezone.trim().replace(/\r?\n/g, '\r\n')}\r\n`;
  }
  return `${head}${events.join('')}END:VCALENDAR\r\n`;
}

function eventsOf(calendar: ICalCalendar): string[] {
  const texts = calendar.events().map((event) => `${foldLines(event.toString()).replace(/\r\n$/, '')}\r\n`);
  calendar.clear();
  return texts;
}

// Entries are turned into text this many at a time, so that a feed of thousands of events never
// holds thousands of ical-generator objects at once (a 10,000-event feed needed 120 MB of heap).
const SLICE = 200;

/** A subscription feed: no METHOD (RFC 5545 3.7.2: a feed is not an iTIP message). */
export function buildCalendar(meta: CalendarMeta, entries: CalendarEntry[]): string {
  const feed = feedWriter(meta);
  feed.add(entries);
  return feed.done();
}

/** A feed built from entries that arrive a slice at a time (read from the database in slices). */
export async function buildCalendarFrom(meta: CalendarMeta, slices: AsyncIterable<CalendarEntry[]>): Promise<string> {
  const feed = feedWriter(meta);
  for await (const entries of slices) feed.add(entries);
  return feed.done();
}

function feedWriter(meta: CalendarMeta) {
  const calendar = newCalendar(meta.name, null, meta);
  const frame = calendar.toString();
  const events: string[] = [];
  let local = false;
  return {
    add(entries: CalendarEntry[]) {
      for (let i = 0; i < entries.length; i += SLICE) {
        for (const entry of entries.slice(i, i + SLICE)) local = addEntry(calendar, entry) || local;
        events.push(...eventsOf(calendar));
      }
    },
    done: () => assemble(frame, events, { description: meta.description, timezone: local }),
  };
}

/**
 * One person's copy of an entry, as attached to an email or downloaded: METHOD:PUBLISH with the
 * Hub as ORGANIZER and no ATTENDEE (RFC 5546 3.2.1). Sent again with a higher SEQUENCE, it
 * replaces the earlier copy in the person's calendar.
 */
export function buildPublication(name: string, entry: CalendarEntry): string {
  const calendar = newCalendar(name, ICalCalendarMethod.PUBLISH);
  const frame = calendar.toString();
  const local = addEntry(calendar, entry, { organizer: hubOrganizer() });
  return assemble(frame, eventsOf(calendar), { timezone: local });
}

/**
 * A meeting invitation (REQUEST) or its withdrawal (CANCEL), RFC 5546 3.2.2 and 3.2.5. The email
 * comes from the Hub, so the organiser's ORGANIZER says SENT-BY the Hub. A CANCEL names the
 * attendees it is for: everyone when the meeting is called off, or one person who has left.
 */
export function buildInvitation(method: InvitationMethod, entry: CalendarEntry, organiser: CalendarPerson, attendees: Invitee[]): string {
  const icalMethod = method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST;
  const calendar = newCalendar(entry.summary, icalMethod);
  const frame = calendar.toString();
  const sentBy = organiser.email.toLowerCase() === hub.email.toLowerCase() ? undefined : hub.email;
  const local = addEntry(calendar, method === 'CANCEL' ? { ...entry, status: 'cancelled' } : entry, { organizer: { ...organiser, sentBy }, attendees });
  return assemble(frame, eventsOf(calendar), { timezone: local });
}
