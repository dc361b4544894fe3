// A realistic, generated data set for the bench: events over three years, people, registrations
// and bursary applications, inserted in batches through the same Drizzle schema the app uses
// (so a schema change that breaks the bench fails the typecheck, not the run).
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import {
  bursaryApplications,
  bursaryFunds,
  bursaryItems,
  type EventType,
  events,
  outboxMessages,
  people,
  planningMeetings,
  planningMembers,
  planningPosts,
  planningTasks,
  programmeSessions,
  registrationLinks,
  registrations,
  roleGrants,
  ticketTypes,
} from '../../db/schema/index.ts';
import { eraseExpiredApplications } from '../../server/bursaries/retention.ts';
import { sendDueThanks } from '../../server/certificates/thanks.ts';
import { sendDueSurveys } from '../../server/surveys/service.ts';
import { DEFAULT_BURSARY_RETENTION_MONTHS } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';

const types: EventType[] = ['launch_day', 'seminar', 'seminar', 'seminar', 'training_event', 'conference', 'round_table', 'webinar'];
const DAY = 86_400_000;

async function inBatches<T>(rows: T[], size: number, insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export interface DatasetSize {
  events: number;
  registrations: number;
  applications: number;
}

export interface Dataset {
  eventIds: string[];
  slugs: string[];
  /** Published, upcoming, with room for the registration load. */
  hotEvent: { id: string; slug: string };
  /** Published, upcoming, full: 1,000 places booked, a planning group, a fund with 200 applications. */
  bigEvent: { id: string; slug: string; fundId: string };
  /** An organiser (also the big event's lead), and a member with bookings on several events. */
  organiserId: string;
  memberId: string;
  peopleIds: string[];
}

/** Events spread evenly from two years ago to a year ahead; most published, some cancelled. */
export async function insertEvents(db: Database, count: number, now = new Date(), prefix = 'event'): Promise<{ ids: string[]; slugs: string[] }> {
  const rows: (typeof events.$inferInsert)[] = [];
  const start = now.getTime() - 2 * 365 * DAY;
  const span = 3 * 365 * DAY;
  for (let i = 0; i < count; i++) {
    const startsAt = new Date(start + Math.floor((span * i) / count) + 10 * 3_600_000);
    const past = startsAt.getTime() < now.getTime();
    rows.push({
      slug: `${prefix}-${i}`,
      title: `${types[i % types.length]!.replace('_', ' ')} ${i}: social perspectives in practice`,
      type: types[i % types.length]!,
      status: i % 37 === 0 ? 'cancelled' : past ? 'completed' : 'published',
      summary: 'A generated event for measuring Convene under load.',
      description: 'Talks, discussion and time to meet people.\n\n- Co-produced\n- Accessible',
      format: (['in_person', 'online', 'hybrid'] as const)[i % 3]!,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 6 * 3_600_000),
      venueName: 'University of Birmingham',
      venueAddress: 'Edgbaston, Birmingham B15 2TT',
      onlinePlatform: 'Zoom',
      onlineJoinUrl: `https://example.org/join/${i}`,
      capacity: 150,
      stepFreeAccess: true,
      liveCaptions: i % 2 === 0,
      sequence: 1,
      publishedAt: new Date(startsAt.getTime() - 60 * DAY),
    });
  }
  const inserted: { id: string; slug: string }[] = [];
  await inBatches(rows, 500, async (batch) => {
    inserted.push(...(await db.insert(events).values(batch).returning({ id: events.id, slug: events.slug })));
  });
  await inBatches(inserted, 500, (batch) => db.insert(ticketTypes).values(batch.map((e) => ({ eventId: e.id, name: 'Standard place', pricePence: 0 }))));
  return { ids: inserted.map((e) => e.id), slugs: inserted.map((e) => e.slug) };
}

