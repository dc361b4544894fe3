// Demo times are London wall-clock times a number of days from today, never the hour the demo
// happens to be seeded at (a round table seeded late in the evening ran past midnight).
import { DateTime } from 'luxon';

/** A London wall-clock time `days` from today, as a UTC Date. */
export function londonAt(days: number, time: string): Date {
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.now().setZone('Europe/London').startOf('day').plus({ days }).set({ hour, minute }).toUTC().toJSDate();
}
