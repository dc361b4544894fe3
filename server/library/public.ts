// What an event's public page shows from the library: items that came from the event, and items
// launched at it (a round table's report at the conference). Used by server/events/routes.ts.
import type { Db } from '../db/database.ts';
import { eventLibrary, eventsNamed } from './service.ts';
import { itemCard } from './view-models.ts';

export async function eventLibraryCards(db: Db, eventId: string) {
  const { from, launched } = await eventLibrary(db, eventId);
  const names = await eventsNamed(
    db,
    [...from, ...launched].flatMap((i) => [i.eventId, i.launchEventId].filter((id): id is string => id !== null)),
    { except: eventId },
  );
  return {
    from: from.map((i) => itemCard(i, names)),
    launched: launched.map((i) => itemCard(i, names)),
    launchedHeading: names.get(eventId)?.toCome ? 'To be launched at this event' : 'Launched at this event',
  };
}