export async function generateDataset(db: Database, size: DatasetSize, now = new Date()): Promise<Dataset> {
  const { ids, slugs } = await insertEvents(db, size.events, now);

  const personRows = Array.from({ length: 2000 }, (_, i) => ({ email: `person${i}@bench.example.org`, displayName: `Person ${i}` }));
  const peopleIds: string[] = [];
  await inBatches(personRows, 1000, async (batch) => {
    peopleIds.push(...(await db.insert(people).values(batch).returning({ id: people.id })).map((p) => p.id));
  });

  const types = await db.select({ id: ticketTypes.id, eventId: ticketTypes.eventId }).from(ticketTypes);
  const typeOf = new Map(types.map((t) => [t.eventId, t.id]));
  const registrationRows: (typeof registrations.$inferInsert)[] = [];
  for (let i = 0; i < size.registrations; i++) {
    const eventId = ids[i % ids.length]!;
    registrationRows.push({
      eventId,
      ticketTypeId: typeOf.get(eventId)!,
      personId: i % 4 === 0 ? peopleIds[i % peopleIds.length]! : null,
      status: i % 20 === 0 ? 'cancelled' : i % 9 === 0 ? 'attended' : 'confirmed',
      name: `Attendee ${i}`,
      email: `attendee${i}@bench.example.org`,
      accessRequirements: i % 7 === 0 ? 'Step-free access, please' : '',
      confirmedAt: now,
    });
  }
  // Every booking has had at least one private manage link emailed to it.
  await inBatches(registrationRows, 1000, async (batch) => {
    const ids = await db.insert(registrations).values(batch).returning({ id: registrations.id });
    await db.insert(registrationLinks).values(ids.map((r) => ({ registrationId: r.id, tokenHash: randomBytes(32).toString('hex') })));
  });

  const fundEvents = ids.filter((_, i) => i % 3 === 0);
  const funds = await db
    .insert(bursaryFunds)
    .values(fundEvents.map((eventId, i) => ({ eventId, name: `Bursaries ${i}`, budgetPence: 500_000 })))
    .returning({ id: bursaryFunds.id, eventId: bursaryFunds.eventId });
  const statuses = ['submitted', 'approved', 'part_approved', 'declined', 'draft'] as const;
  const applicationRows: (typeof bursaryApplications.$inferInsert)[] = Array.from({ length: size.applications }, (_, i) => {
    const fund = funds[i % funds.length]!;
    return {
      fundId: fund.id,
      eventId: fund.eventId!,
      applicantId: peopleIds[i % peopleIds.length]!,
      status: statuses[i % statuses.length]!,
      perspective: i % 2 === 0 ? 'service_user' : 'carer',
      paymentMethod: 'bank_transfer',
      paymentName: `Payee ${i}`,
      submittedAt: statuses[i % statuses.length] === 'draft' ? null : now,
    };
  });
  const applicationIds: string[] = [];
  await inBatches(applicationRows, 1000, async (batch) => {
    applicationIds.push(...(await db.insert(bursaryApplications).values(batch).returning({ id: bursaryApplications.id })).map((a) => a.id));
  });
  await inBatches(
    applicationIds.flatMap((applicationId, i) => [
      { applicationId, category: 'travel' as const, description: 'Train from Leeds', estimatePence: 4_500 + (i % 50) * 10 },
      { applicationId, category: 'care' as const, description: 'Care for my mother', estimatePence: 8_000 },
    ]),
    1000,
    (batch) => db.insert(bursaryItems).values(batch),
  );

  // The hot event: published, soon, with room for the registration load and then a waiting list.
  const [hot] = await db
    .insert(events)
    .values({
      slug: 'popular-launch-day',
      title: 'A very popular launch day',
      type: 'launch_day',
      status: 'published',
      format: 'in_person',
      startsAt: new Date(now.getTime() + 30 * DAY),
      endsAt: new Date(now.getTime() + 30 * DAY + 6 * 3_600_000),
      venueName: 'University of Birmingham',
      capacity: Number(process.env.BENCH_HOT_CAPACITY ?? 1000),
      publishedAt: now,
      sequence: 1,
    })
    .returning({ id: events.id, slug: events.slug });
  await db.insert(ticketTypes).values({ eventId: hot!.id, name: 'Standard place', pricePence: 0 });
  const big = await insertBigEvent(db, peopleIds, now);
  // A live Hub's hourly job has erased applications past retention as they came due; a data set
  // loaded in one go would otherwise leave a backlog for the server to erase while it is measured.
  await eraseExpiredApplications(db, { now, months: DEFAULT_BURSARY_RETENTION_MONTHS });
  // Likewise its after-event job has thanked those checked in at events that finished this month
  // and invited them to the survey, and the mail went out as it was queued. Left to the server,
  // the backlog went out twenty emails every two seconds all through the measurements: a CPU
  // profile of the fund page put a tenth of the busy time in delivering mail.
  while ((await sendDueThanks(db, 'http://bench.invalid', now)) > 0);
  for (;;) {
    const { invited, reminded } = await sendDueSurveys(db, now);
    if (invited + reminded === 0) break;
  }
  await db.update(outboxMessages).set({ status: 'sent', sentAt: now }).where(eq(outboxMessages.status, 'queued'));
  // person0 books one in four of the generated events (see the registrations above), so is a member with bookings.
  return { eventIds: ids, slugs, hotEvent: hot!, bigEvent: big, organiserId: big.organiserId, memberId: peopleIds[0]!, peopleIds };
}

