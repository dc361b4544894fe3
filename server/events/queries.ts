// Reading events for public pages.
import { and, asc, count, desc, eq, getTableColumns, gte, ilike, inArray, isNotNull, isNull, lt, ne, or, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import { DateTime } from 'luxon';
import { events, type EventFormat, type EventType } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { cohostedBy, cohostingOrganisationsQuery } from '../network/directory.ts';
import { coProducedColumn } from '../planning/public.ts';
import { invitationOnlyColumn } from '../registration/api.ts';

export type EventRow = typeof events.$inferSelect;

const upcomingEvents = prepared((db) => {
  const now = sql.placeholder('now');
  return db
    .select({ ...getTableColumns(events), coProduced: coProducedColumn(), byInvitation: invitationOnlyColumn() })
    .from(events)
    .where(and(eq(events.status, 'published'), eq(events.unlisted, false), or(gte(events.endsAt, now), and(isNull(events.endsAt), gte(events.startsAt, now)))))
    .orderBy(asc(events.startsAt))
    .limit(sql.placeholder('limit'))
    .prepare('upcoming_events');
});

/** Published events that have not ended yet, soonest first, each marked if co-produced or by invitation (one statement). */
export async function listUpcomingEvents(db: Db, options: { limit: number; now?: Date }): Promise<ListedEvent[]> {
  return upcomingEvents(db).execute({ now: (options.now ?? new Date()).toISOString(), limit: options.limit });
}

/** A public event page shows published, cancelled and finished events, never ones being planned. */
const eventBySlug = prepared((db) =>
  db
    .select()
    .from(events)
    .where(eq(events.slug, sql.placeholder('slug')))
    .prepare('event_by_slug'),
);

export async function findPublicEvent(db: Db, slug: string): Promise<EventRow | null> {
  const [row] = await eventBySlug(db).execute({ slug });
  if (!row || row.status === 'planning') return null;
  return row;
}

export interface EventFilter {
  type?: EventType;
  format?: EventFormat;
  /** "2026-12": events starting in that month, in UK time. */
  month?: string;
  /** Words to find in what the list and the event's page say of it (see searchCondition). */
  q?: string;
  /** Events co-hosted by this organisation (an id from the directory). */
  organisation?: string;
  /** The archive: events that have ended, newest first. */
  past?: boolean;
  /** 1 for the first page. */
  page?: number;
  now?: Date;
}

/** Events shown on one page of the public list. */
export const EVENTS_PER_PAGE = 20;

/** An event in a list, with the marks the list shows beside it, read in the same statement. */
export type ListedEvent = EventRow & { coProduced: boolean; byInvitation: boolean };

const listedColumns = () => ({ ...getTableColumns(events), coProduced: coProducedColumn(), byInvitation: invitationOnlyColumn() });
/**
 * How many match in all, read with the page's rows: one statement instead of two. A subquery
 * that PostgreSQL runs once, not `count(*) over ()`, which made it build and sort every matching
 * row in full (a list of 10,000 events answered at a sixth of the rate of one of 100).
 */
const matching = (where: SQL) => sql<string>`(select count(*) from ${events} where ${where})`;

function whenCondition(past: boolean, now: Date | Placeholder): SQL {
  const ended = or(lt(events.endsAt, now), and(isNull(events.endsAt), lt(events.startsAt, now)))!;
  // A cancelled event stays in the list, marked, until it would have happened, so someone
  // coming back to look for it finds out rather than wondering where it went.
  return past
    ? and(inArray(events.status, ['published', 'completed']), ended)!
    : and(inArray(events.status, ['published', 'cancelled']), or(gte(events.endsAt, now), and(isNull(events.endsAt), gte(events.startsAt, now))))!;
}

const unfilteredWhere = (past: boolean) => and(eq(events.unlisted, false), whenCondition(past, sql.placeholder('now')))!;

/**
 * One page of matching events, with their marks and the count. The page's ids are chosen first,
 * in a subquery of their own, so that the marks (two subqueries a row) are worked out for the 20
 * events shown only. Asked of the matching rows directly, PostgreSQL worked them out for every
 * matching event before sorting: with 10,000 events, 3,337 times each, at about 40 ms a list.
 */
function listPage(db: Db, where: SQL, past: boolean, offset: number | Placeholder) {
  const order = [past ? desc(events.startsAt) : asc(events.startsAt), asc(events.id)];
  const page = db
    .select({ id: events.id })
    .from(events)
    .where(where)
    .orderBy(...order)
    .limit(EVENTS_PER_PAGE)
    .offset(offset)
    .as('page');
  return db
    .select({ ...listedColumns(), matching: matching(where) })
    .from(events)
    .innerJoin(page, eq(page.id, events.id))
    .orderBy(...order);
}

// The list as most people see it, with no filter chosen: built once, a page at a time by offset.
const unfilteredList = (past: boolean) =>
  prepared((db) => listPage(db, unfilteredWhere(past), past, sql.placeholder('offset')).prepare(past ? 'events_list_past' : 'events_list_upcoming'));
const unfiltered = { upcoming: unfilteredList(false), past: unfilteredList(true) };

/**
 * Words found in what people read of an event: its title, summary and description, and where it
 * is, as its card and page say it. The venue and its address count for an event held in a room
 * (a town, a street); the platform (Zoom, Teams) for one held online. A venue left over on an
 * event that became online-only is not shown, so it is not found either. Still one statement:
 * the rows come from the listing index as before, and each is checked once.
 */
function searchCondition(q: string): SQL {
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return or(
    ilike(events.title, pattern),
    ilike(events.summary, pattern),
    ilike(events.description, pattern),
    and(ne(events.format, 'online'), or(ilike(events.venueName, pattern), ilike(events.venueAddress, pattern))),
    and(ne(events.format, 'in_person'), ilike(events.onlinePlatform, pattern)),
  )!;
}

/** What the list's filters offer: the months and the co-hosting organisations people may choose. */
export interface ListChoices {
  /** "2026-12": months in which an event the list shows starts (UK time); soonest first, or newest first in the archive. */
  months: string[];
  organisations: { id: string; name: string }[];
}

const monthOf = sql<string>`to_char(${events.startsAt} at time zone 'Europe/London', 'YYYY-MM')`;

/**
 * The months and organisations to offer, read in one statement. A month is offered only if the
 * list, with no other filter, has an event starting in it (published or cancelled and not over;
 * in the archive, over), so nobody picks a month to find nothing. Read from the listing index
 * alone. Not narrowed by the other filters: without JavaScript, the type and the month are
 * chosen in one go, and months kept to the last type chosen would hide ones the next could find.
 */
const listChoicesQuery = (past: boolean) =>
  prepared((db) => {
    const months = db
      .selectDistinct({ kind: sql<string>`'month'`.as('kind'), value: monthOf.as('value'), label: sql<string>`''`.as('label') })
      .from(events)
      .where(and(unfilteredWhere(past), isNotNull(events.startsAt)));
    const cohosting = cohostingOrganisationsQuery(db).as('cohosting');
    const organisationsOffered = db
      .select({
        kind: sql<string>`'organisation'`.as('kind'),
        value: sql<string>`${cohosting.id}::text`.as('value'),
        label: sql<string>`${cohosting.name}`.as('label'),
      })
      .from(cohosting);
    return unionAll(months, organisationsOffered)
      .orderBy(sql`kind`, sql`label`, sql`value`)
      .prepare(past ? 'event_list_choices_past' : 'event_list_choices_upcoming');
  });
const listChoicesQueries = { upcoming: listChoicesQuery(false), past: listChoicesQuery(true) };

export async function listChoices(db: Db, options: { past: boolean; now?: Date }): Promise<ListChoices> {
  const rows = await listChoicesQueries[options.past ? 'past' : 'upcoming'](db).execute({ now: (options.now ?? new Date()).toISOString() });
  const months = rows.filter((r) => r.kind === 'month').map((r) => r.value);
  return {
    months: options.past ? months.reverse() : months,
    organisations: rows.filter((r) => r.kind === 'organisation').map((r) => ({ id: r.value, name: r.label })),
  };
}

/** One page of the public list or archive, with the filters people can choose, and how many match in all. */
export async function findEvents(db: Db, filter: EventFilter): Promise<{ events: ListedEvent[]; total: number }> {
  const now = filter.now ?? new Date();
  const page = Math.max(1, filter.page ?? 1);
  const offset = (page - 1) * EVENTS_PER_PAGE;
  const q = filter.q?.trim();
  const asked = filter.month ? DateTime.fromFormat(filter.month, 'yyyy-MM', { zone: 'Europe/London' }) : null;
  // Months PostgreSQL can hold: year 0 and the month after 9999-12 are out of its range.
  const month = asked?.isValid && (asked.year < 1 || asked.year > 9998) ? null : asked;
  const noMonth = Boolean(asked?.isValid) && !month;
  let rows: (ListedEvent & { matching: string })[];
  // An unlisted event (an invitation-only round table kept quiet) is in no list.
  const conditions: SQL[] = [eq(events.unlisted, false), whenCondition(Boolean(filter.past), now)];
  if (!filter.type && !filter.format && !filter.organisation && !asked?.isValid && !q) {
    rows = await unfiltered[filter.past ? 'past' : 'upcoming'](db).execute({ now: now.toISOString(), offset });
  } else {
    if (filter.type) conditions.push(eq(events.type, filter.type));
    // An event in a room and online is both: someone choosing "Online" can take part in it.
    if (filter.format) conditions.push(filter.format === 'hybrid' ? eq(events.format, 'hybrid') : inArray(events.format, [filter.format, 'hybrid']));
    if (filter.organisation) conditions.push(cohostedBy(filter.organisation));
    if (month?.isValid) conditions.push(gte(events.startsAt, month.toJSDate()), lt(events.startsAt, month.plus({ months: 1 }).toJSDate()));
    if (noMonth) conditions.push(sql`false`);
    if (q) conditions.push(searchCondition(q));
    rows = await listPage(db, and(...conditions)!, Boolean(filter.past), offset);
  }
  if (rows.length > 0 || page === 1) return { events: rows, total: Number(rows[0]?.matching ?? 0) };
  // Past the last page there is no row to carry the count: ask for it alone.
  const [counted] = await db
    .select({ n: count() })
    .from(events)
    .where(and(...conditions));
  return { events: rows, total: Number(counted?.n ?? 0) };
}
