// Erasure reaches what came after the event: a booking erased loses its certificates and its
// survey invitations; a named survey answer it gave stops naming it.
import { inArray } from 'drizzle-orm';
import { certificates, surveyInvitations, surveyResponses } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

export async function forgetAfterEvent(tx: Db, registrationIds: string[]): Promise<void> {
  if (registrationIds.length === 0) return;
  await tx.delete(certificates).where(inArray(certificates.registrationId, registrationIds));
  const invitations = await tx.select({ id: surveyInvitations.id }).from(surveyInvitations).where(inArray(surveyInvitations.registrationId, registrationIds));
  const ids = invitations.map((i) => i.id);
  if (ids.length) {
    await tx.update(surveyResponses).set({ respondentName: '', invitationId: null }).where(inArray(surveyResponses.invitationId, ids));
    await tx.delete(surveyInvitations).where(inArray(surveyInvitations.id, ids));
  }
}
