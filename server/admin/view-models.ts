// What the admin pages show, built from what admin/queries.ts and accounts/people.ts read.
import type { PersonRow } from '../accounts/people.ts';
import { auditSentence } from './audit-sentences.ts';
import type { recentAuditEntries, undeliveredMail } from './queries.ts';

/** A person on the roles page, with the roles they hold as flags. */
export function personRow(p: PersonRow, meId: string) {
  return { ...p, isAdmin: p.roles.includes('admin'), isOrganiser: p.roles.includes('organiser'), isMe: p.id === meId };
}

/** The undelivered mail page: given up on, and still waiting. */
export function mailGroups(rows: Awaited<ReturnType<typeof undeliveredMail>>) {
  return { failed: rows.filter((r) => r.status === 'failed'), queued: rows.filter((r) => r.status === 'queued') };
}

/** An audit entry as a sentence, with what it was about. */
export function auditRow(r: Awaited<ReturnType<typeof recentAuditEntries>>[number]) {
  return {
    at: r.at,
    sentence: auditSentence(r),
    action: r.action,
    record: `${r.subjectType.replace(/_/g, ' ')} ${r.subjectId ?? ''}`.trim(),
  };
}
