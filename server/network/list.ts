// The Hub's mailing list. Joining from the public form takes two steps: the form is kept as a
// request and the address is emailed a link; only following that link (and pressing a button:
// opening a link changes nothing) makes a subscriber, with the words they agreed to, when and how.
// A member's own profile box and a booking's "email me" box subscribe at once, because the
// address is already proven there. Leaving is one step from every list email, and puts the
// address on the suppression list that every later send checks.
//
// The public pages say the same thing whatever the address: "check your email". Whether an
// address is on the list is told only to that inbox.
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, gt, lt, or, sql } from 'drizzle-orm';
import { listImportRows, listJoinRequests, listSubscribers, mailSuppressions, people, type ConsentMethod, type ListInterests } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { TooManyRequestsError } from '../errors.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { idFromSignedToken, signedIdToken } from '../mail/signed-links.ts';

/** The words beside the join form's button: kept with each subscriber as what they agreed to. */
export const JOIN_WORDING =
  'Email me when the Social Perspectives Hub announces events that match what I chose. I can leave the list at any time, from a link in every email.';
/** The profile's box, as it reads. */
export const PROFILE_WORDING = 'Email me when the Hub announces new events';
/** The booking form's box, as it reads. */
export const BOOKING_WORDING = 'Email me about future Hub events (optional)';

/** How long a "confirm you want to join" link works. */
export const JOIN_REQUEST_DAYS = 7;
/** Join emails one address may be sent in an hour, from anywhere. */
export const JOIN_EMAILS_PER_ADDRESS = 3;
const HOUR = 3_600_000;

export const listRegions = [
  'North East',
  'North West',
  'Yorkshire and the Humber',
  'East Midlands',
  'West Midlands',
  'East of England',
  'London',
  'South East',
  'South West',
  'Wales',
  'Scotland',
  'Northern Ireland',
] as const;

export type SubscriberRow = typeof listSubscribers.$inferSelect;

export const NO_INTERESTS: ListInterests = { types: [], formats: [], regions: [] };

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function emailHash(email: string): string {
  return sha256(email.trim().toLowerCase());
}

// A subscriber's private link is their id and a signature of it (server/mail/sealing.ts), so
// every list email can carry it without the database keeping a usable token.
const PURPOSE = 'list-subscriber';

export function subscriberToken(id: string): string {
  return signedIdToken(PURPOSE, id);
}

function idFromToken(token: string): string | null {
  return idFromSignedToken(PURPOSE, token);
}

export const preferencesPath = (id: string) => `/list/${subscriberToken(id)}`;
export const leavePath = (id: string) => `/list/${subscriberToken(id)}/leave`;

/** Whether a private link is one the Hub made (its subscriber may since have left). */
export function isGenuineToken(token: string): boolean {
  return idFromToken(token) !== null;
}

/** The subscriber a private link belongs to, or null (a wrong, changed or old link, or someone who left). */
export async function subscriberByToken(db: Db, token: string): Promise<SubscriberRow | null> {
  const id = idFromToken(token);
  if (!id) return null;
  const [row] = await db.select().from(listSubscribers).where(eq(listSubscribers.id, id));
  return row ?? null;
}

export interface JoinInput {
  email: string;
  name: string;
  interests: ListInterests;
  ip: string;
  perIpPerHour: number;
  now?: Date;
}

/**
 * Someone sent the join form. Emails the address either a link to confirm, or (already on the
 * list) a link to their preferences; the page says the same either way. Over the per-address
 * limit nothing is sent, silently; over the per-IP limit the visitor is told to wait.
 */
