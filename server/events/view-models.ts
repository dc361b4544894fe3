// Events as templates see them: dates already in Europe/London, labels already chosen.
import { type Pages, pageLinks } from '../http/pagination.ts';
import { DateTime } from 'luxon';
import { Type } from 'typebox';
import { eventFormats, eventTypes, type EventFormat, type EventType } from '../../db/schema/index.ts';
import { formatTimeRange } from '../format.ts';
import { eventFormatLabels, eventTypeLabels } from '../event-labels.ts';
import type { EventRow } from './queries.ts';
import { renderMarkdown } from '../markdown.ts';
import { namesInWords } from '../network/directory.ts';

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
      : [event.venueName, event.format === 'hybrid' ? `and online${event.onlinePlatform ? ` (${event.onlinePlatform})` : ''}` : ''].filter(Boolean).join(' ');
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

/** The filters on the public list: what people may choose, and what they chose. */
export const EventListQuery = Type.Object({
  when: Type.Optional(Type.Union([Type.Literal('upcoming'), Type.Literal('past'), Type.Literal('')])),
  type: Type.Optional(Type.Union([Type.Literal(''), ...eventTypes.map((t) => Type.Literal(t))])),
  format: Type.Optional(Type.Union([Type.Literal(''), ...eventFormats.map((f) => Type.Literal(f))])),
  month: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })])),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  organisation: Type.Optional(Type.Union([Type.Literal(''), Type.String({ format: 'uuid' })])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});
export interface EventListQueryType {
  when?: 'upcoming' | 'past' | '';
  type?: EventType | '';
  format?: EventFormat | '';
  month?: string;
  q?: string;
  organisation?: string;
  page?: number;
}

/** Links to the other pages of the event list, keeping its filters (see server/http/pagination.ts). */
export function eventListPages(query: EventListQueryType, total: number, perPage: number): Pages {
  const { when, q, type, format, month, organisation } = query;
  return pageLinks({ path: '/events', params: { when, q, type, format, month, organisation }, anchor: 'results', total, perPage, requested: query.page });
}

/**
 * The list's page title: which page of how many. A page past the last (an old link, a typed
 * address) says how many pages there are rather than "page 9 of 3".
 */
export function eventListTitle(past: boolean, pages: { current: number; count: number }): string {
  const name = past ? 'Past events' : 'Events';
  if (pages.current <= 1) return name;
  if (pages.current <= pages.count) return `${name} (page ${pages.current} of ${pages.count})`;
  return `${name} (page ${pages.current}; there ${pages.count === 1 ? 'is 1 page' : `are ${pages.count} pages`})`;
}

// The month choices change only when a month starts in London (always on an hour), so they are
// kept for the hour rather than worked out with luxon on every request for the list.
const monthsKept = new Map<string, { value: string; label: string }[]>();

/** The next twelve months (or the last twelve, in the archive), named in UK time. */
function monthOptions(now: Date, past: boolean): { value: string; label: string }[] {
  const key = `${past ? 'past' : 'next'} ${Math.floor(now.getTime() / 3_600_000)}`;
  let months = monthsKept.get(key);
  if (!months) {
    const start = DateTime.fromJSDate(now, { zone: 'Europe/London' }).startOf('month');
    months = Array.from({ length: 12 }, (_, i) => {
      const m = past ? start.minus({ months: i }) : start.plus({ months: i });
      return { value: m.toFormat('yyyy-MM'), label: m.toFormat('LLLL yyyy') };
    });
    if (monthsKept.size > 8) monthsKept.clear();
    monthsKept.set(key, months);
  }
  return months;
}

export function eventListFilters(query: EventListQueryType, organisations: { id: string; name: string }[] = [], now: Date = new Date()) {
  const past = query.when === 'past';
  const months = monthOptions(now, past);
  return {
    past,
    filters: {
      type: query.type ?? '',
      format: query.format ?? '',
      month: query.month ?? '',
      q: query.q ?? '',
      organisation: query.organisation ?? '',
      when: past ? 'past' : '',
    },
    organisationOptions: organisations.map((o) => ({ value: o.id, label: o.name })),
    typeOptions: eventTypes.map((t) => ({ value: t, label: eventTypeLabels[t] })),
    formatOptions: eventFormats.map((f) => ({ value: f, label: eventFormatLabels[f] })),
    monthOptions: months,
    filtered: Boolean(query.type || query.format || query.month || query.q?.trim() || query.organisation),
  };
}

/** An event's card, marked if it is co-produced or by invitation. */
export function markedEventCard(event: EventRow & { coProduced: boolean; byInvitation: boolean }) {
  return { ...eventCard(event), coProduced: event.coProduced, byInvitation: event.byInvitation };
}

/** The event list's cards, each naming the organisations that co-host it. */
export function listedEventCards(events: (EventRow & { coProduced: boolean; byInvitation: boolean })[], cohosts: Map<string, { name: string }[]>) {
  return events.map((e) => ({ ...markedEventCard(e), cohosts: namesInWords((cohosts.get(e.id) ?? []).map((c) => c.name)) }));
}

/** An event's own page: its card, its description as HTML, and what it offers for access. */
export function eventPageView(event: EventRow) {
  return {
    ...eventCard(event),
    descriptionHtml: renderMarkdown(event.description),
    venueAddress: event.venueAddress,
    travelInfo: event.travelInfo,
    accessInfo: event.accessInfo,
    cancelledReason: event.cancelledReason,
    access: {
      // A venue's features mean nothing to an event held online only: "no step-free access
      // confirmed yet" read as a warning about a room nobody goes to.
      inRoom: event.format !== 'online',
      stepFree: event.stepFreeAccess,
      hearingLoop: event.hearingLoop,
      bsl: event.bslInterpretation,
      captions: event.liveCaptions,
      quietRoom: event.quietRoom,
    },
    contentNotes: event.contentNotes,
    easyReadSummary: event.easyReadSummary,
    dayContact: event.dayContactName ? `${event.dayContactName}${event.dayContactPhone ? `, ${event.dayContactPhone}` : ''}` : '',
  };
}
