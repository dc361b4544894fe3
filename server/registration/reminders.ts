// Reminder emails before an event (2 days and 2 hours before), with joining or travel details.
// Safe with several processes: each due booking is taken with FOR UPDATE SKIP LOCKED and marked
// in the same transaction as its email. Cancelled bookings are never reminded, and someone who
// booked after a reminder's time does not get that one (their confirmation has just arrived).
import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { events, registrations } from '../../db/schema/index.ts';
import type { Database } from '../db/database.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { mintManagePath } from './links.ts';
import { placeFacts } from './place-facts.ts';
import { dayContact, eventFacts, getEvent } from './queries.ts';

export const LONG_REMINDER_MS = 2 * 86_400_000;
export const SHORT_REMINDER_MS = 2 * 3_600_000;

export async function sendDueReminders(db: Database, now: Date = new Date()): Promise<number> {
  let sent = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const due = await tx
        .select({
          id: registrations.id,
          eventId: registrations.eventId,
          name: registrations.name,
          email: registrations.email,
          confirmedAt: registrations.confirmedAt,
          long: registrations.reminderLongSentAt,
          attendance: registrations.attendance,
          startsAt: events.startsAt,
        })
        .from(registrations)
        .innerJoin(events, eq(events.id, registrations.eventId))
        .where(
          and(
            eq(registrations.status, 'confirmed'),
            isNull(registrations.companionOfId),
            eq(events.status, 'published'),
            gt(events.startsAt, now),
            // Implied by the two windows below, but stated so that the planner starts from the few
            // events of the next two days rather than from every booking ever made.
            lte(events.startsAt, new Date(now.getTime() + Math.max(LONG_REMINDER_MS, SHORT_REMINDER_MS))),
            or(
              and(isNull(registrations.reminderLongSentAt), lte(events.startsAt, new Date(now.getTime() + LONG_REMINDER_MS))),
              and(isNull(registrations.reminderShortSentAt), lte(events.startsAt, new Date(now.getTime() + SHORT_REMINDER_MS))),
            ),
          ),
        )
        .limit(50)
        .for('update', { of: registrations, skipLocked: true });
      for (const r of due) {
        const startsAt = r.startsAt!;
        const short = startsAt.getTime() - now.getTime() <= SHORT_REMINDER_MS;
        const reminderTime = new Date(startsAt.getTime() - (short ? SHORT_REMINDER_MS : LONG_REMINDER_MS));
        // Mark both when the short one is due: a 2-day reminder 2 hours before would only confuse.
        await tx
          .update(registrations)
          .set(
            short
              ? { reminderShortSentAt: now, reminderLongSentAt: sql`coalesce(${registrations.reminderLongSentAt}, ${now.toISOString()}::timestamptz)` }
              : { reminderLongSentAt: now },
          )
          .where(eq(registrations.id, r.id));
        if (r.confirmedAt && r.confirmedAt > reminderTime) continue;
        const event = (await getEvent(tx, r.eventId))!;
        const managePath = await mintManagePath(tx, r.id);
        // At a hybrid event: the venue for a place in the room, the joining link for one online.
        const place = placeFacts(event, r.attendance, { confirmed: true });
        await enqueueEmail(tx, {
          because: 'event.reminder-due',
          to: r.email,
          template: 'registration-reminder',
          data: {
            ...eventFacts(event),
            where: place.where,
            placeKind: place.placeKind,
            name: r.name,
            managePath,
            lead: short ? 'in 2 hours' : 'in 2 days',
            travelInfo: place.travelInfo,
            joinUrl: place.joinUrl,
            dayContact: dayContact(event),
          },
        });
        sent++;
      }
      return due.length;
    });
    if (batch < 50) return sent;
  }
}