export async function askToJoin(db: Db, input: JoinInput): Promise<void> {
  const now = input.now ?? new Date();
  const email = input.email.trim().toLowerCase();
  await db.transaction(async (tx) => {
    // Requests from one IP wait for each other, so a burst cannot slip past the limit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`list-join:${input.ip}`}))`);
    const since = new Date(now.getTime() - HOUR);
    const [byIp] = await tx
      .select({ n: count() })
      .from(listJoinRequests)
      .where(and(eq(listJoinRequests.requestedIp, input.ip), gt(listJoinRequests.createdAt, since)));
    if (Number(byIp?.n ?? 0) >= input.perIpPerHour) {
      throw new TooManyRequestsError('Too many people have asked to join from this connection in the last hour. Please try again later.');
    }
    const [byAddress] = await tx
      .select({ n: count() })
      .from(listJoinRequests)
      .where(and(eq(listJoinRequests.email, email), gt(listJoinRequests.createdAt, since)));
    const token = randomBytes(32).toString('base64url');
    // The request is kept even when nothing is sent, so that the limits count it.
    await tx.insert(listJoinRequests).values({
      email,
      name: input.name.trim(),
      interests: input.interests,
      consentWording: JOIN_WORDING,
      tokenHash: sha256(token),
      requestedIp: input.ip,
      createdAt: now,
      expiresAt: new Date(now.getTime() + JOIN_REQUEST_DAYS * 24 * HOUR),
    });
    if (Number(byAddress?.n ?? 0) >= JOIN_EMAILS_PER_ADDRESS) return;
    const [existing] = await tx.select().from(listSubscribers).where(eq(listSubscribers.email, email));
    if (existing?.status === 'subscribed') {
      // Greeted by the name they gave when they joined, never by what this (anonymous) request typed.
      await enqueueEmail(tx, {
        because: 'list-join-asked',
        to: email,
        template: 'list-already',
        data: { name: existing.name, preferencesPath: preferencesPath(existing.id) },
      });
      return;
    }
    await enqueueEmail(tx, {
      because: 'list-join-asked',
      to: email,
      template: 'list-confirm',
      // Nothing the visitor typed goes to an address they have not proven: not even their name.
      data: { confirmPath: `/list/confirm/${token}`, days: JOIN_REQUEST_DAYS },
    });
  });
}

export type JoinRequestState = { kind: 'ready'; email: string } | { kind: 'used' } | { kind: 'expired' } | { kind: 'unknown' };

/** What a confirmation link is, before anyone presses its button. */
export async function joinRequestState(db: Db, token: string, now = new Date()): Promise<JoinRequestState> {
  const [row] = await db
    .select()
    .from(listJoinRequests)
    .where(eq(listJoinRequests.tokenHash, sha256(token)));
  if (!row) return { kind: 'unknown' };
  if (row.usedAt) return { kind: 'used' };
  if (row.expiresAt <= now) return { kind: 'expired' };
  return { kind: 'ready', email: row.email };
}

/** Follows a confirmation link: the address joins the list. Returns the subscriber's id, or the reason it cannot. */
export async function confirmJoin(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ subscriberId: string } | { problem: Exclude<JoinRequestState['kind'], 'ready'> }> {
  return db.transaction(async (tx) => {
    const [request] = await tx
      .select()
      .from(listJoinRequests)
      .where(eq(listJoinRequests.tokenHash, sha256(token)))
      .for('update');
    if (!request) return { problem: 'unknown' as const };
    if (request.usedAt) return { problem: 'used' as const };
    if (request.expiresAt <= now) return { problem: 'expired' as const };
    await tx.update(listJoinRequests).set({ usedAt: now }).where(eq(listJoinRequests.id, request.id));
    const subscriberId = await subscribe(tx, {
      email: request.email,
      name: request.name,
      interests: request.interests,
      method: 'web_form',
      wording: request.consentWording,
      now,
    });
    return { subscriberId };
  });
}

/**
 * Puts a proven address on the list (or back on it), recording this consent, and lifts its
 * suppression: asking again is a new, explicit consent. Keeps the name and interests already
 * chosen unless new ones are given.
 */
