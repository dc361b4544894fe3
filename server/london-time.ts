// London time, in one place. People type dates and times as they read them on a London clock and
// see them that way; we store UTC. "Today", a day's date and the hour are London's too, whatever
// the server's own zone (display formats are in format.ts).
import { DateTime } from 'luxon';
import type { FieldError } from './errors.ts';

export const LONDON_ZONE = 'Europe/London';
const zone = LONDON_ZONE;

// Made once: building a DateTimeFormat costs more than formatting with it (a calendar feed's
// 304 answer asks for today's date every time).
const dayParts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The date an instant falls on in London, as "2026-12-09". */
export function londonDate(instant: Date): string {
  let year = '';
  let month = '';
  let day = '';
  for (const part of dayParts.formatToParts(instant)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}

/** Today's date in London, as "2026-12-09". */
export function londonToday(now = new Date()): string {
  return londonDate(now);
}

/** The hour (0-23) on a London clock at an instant. */
export function londonHour(instant: Date): number {
  return DateTime.fromJSDate(instant, { zone }).hour;
}

/** "2026-12-09" + "10:30" on a London clock → the UTC instant; null if either is not valid. */
export function londonToUtc(date: string, time: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{1,2}:\d{2}$/.test(time)) return null;
  const dt = DateTime.fromISO(`${date}T${time.padStart(5, '0')}`, { zone });
  return dt.isValid ? dt.toUTC().toJSDate() : null;
}

/** The values a date and a time field show for an instant, on a London clock. */
export function utcToLondonFields(instant: Date | null): { date: string; time: string } {
  if (!instant) return { date: '', time: '' };
  const dt = DateTime.fromJSDate(instant, { zone });
  return { date: dt.toFormat('yyyy-LL-dd'), time: dt.toFormat('HH:mm') };
}

export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid;
}

/**
 * Reads a start (date + time) and an end time on the same day from form fields named
 * `${prefix}Date`, `${prefix}Start`, `${prefix}End`. Adds field errors and returns null when
 * something is missing or wrong.
 */
export function readTimeSpan(values: Record<string, string>, prefix: string, errors: FieldError[], what: string): { startsAt: Date; endsAt: Date } | null {
  const date = values[`${prefix}Date`] ?? '';
  const start = values[`${prefix}Start`] ?? '';
  const end = values[`${prefix}End`] ?? '';
  if (!isIsoDate(date)) {
    errors.push({ field: `${prefix}Date`, message: `Enter the date of ${what}, for example 9 December 2026` });
    return null;
  }
  const startsAt = londonToUtc(date, start);
  if (!startsAt) {
    errors.push({ field: `${prefix}Start`, message: `Enter the start time of ${what}, for example 10:30` });
    return null;
  }
  const endsAt = londonToUtc(date, end);
  if (!endsAt) {
    errors.push({ field: `${prefix}End`, message: `Enter the end time of ${what}, for example 16:00` });
    return null;
  }
  if (endsAt <= startsAt) {
    errors.push({ field: `${prefix}End`, message: `The end time of ${what} must be after its start time` });
    return null;
  }
  return { startsAt, endsAt };
}
