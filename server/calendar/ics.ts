// Writes an iCalendar document (RFC 5545, with the RFC 7986 calendar properties) from plain
// entries. ical-generator does the escaping and line folding; two things it does not do the way
// the standard asks are done here, and say why below.
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { escape as icalEscape, foldLines, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';

export const FEED_ZONE = 'Europe/London';

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

const statuses: Record<EntryStatus, ICalEventStatus> = {
  confirmed: ICalEventStatus.CONFIRMED,
  tentative: ICalEventStatus.TENTATIVE,
  cancelled: ICalEventStatus.CANCELLED,
};

function london(instant: Date): DateTime {
  // A luxon DateTime, not a Date: ical-generator would write a Date's wall-clock time in the
  // server's own zone, which is only right when the server happens to run on London time.
  return DateTime.fromJSDate(instant, { zone: FEED_ZONE });
}

// Entries are turned into text this many at a time, so that a feed of thousands of events never
// holds thousands of ical-generator objects at once (a 10,000-event feed needed 120 MB of heap).
const SLICE = 200;

export function buildCalendar(meta: CalendarMeta, entries: CalendarEntry[]): string {
  const calendar = ical({
    prodId: { company: 'Social Perspectives Hub', product: 'Convene', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    // ical-generator writes NAME and X-WR-CALNAME without escaping them.
    name: icalEscape(meta.name, false),
    description: icalEscape(meta.description, false),
    url: meta.url,
    source: meta.url,
    ttl: REFRESH_SECONDS,
  });
  const frame = withStandardCalendarParts(calendar.toString(), meta, entries.length > 0);
  const events: string[] = [];
  for (let i = 0; i < entries.length; i += SLICE) {
    for (const entry of entries.slice(i, i + SLICE)) {
      calendar.createEvent({
        id: entry.uid,
        sequence: entry.sequence,
        stamp: entry.changedAt,
        lastModified: entry.changedAt,
        timezone: FEED_ZONE,
        start: london(entry.startsAt),
        end: entry.endsAt ? london(entry.endsAt) : null,
        status: statuses[entry.status],
        summary: entry.summary,
        description: entry.description || null,
        location: entry.location || null,
        url: entry.url,
      });
    }
    for (const event of calendar.events()) events.push(foldLines(event.toString()));
    calendar.clear();
  }
  const end = frame.lastIndexOf('END:VCALENDAR');
  return frame.slice(0, end) + events.join('') + frame.slice(end);
}

/**
 * ical-generator writes the calendar description only as X-WR-CALDESC, and its time zone
 * generator puts VTIMEZONE before properties such as REFRESH-INTERVAL, which RFC 5545's grammar
 * does not allow (properties first, then components). So we add the RFC 7986 DESCRIPTION among
 * the properties and the VTIMEZONE (tzdata, from @touch4it/ical-timezones) before the first event.
 */
function withStandardCalendarParts(ics: string, meta: CalendarMeta, hasEvents: boolean): string {
  const description = `${foldLines(`DESCRIPTION:${icalEscape(meta.description, false)}`)}\r\n`;
  const firstComponent = ics.indexOf('BEGIN:VEVENT');
  const end = ics.lastIndexOf('END:VCALENDAR');
  const at = firstComponent === -1 ? end : firstComponent;
  let components = '';
  if (hasEvents) {
    const vtimezone = getVtimezoneComponent(FEED_ZONE);
    if (!vtimezone) throw new Error(`No VTIMEZONE data for ${FEED_ZONE}`);
    components = `${vtimezone.trim().replace(/\r?\n/g, '\r\n')}\r\n`;
  }
  return ics.slice(0, at) + description + components + ics.slice(at);
}
