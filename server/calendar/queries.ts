// Reading what the feeds show. Public feed queries never select the online joining link, so it
// cannot reach a public feed by mistake. Each feed has a cheap "version" query (latest change and
// a count) so that an unchanged feed is answered 304 without being built.
import { and, asc, count, eq, gte, inArray, isNotNull, isNull, max, or, sql, type SQL } from 'drizzle-orm';
import { events, programmeSessions, type EventType } from '../../db/schema/index.ts';
import type { Database, Db } from '../db/database.ts';

/** Past events stay in the feeds this long. */
export const PAST_MONTHS = 12;
/** Cancelled events stay this long after their date, marked cancelled, so calendars update. */
export const CANCELLED_DAYS = 30;

/** Between co-hosts' names in a feed row (a character no name is typed with). */
export const COHOST_SEPARATOR = '\u001f';

export const publicEventColumns = {
  id: events.id,
  slug: events.slug,
  title: events.title,
  type: events.type,
  status: events.status,
  summary: events.summary,
  description: events.description,
  format: events.format,
  startsAt: events.startsAt,
  endsAt: events.endsAt,
  venueName: events.venueName,
  venueAddress: events.venueAddress,
  onlinePlatform: events.onlinePlatform,
  sequence: events.sequence,
  cancelledReason: events.cancelledReason,
  updatedAt: events.updatedAt,
  publicChangedAt: events.publicChangedAt,
  /** The co-hosts' names, in the order named, joined by COHOST_SEPARATOR; null without any. */
  // Written out with the tables named: in a one-table select Drizzle leaves column names bare,
  // which inside this subquery would mean the organisation's id, not the event's.
  cohosts: sql<
    string | null
  >`(select string_agg(o.name, ${COHOST_SEPARATOR} order by c.position) from event_cohosts c join organisations o on o.id = c.organisation_id where c.event_id = "events"."id" and o.status = 'approved')`,
  /** Invitation-only (a round table): nobody books it, so the entry says so rather than "booking". */
  byInvitation: sql<boolean>`exists (select 1 from registration_settings rs where rs.event_id = "events"."id" and rs.booking_mode = 'invitation')`.mapWith(
    (v: unknown) => v === true || v === 't',
  ),
};

export interface FeedEventRow {
  id: string;
  slug: string;
  title: string;
  type: EventType;
  status: 'planning' | 'published' | 'cancelled' | 'completed';
  summary: string;
  description: string;
  format: 'in_person' | 'online' | 'hybrid';
  startsAt: Date | null;
  endsAt: Date | null;
  venueName: string;
  venueAddress: string;
  onlinePlatform: string;
  sequence: number;
  cancelledReason: string;
  updatedAt: Date;
  publicChangedAt: Date | null;
  /** Co-hosts' names (see publicEventColumns); not read by every query that makes entries. */
  cohosts?: string | null;
  /** Invitation-only (see publicEventColumns); not read by every query that makes entries. */
  byInvitation?: boolean;
}

/** A feed's state: enough to answer a conditional request without building the feed. */
export interface FeedVersion {
  lastChange: Date | null;
  /** Anything else that changes when the feed does (counts, sequences). */
  tag: string;
}

export function windowStarts(now: Date): { past: Date; cancelled: Date } {
  const past = new Date(now);
  past.setUTCMonth(past.getUTCMonth() - PAST_MONTHS);
  return { past, cancelled: new Date(now.getTime() - CANCELLED_DAYS * 86_400_000) };
}

/** The event ends (or, with no end time, starts) at or after `since`. */
export function eventLastsUntil(since: Date): SQL {
  // Compared column by column so that the driver encodes the date as the column's type.
  return or(gte(events.endsAt, since), and(isNull(events.endsAt), gte(events.startsAt, since)))!;
}

/** Which events a public feed shows: published or finished ones in the window, and recently cancelled ones. */
function inPublicWindow(now: Date): SQL {
  const { past, cancelled } = windowStarts(now);
  return and(
    isNotNull(events.startsAt),
    // An unlisted event (an invitation-only round table kept quiet) is in no public feed.
    eq(events.unlisted, false),
    or(
      and(inArray(events.status, ['published', 'completed']), eventLastsUntil(past)),
      // Only events that were public before being cancelled: subscribers may have them.
      and(eq(events.status, 'cancelled'), isNotNull(events.publishedAt), eventLastsUntil(cancelled)),
    ),
  )!;
}

/**
 * A public feed's events in start order, FEED_SLICE at a time (each slice starting after the last
 * one's final event), so that building a feed of thousands of events never holds them all. Read
 * in one read-only transaction that sees one moment, so an event moved meanwhile is neither
 * missed nor listed twice (a missing event would be deleted from subscribers' calendars).
 */
