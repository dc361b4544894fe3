// Bookings asked for by someone who has not proved the address they typed. Nothing is booked and
// no place is taken when the form is sent: the form is kept as a request and the address is
// emailed a link to confirm it, so the page, the places left and the timing are the same for
// every address, and a stranger cannot book, block or probe in anyone else's name. How many
// requests one IP may make is counted here, in the database, so the form cannot flood inboxes.
import { and, count, eq, gt, lt, sql } from 'drizzle-orm';
import { bookingRequests } from '../../db/schema/index.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { LINK_REQUEST_WINDOW_MS, MAX_LINK_EMAILS_PER_ADDRESS } from './links.ts';

/** How long a "confirm your booking" link works. */
export const BOOKING_REQUEST_HOURS = 24;

export type BookingRequestRow = typeof bookingRequests.$inferSelect;

/**
 * Whether a visitor at this IP may ask for another booking now (at most `perIp` an hour), and
 * whether the address may be emailed again (at most MAX_LINK_EMAILS_PER_ADDRESS an hour, so one
 * inbox cannot be flooded from many IPs). Requests from one IP wait for each other (a
 * transaction lock), so a burst cannot slip past the limit.
 */
export async function bookingRequestAllowance(
  tx: Db,
  input: { email: string; ip: string; now: Date; perIp: number },
): Promise<{ ip: boolean; address: boolean }> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`booking-request:${input.ip}`}))`);
  const since = new Date(input.now.getTime() - LINK_REQUEST_WINDOW_MS);
  const [byIp] = await tx
    .select({ n: count() })
    .from(bookingRequests)
    .where(and(eq(bookingRequests.requestedIp, input.ip), gt(bookingRequests.createdAt, since)));
  const [byAddress] = await tx
    .select({ n: count() })
    .from(bookingRequests)
    .where(and(eq(bookingRequests.email, input.email), gt(bookingRequests.createdAt, since)));
  return { ip: Number(byIp?.n ?? 0) < input.perIp, address: Number(byAddress?.n ?? 0) < MAX_LINK_EMAILS_PER_ADDRESS };
}

/** Stores a request; returns the path of its confirmation link (the token itself is not kept). */
export async function storeBookingRequest(
  tx: Db,
  input: { eventId: string; ticketTypeId: string; email: string; fields: Record<string, unknown>; ip: string; now: Date },
): Promise<string> {
  const token = newSecret();
  await tx.insert(bookingRequests).values({
    eventId: input.eventId,
    ticketTypeId: input.ticketTypeId,
    email: input.email,
    fields: input.fields,
    tokenHash: hashSecret(token),
    requestedIp: input.ip,
    createdAt: input.now,
    expiresAt: new Date(input.now.getTime() + BOOKING_REQUEST_HOURS * 3_600_000),
  });
  return `/bookings/confirm/${token}`;
}

/** The request a confirmation link belongs to, or null; locked for update when `lock`. */
const requestByHash = (db: Db) =>
  db
    .select()
    .from(bookingRequests)
    .where(eq(bookingRequests.tokenHash, sql.placeholder('tokenHash')));
const findRequest = prepared((db) => requestByHash(db).prepare('booking_request'));
const lockRequest = prepared((db) => requestByHash(db).for('update').prepare('booking_request_locked'));

export async function findBookingRequest(db: Db, token: string, options: { lock?: boolean } = {}): Promise<BookingRequestRow | null> {
  const [row] = await (options.lock ? lockRequest : findRequest)(db).execute({ tokenHash: hashSecret(token) });
  return row ?? null;
}

const markUsed = prepared((db) =>
  db
    .update(bookingRequests)
    .set({ usedAt: sql`${sql.placeholder('now')}::timestamptz`, fields: null })
    .where(eq(bookingRequests.id, sql.placeholder('id')))
    .prepare('booking_request_used'),
);

/** A request is used once: its form goes, the row stays (so the link can say it was used). */
export async function markBookingRequestUsed(tx: Db, id: string, now: Date): Promise<void> {
  await markUsed(tx).execute({ id, now: now.toISOString() });
}

/**
 * What people typed goes as soon as a request expires; the rest (address, IP, hashed link) a
 * day later, once no limit needs it and an expired link no longer needs explaining.
 */
export async function forgetOldBookingRequests(db: Db, now: Date): Promise<number> {
  await db
    .update(bookingRequests)
    .set({ fields: null })
    .where(and(lt(bookingRequests.expiresAt, now), sql`${bookingRequests.fields} is not null`));
  const gone = await db
    .delete(bookingRequests)
    .where(lt(bookingRequests.expiresAt, new Date(now.getTime() - 86_400_000)))
    .returning({ id: bookingRequests.id });
  return gone.length;
}
