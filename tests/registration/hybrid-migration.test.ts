// The migration that counts hybrid events' online places apart (…_hybrid_reserved_on_behalf): on
// a database with events in it, migration by migration as an upgrade would run, a hybrid event
// keeps its capacity as the room's and gets as many online; other events get no online places,
// and bookings made before keep counting as in the room.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const folder = path.resolve(import.meta.dirname, '../../db/migrations');
const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
const entries = [...journal.entries].sort((a, b) => a.idx - b.idx);
const hybridIndex = entries.findIndex((e) => e.tag.endsWith('_hybrid_reserved_on_behalf'));

let db: PGlite;

async function apply(tag: string) {
  for (const statement of fs.readFileSync(path.join(folder, `${tag}.sql`), 'utf8').split('--> statement-breakpoint')) {
    if (statement.trim()) await db.exec(statement);
  }
}

beforeAll(async () => {
  db = new PGlite();
  for (const entry of entries.slice(0, hybridIndex)) await apply(entry.tag);
  await db.exec(`insert into events (slug, title, type, format, capacity) values
    ('hybrid-day', 'Hybrid day', 'seminar', 'hybrid', 60),
    ('hybrid-open', 'Hybrid, no limit', 'seminar', 'hybrid', null),
    ('room-only', 'Room only', 'seminar', 'in_person', 40),
    ('online-only', 'Online only', 'webinar', 'online', 100)`);
  await db.exec(`insert into registrations (event_id, status, name, email)
    select id, 'confirmed', 'Before', 'before@example.org' from events where slug = 'hybrid-day'`);
  for (const entry of entries.slice(hybridIndex)) await apply(entry.tag);
}, 120_000);
afterAll(async () => {
  await db.close();
});

describe('the hybrid places migration', () => {
  it('keeps a hybrid event’s capacity as the room’s and gives as many online; others get none', async () => {
    const rows = (
      await db.query<{ slug: string; capacity: number | null; online_capacity: number | null }>(
        'select slug, capacity, online_capacity from events order by slug',
      )
    ).rows;
    expect(rows).toEqual([
      { slug: 'hybrid-day', capacity: 60, online_capacity: 60 },
      { slug: 'hybrid-open', capacity: null, online_capacity: null },
      { slug: 'online-only', capacity: 100, online_capacity: null },
      { slug: 'room-only', capacity: 40, online_capacity: null },
    ]);
    // A booking made before has not said how it attends: it counts as in the room.
    const [booking] = (await db.query<{ attendance: string | null; booked_by_id: string | null }>('select attendance, booked_by_id from registrations')).rows;
    expect(booking).toEqual({ attendance: null, booked_by_id: null });
  });
});
