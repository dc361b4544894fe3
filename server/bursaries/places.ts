// A pending application holds a place at the event (through registration's holds API), so a
// person waiting on a bursary decision is not shut out when the event fills up. The hold lasts
// until the event starts: declining or withdrawing releases it; approving keeps it as the
// applicant's place, until they book (takeUpHeldPlace, for registration to call).
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { bursaryApplications, events, placeHolds } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { confirmHold, holdPlace, releaseHold } from '../registration/api.ts';

const DAY_MS = 86_400_000;

function reference(applicationId: string): string {
  return `bursary-application:${applicationId}`;
}

/**
 * Holds a place for the applicant. Returns null when the event has no capacity limit (nothing
 * to hold), true when a place is held, false when the event was already full.
 */
export async function holdPlaceFor(tx: Db, input: { applicationId: string; eventId: string }, now: Date): Promise<boolean | null> {
  const [event] = await tx.select({ capacity: events.capacity, startsAt: events.startsAt }).from(events).where(eq(events.id, input.eventId));
  if (!event || event.capacity === null) return null;
  const expiresAt = event.startsAt && event.startsAt.getTime() > now.getTime() ? event.startsAt : new Date(now.getTime() + 90 * DAY_MS);
  const hold = await holdPlace(tx, { eventId: input.eventId, kind: 'bursary', reference: reference(input.applicationId), expiresAt }, now);
  return Boolean(hold);
}

async function liveHold(tx: Db, applicationId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: placeHolds.id })
    .from(placeHolds)
    .where(and(eq(placeHolds.reference, reference(applicationId)), eq(placeHolds.state, 'live')));
  return row?.id ?? null;
}

/** Declined, withdrawn or deleted: the place passes on (to the waiting list, if there is one). */
export async function releaseHeldPlace(tx: Db, applicationId: string): Promise<void> {
  const holdId = await liveHold(tx, applicationId);
  if (holdId) await releaseHold(tx, holdId);
}

/** Approved: the held place stays the applicant's until the event starts (nothing to change). */
export async function confirmHeldPlace(tx: Db, applicationId: string): Promise<boolean> {
  return Boolean(await liveHold(tx, applicationId));
}

/** Whether a place is being held for this application now. */
export async function hasHeldPlace(tx: Db, applicationId: string): Promise<boolean> {
  return Boolean(await liveHold(tx, applicationId));
}

/**
 * For registration, as part of a larger statement: whether this person (an SQL expression for
 * their id) has applied for a bursary for this event, and so may have a place held for them.
 */
export function bursaryApplicationExists(eventId: string, personId: SQL): SQL {
  return sql`exists (select 1 from ${bursaryApplications} where ${bursaryApplications.eventId} = ${eventId} and ${bursaryApplications.applicantId} = ${personId})`;
}

/**
 * For registration: when a person books a place at an event, the place held for their bursary
 * application there (if any) becomes that booking, so it is not counted twice. Returns whether
 * a held place was taken up. Call inside the booking's transaction.
 */
export async function takeUpHeldPlace(tx: Db, input: { eventId: string; personId: string }): Promise<boolean> {
  const applications = await tx
    .select({ id: bursaryApplications.id })
    .from(bursaryApplications)
    .where(and(eq(bursaryApplications.eventId, input.eventId), eq(bursaryApplications.applicantId, input.personId)));
  for (const { id } of applications) {
    const holdId = await liveHold(tx, id);
    if (holdId && (await confirmHold(tx, holdId))) return true;
  }
  return false;
}
