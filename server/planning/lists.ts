// Lists of events for the Organise area and for a person's own planning groups.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { events, planningMembers, type EventStatus } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

const columns = { id: events.id, title: events.title, type: events.type, status: events.status, startsAt: events.startsAt, endsAt: events.endsAt, slug: events.slug };

export async function listEventsForOrganisers(db: Db, statuses: EventStatus[]) {
  return db
    .select(columns)
    .from(events)
    .where(inArray(events.status, statuses))
    .orderBy(sql`${events.startsAt} asc nulls last`, desc(events.createdAt))
    .limit(300);
}

export async function listMyPlanning(db: Db, personId: string) {
  return db
    .select({ ...columns, memberStatus: planningMembers.status, role: planningMembers.role })
    .from(planningMembers)
    .innerJoin(events, eq(events.id, planningMembers.eventId))
    .where(and(eq(planningMembers.personId, personId), inArray(planningMembers.status, ['invited', 'accepted'])))
    .orderBy(asc(events.startsAt));
}
