// Reading events for public pages.
import { and, asc, eq, gte, or, isNull } from 'drizzle-orm';
import { events } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

export type EventRow = typeof events.$inferSelect;

/** Published events that have not ended yet, soonest first. */
export async function listUpcomingEvents(db: Db, options: { limit: number; now?: Date }): Promise<EventRow[]> {
  const now = options.now ?? new Date();
  return db
    .select()
    .from(events)
    .where(and(eq(events.status, 'published'), or(gte(events.endsAt, now), and(isNull(events.endsAt), gte(events.startsAt, now)))))
    .orderBy(asc(events.startsAt))
    .limit(options.limit);
}

/** A public event page shows published, cancelled and finished events, never ones being planned. */
export async function findPublicEvent(db: Db, slug: string): Promise<EventRow | null> {
  const [row] = await db.select().from(events).where(eq(events.slug, slug));
  if (!row || row.status === 'planning') return null;
  return row;
}
