// Reads a feed with ical.js, a parser independent of the library that wrote it, registering the
// feed's own VTIMEZONE so that local times are turned into instants the way a calendar app would.
import ICAL from 'ical.js';

export interface ParsedEntry {
  uid: string;
  summary: string;
  description: string;
  location: string;
  url: string | null;
  status: string | null;
  sequence: number;
  dtstamp: Date;
  lastModified: Date | null;
  start: Date;
  end: Date | null;
  /** The wall-clock time as written, e.g. "2027-10-30T09:00:00", and its TZID. */
  startLocal: string;
  endLocal: string | null;
  tzid: string | null;
}

export interface ParsedFeed {
  calendar: InstanceType<typeof ICAL.Component>;
  timezones: string[];
  entries: ParsedEntry[];
  property(name: string): string | null;
}

export function parseFeed(text: string): ParsedFeed {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const timezones: string[] = [];
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) {
    const zone = new ICAL.Timezone(vtimezone);
    ICAL.TimezoneService.register(zone);
    timezones.push(zone.tzid);
  }
  const entries = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const text = (name: string) => {
      const value = vevent.getFirstPropertyValue(name);
      return value == null ? null : String(value);
    };
    const time = (name: string) => {
      const value = vevent.getFirstPropertyValue(name) as InstanceType<typeof ICAL.Time> | null;
      return value ? value.toJSDate() : null;
    };
    const dtstart = vevent.getFirstProperty('dtstart');
    const dtend = vevent.getFirstProperty('dtend');
    const dtstamp = time('dtstamp');
    if (!dtstamp) throw new Error(`VEVENT ${event.uid} has no DTSTAMP`);
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description ?? '',
      location: event.location ?? '',
      url: text('url'),
      status: text('status'),
      sequence: event.sequence,
      dtstamp,
      lastModified: time('last-modified'),
      start: event.startDate.toJSDate(),
      end: dtend ? event.endDate.toJSDate() : null,
      startLocal: event.startDate.toString(),
      endLocal: dtend ? event.endDate.toString() : null,
      tzid: (dtstart?.getParameter('tzid') as string | undefined) ?? null,
    };
  });
  return {
    calendar,
    timezones,
    entries,
    property: (name) => {
      const value = calendar.getFirstPropertyValue(name);
      return value == null ? null : String(value);
    },
  };
}
