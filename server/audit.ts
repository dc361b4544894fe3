// Audit entries are written in the same transaction as the change they record. The log keeps
// what was done; when a person is erased it stops saying who they were (actor links and any
// details naming them are removed), as THREATS.md's "erased means erased" asks.
import { and, eq, sql } from 'drizzle-orm';
import { auditEntries } from '../db/schema/index.ts';
import type { Db } from './db/database.ts';

export interface AuditInput {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Db, entry: AuditInput): Promise<void> {
  await db.insert(auditEntries).values({ ...entry, details: entry.details ?? {} });
}

/** What a person did to one record stops naming them (others' actions on it keep their actors). */
export async function unlinkActor(db: Db, input: { actorId: string; subjectType: string; subjectId: string }): Promise<void> {
  await db
    .update(auditEntries)
    .set({ actorId: null })
    .where(and(eq(auditEntries.actorId, input.actorId), eq(auditEntries.subjectType, input.subjectType), eq(auditEntries.subjectId, input.subjectId)));
}

/** A person erased: no entry names them as its actor or in its details. */
export async function forgetPersonInAudit(db: Db, personId: string): Promise<void> {
  await db.update(auditEntries).set({ actorId: null }).where(eq(auditEntries.actorId, personId));
  await db
    .update(auditEntries)
    .set({ details: sql`${auditEntries.details} - 'personId'` })
    .where(sql`${auditEntries.details} ->> 'personId' = ${personId}`);
}
