import { describe, expect, it } from 'vitest';
import { formatPence, formatPrice, formatTimeRange } from '../server/format.ts';

describe('formatting for people', () => {
  it('shows times in Europe/London on both sides of the clock change', () => {
    // 09:00 UTC is 10am in British Summer Time and 9am in winter.
    expect(formatTimeRange(new Date('2026-10-24T09:00:00Z'), new Date('2026-10-24T15:00:00Z'))).toBe('Saturday 24 October 2026, 10am to 4pm');
    expect(formatTimeRange(new Date('2026-10-26T09:00:00Z'), new Date('2026-10-26T15:30:00Z'))).toBe('Monday 26 October 2026, 9am to 3:30pm');
  });

  it('shows pence as pounds', () => {
    // An amount of money is never "Free" (a total of £0, a limit of £0); only a place's price is.
    expect(formatPence(0)).toBe('£0');
    expect(formatPrice(0)).toBe('Free');
    expect(formatPrice(1250)).toBe('£12.50');
    expect(formatPence(1250)).toBe('£12.50');
    expect(formatPence(2000)).toBe('£20');
    expect(formatPence(123456)).toBe('£1,234.56');
  });
});
