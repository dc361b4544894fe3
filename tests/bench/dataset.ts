// A realistic, generated data set for the bench: events over three years, people, registrations
// and bursary applications, inserted in batches through the same Drizzle schema the app uses
// (so a schema change that breaks the bench fails the typecheck, not the run).
import { randomBytes } from 'node:crypto';
import { bursaryApplications, bursaryFunds, bursaryItems, events, people, registrationLinks, registrations, ticketTypes, type EventType } from '../../db/schema/index.ts';
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
  return { eventIds: ids, slugs, hotEvent: hot!, peopleIds };
}
