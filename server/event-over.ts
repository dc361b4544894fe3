// When an event is over, and whether a freed place still goes to someone waiting. One answer for
// every page and service: an attendee list that offered to cancel a booking days after the event,
// "so its place is free for someone else", came from each place deciding this for itself.
import type { EventStatus } from '../db/schema/index.ts';

interface EventTimes {
  status: EventStatus;
  startsAt: Date | null;
  endsAt: Date | null;
}

/** Over: marked as finished, or past its end (its start when it has no end). An undated event is not. */
export function eventOver(event: EventTimes, now: Date): boolean {
  if (event.status === 'completed') return true;
  const end = event.endsAt ?? event.startsAt;
  return end !== null && end <= now;
}

/**
 * Whether the event took place: over by the rule above and not cancelled (a cancelled event is past
 * its planned end too, but nobody attended it). Certificates of attendance and the impact note's
 * "after the event" go by this.
 */
export function tookPlace(event: EventTimes, now: Date): boolean {
  return event.status !== 'cancelled' && eventOver(event, now);
}

/**
 * Whether a place freed now is offered to the waiting list: only at a published event that has not
 * started (once it has, nobody could take up an offer in time). passOnFreedPlaces() and the words
 * on the pages that free a place both ask this.
 */
export function freedPlacesPassOn(event: Pick<EventTimes, 'status' | 'startsAt'>, now: Date): boolean {
  return event.status === 'published' && !(event.startsAt && event.startsAt <= now);
}
