// When check-in is open. It opens on the event's day (London date), so nobody is marked as
// arrived by a slip of the thumb weeks before; an organiser setting up the day before may open it
// early, which is recorded. A cancelled event has nothing to check in.
import { eq } from 'drizzle-orm';
import { registrationSettings } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError } from '../errors.ts';
import { formatDate } from '../format.ts';
import { londonDate } from '../london-time.ts';

export type CheckInState = { open: true; openedEarly: boolean } | { open: false; why: 'cancelled' | 'no_date' | 'before_day'; opensOn: string };

export async function checkInState(db: Db, event: { id: string; status: string; startsAt: Date | null }, now = new Date()): Promise<CheckInState> {
  if (event.status === 'cancelled') return { open: false, why: 'cancelled', opensOn: '' };
  if (!event.startsAt) return { open: false, why: 'no_date', opensOn: '' };
  if (londonDate(now) >= londonDate(event.startsAt)) return { open: true, openedEarly: false };
  const [settings] = await db
    .select({ openedEarlyAt: registrationSettings.checkInOpenedEarlyAt })
    .from(registrationSettings)
    .where(eq(registrationSettings.eventId, event.id));
  if (settings?.openedEarlyAt) return { open: true, openedEarly: true };
  return { open: false, why: 'before_day', opensOn: formatDate(event.startsAt) };
}

/** Refuses a check-in change while check-in is not open, in words for the organiser. */
export async function requireCheckInOpen(db: Db, event: { id: string; status: string; startsAt: Date | null }, now = new Date()): Promise<void> {
  const state = await checkInState(db, event, now);
  if (state.open) return;
  if (state.why === 'cancelled') throw new ConflictError('check_in_closed', 'This event was cancelled, so there is nobody to check in.');
  if (state.why === 'no_date') throw new ConflictError('check_in_closed', 'This event has no date yet, so check-in is not open.');
  throw new ConflictError('check_in_closed', `Check-in opens on ${state.opensOn}, the day of the event. You can open it early from the check-in page.`);
}

/** An organiser opens check-in before the event's day (say, to set up the evening before). */
export async function openCheckInEarly(db: Database, event: { id: string; status: string; startsAt: Date | null }, actor: Me, now = new Date()): Promise<void> {
  if (event.status === 'cancelled') throw new ConflictError('check_in_closed', 'This event was cancelled, so there is nobody to check in.');
  await db.transaction(async (tx) => {
    await tx
      .insert(registrationSettings)
      .values({ eventId: event.id, checkInOpenedEarlyAt: now })
      .onConflictDoUpdate({ target: registrationSettings.eventId, set: { checkInOpenedEarlyAt: now, updatedAt: now } });
    await recordAudit(tx, { actorId: actor.id, action: 'registration.checkin.opened_early', subjectType: 'event', subjectId: event.id, details: {} });
  });
}
