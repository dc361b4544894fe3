// Attack on who the feedback surveys go to, now that they go one a person (see bookersToAsk in
// server/surveys/service.ts). Someone can hold two places at one event (booked again after changing
// their address, say): checked in on one, the other never used. The no-shows' survey then told
// them "we missed you on the day" although they came, beside the attendees' "thank you for
// coming": an email that says something untrue (THREATS 9; the brief: words in emails are true).
// And a place an organiser booked without an address (someone with no email), or the booking of
// someone erased since, was "invited": a link minted for no one, counted as sent, and enough to
// lock the survey's anonymity setting ("people have been invited") when no one had been.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, people, registrations, surveyInvitations, surveys } from '../../db/schema/index.ts';
import { ensureSurvey, sendDueSurveys } from '../../server/surveys/service.ts';
import { makeEvent, mailsTo } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** An event that ended at a fixed time, with its no-shows' survey turned on; `after` is 3 hours later. */
async function endedEvent(title: string, day: number) {
  const startsAt = new Date(Date.UTC(2031, 4, day, 9));
  const endsAt = new Date(startsAt.getTime() + 3 * 3_600_000);
  const event = await makeEvent(t.db, { title, startsAt, endsAt });
  const noShows = await ensureSurvey(t.db, event.id, 'no_shows');
  await t.db.update(surveys).set({ enabled: true }).where(eq(surveys.id, noShows.id));
  return { event, after: new Date(endsAt.getTime() + 3 * 3_600_000) };
}

const invitations = async (address: string) => (await mailsTo(t.db, address)).filter((m) => m.template === 'survey-invitation');

describe('the survey invitations after an event', () => {
  it('do not tell someone who came on one of their places that they were missed', async () => {
    const { event, after } = await endedEvent('Two places, one came', 5);
    const [eve] = await t.db.insert(people).values({ email: 'eve-now@example.org', displayName: 'Eve Both' }).returning();
    // Booked under her old address and checked in; booked again after changing it, never used.
    await t.db.insert(registrations).values([
      { eventId: event.id, personId: eve!.id, status: 'attended', name: 'Eve Both', email: 'eve-then@example.org', createdAt: new Date(Date.UTC(2031, 3, 1)) },
      { eventId: event.id, personId: eve!.id, status: 'confirmed', name: 'Eve Both', email: 'eve-now@example.org', createdAt: new Date(Date.UTC(2031, 3, 2)) },
      { eventId: event.id, personId: eve!.id, status: 'cancelled', name: 'Eve Both', email: 'eve-now@example.org', createdAt: new Date(Date.UTC(2031, 3, 3)) },
      // Someone who truly did not come, so the no-shows' survey goes out.
      { eventId: event.id, status: 'confirmed', name: 'Fin Away', email: 'fin-away@example.org' },
    ]);
    await sendDueSurveys(t.db, after);

    expect((await invitations('fin-away@example.org')).map((m) => m.data.noShow)).toEqual([true]);
    const toEve = [...(await invitations('eve-then@example.org')), ...(await invitations('eve-now@example.org'))];
    expect(toEve.map((m) => m.data.noShow)).toEqual([false]);
  });

  it('are not made for a place with no address to write to (booked without email, or erased)', async () => {
    const { event, after } = await endedEvent('Someone without email', 6);
    await t.db.insert(registrations).values([
      { eventId: event.id, status: 'attended', name: 'Margaret Noemail', email: '' },
      { eventId: event.id, status: 'confirmed', name: 'Norman Noemail', email: '' },
      // The booking of someone who deleted their account since: name and address gone.
      { eventId: event.id, status: 'attended', name: '', email: 'booking@erased.invalid' },
      { eventId: event.id, status: 'attended', name: 'Gil Came', email: 'gil-came@example.org' },
    ]);
    const sent = await sendDueSurveys(t.db, after);

    expect(await invitations('gil-came@example.org')).toHaveLength(1);
    expect(
      await t.db
        .select()
        .from(outboxMessages)
        .where(inArray(outboxMessages.toAddress, ['', 'booking@erased.invalid'])),
    ).toEqual([]);
    const [attendees] = await t.db
      .select()
      .from(surveys)
      .where(and(eq(surveys.eventId, event.id), eq(surveys.audience, 'attendees')));
    expect(await t.db.select().from(surveyInvitations).where(eq(surveyInvitations.surveyId, attendees!.id))).toHaveLength(1);
    expect(sent.invited).toBe(1);
  });
});
