// Display formatting: every time shown to a person is in Europe/London, every amount in pounds.
const zone = 'Europe/London';

const dateFormat = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: 'numeric', minute: '2-digit', hour12: true });

/**
 * Remembers recent answers of a formatter: ICU formatting is the costliest step of a long list,
 * and a list repeats the same moments (an event's date on every row). Bounded, and emptied when full.
 */
function remembered(format: (date: Date) => string, limit = 5000): (date: Date) => string {
  const known = new Map<number, string>();
  return (date) => {
    const key = date.getTime();
    let text = known.get(key);
    if (text === undefined) {
      if (known.size >= limit) known.clear();
      text = format(date);
      known.set(key, text);
    }
    return text;
  };
}

/** "Tuesday 9 December 2026" */
export const formatDate = remembered((date) => {
  // Built from parts: ICU versions differ on the comma after the weekday.
  const parts: Record<string, string> = {};
  for (const p of dateFormat.formatToParts(date)) parts[p.type] = p.value;
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
});

/** "10:30am", "2pm" */
export const formatTime = remembered((date) => timeFormat.format(date).replace(':00', '').replace(/\s/g, '').toLowerCase());

/** "Tuesday 9 December 2026, 10:30am" */
export function formatDateTime(date: Date): string {
  return `${formatDate(date)}, ${formatTime(date)}`;
}

/** "Tuesday 9 December 2026, 10am to 4pm", or both dates when it spans days. */
export function formatTimeRange(start: Date, end: Date | null): string {
  if (!end) return formatDateTime(start);
  if (formatDate(start) === formatDate(end)) return `${formatDate(start)}, ${formatTime(start)} to ${formatTime(end)}`;
  return `${formatDateTime(start)} to ${formatDateTime(end)}`;
}

/** "2026-12-09": the day in London, as ISO dates are written (form fields, spreadsheets). */
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
export function londonDay(date: Date): string {
  return isoDay.format(date);
}

/** "14:05": the time of day in London, 24-hour, for spreadsheets. */
const isoTime = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export function londonClock(date: Date): string {
  return isoTime.format(date);
}

// Money formatting lives in server/money.ts; re-exported for the callers that import it from here.
export { formatPence, formatPrice } from './money.ts';
