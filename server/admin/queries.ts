// What the admin pages read: mail not yet delivered and the audit log, newest first.
import { desc, eq, inArray } from 'drizzle-orm';
import { auditEntries, outboxMessages, people } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

/** Emails given up on (at most 100 counted), for the admin home page. */
export async function countFailedMail(db: Db): Promise<number> {
  const problems = await db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.status, 'failed')).limit(100);
  return problems.length;
}

/** Emails failed or still queued, newest first (at most 200). */
export async function undeliveredMail(db: Db) {
  return db
    .select({
      id: outboxMessages.id,
      toAddress: outboxMessages.toAddress,
      subject: outboxMessages.subject,
      status: outboxMessages.status,
      attempts: outboxMessages.attempts,
      lastError: outboxMessages.lastError,
      createdAt: outboxMessages.createdAt,
      nextAttemptAt: outboxMessages.nextAttemptAt,
    })
    .from(outboxMessages)
    .where(inArray(outboxMessages.status, ['failed', 'queued']))
    .orderBy(desc(outboxMessages.createdAt))
    .limit(200);
}

/** The latest 300 audit entries, each with who acted (if they are still known). */
export async function recentAuditEntries(db: Db) {
  return db
    .select({
      at: auditEntries.at,
      action: auditEntries.action,
      subjectType: auditEntries.subjectType,
      subjectId: auditEntries.subjectId,
      actorEmail: people.email,
      actorName: people.displayName,
    })
    .from(auditEntries)
    .leftJoin(people, eq(people.id, auditEntries.actorId))
    .orderBy(desc(auditEntries.id))
    .limit(300);
}
