// Reading places, questions and bookings, always scoped by their event.
import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import {
  eventQuestions,
  events,
  payments,
  registrationAnswers,
  registrations,
  registrationSettings,
  ticketTypes,
  type BookingMode,
} from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { formatTimeRange } from '../format.ts';

export type EventRow = typeof events.$inferSelect;
export type TicketTypeRow = typeof ticketTypes.$inferSelect;
export type QuestionRow = typeof eventQuestions.$inferSelect;
export type RegistrationRow = typeof registrations.$inferSelect;

export const DEFAULT_OFFER_HOURS = 48;

const eventById = prepared((db) =>
  db
    .select()
    .from(events)
    .where(eq(events.id, sql.placeholder('eventId')))
    .prepare('event_by_id'),
);

export async function getEvent(db: Db, eventId: string): Promise<EventRow | null> {
  const [row] = await eventById(db).execute({ eventId });
  return row ?? null;
}

export async function getEventBySlug(db: Db, slug: string): Promise<EventRow | null> {
  const [row] = await db.select().from(events).where(eq(events.slug, slug));
  return row ?? null;
}

const settingsOf = prepared((db) =>
  db
    .select({
      offerHours: registrationSettings.offerHours,
      registrationOpen: registrationSettings.registrationOpen,
      bookingMode: registrationSettings.bookingMode,
    })
    .from(registrationSettings)
    .where(eq(registrationSettings.eventId, sql.placeholder('eventId')))
    .prepare('registration_settings'),
);

export async function getSettings(db: Db, eventId: string): Promise<{ offerHours: number; registrationOpen: boolean; bookingMode: BookingMode }> {
  const [row] = await settingsOf(db).execute({ eventId });
  return row ?? { offerHours: DEFAULT_OFFER_HOURS, registrationOpen: true, bookingMode: 'here' };
}

const ticketTypesOf = prepared((db) =>
  db
    .select()
    .from(ticketTypes)
    .where(eq(ticketTypes.eventId, sql.placeholder('eventId')))
    .orderBy(asc(ticketTypes.position), asc(ticketTypes.createdAt))
    .prepare('ticket_types'),
);

export async function listTicketTypes(db: Db, eventId: string, options: { includeWithdrawn?: boolean } = {}): Promise<TicketTypeRow[]> {
  const rows = await ticketTypesOf(db).execute({ eventId });
  return options.includeWithdrawn ? rows : rows.filter((t) => !t.withdrawn);
}

const questionsOf = prepared((db) =>
  db
    .select()
    .from(eventQuestions)
    .where(eq(eventQuestions.eventId, sql.placeholder('eventId')))
    .orderBy(asc(eventQuestions.position), asc(eventQuestions.createdAt))
    .prepare('event_questions'),
);

export async function listQuestions(db: Db, eventId: string, options: { includeWithdrawn?: boolean } = {}): Promise<QuestionRow[]> {
  const rows = await questionsOf(db).execute({ eventId });
  return options.includeWithdrawn ? rows : rows.filter((q) => !q.withdrawn);
}

/** A booking with the companion places that go with it. */
export async function getBookingParty(db: Db, registrationId: string): Promise<{ main: RegistrationRow; companions: RegistrationRow[] } | null> {
  const rows = await db
    .select()
    .from(registrations)
    .where(or(eq(registrations.id, registrationId), eq(registrations.companionOfId, registrationId)));
  const main = rows.find((r) => r.id === registrationId);
  if (!main) return null;
  return { main, companions: rows.filter((r) => r.companionOfId === registrationId) };
}

export async function answersFor(db: Db, registrationIds: string[]): Promise<{ registrationId: string; questionId: string; value: string }[]> {
  if (registrationIds.length === 0) return [];
  return db
    .select({ registrationId: registrationAnswers.registrationId, questionId: registrationAnswers.questionId, value: registrationAnswers.value })
    .from(registrationAnswers)
    .where(inArray(registrationAnswers.registrationId, registrationIds));
}

