// Server-side sessions in PostgreSQL, so any Convene process can serve any request. The cookie
// holds a random id; only its hash is stored, so a copy of the database cannot sign anyone in.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import fp from 'fastify-plugin';
import type { FastifyReply } from 'fastify';
import { people, roleGrants, sessions, type SiteRole } from '../../db/schema/index.ts';
import { isHttps } from '../config.ts';
import type { Db } from '../db/database.ts';

export const SESSION_COOKIE = 'convene_session';
const SESSION_DAYS = 30;
/** last_seen_at is refreshed at most this often, so most requests only read. */
const TOUCH_EVERY_MS = 60 * 60_000;

/** The signed-in person as every request sees them. */
export interface Me {
  id: string;
  email: string;
  displayName: string;
  roles: SiteRole[];
  isAdmin: boolean;
  /** Admins count as organisers. */
  isOrganiser: boolean;
  sessionHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    me: Me | null;
  }
  interface FastifyReply {
    /** Signs the person in on this browser (resolves to nothing: a reply is thenable). */
    startSession(personId: string): Promise<void>;
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function createSession(db: Db, personId: string, userAgent: string): Promise<string> {
  const secret = newSecret();
  await db.insert(sessions).values({
    idHash: hashSecret(secret),
    personId,
    userAgent: userAgent.slice(0, 300),
    expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000),
  });
  return secret;
}

export async function findSession(db: Db, secret: string, now = new Date()): Promise<Me | null> {
  const idHash = hashSecret(secret);
  const rows = await db
    .select({ id: people.id, email: people.email, displayName: people.displayName, role: roleGrants.role, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(people, eq(people.id, sessions.personId))
    .leftJoin(roleGrants, eq(roleGrants.personId, people.id))
    .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now)));
  const first = rows[0];
  if (!first) return null;
  if (now.getTime() - first.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_DAYS * 86_400_000) })
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

export async function deleteExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export const sessionsPlugin = fp(
  async (app) => {
    const cookieOptions = {
      path: '/',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: isHttps(app.config),
      maxAge: SESSION_DAYS * 86_400,
    };
    app.decorateRequest('me', null);
    app.decorateReply('startSession', async function (this: FastifyReply, personId: string) {
      const secret = await createSession(app.db, personId, this.request.headers['user-agent'] ?? '');
      this.setCookie(SESSION_COOKIE, secret, cookieOptions);
    });
    app.addHook('onRequest', async (request, reply) => {
      const secret = request.cookies[SESSION_COOKIE];
      if (!secret) return;
      request.me = await findSession(app.db, secret);
      if (!request.me) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    });
  },
  { name: 'sessions', dependencies: ['database', 'security'] },
);
