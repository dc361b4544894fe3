// A query prepared once runs on the pool that asks (see prepared.test.ts for transactions).
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../db/schema/index.ts';
import { connectPostgres, type DatabaseHandle } from '../../server/db/database.ts';
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
  it('run on another pool of the same database when that pool asks', async () => {
    const other: DatabaseHandle = connectPostgres(database.url!, { max: 1 });
    try {
      const event = await makeEvent(database.db, { title: 'Shared' });
      await other.db.transaction(async (tx) => {
        await tx.update(events).set({ title: 'Other pool' }).where(eq(events.id, event.id));
        expect(await titleOf(tx).execute({ id: event.id })).toEqual([{ title: 'Other pool' }]);
        // The first pool does not see the uncommitted change: the query ran on the other one.
        expect(await titleOf(database.db).execute({ id: event.id })).toEqual([{ title: 'Shared' }]);
      });
    } finally {
      await other.close();
    }
  });
});
