// The strict check every calendar in the suite goes through (tests/support/ical-check) must
// itself catch what the issue found: a CANCEL without ORGANIZER, a missing final CRLF, a METHOD
// that disagrees with the MIME type. If libical is missing in CI, the run fails before this.
import { describe, expect, inject, it } from 'vitest';
import { checkWithIcalJs, checkWithLibical, type CollectedCalendar } from '../support/ical-check/check.ts';

function calendar(lines: string[], contentType = 'text/calendar; charset=utf-8', end = '\r\n'): CollectedCalendar {
  return { source: 'test', text: lines.join('\r\n') + end, contentType };
}

const event = [
  'BEGIN:VEVENT',
  'UID:event-1@convene',
  'SEQUENCE:1',
  'DTSTAMP:20261130T090000Z',
  'DTSTART:20261210T100000Z',
  'DTEND:20261210T120000Z',
  'SUMMARY:A seminar',
];
const good = calendar(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...event, 'END:VEVENT', 'END:VCALENDAR']);
const cancelWithoutOrganizer = calendar(
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'METHOD:CANCEL', ...event, 'STATUS:CANCELLED', 'END:VEVENT', 'END:VCALENDAR'],
  'text/calendar; charset=utf-8; method=CANCEL',
);

describe('the strict iCalendar check', () => {
  it('passes a correct feed with both parsers', () => {
    expect(checkWithIcalJs(good)).toEqual([]);
    expect(checkWithLibical([good], inject('icalChecker'))).toEqual([[]]);
  });

  it('refuses a CANCEL without ORGANIZER or ATTENDEE, with both parsers', () => {
    expect(checkWithIcalJs(cancelWithoutOrganizer).join('\n')).toMatch(/needs an ORGANIZER/);
    const checker = inject('icalChecker');
    if (process.env.CI) expect(checker).not.toBe('');
    if (checker) expect(checkWithLibical([cancelWithoutOrganizer], checker)[0]!.join('\n')).toMatch(/libical: .*ORGANIZER/);
  });

  it('refuses a file without its final CRLF, bare LF line ends and a METHOD the MIME type does not name', () => {
    expect(checkWithIcalJs({ ...good, text: good.text.slice(0, -2) })).toContain('does not end with CRLF');
    expect(checkWithIcalJs({ ...good, text: good.text.replace(/\r\n/g, '\n') }).join('\n')).toMatch(/not CRLF/);
    expect(checkWithIcalJs({ ...cancelWithoutOrganizer, contentType: 'text/calendar' }).join('\n')).toMatch(/METHOD is CANCEL but the Content-Type/);
  });
});
