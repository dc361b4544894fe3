// Erasure and retention reach what came after the event: a booking erased loses its certificates
// and its survey invitations; a named survey answer it gave stops naming it. Retention does the
// same by age: certificates go CERTIFICATE_RETENTION_MONTHS after their event, and named answers
// lose their name EVENT_DATA_RETENTION_MONTHS after it, like the answers given when booking.
import { and, eq, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { certificates, events, surveyInvitations, surveyResponses, surveys } from '../../db/schema/index.ts';
import type { Database, Db } from '../db/database.ts';

/** What a named answer keeps once it no longer says whose it is. */
const NAMELESS = { respondentName: '', invitationId: null, registrationId: null, personId: null } as const;

async function forgetInvitations(tx: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(surveyResponses).set(NAMELESS).where(inArray(surveyResponses.invitationId, ids));
  await tx.delete(surveyInvitations).where(inArray(surveyInvitations.id, ids));
}

/**
 * A person erased: the survey invitations sent to them (a planning group's survey has no booking),
 * and their name on named answers. Run before the person's own links are emptied elsewhere, as
 * it finds answers by them.
 */
export async function forgetSurveysOf(tx: Db, person: { id: string; email: string }): Promise<void> {
  const invitations = await tx
    .select({ id: surveyInvitations.id })
    .from(surveyInvitations)
    .where(or(eq(surveyInvitations.personId, person.id), eq(surveyInvitations.email, person.email)));
  await forgetInvitations(
    tx,
    invitations.map((i) => i.id),
  );
  await tx.update(surveyResponses).set(NAMELESS).where(eq(surveyResponses.personId, person.id));
}

export async function forgetAfterEvent(tx: Db, registrationIds: string[]): Promise<void> {
  if (registrationIds.length === 0) return;
  await tx.delete(certificates).where(inArray(certificates.registrationId, registrationIds));
  const invitations = await tx.select({ id: surveyInvitations.id }).from(surveyInvitations).where(inArray(surveyInvitations.registrationId, registrationIds));
  await forgetInvitations(
    tx,
    invitations.map((i) => i.id),
  );
  await tx.update(surveyResponses).set(NAMELESS).where(inArray(surveyResponses.registrationId, registrationIds));
}

/** Keeps certificates and named answers only as long as README's "What we keep" says. */
export async function forgetOldAfterEvent(
  db: Database,
  options: { now: Date; certificateMonths: number; answerMonths: number },
): Promise<{ certificates: number; answers: number }> {
  const endedBefore = (months: number) =>
    sql`(select ${events.id} from ${events} where coalesce(${events.endsAt}, ${events.startsAt}) <= ${DateTime.fromJSDate(options.now).minus({ months }).toJSDate().toISOString()}::timestamptz)`;
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(certificates)
      .where(inArray(certificates.eventId, endedBefore(options.certificateMonths)))
      .returning({ id: certificates.id });
    const named = or(ne(surveyResponses.respondentName, ''), isNotNull(surveyResponses.registrationId), isNotNull(surveyResponses.personId));
    const unnamed = await tx
      .update(surveyResponses)
      .set(NAMELESS)
      .where(
        and(
          named,
          inArray(surveyResponses.surveyId, sql`(select ${surveys.id} from ${surveys} where ${surveys.eventId} in ${endedBefore(options.answerMonths)})`),
        ),
      )
      .returning({ id: surveyResponses.id });
    return { certificates: removed.length, answers: unnamed.length };
  });
}
