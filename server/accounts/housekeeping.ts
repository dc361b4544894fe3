// Removes sessions and sign-in links that can no longer be used, so the tables stay small, and
// keeps personal data only as long as README's "What we keep and for how long" says: sent email
// after OUTBOX_RETENTION_DAYS, booking answers and planners' perspectives EVENT_DATA_RETENTION_MONTHS
// after the event. Every step is idempotent, so every process may run this at the same time.
import { lt } from 'drizzle-orm';
import fp from 'fastify-plugin';
import { scheduleJob } from '../jobs.ts';
import { sessions, signInTokens } from '../../db/schema/index.ts';
import type { Config } from '../config.ts';
import type { Database, Db } from '../db/database.ts';
import { deleteOldMessages } from '../mail/sender.ts';
import { eraseOldInvitationNeeds } from '../invitations/service.ts';
import { forgetOldChangeRequests } from '../network/directory.ts';
import { forgetOldJoinRequests } from '../network/list.ts';
import { eraseOldEventData } from './erase.ts';

const HOUR = 3_600_000;

export async function removeExpiredSignInData(db: Db, now = new Date()): Promise<{ sessions: number; links: number }> {
  const endedSessions = await db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.idHash });
  // Links are kept a day past their expiry: the per-address and per-IP limits count them.
  const oldLinks = await db
    .delete(signInTokens)
    .where(lt(signInTokens.expiresAt, new Date(now.getTime() - 24 * HOUR)))
    .returning({ id: signInTokens.tokenHash });
  return { sessions: endedSessions.length, links: oldLinks.length };
}

export async function keepOnlyWhatIsNeeded(db: Database, config: Pick<Config, 'outboxRetentionDays' | 'eventDataRetentionMonths'>, now = new Date()) {
  const signIn = await removeExpiredSignInData(db, now);
  const emails = await deleteOldMessages(db, { now, days: config.outboxRetentionDays });
  const eventData = await eraseOldEventData(db, { now, months: config.eventDataRetentionMonths });
  const invitationNeeds = await eraseOldInvitationNeeds(db, { now, months: config.eventDataRetentionMonths });
  const listJoinRequests = await forgetOldJoinRequests(db, now);
  const directoryChangeRequests = await forgetOldChangeRequests(db, now);
  return { ...signIn, emails, ...eventData, invitationNeeds, listJoinRequests, directoryChangeRequests };
}

export const housekeepingPlugin = fp(
  async (app) => {
    scheduleJob(app, { name: 'housekeeping', firstAfterMs: HOUR, everyMs: HOUR, run: () => keepOnlyWhatIsNeeded(app.db, app.config) });
  },
  { name: 'housekeeping', dependencies: ['database'] },
);
