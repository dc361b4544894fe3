// What other features may use from registration. Bursaries hold a place for a pending
// application with holdPlace(tx, { eventId, kind: 'bursary', reference, expiresAt }) inside their
// own transaction (null means the event is full), end it with confirmHold or releaseHold, and
// may show availability(). See holds.ts for the rules these follow.
import type { Db } from '../db/database.ts';
import { lockEvent, releaseHold as releaseHoldOnly } from './holds.ts';
import { passOnFreedPlaces } from './offers.ts';

export { availability, confirmHold, holdPlace, placesLeft, type Availability, type Hold, type HoldInput } from './holds.ts';
export { closePlacesForCancelledEvent, type ClosedPlaces } from './event-cancelled.ts';
export { attendeeIcs, eventUid, type AttendeeEvent } from './ics.ts';

/**
 * Offers any free places to the people waiting, in the caller's transaction (call it after
 * raising an event's capacity; the background job also does this within a minute or so).
 */
export async function offerFreedPlaces(tx: Db, eventId: string): Promise<number> {
  await lockEvent(tx, eventId);
  return (await passOnFreedPlaces(tx, eventId)).length;
}

/** Gives a held place back and offers it to the waiting list, in the caller's transaction. */
export function releaseHold(tx: Db, holdId: string): Promise<boolean> {
  return releaseHoldOnly(tx, holdId, { passOn: (t, eventId) => passOnFreedPlaces(t, eventId) });
}
