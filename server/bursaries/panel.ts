// Who sits on a bursary panel. Rights are per event: organisers (and admins, who count as
// organisers) sit on every panel; a planner sits only on the panel of the event where their
// planning role is 'bursary_reviewer' and they have accepted it. The general Hub fund
// (no event) is decided by organisers only.
import { and, eq } from 'drizzle-orm';
import { planningMembers } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

/** The parts of the signed-in person that bursary rights depend on. */
export interface Actor {
  id: string;
  isOrganiser: boolean;
  isAdmin: boolean;
}

export async function isOnPanel(db: Db, actor: Actor, eventId: string | null): Promise<boolean> {
  if (actor.isOrganiser || actor.isAdmin) return true;
  if (!eventId) return false;
  const [row] = await db
    .select({ id: planningMembers.id })
    .from(planningMembers)
    .where(
      and(
        eq(planningMembers.eventId, eventId),
        eq(planningMembers.personId, actor.id),
        eq(planningMembers.role, 'bursary_reviewer'),
        eq(planningMembers.status, 'accepted'),
      ),
    );
  return Boolean(row);
}

/** The events whose panel this planner sits on (organisers sit on all of them). */
export async function reviewerEventIds(db: Db, actor: Actor): Promise<string[]> {
  const rows = await db
    .select({ eventId: planningMembers.eventId })
    .from(planningMembers)
    .where(and(eq(planningMembers.personId, actor.id), eq(planningMembers.role, 'bursary_reviewer'), eq(planningMembers.status, 'accepted')));
  return rows.map((r) => r.eventId);
}
