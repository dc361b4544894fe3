// Private feeds: one secret URL per person, showing the events they have a place at (or have been
// offered one) and the planning meetings of groups they belong to. Only a hash of the token is
// kept: the URL is shown once when it is made, and making a new one stops the old one at once.
import { eq } from 'drizzle-orm';
import { people, privateFeedTokens } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';

/** "<token>.ics": the last part of a private feed's path. */
export const PRIVATE_FEED_FILE = /^([A-Za-z0-9_-]{40,60})\.ics$/;

export function privateFeedPath(token: string): string {
  return `/calendar/private/${token}.ics`;
}

export interface PrivateFeedState {
  createdAt: Date;
}

export async function findPrivateFeed(db: Db, personId: string): Promise<PrivateFeedState | null> {
  const [row] = await db.select({ createdAt: privateFeedTokens.createdAt }).from(privateFeedTokens).where(eq(privateFeedTokens.personId, personId));
  return row ?? null;
}

/** Makes the person's private feed token, replacing any earlier one. Returns the token itself. */
export async function makePrivateFeedToken(db: Database, actor: Me): Promise<{ token: string; replaced: boolean }> {
  const token = newSecret();
  const tokenHash = hashSecret(token);
  return db.transaction(async (tx) => {
    const [earlier] = await tx
      .select({ personId: privateFeedTokens.personId })
      .from(privateFeedTokens)
      .where(eq(privateFeedTokens.personId, actor.id))
      .for('update');
    const createdAt = new Date();
    await tx
      .insert(privateFeedTokens)
      .values({ personId: actor.id, tokenHash, createdAt })
      .onConflictDoUpdate({ target: privateFeedTokens.personId, set: { tokenHash, createdAt } });
    const replaced = Boolean(earlier);
    await recordAudit(tx, {
      actorId: actor.id,
      action: replaced ? 'calendar.private_feed.replaced' : 'calendar.private_feed.created',
      subjectType: 'person',
      subjectId: actor.id,
    });
    return { token, replaced };
  });
}

export interface PrivateFeedOwner {
  personId: string;
  /** Bookings made with this address count as theirs, as on "your bookings". */
  email: string;
  createdAt: Date;
  /** Something left the feed without a trace elsewhere (see noteFeedChange). */
  changedAt: Date | null;
}

/** Whose private feed a token opens, or null for an unknown or replaced token. */
export async function findPrivateFeedOwner(db: Db, token: string): Promise<PrivateFeedOwner | null> {
  const [row] = await db
    .select({ personId: privateFeedTokens.personId, email: people.email, createdAt: privateFeedTokens.createdAt, changedAt: privateFeedTokens.changedAt })
    .from(privateFeedTokens)
    .innerJoin(people, eq(people.id, privateFeedTokens.personId))
    .where(eq(privateFeedTokens.tokenHash, hashSecret(token)));
  return row ?? null;
}

/**
 * Records that something left a person's private feed without a change time of its own (they
 * left a planning group, and its meetings left with them), so calendar apps asking
 * If-Modified-Since are told. A person with no private feed has nothing to record.
 */
export async function noteFeedChange(db: Db, personId: string, at: Date): Promise<void> {
  await db.update(privateFeedTokens).set({ changedAt: at }).where(eq(privateFeedTokens.personId, personId));
}
