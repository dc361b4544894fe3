// Reading events for public pages.
import { and, asc, count, desc, eq, getTableColumns, gte, ilike, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { events, type EventFormat, type EventType } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { cohostedBy } from '../network/directory.ts';
import { coProducedColumn } from '../planning/public.ts';

export type EventRow = typeof events.$inferSelect;

const upcomingEvents = prepared((db) => {
  const now = sql.placeholder('now');
  return db
    .select({ ...getTableColumns(events), coProduced: coProducedColumn() })
    .from(events)
    .where(and(eq(events.status, 'published'), eq(events.unlisted, false), or(gte(events.endsAt, now), and(isNull(events.endsAt), gte(events.startsAt, now)))))
    .orderBy(asc(events.startsAt))
    .limit(sql.placeholder('limit'))
    .prepare('upcoming_events');
});

/** Published events that have not ended yet, soonest first, each marked if it is co-produced (one statement). */
export async function listUpcomingEvents(db: Db, options: { limit: number; now?: Date }): Promise<(EventRow & { coProduced: boolean })[]> {
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
  /** Words to find in the title, summary or venue. */
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

/** One page of the public list or archive, with the filters people can choose, and how many match in all. */
export async function findEvents(db: Db, filter: EventFilter): Promise<{ events: EventRow[]; total: number }> {
  const now = filter.now ?? new Date();
  // An unlisted event (an invitation-only round table kept quiet) is in no list.
  const conditions: SQL[] = [eq(events.unlisted, false)];
  const ended = or(lt(events.endsAt, now), and(isNull(events.endsAt), lt(events.startsAt, now)))!;
  if (filter.past) {
    conditions.push(inArray(events.status, ['published', 'completed']), ended);
  } else {
    // A cancelled event stays in the list, marked, until it would have happened, so someone
    // coming back to look for it finds out rather than wondering where it went.
    conditions.push(inArray(events.status, ['published', 'cancelled']), or(gte(events.endsAt, now), and(isNull(events.endsAt), gte(events.startsAt, now)))!);
  }
  if (filter.type) conditions.push(eq(events.type, filter.type));
  if (filter.format) conditions.push(eq(events.format, filter.format));
  if (filter.organisation) conditions.push(cohostedBy(filter.organisation));
  if (filter.month) {
    const start = DateTime.fromFormat(filter.month, 'yyyy-MM', { zone: 'Europe/London' });
    if (start.isValid) conditions.push(gte(events.startsAt, start.toJSDate()), lt(events.startsAt, start.plus({ months: 1 }).toJSDate()));
  }
  const q = filter.q?.trim();
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(events.title, pattern), ilike(events.summary, pattern), ilike(events.venueName, pattern), ilike(events.description, pattern))!);
  }
  const where = and(...conditions);
  const page = Math.max(1, filter.page ?? 1);
  const [rows, [counted]] = await Promise.all([
    db
      .select()
      .from(events)
      .where(where)
      .orderBy(filter.past ? desc(events.startsAt) : asc(events.startsAt), asc(events.id))
      .limit(EVENTS_PER_PAGE)
      .offset((page - 1) * EVENTS_PER_PAGE),
    db.select({ n: count() }).from(events).where(where),
  ]);
  return { events: rows, total: Number(counted?.n ?? 0) };
}
