// Attack: "erased means erased" by retention. Access needs given when accepting an invitation to
// an invitation-only event are health information, like a booking's: they must go
// EVENT_DATA_RETENTION_MONTHS after the event, as booking answers do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInvitations } from '../../db/schema/index.ts';
import { keepOnlyWhatIsNeeded } from '../../server/accounts/housekeeping.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { rowsMentioning } from '../support/scan.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('access needs given with an invitation', () => {
  it('are erased with the event’s other data, and kept for a recent event', async () => {
    const db = database.db;
    const old = await makeEvent(db, { type: 'round_table', startsAt: new Date('2025-01-10T10:00:00Z'), endsAt: new Date('2025-01-10T13:00:00Z') });
    const recent = await makeEvent(db, { type: 'round_table', startsAt: new Date('2026-05-01T10:00:00Z'), endsAt: new Date('2026-05-01T13:00:00Z') });
    for (const [event, who] of [
      [old, 'Oldham'],
      [recent, 'Newham'],
    ] as const) {
      await db.insert(eventInvitations).values({
        eventId: event.id,
        name: who,
        email: `${who.toLowerCase()}@example.org`,
        perspective: 'service_user_survivor',
        status: 'accepted',
        accessNeeds: `${who} needs a quiet room after a recent admission`,
      });
    }
    await keepOnlyWhatIsNeeded(db, { outboxRetentionDays: 30, eventDataRetentionMonths: 6 }, new Date('2026-06-01T00:00:00Z'));
    expect(await rowsMentioning(db, 'Oldham needs a quiet room')).toEqual([]);
    expect(await rowsMentioning(db, 'Newham needs a quiet room')).not.toEqual([]);
  });
});
