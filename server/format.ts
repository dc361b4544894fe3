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

/** 1250 → "£12.50", 0 → "£0", 2000 → "£20". An amount of money: never "Free". */
export function formatPence(pence: number): string {
  const pounds = Math.floor(Math.abs(pence) / 100);
  const rest = Math.abs(pence) % 100;
  const sign = pence < 0 ? '−' : '';
  return `${sign}£${pounds.toLocaleString('en-GB')}${rest ? `.${String(rest).padStart(2, '0')}` : ''}`;
}

/** The price of a place: 0 → "Free" (a free place), otherwise the amount. Only for prices. */
export function formatPrice(pence: number): string {
  return pence === 0 ? 'Free' : formatPence(pence);
}
