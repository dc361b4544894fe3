// The 4PI record (National Involvement Standards: Principles, Purpose, Presence, Process,
// Impact). The group agrees principles and purpose statements, published with the event;
// Presence is computed from the perspectives members declared; Process is the support offered;
// Impact is what changed as a result.
import { and, eq, sql } from 'drizzle-orm';
import { fourPiRecords, planningMembers } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { planningAccess } from './access.ts';

export interface FourPiInput {
  principles: string;
  purpose: string;
  preMeetings: boolean;
  accessiblePapers: boolean;
  expensesInAdvance: boolean;
  otherSupport: string;
  impact: string;
}

const empty: FourPiInput = { principles: '', purpose: '', preMeetings: false, accessiblePapers: false, expensesInAdvance: false, otherSupport: '', impact: '' };

const fourPiOf = prepared((db) =>
  db
    .select({
      principles: fourPiRecords.principles,
      purpose: fourPiRecords.purpose,
      preMeetings: fourPiRecords.preMeetings,
      accessiblePapers: fourPiRecords.accessiblePapers,
      expensesInAdvance: fourPiRecords.expensesInAdvance,
      otherSupport: fourPiRecords.otherSupport,
      impact: fourPiRecords.impact,
    })
    .from(fourPiRecords)
    .where(eq(fourPiRecords.eventId, sql.placeholder('eventId')))
    .prepare('four_pi'),
);

export async function getFourPi(db: Db, eventId: string): Promise<FourPiInput> {
  const [row] = await fourPiOf(db).execute({ eventId });
  return row ?? { ...empty };
}

export async function saveFourPi(db: Database, eventId: string, input: FourPiInput, me: Me): Promise<void> {
  const values = {
    ...input,
    principles: input.principles.trim(),
    purpose: input.purpose.trim(),
    otherSupport: input.otherSupport.trim(),
    impact: input.impact.trim(),
  };
  await db.transaction(async (tx) => {
    await planningAccess(tx, eventId, me);
    await tx
      .insert(fourPiRecords)
      .values({ eventId, ...values, updatedBy: me.id })
      .onConflictDoUpdate({ target: fourPiRecords.eventId, set: { ...values, updatedBy: me.id, updatedAt: new Date() } });
    await recordAudit(tx, { actorId: me.id, action: 'planning.four_pi.saved', subjectType: 'event', subjectId: eventId });
  });
}

/** Presence: of the accepted group, how many declared lived experience or being a carer. */
export async function presence(db: Db, eventId: string): Promise<Presence> {
  const rows = await db
    .select({ perspective: planningMembers.perspective })
    .from(planningMembers)
    .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.status, 'accepted')));
  return presenceOf(rows);
}

export interface Presence {
  members: number;
  livedOrCarer: number;
  percent: number;
}

/** Presence worked out from the accepted members' perspectives (a page that has listed the group already). */
export function presenceOf(accepted: { perspective: string | null }[]): Presence {
  const livedOrCarer = accepted.filter((r) => r.perspective === 'lived_experience' || r.perspective === 'carer').length;
  return { members: accepted.length, livedOrCarer, percent: accepted.length ? Math.round((livedOrCarer * 100) / accepted.length) : 0 };
}
