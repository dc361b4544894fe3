// Server-side sessions in PostgreSQL, so any Convene process can serve any request. The cookie
// holds a random id; only its hash is stored, so a copy of the database cannot sign anyone in.
// A session ends after SESSION_DAYS without use, and in any case SESSION_MAX_AGE_DAYS after
// signing in (config.sessionMaxAgeDays), however often it is used: a stolen cookie stops working.
import { and, eq, gt, sql } from 'drizzle-orm';
import fp from 'fastify-plugin';
import type { FastifyReply } from 'fastify';
import { people, roleGrants, sessions } from '../../db/schema/index.ts';
import { isHttps, type Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import type { Me } from '../me.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import { cookieName, SESSION_COOKIE } from '../http/security.ts';

const DAY_MS = 86_400_000;
/** A session not used for this long ends. */
const SESSION_DAYS = 30;
/** last_seen_at is refreshed at most this often, so most requests only read. */
const TOUCH_EVERY_MS = 60 * 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    me: Me | null;
  }
  interface FastifyReply {
    /** Signs the person in on this browser (resolves to nothing: a reply is thenable). */
    startSession(personId: string): Promise<void>;
    /** Removes the session and CSRF cookies from this browser (after the session row is ended). */
    clearSession(): FastifyReply;
  }
}

/** When a session made at `createdAt` ends if it is not used again after `now`. */
function sessionEnd(createdAt: Date, now: Date, maxAgeDays: number): Date {
  return new Date(Math.min(now.getTime() + SESSION_DAYS * DAY_MS, createdAt.getTime() + maxAgeDays * DAY_MS));
}

export async function createSession(db: Db, personId: string, userAgent: string, maxAgeDays: number, now = new Date()): Promise<string> {
  const secret = newSecret();
  await db.insert(sessions).values({
    idHash: hashSecret(secret),
    personId,
    userAgent: userAgent.slice(0, 300),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: sessionEnd(now, now, maxAgeDays),
  });
  return secret;
}

// Every signed-in request runs this, so it is built once (server/db/prepared.ts).
const sessionQuery = prepared((db) =>
  db
    .select({
      id: people.id,
      email: people.email,
      displayName: people.displayName,
      role: roleGrants.role,
      lastSeenAt: sessions.lastSeenAt,
      createdAt: sessions.createdAt,
    })
    .from(sessions)
    .innerJoin(people, eq(people.id, sessions.personId))
    .leftJoin(roleGrants, eq(roleGrants.personId, people.id))
    .where(
      and(eq(sessions.idHash, sql.placeholder('idHash')), gt(sessions.expiresAt, sql.placeholder('now')), gt(sessions.createdAt, sql.placeholder('since'))),
    )
    .prepare('find_session'),
);

export async function findSession(db: Db, secret: string, maxAgeDays: number, now = new Date()): Promise<Me | null> {
  const idHash = hashSecret(secret);
  const rows = await sessionQuery(db).execute({ idHash, now: now.toISOString(), since: new Date(now.getTime() - maxAgeDays * DAY_MS).toISOString() });
  const first = rows[0];
  if (!first) return null;
  if (now.getTime() - first.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now, expiresAt: sessionEnd(first.createdAt, now, maxAgeDays) })
      .where(eq(sessions.idHash, idHash));
  }
  const roles = rows.flatMap((r) => (r.role ? [r.role] : []));
  return {
    id: first.id,
    email: first.email,
    displayName: first.displayName,
    roles,
    isAdmin: roles.includes('admin'),
    isOrganiser: roles.includes('admin') || roles.includes('organiser'),
    sessionHash: idHash,
  };
}

export async function endSession(db: Db, sessionHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, sessionHash));
}

export async function endAllSessions(db: Db, personId: string): Promise<number> {
  const ended = await db.delete(sessions).where(eq(sessions.personId, personId)).returning({ idHash: sessions.idHash });
  return ended.length;
}

export const sessionsPlugin = fp(
  async (app) => {
    const { sessionMaxAgeDays } = app.config;
    const sessionCookie = sessionCookieName(app.config);
    const cookieOptions = {
      path: '/',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: isHttps(app.config),
    };
    app.decorateRequest('me', null);
    app.decorateReply('startSession', async function (this: FastifyReply, personId: string) {
      const secret = await createSession(app.db, personId, this.request.headers['user-agent'] ?? '', sessionMaxAgeDays);
      // A CSRF token from before signing in, or one planted with its cookie, must not carry over.
      this.rotateCsrf().setCookie(sessionCookie, secret, { ...cookieOptions, maxAge: Math.min(SESSION_DAYS, sessionMaxAgeDays) * 86_400 });
    });
    app.decorateReply('clearSession', function (this: FastifyReply) {
      return this.rotateCsrf().clearCookie(sessionCookie, cookieOptions);
    });
    app.addHook('onRequest', async (request, reply) => {
      const secret = request.cookies[sessionCookie];
      if (!secret) return;
      request.me = await findSession(app.db, secret, sessionMaxAgeDays);
      if (!request.me) reply.clearSession();
    });
  },
  { name: 'sessions', dependencies: ['database', 'security'] },
);

export function sessionCookieName(config: Config): string {
  return cookieName(config, SESSION_COOKIE);
}
