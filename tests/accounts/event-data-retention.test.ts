// What people tell us when they book (perspective, access and dietary needs, answers to the
// event's questions) and the perspective planners declare are erased EVENT_DATA_RETENTION_MONTHS
// after the event; bookings themselves (who came, what was paid) stay.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, planningMembers, registrationAnswers, registrations } from '../../db/schema/index.ts';
import { eraseOldEventData } from '../../server/accounts/erase.ts';
import { keepOnlyWhatIsNeeded } from '../../server/accounts/housekeeping.ts';
import { makeEvent, makeQuestion, makeTicketType } from '../registration/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { rowsMentioning } from '../support/scan.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function attended(eventStartsAt: Date, name: string) {
  const db = database.db;
  const event = await makeEvent(db, { startsAt: eventStartsAt, endsAt: new Date(eventStartsAt.getTime() + 3_600_000) });
  const type = await makeTicketType(db, event.id);
  const question = await makeQuestion(db, event.id, 'long_text', 'Anything else?');
  const [booking] = await db
    .insert(registrations)
    .values({
      eventId: event.id,
      ticketTypeId: type.id,
      status: 'attended',
      name,
      email: `${name.toLowerCase()}@example.org`,
      perspective: 'carer',
      accessRequirements: `${name} uses a wheelchair`,
      dietaryNeeds: `${name} is vegan`,
      organisation: 'Mind',
    })
    .returning();
  await db.insert(registrationAnswers).values({ registrationId: booking!.id, questionId: question.id, value: `${name} was sectioned last year` });
  const [planner] = await db
    .insert(people)
    .values({ email: `planner-${name.toLowerCase()}@example.org` })
    .returning({ id: people.id });
  await db.insert(planningMembers).values({ eventId: event.id, personId: planner!.id, role: 'speaker', perspective: 'lived_experience', status: 'accepted' });
  return { event, booking: booking! };
}

describe('booking answers and planners’ perspectives', () => {
  it('are erased the configured number of months after the event, and nothing sooner', async () => {
    const db = database.db;
    const now = new Date('2026-09-01T10:00:00Z');
    const old = await attended(new Date('2026-02-01T10:00:00Z'), 'Oldfield');
    const recent = await attended(new Date('2026-05-01T10:00:00Z'), 'Newbury');

    expect(await eraseOldEventData(db, { now, months: 6 })).toEqual({ bookings: 1, planners: 1 });
    const [gone] = await db.select().from(registrations).where(eq(registrations.id, old.booking.id));
    expect(gone).toMatchObject({ status: 'attended', name: 'Oldfield', perspective: '', accessRequirements: '', dietaryNeeds: '', organisation: '' });
    expect(await rowsMentioning(db, 'Oldfield was sectioned')).toEqual([]);
    expect(await rowsMentioning(db, 'Oldfield uses a wheelchair')).toEqual([]);
    expect((await db.select().from(planningMembers).where(eq(planningMembers.eventId, old.event.id)))[0]!.perspective).toBeNull();

    const [kept] = await db.select().from(registrations).where(eq(registrations.id, recent.booking.id));
    expect(kept).toMatchObject({ perspective: 'carer', accessRequirements: 'Newbury uses a wheelchair', dietaryNeeds: 'Newbury is vegan' });
    expect(await rowsMentioning(db, 'Newbury was sectioned')).toHaveLength(1);
    expect((await db.select().from(planningMembers).where(eq(planningMembers.eventId, recent.event.id)))[0]!.perspective).toBe('lived_experience');

    // The housekeeping job runs it with the configured period.
    await keepOnlyWhatIsNeeded(db, { outboxRetentionDays: 30, eventDataRetentionMonths: 3 }, now);
    expect(await rowsMentioning(db, 'Newbury was sectioned')).toEqual([]);
  });
});
