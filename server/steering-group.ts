// Who the steering group is, for the features that tell it something: a proposal to review, a
// change to a bursary panel, a payment that needs attention. Roles are granted in accounts/people.ts.
import { asc, eq, inArray } from 'drizzle-orm';
import { people, roleGrants } from '../db/schema/index.ts';
import type { Db } from './db/database.ts';

/** The steering group's addresses: everyone who is an organiser or an admin, each once. */
export async function steeringGroupAddresses(db: Db): Promise<{ email: string }[]> {
  return db
    .selectDistinct({ email: people.email })
    .from(roleGrants)
    .innerJoin(people, eq(people.id, roleGrants.personId))
    .where(inArray(roleGrants.role, ['organiser', 'admin']))
    .orderBy(asc(people.email));
}
