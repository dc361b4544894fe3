// Removes sessions and sign-in links that can no longer be used, so the tables stay small.
// Deleting is idempotent, so every process may run this at the same time without harm.
import { lt } from 'drizzle-orm';
import fp from 'fastify-plugin';
import { sessions, signInTokens } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

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

export const housekeepingPlugin = fp(
  async (app) => {
    if (app.config.outboxIntervalMs === 0) return;
    let timer: NodeJS.Timeout | null = null;
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        removeExpiredSignInData(app.db).catch((error: unknown) => app.log.warn({ err: error }, 'housekeeping failed'));
      }, HOUR);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
    });
  },
  { name: 'housekeeping', dependencies: ['database'] },
);
