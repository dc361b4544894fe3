// Events as templates see them: dates already in Europe/London, labels already chosen.
import { formatTimeRange } from '../format.ts';
import { eventFormatLabels, eventTypeLabels } from './labels.ts';
import type { EventRow } from './queries.ts';

export interface EventCard {
  slug: string;
  url: string;
  title: string;
  summary: string;
  typeLabel: string;
  formatLabel: string;
  when: string;
  where: string;
  isCancelled: boolean;
  startsAtIso: string | null;
}

export function eventCard(event: EventRow): EventCard {
  const where =
    event.format === 'online'
      ? event.onlinePlatform || 'Online'
      : [event.venueName, event.format === 'hybrid' ? `and online${event.onlinePlatform ? ` (${event.onlinePlatform})` : ''}` : '']
          .filter(Boolean)
          .join(' ');
  return {
    slug: event.slug,
    url: `/events/${event.slug}`,
    title: event.title,
    summary: event.summary,
    typeLabel: eventTypeLabels[event.type],
    formatLabel: eventFormatLabels[event.format],
    when: event.startsAt ? formatTimeRange(event.startsAt, event.endsAt) : 'Date to be confirmed',
    where: where || 'Venue to be confirmed',
    isCancelled: event.status === 'cancelled',
    startsAtIso: event.startsAt?.toISOString() ?? null,
  };
}
