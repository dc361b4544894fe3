// A query prepared once runs on the connection of whoever asks: inside a transaction it sees
// that transaction's own writes (and, on PGlite, does not wait forever for the transaction to
// end). prepared.pg.test.ts: from another pool it runs on that pool.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../db/schema/index.ts';
import { prepared } from '../../server/db/prepared.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { makeEvent } from '../registration/fixtures.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const titleOf = prepared((db) =>
  db
    .select({ title: events.title })
    .from(events)
    .where(eq(events.id, sql.placeholder('id')))
    .prepare('test_event_title'),
);

describe('prepared queries', () => {
  it('run inside the transaction that asks, seeing its uncommitted writes', async () => {
    const { db } = database;
    const event = await makeEvent(db, { title: 'Before' });
    expect(await titleOf(db).execute({ id: event.id })).toEqual([{ title: 'Before' }]);
    const inside = await db.transaction(async (tx) => {
      await tx.update(events).set({ title: 'Inside' }).where(eq(events.id, event.id));
      return titleOf(tx).execute({ id: event.id });
    });
    expect(inside).toEqual([{ title: 'Inside' }]);
  });

  it('refuses a query builder that was not prepared', () => {
    const unprepared = prepared((db) => db.select().from(events) as never);
    expect(() => unprepared(database.db)).toThrow(/prepare/);
  });
});
