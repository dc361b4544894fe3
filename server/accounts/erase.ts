// Erasing a person (UK GDPR Article 17, "delete your account"), and the retention of what people
// tell us when they book or plan. This is the one code path that erases a person: it removes
// their name, address, sessions, answers, perspectives, subscriptions and unpaid applications at
// once, and anonymises what the Hub must keep for its accounts (amounts already paid). Bursary
// applications are erased by the same function the retention job uses (eraseApplication).
//
// The person's row stays as an empty tombstone under an address at erased.invalid, which can
// never receive mail or sign in: accepted proposals, paid involvement and paid bookings keep
// pointing at it, so the accounts still add up, with no way back to who it was.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNotNull, isNull, lte, ne, notInArray, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import {
  bookingRequests,
  events,
  involvementItems,
  people,
  planningMembers,
  programmeSessions,
  proposals,
  registrationAnswers,
  registrationLinks,
  registrations,
  signInTokens,
} from '../../db/schema/index.ts';
import { forgetPersonInAudit, recordAudit } from '../audit.ts';
import { forgetAfterEvent, forgetSurveysOf } from '../certificates/erase.ts';
import { forgetPayers } from '../invoices/service.ts';
import { applicationsOf, deleteUnpaidApplication, eraseApplication } from '../bursaries/retention.ts';
import type { Database, Db } from '../db/database.ts';
import { ERASED_DOMAIN, forgetEmails, isErasedAddress } from '../mail/outbox.ts';
import { forgetInvitationsOf } from '../invitations/service.ts';
import { forgetDirectoryRequestsOf, forgetMemberships } from '../network/directory.ts';
import { forgetListAddress } from '../network/list.ts';
import { cancelRegistration } from '../registration/service.ts';

/** What an erased booking keeps in place of its address (it can never be written to). */
const ERASED_BOOKING_ADDRESS = `booking@${ERASED_DOMAIN}`;

/** Booking answers, as they are after erasure. */
const NO_ANSWERS = { organisation: '', perspective: '', accessRequirements: '', dietaryNeeds: '', consentFutureEvents: false, invoicePayer: null } as const;

const eventEnd = sql`coalesce(${events.endsAt}, ${events.startsAt})`;

export interface ErasureSummary {
  bookingsCancelled: number;
  bookingsErased: number;
  applicationsRemoved: number;
  applicationsAnonymised: number;
  proposalsRemoved: number;
}

/** Is this person already erased (a tombstone)? */
export function isErasedPerson(person: { email: string }): boolean {
  return isErasedAddress(person.email);
}

/**
 * Erases a person everywhere, in one transaction. Returns null if there is no such person or
 * they were already erased.
 */
export async function erasePerson(db: Database, personId: string, now = new Date()): Promise<ErasureSummary | null> {
  return db.transaction(async (tx) => {
    const [person] = await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, personId)).for('update');
    if (!person || isErasedPerson(person)) return null;
    const summary: ErasureSummary = { bookingsCancelled: 0, bookingsErased: 0, applicationsRemoved: 0, applicationsAnonymised: 0, proposalsRemoved: 0 };

    // Bursary applications: anonymised like the retention job does; unpaid ones then go entirely.
    for (const application of await applicationsOf(tx, personId)) {
      await eraseApplication(tx, application.id, now);
      if (application.paid) summary.applicationsAnonymised++;
      else {
        await deleteUnpaidApplication(tx, application.id);
        summary.applicationsRemoved++;
      }
    }

    // Bookings: places at events still to come are given up (and pass to the waiting list);
    // every booking loses its name, address and answers; paid amounts stay with it.
    const mine = await tx
      .select({ id: registrations.id, status: registrations.status, ended: sql<boolean>`coalesce(${eventEnd} <= ${now.toISOString()}::timestamptz, false)` })
      .from(registrations)
      .innerJoin(events, eq(events.id, registrations.eventId))
      .where(and(isNull(registrations.companionOfId), or(eq(registrations.personId, personId), eq(registrations.email, person.email))));
    for (const booking of mine) {
      if (booking.ended || !['pending_payment', 'confirmed', 'waitlisted', 'offered'].includes(booking.status)) continue;
      const { cancelled } = await cancelRegistration(db, booking.id, null, { tx, now, reason: 'The account was deleted.' });
      if (cancelled) summary.bookingsCancelled++;
    }
    const bookingIds = mine.map((b) => b.id);
    if (bookingIds.length) {
      const party = or(inArray(registrations.id, bookingIds), inArray(registrations.companionOfId, bookingIds))!;
      const erased = await tx
        .update(registrations)
        .set({ ...NO_ANSWERS, name: '', email: ERASED_BOOKING_ADDRESS, personId: null, updatedAt: now })
        .where(party)
        .returning({ id: registrations.id });
      const ids = erased.map((r) => r.id);
      await tx.delete(registrationAnswers).where(inArray(registrationAnswers.registrationId, ids));
      await tx.delete(registrationLinks).where(inArray(registrationLinks.registrationId, ids));
      await forgetAfterEvent(tx, ids);
      await forgetPayers(tx, ids);
      summary.bookingsErased = bookingIds.length;
    }

    // Proposals not accepted are theirs alone; accepted ones became the Hub's events and stay.
    const removed = await tx
      .delete(proposals)
      .where(and(eq(proposals.authorId, personId), ne(proposals.status, 'accepted')))
      .returning({ id: proposals.id });
    summary.proposalsRemoved = removed.length;

    // Involvement already paid is in the accounts: kept, without what it said.
    await tx.delete(involvementItems).where(and(eq(involvementItems.personId, personId), isNull(involvementItems.paidAt)));
    await tx.update(involvementItems).set({ description: '', organisationName: '' }).where(eq(involvementItems.personId, personId));
    await tx
      .update(programmeSessions)
      .set({ speakerIds: sql`array_remove(${programmeSessions.speakerIds}, ${personId}::uuid)` })
      .where(sql`${personId}::uuid = any(${programmeSessions.speakerIds})`);

    // Before detaching: it finds their named feedback by their id.
    await forgetSurveysOf(tx, { id: personId, email: person.email });
    await detachFromEveryTable(tx, personId);
    await tx.delete(signInTokens).where(eq(signInTokens.email, person.email));
    // Bookings asked for with the address and not yet confirmed: what was typed, answers included.
    await tx.delete(bookingRequests).where(eq(bookingRequests.email, person.email));
    await forgetListAddress(tx, person.email);
    await forgetMemberships(tx, personId);
    // A request to be listed, or for a change, made with their address.
    await forgetDirectoryRequestsOf(tx, person.email);
    // Invitations are by address: who they are, the perspective asked of them, their access needs.
    await forgetInvitationsOf(tx, person.email);
    await forgetPersonInAudit(tx, personId);
    await forgetEmails(tx, { to: person.email, mentions: [person.email], names: [person.displayName] });

    await tx
      .update(people)
      .set({ email: `${randomUUID()}@${ERASED_DOMAIN}`, displayName: '', pronouns: '', contactNotes: '', prefersPlainText: false, updatedAt: now })
      .where(eq(people.id, personId));
    await recordAudit(tx, { actorId: null, action: 'account.deleted', subjectType: 'person', subjectId: personId, details: { ...summary } });
    return summary;
  });
}

