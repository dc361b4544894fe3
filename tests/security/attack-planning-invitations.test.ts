// A lead is an ordinary member. Planning invitations go to any address they type, so they must
// count against the per-account daily email budget like co-proposer invitations do, and the
// subject must carry no text a member typed (the event's title is the lead's to change).
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, people, planningMembers } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { idFrom, signedInOrganiser } from '../proposals/support.ts';

let t: TestApp;
let lead: TestClient;
let eventId: string;
const spam = 'Cheap pills at evil.example';

beforeAll(async () => {
  t = await startTestApp({ env: { MAIL_BUDGET_PER_DAY: '3' } });
  const organiser = await signedInOrganiser(t, 'org-invites@example.org');
  lead = await t.signedIn('lead-invites@example.org');
  eventId = idFrom((await organiser.post('/organise/events', { title: 'Madness and citizenship', type: 'seminar' })).headers.location, '/plan');
  expect((await organiser.post(`/plan/${eventId}/members`, { email: 'lead-invites@example.org', role: 'lead' })).statusCode).toBe(303);
  expect((await lead.post(`/plan/${eventId}/invitation`, { answer: 'yes' })).statusCode).toBe(303);
  expect((await lead.post(`/plan/${eventId}/details`, { title: spam, type: 'seminar', format: 'online' })).statusCode).toBe(303);
});
afterAll(async () => {
  await t.close();
});

const invitationsSent = async () =>
  t.db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.template, 'planning-invitation'), like(outboxMessages.toAddress, 'target-%')));

describe('planning invitations sent by a lead', () => {
  it('keep the lead-typed event title out of the subject', async () => {
    expect((await lead.post(`/plan/${eventId}/members`, { email: 'target-0@example.org', role: 'speaker' })).statusCode).toBe(303);
    const [mail] = await invitationsSent();
    expect(mail!.subject).not.toContain(spam);
  });

  it('are counted against the daily email budget', async () => {
    const answers: number[] = [];
    for (let i = 1; i <= 3; i++) {
      answers.push((await lead.post(`/plan/${eventId}/members`, { email: `target-${i}@example.org`, role: 'speaker' })).statusCode);
    }
    // target-0 above spent one of the three.
    expect(answers).toEqual([303, 303, 429]);
    expect(await invitationsSent()).toHaveLength(3);
  });
});

describe('changing roles and removing people, to flood the group with email', () => {
  it('spends the daily budget too: over it, the change is undone', async () => {
    // The budget (3) is spent by the invitations above; a role change emails its member.
    const [member] = await t.db
      .select({ id: planningMembers.id, role: planningMembers.role })
      .from(planningMembers)
      .innerJoin(people, eq(people.id, planningMembers.personId))
      .where(eq(people.email, 'target-1@example.org'));
    const changed = await lead.post(`/plan/${eventId}/members/${member!.id}/role`, { role: 'facilitator' });
    expect(changed.statusCode).toBe(429);
    const [after] = await t.db.select({ role: planningMembers.role }).from(planningMembers).where(eq(planningMembers.id, member!.id));
    expect(after!.role).toBe(member!.role);
    const removed = await lead.post(`/plan/${eventId}/members/${member!.id}/remove`);
    expect(removed.statusCode).toBe(429);
    expect(await t.db.select().from(planningMembers).where(eq(planningMembers.id, member!.id))).toHaveLength(1);
    expect(await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'target-1@example.org'))).toHaveLength(1);
  });
});
