// Locking an event's row: the one way every feature serialises decisions about an event (its
// places, its waiting list, changes to its details), so two transactions never both act on what
// they read before the other committed.
//
// FOR NO KEY UPDATE serialises the deciders without conflicting with the key-share locks that
// rows referencing the event take (a booking's insert), so a transaction may write its rows
// first and lock last. Call these inside a transaction: the lock lasts until it ends.
import { eq, sql } from 'drizzle-orm';
import { events } from '../../db/schema/index.ts';
import { NotFoundError } from '../errors.ts';
import type { Db } from './database.ts';
import { prepared } from './prepared.ts';

export interface LockedEvent {
  id: string;
  capacity: number | null;
  status: string;
}

/**
 * A switch for one test only (tests/faults/capacity-race.pg.test.ts): with the lock off, that
 * test's control run shows that the race it guards against is real. Never turned off elsewhere.
 */
export const capacityLockForTests = { enabled: true };

/** Waits for and takes the event's lock; NotFoundError when there is no such event. */
const eventRow = (db: Db) =>
  db
    .select({ id: events.id, capacity: events.capacity, status: events.status })
    .from(events)
    .where(eq(events.id, sql.placeholder('eventId')));
const lockedEvent = prepared((db) => eventRow(db).for('no key update').prepare('lock_event'));
const unlockedEvent = prepared((db) => eventRow(db).prepare('event_unlocked'));

export async function lockEvent(tx: Db, eventId: string): Promise<LockedEvent> {
  const [row] = await (capacityLockForTests.enabled ? lockedEvent : unlockedEvent)(tx).execute({ eventId });
  if (!row) throw new NotFoundError('We could not find that event.');
  return row;
}

/**
 * Takes the event's lock only if nobody holds it: false when another transaction (a booking, or
 * a background job in another process) has it, or the event is gone. For jobs that may skip an
 * event this round rather than wait.
 */
export async function tryLockEvent(tx: Db, eventId: string): Promise<boolean> {
  const [row] = await tx.select({ id: events.id }).from(events).where(eq(events.id, eventId)).for('no key update', { skipLocked: true });
  return Boolean(row);
}
