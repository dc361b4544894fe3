// Shared set-up for the bursary tests: an event with a fund, and people in each role.
import { eq } from 'drizzle-orm';
import { events, people, planningMembers } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import type { Database } from '../../server/db/database.ts';
import type { TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let counter = 0;

export async function createEvent(db: Database, values: Partial<typeof events.$inferInsert> = {}): Promise<{ id: string; slug: string }> {
  counter += 1;
  const slug = values.slug ?? `bursary-event-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const [row] = await db
    .insert(events)
    .values({
      slug,
      title: values.title ?? `Carers and survivors day ${counter}`,
      type: 'seminar',
      status: 'published',
      startsAt: new Date(Date.now() + 30 * 86_400_000),
      endsAt: new Date(Date.now() + 30 * 86_400_000 + 6 * 3_600_000),
      ...values,
    })
    .returning({ id: events.id, slug: events.slug });
  return row!;
}

export async function personId(db: Database, email: string): Promise<string> {
  const [row] = await db.select({ id: people.id }).from(people).where(eq(people.email, email.toLowerCase()));
  if (!row) throw new Error(`No person ${email}`);
  return row.id;
}

export async function organiser(t: TestApp, email: string): Promise<TestClient> {
  const client = await t.signedIn(email);
  await grantRole(t.db, null, await personId(t.db, email), 'organiser');
  return client;
}

export async function planner(t: TestApp, email: string, eventId: string, role: 'bursary_reviewer' | 'speaker'): Promise<TestClient> {
  const client = await t.signedIn(email);
  await t.db.insert(planningMembers).values({ eventId, personId: await personId(t.db, email), role, status: 'accepted' });
  return client;
}

/** The id at the end of a redirect such as /bursaries/applications/<id>/edit. */
export function idFrom(location: string | undefined, pattern: RegExp): string {
  const match = pattern.exec(location ?? '');
  if (!match) throw new Error(`Unexpected redirect: ${location}`);
  return match[1]!;
}

export const uuidIn = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;
