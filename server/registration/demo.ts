// Demo places for the demo events, so a first start can be booked straight away: a free place
// for people with lived experience and carers, and a standard place (paid at the day events).
// The hybrid launch day also shows hybrid places and reserved places: its room nearly full while
// online places remain, places kept for a partner organisation behind a code, and a booking an
// organiser made for someone who phoned.
import { and, eq, inArray } from 'drizzle-orm';
import { events, people, registrations, reservedPlaces, ticketTypes } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

/** The code the demo's partner organisation was given (shown on the organiser's page too). */
export const DEMO_RESERVED_CODE = 'SVNPLACE';

export async function seedDemoPlaces(tx: Db): Promise<void> {
  const rows = await tx
    .select({ id: events.id, slug: events.slug, type: events.type })
    .from(events)
    .where(inArray(events.status, ['published']));
  for (const event of rows) {
    const [existing] = await tx.select({ id: ticketTypes.id }).from(ticketTypes).where(eq(ticketTypes.eventId, event.id)).limit(1);
    if (existing) continue;
    const dayEvent = event.type === 'launch_day' || event.type === 'conference';
    const hybrid = event.slug === 'hub-launch-and-discussion-day';
    await tx.insert(ticketTypes).values([
      {
        eventId: event.id,
        name: 'Free place for service users, survivors and carers',
        eligibility: 'people with lived experience of mental distress, survivors and carers',
        pricePence: 0,
        capacity: dayEvent && !hybrid ? 30 : null,
        position: 1,
      },
      { eventId: event.id, name: dayEvent ? 'Standard place' : 'Free place', pricePence: dayEvent ? 1500 : 0, position: 2 },
    ]);
    if (hybrid) await seedHybridBookings(tx, event.id);
  }
}

const FIRST = ['Amina', 'Ben', 'Chloe', 'Dev', 'Ellie', 'Femi', 'Grace', 'Hamza', 'Isla', 'Jack', 'Kemi', 'Liam', 'Maya', 'Niall', 'Orla', 'Priya'];
const LAST = ['Ahmed', 'Brown', 'Campbell', 'Davies', 'Evans', 'Fraser', 'Green', 'Hughes', 'Iqbal', 'Jones', 'Khan', 'Lewis'];

/**
 * The launch day's room (80 places) nearly full: 58 booked in person, 4 of them with a support
 * worker, 20 kept for a partner organisation (4 used), one booked by the organiser for someone
 * without email; 2 left. Online (150 places) has 12 booked.
 */
async function seedHybridBookings(tx: Db, eventId: string): Promise<void> {
  await tx.update(events).set({ onlineCapacity: 150 }).where(eq(events.id, eventId));
  const [free] = await tx
    .select({ id: ticketTypes.id })
    .from(ticketTypes)
    .where(and(eq(ticketTypes.eventId, eventId), eq(ticketTypes.pricePence, 0)));
  const [organiser] = await tx.select({ id: people.id }).from(people).where(eq(people.email, 'organiser@example.org'));
  const [reservation] = await tx
    .insert(reservedPlaces)
    .values({
      eventId,
      groupName: 'Survivor Voices Network',
      code: DEMO_RESERVED_CODE,
      places: 20,
      attendance: 'in_person',
      expiresAt: new Date(Date.now() + 14 * 86_400_000),
      createdById: organiser?.id ?? null,
    })
    .returning({ id: reservedPlaces.id });
  const now = new Date();
  const person = (i: number, attendance: 'in_person' | 'online', extra: Partial<typeof registrations.$inferInsert> = {}) => {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
    return {
      eventId,
      ticketTypeId: free!.id,
      status: 'confirmed' as const,
      name,
      email: `demo-attendee-${i}@example.org`,
      attendance,
      confirmedAt: now,
      ...extra,
    };
  };
  const rows = [
    ...Array.from({ length: 53 }, (_, i) => person(i, 'in_person')),
    ...Array.from({ length: 4 }, (_, i) => person(100 + i, 'in_person', { reservationId: reservation!.id, organisation: 'Survivor Voices Network' })),
    ...Array.from({ length: 12 }, (_, i) => person(200 + i, 'online')),
    person(300, 'in_person', { name: 'Margaret Hill', email: '', bookedById: organiser?.id ?? null, accessRequirements: 'Large print papers, please' }),
  ];
  const inserted = await tx
    .insert(registrations)
    .values(rows)
    .returning({ id: registrations.id, name: registrations.name, attendance: registrations.attendance });
  // Four people in the room come with a support worker, whose places are free and count too.
  const withCompanions = inserted.filter((r) => r.attendance === 'in_person').slice(0, 4);
  await tx.insert(registrations).values(
    withCompanions.map((r, i) => ({
      eventId,
      companionOfId: r.id,
      status: 'confirmed' as const,
      name: `Companion of ${r.name}`,
      email: `demo-attendee-${i}@example.org`,
      attendance: 'in_person' as const,
      confirmedAt: now,
    })),
  );
}
