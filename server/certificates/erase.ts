// Erasure reaches what came after the event: a booking erased loses its certificates and its
// survey invitations; a named survey answer it gave stops naming it.
import { eq, inArray, or } from 'drizzle-orm';
import { certificates, surveyInvitations, surveyResponses } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

async function forgetInvitations(tx: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(surveyResponses).set({ respondentName: '', invitationId: null }).where(inArray(surveyResponses.invitationId, ids));
  await tx.delete(surveyInvitations).where(inArray(surveyInvitations.id, ids));
}

/** A person erased: the survey invitations sent to them (a planning group's survey has no booking), and their name on named answers. */
export async function forgetSurveysOf(tx: Db, person: { id: string; email: string }): Promise<void> {
  const invitations = await tx
    .select({ id: surveyInvitations.id })
    .from(surveyInvitations)
    .where(or(eq(surveyInvitations.personId, person.id), eq(surveyInvitations.email, person.email)));
  await forgetInvitations(
    tx,
    invitations.map((i) => i.id),
  );
}

export async function forgetAfterEvent(tx: Db, registrationIds: string[]): Promise<void> {
  if (registrationIds.length === 0) return;
  await tx.delete(certificates).where(inArray(certificates.registrationId, registrationIds));
  const invitations = await tx.select({ id: surveyInvitations.id }).from(surveyInvitations).where(inArray(surveyInvitations.registrationId, registrationIds));
  await forgetInvitations(
    tx,
    invitations.map((i) => i.id),
  );
}