export async function buildFromFeedEvents<T>(
  db: Database,
  type: EventType | null,
  now: Date,
  use: (slices: AsyncIterable<FeedEventRow[]>) => Promise<T>,
): Promise<T> {
  return db.transaction((tx) => use(feedEventSlices(tx, type, now)), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

// Large enough that a feed of a few hundred events is one statement (each costs a round trip).
export const FEED_SLICE = 1000;

// Start times as JavaScript reads them, to the millisecond: a cursor carried through a Date has
// lost any microseconds, and compared with the full value it would read an event again.
const startMs = sql`date_trunc('milliseconds', ${events.startsAt})`;

async function* feedEventSlices(tx: Db, type: EventType | null, now: Date): AsyncGenerator<FeedEventRow[]> {
  let after: { startsAt: Date; id: string } | null = null;
  for (;;) {
    const rows: FeedEventRow[] = await tx
      .select(publicEventColumns)
      .from(events)
      .where(
        and(
          type ? eq(events.type, type) : undefined,
          inPublicWindow(now),
          isNotNull(events.startsAt),
          after ? sql`(${startMs}, ${events.id}) > (${after.startsAt.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(asc(startMs), asc(events.id))
      .limit(FEED_SLICE);
    if (rows.length > 0) yield rows;
    if (rows.length < FEED_SLICE) return;
    const last = rows.at(-1)!;
    after = { startsAt: last.startsAt!, id: last.id };
  }
}

/**
 * When an event's public face last changed. Rows written straight in as published (the demo,
 * tests) have no public change time yet: their last change is public. Drafts never count.
 */
const publicChange = sql<Date | null>`coalesce(${events.publicChangedAt}, case when ${events.status} <> 'planning' then ${events.updatedAt} end)`;

export function lastPublicChange(event: Pick<FeedEventRow, 'publicChangedAt' | 'updatedAt' | 'status'>): Date | null {
  return event.publicChangedAt ?? (event.status !== 'planning' ? event.updatedAt : null);
}

export async function publicFeedVersion(db: Db, type: EventType | null, now: Date): Promise<FeedVersion> {
  // The latest public change over every event of the type, shown now or not: unpublishing an
  // event changes the feed although the event leaves it. Edits to drafts are not public changes.
  const [row] = await db
    .select({ lastChange: max(publicChange).mapWith(events.updatedAt), shown: sql<number>`count(*) filter (where ${inPublicWindow(now)})`.mapWith(Number) })
    .from(events)
    .where(type ? eq(events.type, type) : undefined);
  return { lastChange: row?.lastChange ?? null, tag: `shown=${row?.shown ?? 0}` };
}

/** One event's feed: any event that has a public page (published, cancelled or finished). */
export async function findFeedEvent(db: Db, slug: string): Promise<FeedEventRow | null> {
  const [row] = await db.select(publicEventColumns).from(events).where(eq(events.slug, slug));
  if (!row || row.status === 'planning' || !row.startsAt) return null;
  return row;
}

export interface SessionRow {
  id: string;
  title: string;
  description: string;
  room: string;
  startsAt: Date;
  endsAt: Date;
  updatedAt: Date;
  sequence: number;
}

export async function listProgrammeSessions(db: Db, eventId: string): Promise<SessionRow[]> {
  return db
    .select({
      id: programmeSessions.id,
      title: programmeSessions.title,
      description: programmeSessions.description,
      room: programmeSessions.room,
      startsAt: programmeSessions.startsAt,
      endsAt: programmeSessions.endsAt,
      updatedAt: programmeSessions.updatedAt,
      sequence: programmeSessions.sequence,
    })
    .from(programmeSessions)
    .where(eq(programmeSessions.eventId, eventId))
    .orderBy(asc(programmeSessions.startsAt), asc(programmeSessions.id));
}

/**
 * The programme's latest change and a tag naming its sessions and their sequences (so removing
 * one changes the ETag; removing one also marks its event changed, for Last-Modified).
 */
export async function programmeVersion(db: Db, eventId: string): Promise<{ lastChange: Date | null; tag: string }> {
  const [row] = await db
    .select({
      n: count(),
      lastChange: max(programmeSessions.updatedAt),
      digest: sql<string | null>`md5(string_agg(concat_ws('|', ${programmeSessions.id}, ${programmeSessions.sequence}), ',' order by ${programmeSessions.id}))`,
    })
    .from(programmeSessions)
    .where(eq(programmeSessions.eventId, eventId));
  return { lastChange: row?.lastChange ?? null, tag: `sessions=${row?.n ?? 0}:${row?.digest ?? ''}` };
}

/** The later of two change times, either of which may be missing. */
export function later(a: Date | null | undefined, b: Date | null | undefined): Date | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a > b ? a : b;
}
