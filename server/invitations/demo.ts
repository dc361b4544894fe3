// Demo invitations: the Westminster round table (past) was by invitation, with people invited from
// each perspective and their answers; and an upcoming round table on crisis housing, kept out of
// the lists, with invitations still open (one already reminded, one sent today), so the balance shows a gap.
import { eq } from 'drizzle-orm';
import { eventInvitations, events, type InvitedPerspective, invitationPlans } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { placeForInvitee, setInvitationOnly } from '../registration/api.ts';
import { bookingPerspective, sendInvitationEmail } from './service.ts';

type Answer = 'invited' | 'accepted' | 'declined';
const DAY = 86_400_000;

/**
 * People invited 12 days before `now`, answered 8 days before it, and "r." addresses reminded 6
 * days before it; except `fresh` ones, invited at `now` with their email sent then, so that no
 * reminder goes for an invitation that was never sent.
 */
async function invitePeople(tx: Db, event: typeof events.$inferSelect, people: [string, string, InvitedPerspective, Answer | 'fresh', string?][], now: Date) {
  for (const [name, email, perspective, answer, accessNeeds] of people) {
    const status: Answer = answer === 'fresh' ? 'invited' : answer;
    if (answer === 'fresh') {
      const [row] = await tx
        .insert(eventInvitations)
        .values({ eventId: event.id, name, email, perspective, status, accessNeeds: accessNeeds ?? '', invitedAt: now })
        .onConflictDoNothing()
        .returning({ id: eventInvitations.id });
      if (row) await sendInvitationEmail(tx, event, { id: row.id, name, email, perspective }, false);
      continue;
    }
    const [row] = await tx
      .insert(eventInvitations)
      .values({
        eventId: event.id,
        name,
        email,
        perspective,
        status,
        accessNeeds: accessNeeds ?? '',
        invitedAt: new Date(now.getTime() - 12 * DAY),
        answeredAt: status === 'invited' ? null : new Date(now.getTime() - 8 * DAY),
        remindedAt: status === 'invited' && email.startsWith('r.') ? new Date(now.getTime() - 6 * DAY) : null,
      })
      .onConflictDoNothing()
      .returning({ id: eventInvitations.id });
    if (!row || status !== 'accepted') continue;
    // An acceptance is a confirmed place, on the attendee list like any booking, with the
    // perspective they were invited to bring (as acceptInvitation records it).
    const registrationId = await placeForInvitee(
      tx,
      { eventId: event.id, name, email, organisation: '', perspective: bookingPerspective[perspective], accessRequirements: accessNeeds ?? '' },
      new Date(now.getTime() - 8 * DAY),
    );
    if (registrationId) await tx.update(eventInvitations).set({ registrationId }).where(eq(eventInvitations.id, row.id));
  }
}

export async function seedDemoInvitations(tx: Db, now = new Date()): Promise<void> {
  const [westminster] = await tx.select().from(events).where(eq(events.slug, 'westminster-round-table'));
  if (westminster) {
    await setInvitationOnly(tx, westminster.id, true);
    await tx.insert(invitationPlans).values({ eventId: westminster.id, livedExperienceTarget: 'third' }).onConflictDoNothing();
    // Invited and answered weeks before the round table, not after it.
    await invitePeople(
      tx,
      westminster,
      [
        ['Dee Survivor', 'dee.survivor@example.org', 'service_user_survivor', 'accepted'],
        ['Sam Peer', 'sam.peer@example.org', 'service_user_survivor', 'accepted'],
        ['Kim Carer', 'kim.carer@example.org', 'carer', 'accepted'],
        ['Pat Practitioner', 'pat.practitioner@example.org', 'practitioner', 'accepted'],
        ['Dr Alex Reader', 'alex.reader@example.org', 'academic', 'accepted'],
        ['Chris MP', 'chris.mp@example.org', 'policy_maker', 'accepted'],
        ['Jordan Director', 'jordan.director@example.org', 'policy_maker', 'declined'],
      ],
      westminster.startsAt ? new Date(westminster.startsAt.getTime() - 20 * DAY) : now,
    );
  }
  // Forty days on, at 10am UTC (11am or 10am in London): a time people would choose.
  const day = new Date(now.getTime() + 40 * DAY);
  const startsAt = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 10));
  const [housing] = await tx
    .insert(events)
    .values({
      slug: 'round-table-crisis-housing',
      title: 'Round table: housing when you are in crisis',
      type: 'round_table',
      status: 'published',
      summary: 'A small, invited discussion between people who have lived through a housing crisis, carers, housing officers and commissioners.',
      description: 'By invitation only. What we hear will go into a short report for the Hub’s library.',
      format: 'in_person',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 3 * 3_600_000),
      venueName: 'Friends Meeting House',
      venueAddress: '6 Mount Street, Manchester M2 5NS',
      capacity: 14,
      stepFreeAccess: true,
      quietRoom: true,
      // The Westminster round table's impact note promises the next one a hearing loop.
      hearingLoop: true,
      unlisted: true,
      publishedAt: now,
    })
    .onConflictDoNothing({ target: events.slug })
    .returning();
  if (!housing) return;
  await setInvitationOnly(tx, housing.id, true);
  await tx.insert(invitationPlans).values({ eventId: housing.id, livedExperienceTarget: 'third' }).onConflictDoNothing();
  await invitePeople(
    tx,
    housing,
    [
      ['Rae Tenant', 'rae.tenant@example.org', 'service_user_survivor', 'accepted', 'A seat near the door, and the papers a week ahead.'],
      ['Lee Housing', 'lee.housing@example.org', 'practitioner', 'accepted'],
      ['Mo Commissioner', 'mo.commissioner@example.org', 'policy_maker', 'accepted'],
      ['Ash Researcher', 'ash.researcher@example.org', 'academic', 'accepted'],
      ['Val Officer', 'val.officer@example.org', 'practitioner', 'accepted'],
      ['Bo Carer', 'r.bo.carer@example.org', 'carer', 'invited'],
      ['Ike Survivor', 'ike.survivor@example.org', 'service_user_survivor', 'fresh'],
      ['Noor Advocate', 'noor.advocate@example.org', 'other', 'declined'],
    ],
    now,
  );
}
