// Account pages as they show a person's own things.
import { formatDateTime } from '../format.ts';

/** The bookings still to come that deleting an account cancels, as the page lists them. */
export function upcomingBookingRows(bookings: { eventTitle: string; startsAt: Date | null; pricePence: number }[]) {
  return bookings.map((b) => ({
    eventTitle: b.eventTitle,
    when: b.startsAt ? formatDateTime(b.startsAt) : 'Date to be confirmed',
    paid: b.pricePence > 0,
  }));
}
