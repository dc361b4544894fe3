// The iCalendar writer on its own, read back with ical.js.
import { describe, expect, it } from 'vitest';
import { buildCalendar, buildInvitation, buildPublication, type CalendarEntry } from '../../server/calendar/ics.ts';
import { parseFeed } from './parse.ts';

const meta = { name: 'Test; calendar, with "marks"', description: 'A description, with; marks\nand a second line.', url: 'https://hub.example/calendar.ics' };

function entry(overrides: Partial<CalendarEntry> = {}): CalendarEntry {
  return {
    uid: 'event-1@convene',
    sequence: 4,
    changedAt: new Date('2027-01-05T12:34:56Z'),
    startsAt: new Date('2027-03-27T10:00:00Z'),
    endsAt: new Date('2027-03-28T16:00:00Z'),
    status: 'confirmed',
    summary: 'Spring weekend',
    description: '',
    location: '',
    url: null,
    ...overrides,
  };
}

describe('buildCalendar', () => {
  it('writes a calendar with no events that still parses, without a VTIMEZONE it does not need', () => {
    const parsed = parseFeed(buildCalendar(meta, []));
    expect(parsed.entries).toEqual([]);
    expect(parsed.timezones).toEqual([]);
    // ical.js does not know RFC 7986's NAME, so it gives the value as written: escaped as TEXT.
    expect(parsed.property('name')).toBe('Test\\; calendar\\, with "marks"');
    expect(parsed.property('description')).toBe(meta.description);
    // A feed is a snapshot, not an iTIP message: no METHOD (a PUBLISH would need an ORGANIZER).
    expect(parsed.property('method')).toBeNull();
  });

  it('shows an event across the March clock change at the right local times', () => {
    // 10:00 GMT on Saturday; the clocks go forward early on Sunday; 16:00 UTC is 17:00 BST.
    const [e] = parseFeed(buildCalendar(meta, [entry()])).entries;
    expect(e!.startLocal).toBe('2027-03-27T10:00:00');
    expect(e!.endLocal).toBe('2027-03-28T17:00:00');
    expect(e!.start.toISOString()).toBe('2027-03-27T10:00:00.000Z');
    expect(e!.end!.toISOString()).toBe('2027-03-28T16:00:00.000Z');
    expect(e!.dtstamp.toISOString()).toBe('2027-01-05T12:34:56.000Z');
    expect(e!.lastModified!.toISOString()).toBe('2027-01-05T12:34:56.000Z');
    expect(e!.sequence).toBe(4);
  });

  it('leaves out DTEND when the end is not known, rather than inventing one', () => {
    const text = buildCalendar(meta, [entry({ endsAt: null })]);
    expect(text).not.toContain('DTEND');
    expect(parseFeed(text).entries[0]!.end).toBeNull();
  });

  it('writes tentative and cancelled entries', () => {
    const entries = parseFeed(
      buildCalendar(meta, [entry({ uid: 'a@convene', status: 'tentative' }), entry({ uid: 'b@convene', status: 'cancelled' })]),
    ).entries;
    expect(entries.map((e) => e.status)).toEqual(['TENTATIVE', 'CANCELLED']);
  });

  it('keeps every property before the first component, as RFC 5545 asks', () => {
    const text = buildCalendar(meta, [entry()]);
    const lines = text.split('\r\n');
    const firstComponent = lines.findIndex((l) => l.startsWith('BEGIN:V') && l !== 'BEGIN:VCALENDAR');
    expect(lines[firstComponent]).toBe('BEGIN:VTIMEZONE');
    const topLevel = lines.slice(firstComponent).filter((l, i, all) => {
      // Lines at the calendar's own level after the first component: only BEGIN/END of components.
      const depth = all.slice(0, i).reduce((d, x) => d + (x.startsWith('BEGIN:') ? 1 : x.startsWith('END:') ? -1 : 0), 0);
      return depth === 0 && !l.startsWith('BEGIN:') && !l.startsWith('END:') && l !== '';
    });
    expect(topLevel).toEqual([]);
  });
});

describe('every document', () => {
  it('ends with CRLF, feeds, publications and invitations alike', () => {
    const organiser = { name: 'Lee', email: 'lee@example.org' };
    for (const text of [
      buildCalendar(meta, []),
      buildCalendar(meta, [entry()]),
      buildPublication('A, b', entry()),
      buildInvitation('REQUEST', entry(), organiser, [{ ...organiser, isOrganiser: true }]),
    ]) {
      expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
      expect(text).not.toMatch(/[^\r]\n/);
    }
  });

  it('escapes the calendar name in attachments too: a comma does not cut it short, a line break does not break the line', () => {
    const text = buildPublication('Voices, choices\nand care; together', entry());
    expect(text).toContain('NAME:Voices\\, choices\\nand care\\; together\r\n');
    expect(text).toContain('X-WR-CALNAME:Voices\\, choices\\nand care\\; together\r\n');
  });

  it('writes a time in the repeated hour of the October change so that it names one instant', () => {
    // On 31 October 2027 London's clocks go back at 02:00 BST: 01:30 happens twice.
    const first = new Date('2027-10-31T00:30:00Z'); // 01:30 BST
    const second = new Date('2027-10-31T01:30:00Z'); // 01:30 GMT
    for (const startsAt of [first, second]) {
      const [e] = parseFeed(buildCalendar(meta, [entry({ startsAt, endsAt: new Date(startsAt.getTime() + 30 * 60_000) })])).entries;
      expect(e!.start.toISOString()).toBe(startsAt.toISOString());
    }
    // The second is written in UTC: a local 01:30 would be read as the first.
    expect(buildCalendar(meta, [entry({ startsAt: second, endsAt: new Date(second.getTime() + 30 * 60_000) })])).toContain('DTSTART:20271031T013000Z');
    // The first occurrence can stay local (an event that also ends in the first pass of the hour).
    expect(buildCalendar(meta, [entry({ startsAt: first, endsAt: new Date(first.getTime() + 15 * 60_000) })])).toContain(
      'DTSTART;TZID=Europe/London:20271031T013000',
    );
  });
});
