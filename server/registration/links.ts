// Private links to manage a booking without an account. Each email mints its own token (only its
// hash is stored), so a job can send a working link long after the booking was made. A link's
// purpose ends with its event: some days after the event ends it stops working.
import { eq, sql } from 'drizzle-orm';
import { events, registrationLinks, registrations } from '../../db/schema/index.ts';
import { hashSecret, newSecret } from '../accounts/sessions.ts';
import type { Db } from '../db/database.ts';
import { DomainError } from '../errors.ts';

/** The default of MANAGE_LINK_DAYS_AFTER_EVENT. */
export const MANAGE_LINK_DAYS_AFTER_EVENT = 30;

export class ManageLinkExpiredError extends DomainError {
  constructor(days: number) {
    super(
      'manage_link_expired',
      `This booking link has stopped working: booking links work until ${days} days after the event, and this event ended longer ago than that. If you need anything about your booking, sign in to see your bookings, or contact the Hub.`,
      410,
    );
  }
}

export async function mintManagePath(tx: Db, registrationId: string): Promise<string> {
  const token = newSecret();
  await tx.insert(registrationLinks).values({ tokenHash: hashSecret(token), registrationId });
  return `/bookings/${token}`;
}

/** The booking a link opens; null for no such link; ManageLinkExpiredError once its event is long over. */
export async function registrationIdForToken(
  db: Db,
  token: string,
  options: { now?: Date; daysAfterEvent?: number } = {},
): Promise<string | null> {
  const days = options.daysAfterEvent ?? MANAGE_LINK_DAYS_AFTER_EVENT;
  const [row] = await db
    .select({ registrationId: registrationLinks.registrationId, endedAt: sql<Date | string | null>`coalesce(${events.endsAt}, ${events.startsAt})` })
    .from(registrationLinks)
    .innerJoin(registrations, eq(registrations.id, registrationLinks.registrationId))
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(eq(registrationLinks.tokenHash, hashSecret(token)));
  if (!row) return null;
  const endedAt = row.endedAt === null ? null : new Date(row.endedAt);
  const now = options.now ?? new Date();
  if (endedAt && endedAt.getTime() + days * 86_400_000 <= now.getTime()) throw new ManageLinkExpiredError(days);
  return row.registrationId;
}
