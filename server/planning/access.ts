// Who may see and change one event's planning workspace. Rights are per event: the planning
// group's accepted members, organisers and admins. A planner of one event has none on another.
import { and, eq, sql } from 'drizzle-orm';
import { events, planningMembers, type PlanningRole } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import type { Db } from '../db/database.ts';
import { lockEvent } from '../db/event-lock.ts';
import { prepared } from '../db/prepared.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';

export type EventRow = typeof events.$inferSelect;

export interface PlanningAccess {
  event: EventRow;
  /** The signed-in person's accepted membership of this event's group, if any. */
  membership: { id: string; role: PlanningRole } | null;
  isOrganiser: boolean;
  /** Leads, co-leads and organisers manage the group and publish. */
  canLead: boolean;
  /** Only the lead and organisers decide who leads: make someone lead, or change or remove a lead. */
  canChooseLeads: boolean;
}

// Every planning page asks these first: built once.
const eventOf = prepared((db) =>
  db
    .select()
    .from(events)
    .where(eq(events.id, sql.placeholder('eventId')))
    .prepare('planning_event'),
);
const membershipOf = prepared((db) =>
  db
    .select({ id: planningMembers.id, role: planningMembers.role })
    .from(planningMembers)
    .where(
      and(
        eq(planningMembers.eventId, sql.placeholder('eventId')),
        eq(planningMembers.personId, sql.placeholder('personId')),
        eq(planningMembers.status, 'accepted'),
      ),
    )
    .prepare('planning_membership'),
);

export async function planningAccess(db: Db, eventId: string, me: Me, options: { lock?: boolean } = {}): Promise<PlanningAccess> {
  // Changes to the event take the lock place decisions take (db/event-lock.ts).
  if (options.lock) await lockEvent(db, eventId);
  // One after the other: `db` may be a transaction, which runs one statement at a time.
  const [event] = await eventOf(db).execute({ eventId });
  if (!event) throw new NotFoundError('We could not find that event.');
  const [membership] = await membershipOf(db).execute({ eventId, personId: me.id });
  if (!membership && !me.isOrganiser) {
    throw new ForbiddenError('Only this event’s planning group and the steering group can see its planning pages.');
  }
  const canLead = me.isOrganiser || membership?.role === 'lead' || membership?.role === 'co_lead';
  const canChooseLeads = me.isOrganiser || membership?.role === 'lead';
  return { event, membership: membership ?? null, isOrganiser: me.isOrganiser, canLead, canChooseLeads };
}

export function requireLead(access: PlanningAccess): void {
  if (!access.canLead) throw new ForbiddenError('Only the event’s lead, co-leads or an organiser can do that.');
}

/**
 * A co-lead manages the group but does not decide who leads it: making someone lead, or changing
 * or removing a lead, is for the lead or an organiser (a co-lead cannot demote the lead).
 */
export function requireLeadChoice(access: PlanningAccess, roles: (PlanningRole | undefined)[]): void {
  requireLead(access);
  if (!access.canChooseLeads && roles.includes('lead'))
    throw new ConflictError('leads_only', 'Only the event’s lead or an organiser can decide who leads the group.');
}

export function requireOrganiser(access: PlanningAccess): void {
  if (!access.isOrganiser) throw new ForbiddenError('Only an organiser can do that.');
}