/** The pages organisers and planners use most, at the size the issue names. */
async function insertBigEvent(db: Database, peopleIds: string[], now: Date): Promise<{ id: string; slug: string; fundId: string; organiserId: string }> {
  const [organiser] = await db.insert(people).values({ email: 'organiser@bench.example.org', displayName: 'Bench Organiser' }).returning({ id: people.id });
  await db.insert(roleGrants).values({ personId: organiser!.id, role: 'organiser' });
  const startsAt = new Date(now.getTime() + 45 * DAY);
  const [big] = await db
    .insert(events)
    .values({
      slug: 'annual-conference',
      title: 'The annual conference',
      type: 'conference',
      status: 'published',
      format: 'hybrid',
      summary: 'A day of talks and workshops.',
      description: 'Talks, **workshops** and time to meet.\n\n- Step-free\n- Live captions\n\n[Travel](https://example.org/travel)',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 7 * 3_600_000),
      venueName: 'Birmingham Council House',
      venueAddress: 'Victoria Square, Birmingham B1 1BB',
      onlinePlatform: 'Zoom',
      onlineJoinUrl: 'https://example.org/join/conference',
      capacity: 1000,
      publishedAt: now,
      sequence: 1,
    })
    .returning({ id: events.id, slug: events.slug });
  const [type] = await db.insert(ticketTypes).values({ eventId: big!.id, name: 'Standard place', pricePence: 0 }).returning({ id: ticketTypes.id });
  const bookings = Array.from({ length: 1000 }, (_, i) => ({
    eventId: big!.id,
    ticketTypeId: type!.id,
    personId: i < peopleIds.length ? peopleIds[i]! : null,
    status: 'confirmed' as const,
    name: `Delegate ${i}`,
    email: `delegate${i}@bench.example.org`,
    accessRequirements: i % 5 === 0 ? 'A seat near the door' : '',
    dietaryNeeds: i % 6 === 0 ? 'Vegan' : '',
    confirmedAt: now,
  }));
  await inBatches(bookings, 500, (batch) => db.insert(registrations).values(batch));
  await db.insert(planningMembers).values([
    { eventId: big!.id, personId: organiser!.id, role: 'lead', status: 'accepted', perspective: 'practitioner' },
    ...peopleIds.slice(1, 9).map((personId, i) => ({
      eventId: big!.id,
      personId,
      role: (['co_lead', 'speaker', 'facilitator', 'note_taker', 'access_lead'] as const)[i % 5]!,
      status: 'accepted' as const,
      perspective: (['lived_experience', 'carer', 'academic'] as const)[i % 3]!,
    })),
  ]);
  await db.insert(programmeSessions).values(
    Array.from({ length: 8 }, (_, i) => ({
      eventId: big!.id,
      startsAt: new Date(startsAt.getTime() + i * 50 * 60_000),
      endsAt: new Date(startsAt.getTime() + (i * 50 + 45) * 60_000),
      title: `Session ${i + 1}`,
      description: 'A talk and *questions*.',
    })),
  );
  await db
    .insert(planningTasks)
    .values(Array.from({ length: 12 }, (_, i) => ({ eventId: big!.id, title: `Task ${i + 1}`, ownerId: organiser!.id, createdBy: organiser!.id })));
  await db
    .insert(planningPosts)
    .values(Array.from({ length: 30 }, (_, i) => ({ eventId: big!.id, authorId: peopleIds[i % 8]!, body: `Update ${i + 1}: the **venue** is booked.` })));
  await db.insert(planningMeetings).values(
    Array.from({ length: 4 }, (_, i) => ({
      eventId: big!.id,
      title: `Planning meeting ${i + 1}`,
      startsAt: new Date(now.getTime() + (i + 1) * 7 * DAY),
      endsAt: new Date(now.getTime() + (i + 1) * 7 * DAY + 3_600_000),
      uid: `bench-meeting-${i}-${now.getTime()}@convene`,
      organiserId: organiser!.id,
    })),
  );
  const [fund] = await db
    .insert(bursaryFunds)
    .values({ eventId: big!.id, name: 'Conference bursaries', budgetPence: 2_000_000 })
    .returning({ id: bursaryFunds.id });
  const statuses = ['submitted', 'approved', 'part_approved', 'declined'] as const;
  const applications = await db
    .insert(bursaryApplications)
    .values(
      Array.from({ length: 200 }, (_, i) => ({
        fundId: fund!.id,
        eventId: big!.id,
        applicantId: peopleIds[100 + i]!,
        status: statuses[i % statuses.length]!,
        perspective: i % 2 === 0 ? ('service_user' as const) : ('carer' as const),
        paymentMethod: 'bank_transfer' as const,
        paymentName: `Payee ${i}`,
        submittedAt: now,
      })),
    )
    .returning({ id: bursaryApplications.id });
  await db
    .insert(bursaryItems)
    .values(applications.map((a, i) => ({ applicationId: a.id, category: 'travel' as const, description: 'Train', estimatePence: 3_000 + i * 10 })));
  return { id: big!.id, slug: big!.slug, fundId: fund!.id, organiserId: organiser!.id };
}
