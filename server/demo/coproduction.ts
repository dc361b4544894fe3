// Demo co-production: the launch day's planning group (with lived-experience and carer members,
// so it shows the co-produced mark), its programme and 4PI statements, and the round table's
// report, and a bursary fund for the launch day, so a first start shows what planning together
// and help with costs look like.
import { eq, inArray } from 'drizzle-orm';
import { bursaryFunds, eventResources, events, fourPiRecords, people, planningMembers, programmeSessions } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

export async function seedDemoCoproduction(tx: Db): Promise<void> {
  const found = await tx
    .select({ id: events.id, slug: events.slug, startsAt: events.startsAt })
    .from(events)
    .where(inArray(events.slug, ['hub-launch-and-discussion-day', 'westminster-round-table']));
  const launch = found.find((e) => e.slug === 'hub-launch-and-discussion-day');
  const roundTable = found.find((e) => e.slug === 'westminster-round-table');

  await tx
    .insert(people)
    .values([
      { email: 'sam@example.org', displayName: 'Sam Okafor', pronouns: 'he/him' },
      { email: 'dee@example.org', displayName: 'Dee Hollis' },
    ])
    .onConflictDoNothing({ target: people.email });
  const group = await tx
    .select({ id: people.id, email: people.email })
    .from(people)
    .where(inArray(people.email, ['organiser@example.org', 'member@example.org', 'sam@example.org', 'dee@example.org']));
  const id = (email: string) => group.find((p) => p.email === email)?.id;

  if (launch?.startsAt) {
    const [existing] = await tx.select({ id: planningMembers.id }).from(planningMembers).where(eq(planningMembers.eventId, launch.id)).limit(1);
    if (!existing) {
      const members = [
        { email: 'organiser@example.org', role: 'lead' as const, perspective: 'practitioner' as const },
        { email: 'member@example.org', role: 'co_lead' as const, perspective: 'lived_experience' as const },
        { email: 'sam@example.org', role: 'access_lead' as const, perspective: 'carer' as const },
        { email: 'dee@example.org', role: 'speaker' as const, perspective: 'lived_experience' as const },
      ];
      await tx.insert(planningMembers).values(
        members.flatMap((m) => {
          const personId = id(m.email);
          return personId
            ? [{ eventId: launch.id, personId, role: m.role, perspective: m.perspective, status: 'accepted' as const, respondedAt: new Date() }]
            : [];
        }),
      );
      const at = (minutes: number) => new Date(launch.startsAt!.getTime() + minutes * 60_000);
      await tx.insert(programmeSessions).values([
        { eventId: launch.id, startsAt: at(0), endsAt: at(30), title: 'Welcome, and why a Hub', room: 'Main hall' },
        {
          eventId: launch.id,
          startsAt: at(30),
          endsAt: at(90),
          title: 'Social factors in distress and recovery',
          description: 'A talk followed by a response from lived experience.',
          speakerIds: [id('dee@example.org')].filter((x): x is string => Boolean(x)),
          room: 'Main hall',
        },
        { eventId: launch.id, startsAt: at(120), endsAt: at(240), title: 'Small groups: what should the Hub do first?', room: 'Rooms 1 to 4, and online' },
        { eventId: launch.id, startsAt: at(270), endsAt: at(360), title: 'What we heard, and next steps', room: 'Main hall' },
      ]);
      await tx
        .insert(bursaryFunds)
        .values({
          eventId: launch.id,
          name: 'Launch day bursaries',
          budgetPence: 200_000,
          eligibility: 'Service users, survivors and carers',
          covers: 'Travel, replacement care, a support worker or personal assistant, and data costs for joining online',
          deadlineAt: new Date(launch.startsAt.getTime() - 7 * 86_400_000),
          createdBy: id('organiser@example.org') ?? null,
        })
        .onConflictDoNothing();
      await tx
        .insert(fourPiRecords)
        .values({
          eventId: launch.id,
          principles: 'Everyone here is an equal partner. Lived experience is expertise, and nobody has to share more than they want to.',
          purpose: 'To agree together what the Hub is for and what it should do in its first year.',
          preMeetings: true,
          accessiblePapers: true,
          expensesInAdvance: true,
        })
        .onConflictDoNothing();
    }
  }

  if (roundTable) {
    const [existing] = await tx.select({ id: eventResources.id }).from(eventResources).where(eq(eventResources.eventId, roundTable.id)).limit(1);
    if (!existing) {
      await tx.insert(eventResources).values({
        eventId: roundTable.id,
        kind: 'link',
        title: 'Report from the Westminster round table',
        description: 'What was said, and what we ask Directors of Adult Social Care to do.',
        url: 'https://example.org/reports/westminster-round-table',
        addedBy: id('organiser@example.org') ?? null,
      });
    }
  }
}
