// Lists of events for the Organise area and for a person's own planning groups, and the number of
// proposals the steering group has still to review (shown on the Organise page).
import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { events, planningMembers, proposals, type EventStatus } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

const columns = {
  id: events.id,
  title: events.title,
  type: events.type,
  status: events.status,
  startsAt: events.startsAt,
  endsAt: events.endsAt,
  slug: events.slug,
};

export async function listEventsForOrganisers(db: Db, statuses: EventStatus[]) {
  return db
    .select(columns)
    .from(events)
    .where(inArray(events.status, statuses))
    .orderBy(sql`${events.startsAt} asc nulls last`, desc(events.createdAt))
    .limit(300);
}

/**
 * Events whose day has gone or that were cancelled, newest first: after-event work (refunds,
 * the impact note, resources, bursary claims) is done from them for weeks afterwards.
 */
export async function listPastEventsForOrganisers(db: Db, now: Date) {
  const ended = or(lt(events.endsAt, now), and(isNull(events.endsAt), lt(events.startsAt, now)));
  return db
    .select(columns)
    .from(events)
    .where(or(inArray(events.status, ['cancelled', 'completed']), and(eq(events.status, 'published'), ended)))
    .orderBy(sql`${events.startsAt} desc nulls last`, desc(events.createdAt))
    .limit(100);
}

export async function listMyPlanning(db: Db, personId: string) {
  return db
    .select({ ...columns, memberStatus: planningMembers.status, role: planningMembers.role })
    .from(planningMembers)
    .innerJoin(events, eq(events.id, planningMembers.eventId))
    .where(and(eq(planningMembers.personId, personId), inArray(planningMembers.status, ['invited', 'accepted'])))
    .orderBy(asc(events.startsAt));
}

export async function countAwaitingReview(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(proposals)
    .where(inArray(proposals.status, ['submitted']));
  return Number(row?.n ?? 0);
}
