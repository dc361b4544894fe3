// What the public event page shows about places: how many are left (or "waiting list"), the
// price range, and whether and where to book. Used by server/events/routes.ts.
import type { Db } from '../db/database.ts';
import { availability, everyPoolFull } from './holds.ts';
import { getSettings, listTicketTypes, type EventRow } from './queries.ts';
import { bookingClosedReason, onSale } from './service.ts';
import { placesSummary, priceRange } from './view-models.ts';

export interface EventPlaces {
  /** Booking is possible now (possibly onto the waiting list). */
  open: boolean;
  bookUrl: string;
  placesText: string;
  priceRange: string;
  /** Why booking is not open, in words, when it is not. */
  closedReason: string;
  isFull: boolean;
}

export async function eventPlaces(db: Db, event: EventRow, now: Date = new Date()): Promise<EventPlaces> {
  const [types, avail, settings] = await Promise.all([listTicketTypes(db, event.id), availability(db, event.id, now), getSettings(db, event.id)]);
  const selling = types.filter((t) => onSale(t, now));
  const closed = bookingClosedReason(event, settings, now) ?? (selling.length === 0 ? 'Booking has not opened yet.' : null);
  return {
    open: !closed,
    bookUrl: `/events/${event.slug}/book`,
    placesText: placesSummary(avail),
    priceRange: priceRange(types),
    closedReason: closed ?? '',
    isFull: everyPoolFull(avail),
  };
}
