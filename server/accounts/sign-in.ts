// Passwordless sign-in by an emailed link. The link works once, for 20 minutes; only its hash is
// stored. Anyone may ask for a link: an address we do not know yet becomes an account when its
// link is used, so the answer never reveals whether an address is known.
import { and, count, eq, gt } from 'drizzle-orm';
import { people, signInTokens } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { checkEmail } from '../email-address.ts';
import { TooManyRequestsError } from '../errors.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { hashSecret, newSecret } from '../secrets.ts';

export const LINK_MINUTES = 20;
const WINDOW_MS = 15 * 60_000;
export const MAX_LINKS_PER_ADDRESS = 5;
/** The default for SIGN_IN_LINKS_PER_IP: links asked for from one client (an IPv4 address or IPv6 /64) in 15 minutes. */
export const MAX_LINKS_PER_IP = 30;

export interface SignInRequest {
  email: string;
  /** Where to go once signed in: a path already checked with returnPath (server/http/return-path.ts). */
  nextPath: string;
  ip: string;
  /** How many links one client may ask for in the window (config: SIGN_IN_LINKS_PER_IP). */
  perIp?: number;
}

/** Queues the email with a fresh link; returns the link's path (logged when there is no SMTP). */
export async function requestSignInLink(db: Database, input: SignInRequest, now = new Date()): Promise<{ email: string; signInPath: string }> {
  const email = checkEmail(input.email);
  const since = new Date(now.getTime() - WINDOW_MS);
  return db.transaction(async (tx) => {
    const [byAddress] = await tx
      .select({ n: count() })
      .from(signInTokens)
      .where(and(eq(signInTokens.email, email), gt(signInTokens.createdAt, since)));
    const [byIp] = await tx
      .select({ n: count() })
      .from(signInTokens)
      .where(and(eq(signInTokens.requestedIp, input.ip), gt(signInTokens.createdAt, since)));
    if ((byAddress?.n ?? 0) >= MAX_LINKS_PER_ADDRESS || (byIp?.n ?? 0) >= (input.perIp ?? MAX_LINKS_PER_IP)) {
      throw new TooManyRequestsError('We have sent several sign-in links recently. Use the newest one, or wait 15 minutes and ask again.');
    }
    const token = newSecret();
    await tx.insert(signInTokens).values({
      tokenHash: hashSecret(token),
      email,
      nextPath: input.nextPath,
      requestedIp: input.ip,
      createdAt: now,
      expiresAt: new Date(now.getTime() + LINK_MINUTES * 60_000),
    });
    const signInPath = `/sign-in/${token}`;
    await enqueueEmail(tx, { because: 'account.sign-in-asked', to: email, template: 'sign-in', data: { signInPath, expiresInMinutes: LINK_MINUTES } });
    return { email, signInPath };
  });
}

export type LinkState = { ok: true; email: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** Looks at a link without using it (for the "continue to sign in" page). */
export async function inspectSignInLink(db: Db, token: string, now = new Date()): Promise<LinkState> {
  const [row] = await db
    .select()
    .from(signInTokens)
    .where(eq(signInTokens.tokenHash, hashSecret(token)));
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.usedAt) return { ok: false, reason: 'used' };
  if (row.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, email: row.email };
}

export type SignInResult = { ok: true; personId: string; nextPath: string; isNew: boolean } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** Uses a link: marks it used and finds or creates the person, all in one transaction. */
export async function completeSignIn(db: Database, token: string, now = new Date()): Promise<SignInResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(signInTokens)
      .where(eq(signInTokens.tokenHash, hashSecret(token)))
      .for('update');
    if (!row) return { ok: false, reason: 'unknown' } as const;
    if (row.usedAt) return { ok: false, reason: 'used' } as const;
    if (row.expiresAt <= now) return { ok: false, reason: 'expired' } as const;
    await tx.update(signInTokens).set({ usedAt: now }).where(eq(signInTokens.tokenHash, row.tokenHash));
    const inserted = await tx.insert(people).values({ email: row.email }).onConflictDoNothing({ target: people.email }).returning({ id: people.id });
    const isNew = inserted.length > 0;
    const personId = inserted[0]?.id ?? (await tx.select({ id: people.id }).from(people).where(eq(people.email, row.email)))[0]!.id;
    await recordAudit(tx, { actorId: personId, action: isNew ? 'account.created' : 'account.signed_in', subjectType: 'person', subjectId: personId });
    return { ok: true, personId, nextPath: row.nextPath, isNew } as const;
  });
}
