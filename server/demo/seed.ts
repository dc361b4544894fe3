// Demo content for a first start: the Hub's launch day, a seminar series, a conference and the
// Westminster round table, with an admin and an organiser to sign in as. Dates are set relative
// to today so that the demo always has something coming up.
import { count } from 'drizzle-orm';
import { events, people, roleGrants } from '../../db/schema/index.ts';
import type { Database } from '../db/database.ts';
import { seedDemoInvitations } from '../invitations/demo.ts';
import { seedDemoLibrary } from '../library/demo.ts';
import { seedDemoList } from '../network/demo.ts';
import { seedDemoDirectory } from '../network/directory-demo.ts';
import { seedDemoPlaces } from '../registration/demo.ts';
import { seedDemoInvoice } from '../payments/demo.ts';
import { seedDemoAfterEvent, sendDemoImpactNote } from './after-event.ts';
import { seedDemoBursaries } from './bursaries.ts';
import { seedDemoCoproduction } from './coproduction.ts';
import { londonAt } from './time.ts';

type NewEvent = typeof events.$inferInsert;

export function demoEvents(): NewEvent[] {
  const birmingham = {
    venueName: 'University of Birmingham, Edgbaston campus',
    venueAddress: 'Edgbaston, Birmingham B15 2TT',
    travelInfo: 'University station is a short walk from the venue. Blue Badge parking is next to the building; please tell us if you need a space.',
  };
  return [
    {
      slug: 'hub-launch-and-discussion-day',
      title: 'Social Perspectives Hub: launch and discussion day',
      type: 'launch_day',
      status: 'published',
      summary: 'Help shape the new Hub: what social perspectives in mental health mean to you, and what the Hub should do first.',
      description:
        'The Social Perspectives Network is becoming a Hub, hosted by BASW and open to everyone with an interest in social perspectives in mental health.\n\nThis day is planned with service users, survivors and carers as equal partners. There will be short talks, small-group discussions and time to meet people.\n\n- How social factors contribute to distress, and to recovery\n- What co-production should look like in the Hub\n- Which seminars and training events to run next',
      format: 'hybrid',
      startsAt: londonAt(24, '10:00'),
      endsAt: londonAt(24, '16:00'),
      ...birmingham,
      onlinePlatform: 'Zoom',
      onlineJoinUrl: 'https://example.org/join/launch-day',
      capacity: 80,
      stepFreeAccess: true,
      hearingLoop: true,
      liveCaptions: true,
      quietRoom: true,
      accessInfo: 'Lunch and refreshments are provided. Papers will be sent a week before in large print and easy read.',
      contentNotes: 'Some discussions may touch on experiences of mental health services, detention and distress.',
      dayContactName: 'Sam Okafor',
      dayContactPhone: '0121 496 0000',
      easyReadSummary: 'A day to meet people and talk about what the new Hub should do. You can come in person or join online.',
      publishedAt: new Date(),
      sequence: 1,
    },
    ...[1, 2, 3].map(
      (n): NewEvent => ({
        slug: `social-perspectives-seminar-${n}`,
        title: [
          'Seminar 1: Whose recovery is it anyway?',
          'Seminar 2: Social work in integrated mental health teams',
          'Seminar 3: Open Dialogue and working with families',
        ][n - 1]!,
        type: 'seminar',
        status: 'published',
        summary: 'Part of the Hub\u2019s seminar series: a short talk, a response from someone with lived experience, and discussion.',
        description: 'An online seminar with a short talk, a response from someone with lived experience, and open discussion.',
        format: 'online',
        startsAt: londonAt(40 + (n - 1) * 30, '18:00'),
        endsAt: londonAt(40 + (n - 1) * 30, '19:30'),
        onlinePlatform: 'Zoom',
        onlineJoinUrl: `https://example.org/join/seminar-${n}`,
        capacity: 100,
        liveCaptions: true,
        publishedAt: new Date(),
        sequence: 1,
      }),
    ),
    {
      slug: 'social-perspectives-conference',
      title: 'Social perspectives in mental health: annual conference',
      type: 'conference',
      status: 'published',
      summary: 'A day of talks and workshops on social approaches to mental health, planned with service users, survivors and carers.',
      description: 'Keynotes, workshops and the launch of the Hub\u2019s report on mental health social work.',
      format: 'in_person',
      startsAt: londonAt(120, '09:30'),
      endsAt: londonAt(120, '17:00'),
      ...birmingham,
      capacity: 200,
      stepFreeAccess: true,
      hearingLoop: true,
      bslInterpretation: true,
      quietRoom: true,
      publishedAt: new Date(),
      sequence: 1,
    },
    {
      slug: 'westminster-round-table',
      title: 'Westminster round table on mental health social work',
      type: 'round_table',
      status: 'completed',
      summary: 'Academics, service users and practitioners met MPs from the All Party Parliamentary Group on social work.',
      description:
        'We discussed the pressures on social workers in mental health settings and what Directors of Adult Social Care should do. The report from the round table is available.',
      format: 'in_person',
      startsAt: londonAt(-60, '14:00'),
      endsAt: londonAt(-60, '16:30'),
      venueName: 'Houses of Parliament',
      venueAddress: 'Westminster, London SW1A 0AA',
      capacity: 25,
      stepFreeAccess: true,
      publishedAt: londonAt(-90, '09:00'),
      sequence: 2,
    },
    {
      slug: 'training-day-co-production-in-practice',
      title: 'Training day: co-production in practice',
      type: 'training_event',
      status: 'planning',
      summary: 'Being planned: a practical day on co-producing services with people who use them.',
      format: 'in_person',
    },
  ];
}

/** Adds the demo when the database has no people yet; returns whether it did. */
export async function seedDemoIfEmpty(db: Database): Promise<boolean> {
  const [existing] = await db.select({ n: count() }).from(people);
  if ((existing?.n ?? 0) > 0) return false;
  await seedDemo(db);
  return true;
}

export async function seedDemo(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(people)
      .values([
        { email: 'admin@example.org', displayName: 'Alex Admin', pronouns: 'they/them' },
        { email: 'organiser@example.org', displayName: 'Priya Organiser', pronouns: 'she/her' },
        { email: 'member@example.org', displayName: 'Jo Member' },
      ])
      .onConflictDoNothing({ target: people.email })
      .returning({ id: people.id, email: people.email });
    const byEmail = new Map(inserted.map((p) => [p.email, p.id]));
    const admin = byEmail.get('admin@example.org');
    const organiser = byEmail.get('organiser@example.org');
    if (admin) await tx.insert(roleGrants).values({ personId: admin, role: 'admin' }).onConflictDoNothing();
    if (organiser)
      await tx
        .insert(roleGrants)
        .values({ personId: organiser, role: 'organiser', grantedBy: admin ?? null })
        .onConflictDoNothing();
    await tx.insert(events).values(demoEvents()).onConflictDoNothing({ target: events.slug });
    await seedDemoPlaces(tx);
    await seedDemoCoproduction(tx);
    await seedDemoAfterEvent(tx);
    await seedDemoList(tx);
    await seedDemoDirectory(tx);
    await seedDemoInvitations(tx);
    // Once the invitees' places are in: they are told too.
    await sendDemoImpactNote(tx);
    await seedDemoLibrary(tx);
  });
  // After the rest is in: booked through the booking service, in its own transaction.
  await seedDemoInvoice(db);
  // Applied for and decided through the bursary services, each in its own transaction.
  await seedDemoBursaries(db);
}
