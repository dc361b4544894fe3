// Private links to manage a booking without an account. Each email mints its own token (only its
// hash is stored), so a job can send a working link long after the booking was made. A link goes
// to anonymous visitors only by email: asking for it again is limited per address and per IP,
// counted in the database (like sign-in links), so the form cannot flood anyone's inbox. A link's
// purpose ends with its event: some days after the event ends it stops working.
import { and, count, eq, gt, lt, sql } from 'drizzle-orm';
import { bookingLinkRequests, events, registrationLinks, registrations } from '../../db/schema/index.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { DomainError } from '../errors.ts';

/** The default of MANAGE_LINK_DAYS_AFTER_EVENT. */
export const MANAGE_LINK_DAYS_AFTER_EVENT = 30;

export class ManageLinkExpiredError extends DomainError {
  /** `signedIn`: someone is signed in, and it is not their booking. */
  constructor(days: number, signedIn: boolean) {
    const why = `This booking link has stopped working: booking links work until ${days} days after the event, and this event ended longer ago than that.`;
    super(
      'manage_link_expired',
      signedIn
        ? `${why} It is not a booking made with the account you are signed in with. If it is yours, sign in with the email address you booked with, or contact the Hub.`
        : `${why} If it is your booking, sign in with the email address you booked with: it is in your bookings, and this link works again for you. Or contact the Hub.`,
      410,
      signedIn
        ? { href: '/account/bookings', text: 'See your bookings' }
        : { href: '/sign-in?next=%2Faccount%2Fbookings', text: 'Sign in to see your bookings' },
    );
  }
}

export const LINK_REQUEST_WINDOW_MS = 60 * 60_000;
export const MAX_LINK_EMAILS_PER_ADDRESS = 3;
export const MAX_LINK_EMAILS_PER_IP = 20;

export async function mintManagePath(tx: Db, registrationId: string): Promise<string> {
  const link = newManagePath(tx, registrationId);
  await link.stored;
  return link.path;
}

const storeLink = prepared((db) =>
  db
    .insert(registrationLinks)
    .values({ tokenHash: sql.placeholder('tokenHash'), registrationId: sql.placeholder('registrationId') })
    .prepare('store_manage_link'),
);

/**
 * A new link for a booking: its path at once, and the write that stores its hash (already sent;
 * await it in the same transaction). For a use case that sends the path in an email written
 * alongside, so both statements go to PostgreSQL together.
 */
export function newManagePath(tx: Db, registrationId: string): { path: string; stored: Promise<unknown> } {
  const token = newSecret();
  return { path: `/bookings/${token}`, stored: storeLink(tx).execute({ tokenHash: hashSecret(token), registrationId }) };
}

/**
 * The booking a link opens; null for no such link; ManageLinkExpiredError once its event is long
 * over, unless `viewer` (the signed-in person) is the one who booked it: the expiry is there so an
 * old email in someone else's hands stops working, not to lock people out of their own bookings
 * ("Manage" on Your bookings mints a link like any other).
 */
export async function registrationIdForToken(
  db: Db,
  token: string,
  options: { now?: Date; daysAfterEvent?: number; viewer?: { id: string; email: string } | null } = {},
): Promise<string | null> {
  const days = options.daysAfterEvent ?? MANAGE_LINK_DAYS_AFTER_EVENT;
  const [row] = await db
    .select({
      registrationId: registrationLinks.registrationId,
      personId: registrations.personId,
      email: registrations.email,
      companionOfId: registrations.companionOfId,
      endedAt: sql<Date | string | null>`coalesce(${events.endsAt}, ${events.startsAt})`,
    })
    .from(registrationLinks)
    .innerJoin(registrations, eq(registrations.id, registrationLinks.registrationId))
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(eq(registrationLinks.tokenHash, hashSecret(token)));
  if (!row) return null;
  const endedAt = row.endedAt === null ? null : new Date(row.endedAt);
  const now = options.now ?? new Date();
  const viewer = options.viewer;
  const viewersOwn = viewer != null && !row.companionOfId && (row.personId === viewer.id || row.email === viewer.email);
  if (endedAt && endedAt.getTime() + days * 86_400_000 <= now.getTime() && !viewersOwn) throw new ManageLinkExpiredError(days, viewer != null);
  return row.registrationId;
}

/**
 * Whether a booking link may be emailed to this address now for a visitor at this IP; when it
 * may, the request is counted. Counts whether or not the address has a booking, so the answer
 * says nothing about bookings. Requests for one address wait for each other (a transaction
 * lock on the address), so a burst cannot slip past the limit.
 */
export async function mayEmailBookingLink(tx: Db, input: { email: string; ip: string; now: Date }): Promise<boolean> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`booking-link:${input.email}`}))`);
  const since = new Date(input.now.getTime() - LINK_REQUEST_WINDOW_MS);
  const [byAddress] = await tx
    .select({ n: count() })
    .from(bookingLinkRequests)
    .where(and(eq(bookingLinkRequests.email, input.email), gt(bookingLinkRequests.createdAt, since)));
  const [byIp] = await tx
    .select({ n: count() })
    .from(bookingLinkRequests)
    .where(and(eq(bookingLinkRequests.requestedIp, input.ip), gt(bookingLinkRequests.createdAt, since)));
  if (Number(byAddress?.n ?? 0) >= MAX_LINK_EMAILS_PER_ADDRESS || Number(byIp?.n ?? 0) >= MAX_LINK_EMAILS_PER_IP) return false;
  await tx.insert(bookingLinkRequests).values({ email: input.email, requestedIp: input.ip, createdAt: input.now });
  return true;
}

/** The counts are needed only for the window; then the addresses and IPs go. */
export async function forgetOldLinkRequests(db: Db, now: Date): Promise<number> {
  const gone = await db
    .delete(bookingLinkRequests)
    .where(lt(bookingLinkRequests.createdAt, new Date(now.getTime() - LINK_REQUEST_WINDOW_MS)))
    .returning({ id: bookingLinkRequests.id });
  return gone.length;
}