export async function subscribe(
  tx: Db,
  input: { email: string; name?: string; interests?: ListInterests; method: ConsentMethod; wording: string; now: Date; consentedAt?: Date },
): Promise<string> {
  const consentedAt = input.consentedAt ?? input.now;
  const email = input.email.trim().toLowerCase();
  const [person] = await tx.select({ id: people.id, name: people.displayName }).from(people).where(eq(people.email, email));
  const [row] = await tx
    .insert(listSubscribers)
    .values({
      email,
      name: input.name || person?.name || '',
      interests: input.interests ?? NO_INTERESTS,
      status: 'subscribed',
      personId: person?.id ?? null,
      consentedAt,
      consentWording: input.wording,
      consentMethod: input.method,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoUpdate({
      target: listSubscribers.email,
      set: {
        status: 'subscribed',
        personId: person?.id ?? null,
        consentedAt,
        consentWording: input.wording,
        consentMethod: input.method,
        unsubscribedAt: null,
        updatedAt: input.now,
        ...(input.name ? { name: input.name } : {}),
        ...(input.interests ? { interests: input.interests } : {}),
      },
    })
    .returning({ id: listSubscribers.id });
  await tx.delete(mailSuppressions).where(eq(mailSuppressions.emailHash, emailHash(email)));
  return row!.id;
}

/** Takes someone off the list and keeps them off: every later send to the list skips them. */
export async function leaveList(db: Db, subscriberId: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    // Nothing of theirs is kept but a hash of the address on the suppression list (THREATS.md's
    // data table): not their address, name, interests or consent.
    const [gone] = await tx.delete(listSubscribers).where(eq(listSubscribers.id, subscriberId)).returning({ email: listSubscribers.email });
    if (gone) await suppress(tx, gone.email, 'unsubscribed', now);
  });
}

/** Adds an address to the suppression list (it stays there until its owner asks to join again). */
export async function suppress(db: Db, email: string, reason: 'unsubscribed' | 'bounced' | 'complained', now = new Date()): Promise<void> {
  await db
    .insert(mailSuppressions)
    .values({ emailHash: emailHash(email), reason, createdAt: now })
    .onConflictDoNothing();
}

export async function isSuppressed(db: Db, email: string): Promise<boolean> {
  const [row] = await db
    .select({ reason: mailSuppressions.reason })
    .from(mailSuppressions)
    .where(eq(mailSuppressions.emailHash, emailHash(email)));
  return Boolean(row);
}

export async function updatePreferences(db: Db, subscriberId: string, input: { name: string; interests: ListInterests; now?: Date }): Promise<void> {
  await db
    .update(listSubscribers)
    .set({ name: input.name.trim(), interests: input.interests, updatedAt: input.now ?? new Date() })
    .where(eq(listSubscribers.id, subscriberId));
}

/** A member's profile box: whether their own address is on the list. */
export async function memberSubscribed(db: Db, email: string): Promise<boolean> {
  const [row] = await db.select({ status: listSubscribers.status }).from(listSubscribers).where(eq(listSubscribers.email, email.toLowerCase()));
  return row?.status === 'subscribed';
}

/** Ticking or clearing the profile box. Nothing changes (and no consent is re-recorded) when it already says so. */
export async function setMemberSubscription(tx: Db, input: { email: string; wants: boolean; now?: Date }): Promise<void> {
  const now = input.now ?? new Date();
  const already = await memberSubscribed(tx, input.email);
  if (input.wants === already) return;
  if (input.wants) {
    await subscribe(tx, { email: input.email, method: 'account_setting', wording: PROFILE_WORDING, now });
    return;
  }
  const [row] = await tx.select({ id: listSubscribers.id }).from(listSubscribers).where(eq(listSubscribers.email, input.email.toLowerCase()));
  if (row) await leaveList(tx, row.id, now);
}

/** The booking form's box, ticked on a booking made from a proven address. */
export async function subscribeFromBooking(tx: Db, input: { email: string; name: string; now?: Date }): Promise<void> {
  if (await memberSubscribed(tx, input.email)) return;
  await subscribe(tx, { email: input.email, name: input.name, method: 'booking_form', wording: BOOKING_WORDING, now: input.now ?? new Date() });
}

/** Join requests go a day after they expire, once no limit counts them. */
export async function forgetOldJoinRequests(db: Db, now = new Date()): Promise<number> {
  const gone = await db
    .delete(listJoinRequests)
    .where(lt(listJoinRequests.expiresAt, new Date(now.getTime() - 24 * HOUR)))
    .returning({ id: listJoinRequests.id });
  return gone.length;
}

/** Erasure: the address leaves every list table (its suppression stays, as a hash only). */
export async function forgetListAddress(db: Db, email: string): Promise<void> {
  const address = email.toLowerCase();
  await db.delete(listSubscribers).where(eq(listSubscribers.email, address));
  await db.delete(listJoinRequests).where(eq(listJoinRequests.email, address));
  await db.delete(listImportRows).where(or(eq(listImportRows.email, address), eq(listImportRows.emailHash, emailHash(address))));
}
