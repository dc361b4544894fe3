// Audit entries are written in the same transaction as the change they record.
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
