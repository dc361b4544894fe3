// Reading who is in an event's planning group, for the features that write to the group
// (meetings, event changes, after-event notes). Kept apart so those features need not import
// each other.
import { and, eq } from 'drizzle-orm';
import { people, planningMembers } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

export interface GroupRecipient {
  personId: string;
  email: string;
  displayName: string;
}

/** The planning group's accepted members with their email addresses, for group emails. */
export async function groupRecipients(db: Db, eventId: string): Promise<GroupRecipient[]> {
  return db
    .select({ personId: people.id, email: people.email, displayName: people.displayName })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.status, 'accepted')));
}
