// When an event is cancelled, nothing about its places should stay open: held places end, unpaid
// payments end, and the waiting list and unpaid bookings are closed. Confirmed and attended
// bookings stay as a record of who was booked (paid ones are refunded by organisers, by hand).
// Unpaid invoices are cancelled by credit notes; Checkout Sessions still open at Stripe are
// expired there by the payments job (payments/refunds.ts, closeEndedSessions).
//
// Runs in the planning feature's cancelling transaction, after registrants have been emailed
// (notifyRegistrants picks them by their status, which this changes). Nothing is passed on to
// the waiting list: there is no event left to offer places at.
import { and, eq, inArray } from 'drizzle-orm';
import { invoices, payments, placeHolds, registrations, type RegistrationStatus } from '../../db/schema/index.ts';
import { creditInvoice } from '../invoices/service.ts';
import { recordAudit } from '../audit.ts';
import type { Db } from '../db/database.ts';
import { lockEvent } from '../db/event-lock.ts';

export interface ClosedPlaces {
  /** Live holds (open checkouts, waiting-list offers, bursary places) that were released. */
  holdsReleased: number;
  /** Unfinished Stripe Checkouts and unpaid invoices that were marked expired. */
  paymentsExpired: number;
  /** People taken off the waiting list (waitlisted or offered), not counting companion places. */
  waitingListCancelled: number;
  /** Bookings still waiting for payment that were cancelled, not counting companion places. */
  pendingBookingsCancelled: number;
}

/**
 * Ends every live hold, open payment, waiting-list entry and unpaid booking of a cancelled
 * event, in the caller's transaction, and records one audit entry with the counts.
 */
export async function closePlacesForCancelledEvent(tx: Db, eventId: string, actorId: string | null, now: Date = new Date()): Promise<ClosedPlaces> {
  // The event's row is the lock every place decision takes, so no booking, offer or checkout
  // can start or finish for this event while its places are being closed.
  await lockEvent(tx, eventId);

  const holds = await tx
    .update(placeHolds)
    .set({ state: 'released', endedAt: now, personId: null })
    .where(and(eq(placeHolds.eventId, eventId), eq(placeHolds.state, 'live')))
    .returning({ id: placeHolds.id });

  const eventRegistrations = tx.select({ id: registrations.id }).from(registrations).where(eq(registrations.eventId, eventId));
  const expired = await tx
    .update(payments)
    .set({ status: 'expired' })
    .where(and(eq(payments.status, 'open'), inArray(payments.registrationId, eventRegistrations)))
    .returning({ id: payments.id });

  // Companion places carry their booker's status, so they are closed with their booking;
  // the counts are of bookers (people), which is what organisers will want to know.
  const cancel = async (statuses: RegistrationStatus[]) => {
    const rows = await tx
      .update(registrations)
      // Who would have paid is kept only while someone waits (service.ts): every wait ends here.
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now, invoicePayer: null })
      .where(and(eq(registrations.eventId, eventId), inArray(registrations.status, statuses)))
      .returning({ companionOfId: registrations.companionOfId });
    return rows.filter((r) => r.companionOfId === null).length;
  };

  const unpaid = await tx
    .select({ registrationId: invoices.registrationId })
    .from(invoices)
    .where(and(eq(invoices.eventId, eventId), eq(invoices.status, 'open')));
  for (const invoice of unpaid) {
    if (invoice.registrationId) await creditInvoice(tx, { registrationId: invoice.registrationId, reason: 'Event cancelled', refund: false, now });
  }

  const closed: ClosedPlaces = {
    holdsReleased: holds.length,
    paymentsExpired: expired.length,
    waitingListCancelled: await cancel(['waitlisted', 'offered']),
    pendingBookingsCancelled: await cancel(['pending_payment']),
  };
  await recordAudit(tx, { actorId, action: 'registration.event_cancelled.places_closed', subjectType: 'event', subjectId: eventId, details: { ...closed } });
  return closed;
}
