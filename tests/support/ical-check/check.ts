// Every iCalendar document the suite produces is checked strictly: the feeds tests fetch and
// every calendar attachment of every email queued. Test support collects them (startTestApp's
// app.inject, and the outbox when a test database closes) and checks them with two independent
// parsers: libical's parser and RFC 5545/5546 restriction check (the C checker beside this
// file), and ical.js (Thunderbird's), plus the rules neither enforces (CRLF everywhere, line
// length, METHOD agreeing with the MIME type). Any error fails the test file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The libical checker's path ('' when libical is missing outside CI). */
    icalChecker: string;
  }
}

export interface CollectedCalendar {
  /** Where it came from, for the error message: "GET /calendar.ics", "email to x: meeting.ics". */
  source: string;
  text: string;
  /** The Content-Type it was served or attached with. */
  contentType: string;
}

const collected = new Map<string, CollectedCalendar>();

export function collectCalendar(calendar: CollectedCalendar): void {
  const key = createHash('sha256').update(calendar.contentType).update('\n').update(calendar.text).digest('hex');
  if (!collected.has(key)) collected.set(key, calendar);
}

export function isCalendarType(contentType: string | undefined): boolean {
  return /^text\/calendar\b/i.test(contentType ?? '');
}

const MAX_LINE_OCTETS = 75;

/** The rules checked here, beside what the parsers check. Returns the problems found. */
export function checkWithIcalJs(calendar: CollectedCalendar): string[] {
  const problems: string[] = [];
  const { text, contentType } = calendar;
  if (!text.endsWith('\r\n')) problems.push('does not end with CRLF');
  if (/[^\r]\n/.test(text) || /\r(?!\n)/.test(text)) problems.push('has a line break that is not CRLF');
  for (const line of text.split('\r\n')) {
    if (Buffer.byteLength(line, 'utf8') > MAX_LINE_OCTETS) problems.push(`has a line longer than ${MAX_LINE_OCTETS} octets: ${line.slice(0, 40)}…`);
  }
  let root: InstanceType<typeof ICAL.Component>;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (error) {
    return [...problems, `ical.js cannot parse it: ${(error as Error).message}`];
  }
  if (root.name !== 'vcalendar') problems.push('the top component is not VCALENDAR');
  for (const required of ['version', 'prodid']) if (!root.getFirstPropertyValue(required)) problems.push(`has no ${required.toUpperCase()}`);
  const method = root.getFirstPropertyValue('method');
  const mimeMethod = /;\s*method=([A-Za-z-]+)/i.exec(contentType)?.[1]?.toUpperCase() ?? null;
  if ((method ? String(method).toUpperCase() : null) !== mimeMethod) {
    problems.push(`METHOD is ${method ?? 'absent'} but the Content-Type says method=${mimeMethod ?? '(none)'} (RFC 5545 8.1: they must agree)`);
  }
  const zones = new Set(root.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid'))));
  for (const vevent of root.getAllSubcomponents('vevent')) {
    const uid = vevent.getFirstPropertyValue('uid');
    for (const required of ['uid', 'dtstamp', 'dtstart'])
      if (!vevent.getFirstProperty(required)) problems.push(`VEVENT ${uid ?? '?'} has no ${required.toUpperCase()}`);
    for (const property of vevent.getAllProperties()) {
      const tzid = property.getParameter('tzid');
      if (tzid && !zones.has(String(tzid))) problems.push(`VEVENT ${uid} uses TZID ${tzid} without its VTIMEZONE`);
    }
    const organizer = vevent.getFirstProperty('organizer');
    const attendees = vevent.getAllProperties('attendee');
    if (method && !organizer) problems.push(`VEVENT ${uid}: METHOD:${method} needs an ORGANIZER (RFC 5546)`);
    if (method === 'PUBLISH' && attendees.length) problems.push(`VEVENT ${uid}: METHOD:PUBLISH must not have ATTENDEE`);
    if ((method === 'REQUEST' || method === 'CANCEL') && !attendees.length) problems.push(`VEVENT ${uid}: METHOD:${method} needs ATTENDEE`);
    try {
      const event = new ICAL.Event(vevent);
      if (event.endDate && event.endDate.compare(event.startDate) < 0) problems.push(`VEVENT ${uid} ends before it starts`);
    } catch (error) {
      problems.push(`VEVENT ${uid}: ical.js cannot read it: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** libical's parser and restriction check over every calendar at once. */
export function checkWithLibical(calendars: CollectedCalendar[], checker: string): string[][] {
  if (!checker || calendars.length === 0) return calendars.map(() => []);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-ics-'));
  try {
    const files = calendars.map((calendar, i) => {
      const file = path.join(dir, `${i}.ics`);
      fs.writeFileSync(file, calendar.text);
      return file;
    });
    const run = spawnSync(checker, files, { encoding: 'utf8' });
    if (run.error) throw run.error;
    const problems = calendars.map((): string[] => []);
    for (const line of run.stdout.split('\n')) {
      const match = /^(.*?\/(\d+)\.ics): (.*)$/.exec(line);
      if (match) problems[Number(match[2])]!.push(`libical: ${match[3]}`);
    }
    if (run.status !== 0 && problems.every((p) => p.length === 0)) throw new Error(`The libical checker failed: ${run.stderr || run.stdout}`);
    return problems;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks everything collected so far (then forgets it); throws one error listing every problem. */
export function checkCollectedCalendars(): number {
  const calendars = [...collected.values()];
  collected.clear();
  const fromLibical = checkWithLibical(calendars, inject('icalChecker'));
  const report: string[] = [];
  calendars.forEach((calendar, i) => {
    const problems = [...checkWithIcalJs(calendar), ...fromLibical[i]!];
    if (problems.length) report.push(`${calendar.source}:\n  ${problems.join('\n  ')}`);
  });
  if (report.length) throw new Error(`Invalid iCalendar produced in this test file:\n${report.join('\n')}`);
  return calendars.length;
}
