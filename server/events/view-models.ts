// Events as templates see them: dates already in Europe/London, labels already chosen.
import { type Pages, pageLinks } from '../http/pagination.ts';
import { DateTime } from 'luxon';
import { Type } from 'typebox';
import { eventFormats, eventTypes, type EventFormat, type EventType } from '../../db/schema/index.ts';
import { formatTimeRange } from '../format.ts';
import { eventFormatLabels, eventTypeLabels } from '../event-labels.ts';
import type { EventRow, ListChoices } from './queries.ts';
import { renderMarkdown } from '../markdown.ts';
import { namesInWords } from '../network/directory.ts';
import type { FieldError } from '../errors.ts';

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

// Every filter arrives as text (or several texts, when a name is repeated) and is checked here,
// not by the schema: a value the list cannot use (a month 2026-13, a type "banana", an old link)
// must show the list with a message saying what was wrong and the other filters kept, not a
// generic error page that loses them all.
const QueryText = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));

/** The filters on the public list, as sent. */
export const EventListQuery = Type.Object({
  when: QueryText,
  type: QueryText,
  format: QueryText,
  month: QueryText,
  q: QueryText,
  organisation: QueryText,
  page: QueryText,
});
export type EventListQuerySent = Partial<Record<'when' | 'type' | 'format' | 'month' | 'q' | 'organisation' | 'page', string | string[]>>;

/** The filters on the public list that can be used. */
export interface EventListQueryType {
  when?: 'upcoming' | 'past' | '';
  type?: EventType | '';
  format?: EventFormat | '';
  month?: string;
  q?: string;
  organisation?: string;
  page?: number;
}

export const SEARCH_MAX_LENGTH = 100;

/** What was asked for: the filters the list can use, the search as typed, and what was wrong. */
export interface EventListAsked {
  query: EventListQueryType;
  /** The search box as typed, even when too long to use. */
  typedSearch: string;
  errors: FieldError[];
}

const firstText = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
const oneOf = <T extends string>(choices: readonly T[], value: string): value is T => (choices as readonly string[]).includes(value);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Reads the list's query: each filter the list can use, and a message for each it cannot. */
export function readEventListQuery(sent: EventListQuerySent): EventListAsked {
  const errors: FieldError[] = [];
  const query: EventListQueryType = {};
  const when = firstText(sent.when);
  if (when === 'past' || when === 'upcoming' || when === '') query.when = when;
  else errors.push({ field: 'results', message: 'The link asked for events that are neither upcoming nor past. These are the upcoming events.' });

  const type = firstText(sent.type);
  if (oneOf(eventTypes, type)) query.type = type;
  else if (type) errors.push({ field: 'type', message: 'That type of event is not one we list. Choose a type of event from the list.' });

  const format = firstText(sent.format);
  if (oneOf(eventFormats, format)) query.format = format;
  else if (format) errors.push({ field: 'format', message: 'Choose in person, online or hybrid from the list.' });

  const month = firstText(sent.month);
  if (MONTH.test(month)) query.month = month;
  else if (month) errors.push({ field: 'month', message: 'That is not a month we can show. Choose a month from the list.' });

  const typedSearch = firstText(sent.q);
  if (typedSearch.length > SEARCH_MAX_LENGTH) errors.push({ field: 'q', message: `Search must be ${SEARCH_MAX_LENGTH} characters or fewer` });
  else if (typedSearch) query.q = typedSearch;

  // Whether a well-formed id is an organisation the list can show is known only once the
  // choices are read (see unknownOrganisation).
  const organisation = firstText(sent.organisation);
  if (UUID.test(organisation)) query.organisation = organisation.toLowerCase();
  else if (organisation) errors.push(unknownOrganisation);

  const page = firstText(sent.page);
  if (/^\d{1,6}$/.test(page) && Number(page) >= 1 && Number(page) <= 100_000) query.page = Number(page);
  else if (page) errors.push({ field: 'results', message: 'The page number in the link was not one we have. This is the first page.' });
  return { query, typedSearch, errors };
}

/**
 * An organisation the list cannot filter by: unknown, or not (or no longer) approved in the
 * directory. Both get the same words, which name no one, so the page tells nobody which ids
 * belong to an organisation waiting for approval or declined.
 */
export const unknownOrganisation: FieldError = {
  field: 'organisation',
  message: 'We cannot show events for that organisation. Choose an organisation from the list.',
};

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

// Month names are kept rather than worked out with luxon for every choice on every request.
const monthNames = new Map<string, string>();

function monthLabel(value: string): string {
  let label = monthNames.get(value);
  if (!label) {
    label = DateTime.fromFormat(value, 'yyyy-MM', { zone: 'Europe/London' }).toFormat('LLLL yyyy');
    if (monthNames.size > 2000) monthNames.clear();
    monthNames.set(value, label);
  }
  return label;
}

/**
 * The months to offer: those with events (see listChoices), and the month asked for even if it
 * has none now, since it was typed or linked and the page should say which month it shows.
 */
function monthOptions(months: string[], asked: string | undefined, past: boolean): { value: string; label: string }[] {
  let values = months;
  if (asked && !months.includes(asked)) {
    values = [...months, asked].sort();
    if (past) values.reverse();
  }
  return values.map((value) => ({ value, label: monthLabel(value) }));
}

export function eventListFilters(asked: EventListAsked, choices: ListChoices) {
  const { query, errors } = asked;
  const past = query.when === 'past';
  return {
    past,
    filters: {
      type: query.type ?? '',
      format: query.format ?? '',
      month: query.month ?? '',
      q: asked.typedSearch,
      organisation: query.organisation ?? '',
      when: past ? 'past' : '',
    },
    errors,
    errorFor: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    organisationOptions: choices.organisations.map((o) => ({ value: o.id, label: o.name })),
    typeOptions: eventTypes.map((t) => ({ value: t, label: eventTypeLabels[t] })),
    formatOptions: eventFormats.map((f) => ({ value: f, label: eventFormatLabels[f] })),
    monthOptions: monthOptions(choices.months, query.month, past),
    filtered: Boolean(query.type || query.format || query.month || query.q?.trim() || query.organisation),
    // Something in the link could not be used: offer the way back to the whole list too.
    clearable: Boolean(query.type || query.format || query.month || query.q?.trim() || query.organisation || errors.length),
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
    // A room's address and how to get there are left from before an event moved online: shown,
    // they read as where it happens.
    venueAddress: event.format === 'online' ? '' : event.venueAddress,
    travelInfo: event.format === 'online' ? '' : event.travelInfo,
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
