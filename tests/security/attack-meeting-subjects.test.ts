// Any member of a planning group may arrange its meetings, and each arrangement emails everyone in
// the group. So the title a member types never reaches a subject line, and the emails to others
// come out of the member's daily budget: over it, nothing is saved and nobody is emailed.
import { and, eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, people, planningMeetings, planningMembers } from '../../db/schema/index.ts';
import { idFrom, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let speaker: TestClient;
let eventId: string;
const spam = 'URGENT: verify your bank details at https://evil.example/hub';
const meeting = (title: string, day: string) => ({ meetingTitle: title, meetingDate: day, meetingStart: '10:00', meetingEnd: '11:00', place: 'Zoom' });

beforeAll(async () => {
  // Three others in the group: a budget of 5 allows one meeting (3 emails), not a second.
  t = await startTestApp({ env: { MAIL_BUDGET_PER_DAY: '5' } });
  const organiser = await signedInOrganiser(t, 'org-meetings@example.org');
  eventId = idFrom((await organiser.post('/organise/events', { title: 'Survivor research seminar', type: 'seminar' })).headers.location, '/plan');
  speaker = await t.signedIn('speaker-meetings@example.org');
  for (const [email, role] of [
    ['speaker-meetings@example.org', 'speaker'],
    ['lead-meetings@example.org', 'lead'],
    ['carer-meetings@example.org', 'facilitator'],
  ] as const) {
    const [person] = await t.db.insert(people).values({ email }).onConflictDoNothing().returning({ id: people.id });
    const id = person?.id ?? (await t.db.select({ id: people.id }).from(people).where(eq(people.email, email)))[0]!.id;
    await t.db.insert(planningMembers).values({ eventId, personId: id, role, status: 'accepted' }).onConflictDoNothing();
  }
  await t.db.delete(outboxMessages);
});
afterAll(async () => {
  await t.close();
});

describe('planning meetings arranged by a member', () => {
  it('keep the typed title out of every subject, and in the body', async () => {
    expect((await speaker.post(`/plan/${eventId}/meetings`, meeting(spam, '2027-02-10'))).statusCode).toBe(303);
    const sent = await t.db.select().from(outboxMessages).where(eq(outboxMessages.template, 'planning-meeting'));
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const mail of sent) {
      expect(mail.subject).not.toContain('evil.example');
      expect(mail.subject).not.toContain('URGENT');
      expect(mail.data).toMatchObject({ meetingTitle: spam });
    }
  });

  it('are paid for from the member’s daily budget: over it, nothing is saved or sent', async () => {
    const before = await t.db.select().from(planningMeetings).where(eq(planningMeetings.eventId, eventId));
    const sentBefore = await t.db.select().from(outboxMessages).where(ne(outboxMessages.toAddress, 'speaker-meetings@example.org'));
    const refused = await speaker.post(`/plan/${eventId}/meetings`, meeting('Second meeting', '2027-02-17'));
    // Over budget is "too many requests" (429), as every other spent limit answers.
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('more emails to other people than one account may send in a day');
    expect(await t.db.select().from(planningMeetings).where(eq(planningMeetings.eventId, eventId))).toHaveLength(before.length);
    expect(await t.db.select().from(outboxMessages).where(ne(outboxMessages.toAddress, 'speaker-meetings@example.org'))).toHaveLength(sentBefore.length);
    // Changing or cancelling the first meeting is refused the same way.
    const [first] = before;
    expect((await speaker.post(`/plan/${eventId}/meetings/${first!.id}`, meeting('Moved', '2027-02-11'))).statusCode).toBe(429);
    const cancel = await speaker.post(`/plan/${eventId}/meetings/${first!.id}/cancel`);
    expect(cancel.statusCode).toBe(303);
    const [still] = await t.db
      .select()
      .from(planningMeetings)
      .where(and(eq(planningMeetings.id, first!.id), eq(planningMeetings.eventId, eventId)));
    expect(still!.cancelledAt).toBeNull();
  });
});