/** Tables whose rows about the person are kept (anonymised above) rather than deleted. */
const KEPT_ON_ERASURE = new Set(['involvement_items', 'proposals']);

/**
 * Every reference to the person, found from the database's own foreign keys so that a table
 * added later is covered too: "who did it" columns are emptied, and rows that belong to the
 * person (sessions, roles, memberships with their perspective, feeds, caps, scores) are deleted.
 */
async function detachFromEveryTable(tx: Db, personId: string): Promise<void> {
  const result = await tx.execute(sql`
    select c.conrelid::regclass::text as "table", a.attname as "column", c.confdeltype as "onDelete"
    from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid = 'people'::regclass and cardinality(c.conkey) = 1`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { table: string; column: string; onDelete: string }[];
  for (const { table, column, onDelete } of rows) {
    if (KEPT_ON_ERASURE.has(table)) continue;
    const where = sql`${sql.identifier(column)} = ${personId}::uuid`;
    if (onDelete === 'n') await tx.execute(sql`update ${sql.identifier(table)} set ${sql.identifier(column)} = null where ${where}`);
    else if (onDelete === 'c') await tx.execute(sql`delete from ${sql.identifier(table)} where ${where}`);
  }
}

/**
 * What people tell us when they book (perspective, access and dietary needs, answers to the
 * event's questions) and the perspective planners declare are needed for the event and for a
 * while after it, to report on who came: they are erased `months` after the event ends.
 */
export async function eraseOldEventData(db: Database, options: { now: Date; months: number }): Promise<{ bookings: number; planners: number }> {
  const cutoff = DateTime.fromJSDate(options.now).minus({ months: options.months }).toJSDate();
  const longPast = sql`(select ${events.id} from ${events} where ${eventEnd} <= ${cutoff.toISOString()}::timestamptz)`;
  return db.transaction(async (tx) => {
    const answered = or(
      ne(registrations.perspective, ''),
      ne(registrations.accessRequirements, ''),
      ne(registrations.dietaryNeeds, ''),
      ne(registrations.organisation, ''),
      isNotNull(registrations.invoicePayer),
    );
    const bookings = await tx
      .update(registrations)
      .set({ organisation: '', perspective: '', accessRequirements: '', dietaryNeeds: '', invoicePayer: null })
      .where(and(inArray(registrations.eventId, longPast), answered))
      .returning({ id: registrations.id });
    await tx
      .delete(registrationAnswers)
      .where(
        inArray(registrationAnswers.registrationId, sql`(select ${registrations.id} from ${registrations} where ${registrations.eventId} in ${longPast})`),
      );
    // A membership ends with its event, or when the invitation was declined.
    const planners = await tx
      .update(planningMembers)
      .set({ perspective: null })
      .where(
        and(
          sql`${planningMembers.perspective} is not null`,
          or(inArray(planningMembers.eventId, longPast), and(eq(planningMembers.status, 'declined'), lte(planningMembers.respondedAt, cutoff))),
        ),
      )
      .returning({ id: planningMembers.id });
    return { bookings: bookings.length, planners: planners.length };
  });
}

/** For the confirmation page: the places that deleting the account would give up. */
export async function upcomingBookingsOf(db: Db, person: { id: string; email: string }, now = new Date()) {
  return db
    .select({ eventTitle: events.title, startsAt: events.startsAt, status: registrations.status, pricePence: registrations.pricePence })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(
      and(
        isNull(registrations.companionOfId),
        or(eq(registrations.personId, person.id), eq(registrations.email, person.email)),
        notInArray(registrations.status, ['cancelled', 'expired', 'attended']),
        sql`coalesce(${eventEnd} > ${now.toISOString()}::timestamptz, true)`,
      ),
    )
    .orderBy(events.startsAt);
}