/** Where an event happens, in words for an email. */
export function whereText(event: EventRow): string {
  if (event.format === 'online') return event.onlinePlatform ? `Online (${event.onlinePlatform})` : 'Online';
  const venue = [event.venueName, event.venueAddress].filter(Boolean).join(', ');
  if (event.format === 'hybrid') return `${venue || 'Venue to be confirmed'}, or online${event.onlinePlatform ? ` (${event.onlinePlatform})` : ''}`;
  return venue || 'Venue to be confirmed';
}

export function eventFacts(event: EventRow): { eventTitle: string; when: string; where: string; eventPath: string } {
  return {
    eventTitle: event.title,
    when: event.startsAt ? formatTimeRange(event.startsAt, event.endsAt) : 'Date to be confirmed',
    where: whereText(event),
    eventPath: `/events/${event.slug}`,
  };
}

export function dayContact(event: EventRow): string {
  return event.dayContactName ? `${event.dayContactName}${event.dayContactPhone ? ` (${event.dayContactPhone})` : ''}` : '';
}

/** A person's own booking or waiting-list place at the event (not a companion's), if they have one. */
export async function activeBookingOf(
  db: Db,
  eventId: string,
  person: { personId: string; email: string },
): Promise<{ id: string; status: RegistrationRow['status'] } | null> {
  const [row] = await db
    .select({ id: registrations.id, status: registrations.status })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, eventId),
        isNull(registrations.companionOfId),
        inArray(registrations.status, ['pending_payment', 'confirmed', 'attended', 'waitlisted', 'offered']),
        or(eq(registrations.personId, person.personId), eq(registrations.email, person.email)),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The latest payment on a booking, for the booking's own page. */
export async function paymentFor(db: Db, registrationId: string) {
  const [row] = await db
    .select({
      id: payments.id,
      method: payments.method,
      status: payments.status,
      amountPence: payments.amountPence,
      stripePaymentIntentId: payments.stripePaymentIntentId,
    })
    .from(payments)
    .where(eq(payments.registrationId, registrationId))
    .orderBy(desc(payments.createdAt))
    .limit(1);
  return row ?? null;
}

const personsBookings = prepared((db) =>
  db
    .select({
      id: registrations.id,
      status: registrations.status,
      eventStatus: events.status,
      title: events.title,
      slug: events.slug,
      startsAt: events.startsAt,
      endsAt: events.endsAt,
      ticketName: ticketTypes.name,
    })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .leftJoin(ticketTypes, eq(ticketTypes.id, registrations.ticketTypeId))
    // The address was proved by signing in, so bookings made with it before signing in count too.
    .where(
      and(isNull(registrations.companionOfId), or(eq(registrations.personId, sql.placeholder('personId')), eq(registrations.email, sql.placeholder('email')))),
    )
    .orderBy(desc(events.startsAt))
    .limit(200)
    .prepare('persons_bookings'),
);

/** A signed-in person's own bookings ("Your bookings"), latest event first; built once per database. */
export async function bookingsOfPerson(db: Db, person: { personId: string; email: string }) {
  return personsBookings(db).execute(person);
}

/**
 * The id of a booking that is this person's own (made by them or with their address), never a
 * companion's: the one a signed-in person may open without the emailed link (or, with
 * `attended`, download a certificate for). Null otherwise.
 */
export async function ownBookingId(
  db: Db,
  registrationId: string,
  person: { id: string; email: string },
  options: { attended?: boolean } = {},
): Promise<string | null> {
  const [row] = await db
    .select({ id: registrations.id })
    .from(registrations)
    .where(
      and(
        eq(registrations.id, registrationId),
        isNull(registrations.companionOfId),
        or(eq(registrations.personId, person.id), eq(registrations.email, person.email)),
        options.attended ? eq(registrations.status, 'attended') : undefined,
      ),
    );
  return row?.id ?? null;
}
