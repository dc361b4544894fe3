// Attack: the planning overview's access check is now two prepared statements shared by every
// request, and presence and the co-produced mark come from the group as listed. A planner of one
// event must never see another's; invited and declined members must not make an event co-produced.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, planningMembers } from '../../db/schema/index.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function personId(email: string) {
  const [row] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, email));
  return row!.id;
}

async function planningEvent(title: string) {
  return makeEvent(t.db, { title, status: 'planning', publishedAt: null });
}

describe('the planning overview', () => {
  it('never opens one event’s workspace to a planner of another, even many at once', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const email = `planner-${i}@example.org`;
        const client = await t.signedIn(email);
        const event = await planningEvent(`Workspace number ${i} only`);
        await t.db.insert(planningMembers).values({ eventId: event.id, personId: await personId(email), role: 'lead', status: 'accepted' });
        return { i, client, event };
      }),
    );
    // An invited (not accepted) and a declined planner get nothing either.
    const invited = await t.signedIn('invited-only@example.org');
    const declined = await t.signedIn('declined-only@example.org');
    await t.db.insert(planningMembers).values([
      { eventId: pairs[0]!.event.id, personId: await personId('invited-only@example.org'), role: 'speaker', status: 'invited' },
      { eventId: pairs[0]!.event.id, personId: await personId('declined-only@example.org'), role: 'speaker', status: 'declined' },
    ]);
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(
        pairs.flatMap((me) => pairs.map(async (other) => ({ me: me.i, other: other.i, res: await me.client.get(`/plan/${other.event.id}`) }))),
      );
      for (const { me, other, res } of results) {
        if (me === other) {
          expect(res.statusCode, `${me} own`).toBe(200);
          expect(res.body).toContain(`Workspace number ${me} only`);
        } else {
          expect(res.statusCode, `${me} -> ${other}`).toBe(403);
          expect(res.body).not.toMatch(/Workspace number \d only/);
        }
      }
    }
    for (const client of [invited, declined]) {
      for (const path of ['', '/tasks', '/programme', '/discussion', '/four-pi']) {
        const res = await client.get(`/plan/${pairs[0]!.event.id}${path}`);
        expect([403, 404], path).toContain(res.statusCode);
        expect(res.body, path).not.toContain('Workspace number 0 only');
      }
    }
  });

  it('does not count invited or declined members’ lived experience as co-production', async () => {
    const lead = await t.signedIn('copro-lead@example.org');
    const event = await planningEvent('Co-production check seminar');
    await t.db
      .insert(planningMembers)
      .values({ eventId: event.id, personId: await personId('copro-lead@example.org'), role: 'lead', status: 'accepted', perspective: 'practitioner' });
    await t.signedIn('copro-invited@example.org');
    await t.signedIn('copro-declined@example.org');
    await t.db.insert(planningMembers).values([
      { eventId: event.id, personId: await personId('copro-invited@example.org'), role: 'speaker', status: 'invited', perspective: 'lived_experience' },
      { eventId: event.id, personId: await personId('copro-declined@example.org'), role: 'speaker', status: 'declined', perspective: 'carer' },
    ]);
    const page = await lead.get(`/plan/${event.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Not yet: nobody in the group has declared lived experience');
    // Publishing is still refused for want of lived experience.
    await t.db.update(events).set({ status: 'planning' }).where(eq(events.id, event.id));
    await t.db
      .update(planningMembers)
      .set({ status: 'accepted' })
      .where(eq(planningMembers.personId, await personId('copro-invited@example.org')));
    const after = await lead.get(`/plan/${event.id}`);
    expect(after.body).toContain('Yes: someone in the group has declared lived experience');
  });
});
