// Demo places for the demo events, so a first start can be booked straight away: a free place
// for people with lived experience and carers, and a standard place (paid at the day events).
import { eq, inArray } from 'drizzle-orm';
import { events, ticketTypes } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

export async function seedDemoPlaces(tx: Db): Promise<void> {
  const rows = await tx
    .select({ id: events.id, slug: events.slug, type: events.type })
    .from(events)
    .where(inArray(events.status, ['published']));
  for (const event of rows) {
    const [existing] = await tx.select({ id: ticketTypes.id }).from(ticketTypes).where(eq(ticketTypes.eventId, event.id)).limit(1);
    if (existing) continue;
    const dayEvent = event.type === 'launch_day' || event.type === 'conference';
    await tx.insert(ticketTypes).values([
      {
        eventId: event.id,
        name: 'Free place for service users, survivors and carers',
        eligibility: 'people with lived experience of mental distress, survivors and carers',
        pricePence: 0,
        capacity: dayEvent ? 30 : null,
        position: 1,
      },
      { eventId: event.id, name: dayEvent ? 'Standard place' : 'Free place', pricePence: dayEvent ? 1500 : 0, position: 2 },
    ]);
  }
}
