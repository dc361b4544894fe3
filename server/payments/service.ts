// Payments for paid places. With Stripe keys: a Checkout Session per booking, holding the place
// while it is open; the booking is confirmed by the checkout.session.completed webhook (and, in
// case the webhook is late, when the buyer comes back); expired sessions give the place back.
// Without keys: "pay by invoice" (a numbered invoice, ../invoices), marked paid by an organiser.
// Every Stripe call carries an idempotency key, and every webhook event id is recorded so a
// repeat changes nothing. What happens after payment (late payments, refunds, closing sessions
// at Stripe) is in refunds.ts; invoices' reminders and releases in invoices.ts.
import { and, eq, inArray } from 'drizzle-orm';
import type Stripe from 'stripe';
import { events, payments, placeHolds, registrations, stripeEvents, ticketTypes } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, DomainError, NotFoundError } from '../errors.ts';
import { formatPence } from '../format.ts';
import { lockEvent } from '../db/event-lock.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { creditInvoice, markInvoiceRowPaid } from '../invoices/service.ts';
import {
  availability,
  cancelRegistration,
  REFUNDED_BY_ORGANISER,
  confirmPaidRegistration,
  eventFacts,
  passOnFreedPlaces,
  placesLeft,
  refundCancelsPlace,
} from '../registration/api.ts';
import { refuseOwnBooking } from './own-booking.ts';
import { chargeRefunded, refundUpdated, tellRefunded } from './refunds.ts';

export class PaymentUnavailableError extends DomainError {
  override name = 'PaymentUnavailableError';
  constructor() {
    super('payment_unavailable', 'We could not reach the card payment service. Your place has not been taken; please try again in a few minutes.', 503);
  }
}

export interface StripeDeps {
  stripe: Stripe;
  baseUrl: string;
}

/** Stripe's shortest allowed session; the place's hold lasts a few minutes longer. */
const SESSION_MINUTES = 31;

async function paymentWithBooking(db: Db, paymentId: string) {
  const [row] = await db
    .select({
      id: payments.id,
      status: payments.status,
      method: payments.method,
      amountPence: payments.amountPence,
      stripeSessionId: payments.stripeSessionId,
      stripePaymentIntentId: payments.stripePaymentIntentId,
      registrationId: payments.registrationId,
      registrationStatus: registrations.status,
      email: registrations.email,
      eventId: registrations.eventId,
      eventTitle: events.title,
      ticketName: ticketTypes.name,
    })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .innerJoin(events, eq(events.id, registrations.eventId))
    .leftJoin(ticketTypes, eq(ticketTypes.id, registrations.ticketTypeId))
    .where(eq(payments.id, paymentId));
  return row ?? null;
}

/** Opens (or reopens) the Checkout Session for a payment and returns where to send the buyer. */
export async function checkoutUrl(db: Database, deps: StripeDeps, paymentId: string, now = new Date()): Promise<string> {
  const payment = await paymentWithBooking(db, paymentId);
  if (payment?.method !== 'stripe') throw new NotFoundError('We could not find that payment.');
  if (payment.status !== 'open') throw new ConflictError('payment_not_open', 'This payment has already been made or has ended.');
  try {
    if (payment.stripeSessionId) {
      const existing = await deps.stripe.checkout.sessions.retrieve(payment.stripeSessionId);
      if (existing.status === 'open' && existing.url) return existing.url;
      throw new ConflictError('payment_not_open', 'The time to pay for this place has ended.');
    }
    const session = await deps.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer_email: payment.email,
        client_reference_id: payment.registrationId,
        metadata: { paymentId: payment.id, registrationId: payment.registrationId },
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: 'gbp',
              unit_amount: payment.amountPence,
              product_data: { name: `${payment.eventTitle}: ${payment.ticketName ?? 'place'}` },
            },
          },
        ],
        expires_at: Math.floor(now.getTime() / 1000) + SESSION_MINUTES * 60,
        success_url: `${deps.baseUrl}/payments/${payment.id}/return`,
        cancel_url: `${deps.baseUrl}/payments/${payment.id}/return`,
      },
      { idempotencyKey: `checkout-${payment.id}` },
    );
    await db.update(payments).set({ stripeSessionId: session.id }).where(eq(payments.id, payment.id));
    if (!session.url) throw new Error('Stripe returned a session without a URL');
    return session.url;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // Give the place back at once rather than hold it for a payment that cannot start.
    await db.transaction(async (tx) => {
      await lockEvent(tx, payment.eventId);
      await tx
        .update(payments)
        .set({ status: 'expired' })
        .where(and(eq(payments.id, payment.id), eq(payments.status, 'open')));
      await tx
        .update(registrations)
        .set({ status: 'expired', updatedAt: now })
        .where(and(eq(registrations.id, payment.registrationId), eq(registrations.status, 'pending_payment')));
      await tx
        .update(registrations)
        .set({ status: 'expired', updatedAt: now })
        .where(and(eq(registrations.companionOfId, payment.registrationId), eq(registrations.status, 'pending_payment')));
      await tx
        .update(placeHolds)
        .set({ state: 'released', endedAt: now })
        .where(and(eq(placeHolds.registrationId, payment.registrationId), eq(placeHolds.state, 'live')));
      await passOnFreedPlaces(tx, payment.eventId, now);
    });
    throw new PaymentUnavailableError();
  }
}

/** Records a completed payment and confirms its booking; safe to call more than once. */
async function markStripePaid(
  tx: Db,
  paymentId: string,
  paymentIntentId: string | null,
  baseUrl: string,
  now: Date,
): Promise<'confirmed' | 'already' | 'late' | 'unknown'> {
  const [payment] = await tx
    .select({ id: payments.id, status: payments.status, registrationId: payments.registrationId })
    .from(payments)
    .where(eq(payments.id, paymentId));
  if (!payment) return 'unknown';
  const [registration] = await tx.select({ eventId: registrations.eventId }).from(registrations).where(eq(registrations.id, payment.registrationId));
  await lockEvent(tx, registration!.eventId);
  const [locked] = await tx.select({ status: payments.status }).from(payments).where(eq(payments.id, paymentId)).for('update');
  if (locked!.status === 'paid' || locked!.status === 'refunded') return 'already';
  await tx.update(payments).set({ status: 'paid', paidAt: now, stripePaymentIntentId: paymentIntentId }).where(eq(payments.id, paymentId));
  const confirmed = await confirmPaidRegistration(tx, payment.registrationId, baseUrl, now);
  await recordAudit(tx, {
    actorId: null,
    action: confirmed ? 'payment.stripe.paid' : 'payment.stripe.paid_after_booking_ended',
    subjectType: 'registration',
    subjectId: payment.registrationId,
    details: { paymentId, paymentIntentId },
  });
  if (!confirmed) await settleLatePayment(tx, paymentId, baseUrl, now);
  return confirmed ? 'confirmed' : 'late';
}

/**
 * Money arrived for a booking whose held place had already ended (Stripe can report a payment
 * after the session's expiry, or after the event was cancelled). Nobody is charged without a
 * place: if one is free (the event going ahead, room for the whole party), the booking is made
 * after all; otherwise the payment is due a refund, which is made through Stripe straight after
 * this transaction (makeDueRefunds, retried by the payments job). The payer is told which.
 */
async function settleLatePayment(tx: Db, paymentId: string, baseUrl: string, now: Date): Promise<void> {
  const [row] = await tx
    .select({
      registrationId: registrations.id,
      ticketTypeId: registrations.ticketTypeId,
      status: registrations.status,
      name: registrations.name,
      email: registrations.email,
      amountPence: payments.amountPence,
      event: events,
    })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(eq(payments.id, paymentId));
  if (!row) return;
  const eventCancelled = row.event.status === 'cancelled';
  let booked = false;
  if (!eventCancelled && row.event.status === 'published' && row.event.startsAt && row.event.startsAt > now && row.status === 'expired') {
    const party = await tx
      .select({ id: registrations.id })
      .from(registrations)
      .where(and(eq(registrations.companionOfId, row.registrationId), eq(registrations.status, 'expired')));
    const avail = await availability(tx, row.event.id, now);
    const fits = (avail.left === null || avail.left >= 1 + party.length) && placesLeft(avail, row.ticketTypeId) >= 1;
    if (fits) {
      await tx
        .update(registrations)
        .set({ status: 'pending_payment', updatedAt: now })
        .where(inArray(registrations.id, [row.registrationId, ...party.map((p) => p.id)]));
      booked = await confirmPaidRegistration(tx, row.registrationId, baseUrl, now);
    }
  }
  if (!booked) await tx.update(payments).set({ status: 'refund_due' }).where(eq(payments.id, paymentId));
  await recordAudit(tx, {
    actorId: null,
    action: booked ? 'payment.stripe.late_booked' : 'payment.stripe.late_refund_due',
    subjectType: 'registration',
    subjectId: row.registrationId,
    details: { paymentId, eventCancelled },
  });
  await enqueueEmail(tx, {
    because: 'payment.arrived-late',
    to: row.email,
    template: 'payment-arrived-late',
    data: { ...eventFacts(row.event), name: row.name, amount: formatPence(row.amountPence), eventCancelled, outcome: booked ? 'booked' : 'refunding' },
  });
}

/** A Checkout Session ended unpaid: the held place goes back (and on to the waiting list). */
async function markStripeExpired(tx: Db, paymentId: string, now: Date): Promise<void> {
  const [payment] = await tx.select({ registrationId: payments.registrationId }).from(payments).where(eq(payments.id, paymentId));
  if (!payment) return;
  const [registration] = await tx.select({ eventId: registrations.eventId }).from(registrations).where(eq(registrations.id, payment.registrationId));
  await lockEvent(tx, registration!.eventId);
  // Stripe ended the session itself: nothing to close there (see closeEndedSessions).
  const ended = await tx
    .update(payments)
    .set({ status: 'expired', stripeSessionClosedAt: now })
    .where(and(eq(payments.id, paymentId), eq(payments.status, 'open')))
    .returning({ id: payments.id });
  if (ended.length === 0) return;
  for (const column of [registrations.id, registrations.companionOfId]) {
    await tx
      .update(registrations)
      .set({ status: 'expired', updatedAt: now })
      .where(and(eq(column, payment.registrationId), eq(registrations.status, 'pending_payment')));
  }
  const ids = await tx.select({ id: registrations.id }).from(registrations).where(eq(registrations.companionOfId, payment.registrationId));
  for (const id of [payment.registrationId, ...ids.map((r) => r.id)]) {
    await tx
      .update(placeHolds)
      .set({ state: 'expired', endedAt: now })
      .where(and(eq(placeHolds.registrationId, id), eq(placeHolds.state, 'live')));
  }
  await recordAudit(tx, {
    actorId: null,
    action: 'payment.stripe.expired',
    subjectType: 'registration',
    subjectId: payment.registrationId,
    details: { paymentId },
  });
  await passOnFreedPlaces(tx, registration!.eventId, now);
}

function paymentIdOf(session: Stripe.Checkout.Session): string | null {
  return session.metadata?.paymentId ?? null;
}

function intentOf(session: Stripe.Checkout.Session): string | null {
  const pi = session.payment_intent;
  return typeof pi === 'string' ? pi : (pi?.id ?? null);
}

/** Handles one verified webhook event. Repeats of an event id change nothing. */
export async function handleStripeEvent(db: Database, event: Stripe.Event, baseUrl: string, now = new Date()): Promise<'handled' | 'duplicate' | 'ignored'> {
  return db.transaction(async (tx) => {
    const fresh = await tx.insert(stripeEvents).values({ id: event.id, type: event.type }).onConflictDoNothing().returning({ id: stripeEvents.id });
    if (fresh.length === 0) return 'duplicate';
    if (event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded') {
      const session = event.data.object as Stripe.Checkout.Session;
      const paymentId = paymentIdOf(session);
      if (!paymentId || session.payment_status !== 'paid') return 'ignored';
      await markStripePaid(tx, paymentId, intentOf(session), baseUrl, now);
      return 'handled';
    }
    if (event.type === 'checkout.session.expired' || event.type === 'checkout.session.async_payment_failed') {
      const paymentId = paymentIdOf(event.data.object as Stripe.Checkout.Session);
      if (!paymentId) return 'ignored';
      await markStripeExpired(tx, paymentId, now);
      return 'handled';
    }
    if (event.type === 'charge.refunded') return chargeRefunded(db, tx, event.data.object as Stripe.Charge, now);
    if (event.type === 'refund.updated' || event.type === 'refund.failed') return refundUpdated(tx, event.data.object as Stripe.Refund);
    return 'ignored';
  });
}

/** When the buyer comes back from Checkout: ask Stripe rather than wait for the webhook. */
export async function reconcileReturn(db: Database, deps: StripeDeps, paymentId: string, now = new Date()): Promise<'paid' | 'open' | 'ended'> {
  const payment = await paymentWithBooking(db, paymentId);
  if (payment?.method !== 'stripe') throw new NotFoundError('We could not find that payment.');
  if (payment.status === 'paid') return 'paid';
  if (payment.status !== 'open' || !payment.stripeSessionId) return 'ended';
  const session = await deps.stripe.checkout.sessions.retrieve(payment.stripeSessionId);
  if (session.payment_status === 'paid') {
    await db.transaction((tx) => markStripePaid(tx, payment.id, intentOf(session), deps.baseUrl, now));
    return 'paid';
  }
  if (session.status === 'expired') {
    await db.transaction((tx) => markStripeExpired(tx, payment.id, now));
    return 'ended';
  }
  return 'open';
}

/** An organiser records that an invoice was paid: the booking is confirmed. */
export async function markInvoicePaid(db: Database, eventId: string, registrationId: string, actor: Me, baseUrl: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    await refuseOwnBooking(tx, registrationId, actor, 'invoice-paid');
    const [payment] = await tx
      .select({ id: payments.id })
      .from(payments)
      .innerJoin(registrations, eq(registrations.id, payments.registrationId))
      .where(and(eq(payments.registrationId, registrationId), eq(registrations.eventId, eventId), eq(payments.method, 'invoice'), eq(payments.status, 'open')))
      .for('update');
    if (!payment) throw new ConflictError('no_invoice', 'There is no unpaid invoice on this booking.');
    await tx.update(payments).set({ status: 'paid', paidAt: now, markedPaidBy: actor.id }).where(eq(payments.id, payment.id));
    await markInvoiceRowPaid(tx, { registrationId, now });
    await confirmPaidRegistration(tx, registrationId, baseUrl, now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'payment.invoice.paid',
      subjectType: 'registration',
      subjectId: registrationId,
      details: { paymentId: payment.id, eventId },
    });
  });
}

/**
 * Refunds a paid booking. While it still holds (or waits for) a place at an event that is not
 * over, the refund cancels it and the place passes on; otherwise (attended, the event over, the
 * booking already ended) the booking stays as it is, the record of what happened, and only the
 * money goes back (refundCancelsPlace). A card payment goes back through Stripe, with an
 * idempotency key so pressing the button twice refunds once; if Stripe does not make it, nothing
 * changes here and the organiser is told so. An invoice was paid outside Convene: its invoice is
 * cancelled by a credit note and the payment is marked as due a refund, which the organiser pays
 * back and then records (recordInvoiceRefund); the person is told "we will", then "we have". The
 * answer says which, whether the booking was cancelled, and whether the person was emailed (not
 * when their details were erased), so the page can say what happened. Nobody refunds their own
 * booking: another organiser must (refuseOwnBooking).
 */
export async function refundRegistration(
  db: Database,
  deps: { stripe: Stripe | null },
  eventId: string,
  registrationId: string,
  actor: Me,
  now = new Date(),
): Promise<{ method: 'stripe' | 'invoice'; amountPence: number; cancelled: boolean; told: boolean }> {
  // Before anything reaches Stripe: a refused refund must not have been made there.
  await refuseOwnBooking(db, registrationId, actor, 'refund');
  const [payment] = await db
    .select({ id: payments.id, method: payments.method, status: payments.status, amountPence: payments.amountPence, intent: payments.stripePaymentIntentId })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .where(and(eq(payments.registrationId, registrationId), eq(registrations.eventId, eventId), eq(payments.status, 'paid')));
  if (!payment) throw new ConflictError('not_paid', 'There is no payment to refund on this booking.');
  let refundId: string | null = null;
  if (payment.method === 'stripe') {
    if (!deps.stripe || !payment.intent)
      throw new ConflictError('no_stripe', 'Card refunds need Stripe to be set up; refund this payment in the Stripe dashboard.');
    try {
      const refund = await deps.stripe.refunds.create({ payment_intent: payment.intent }, { idempotencyKey: `refund-${payment.id}` });
      refundId = refund.id;
    } catch {
      // Nothing is recorded, so no page or email says the money went back. A retry is safe: the
      // idempotency key makes Stripe answer a repeat with the refund it made, if it made one.
      throw new RefundNotMadeError();
    }
  }
  let cancelled = false;
  let told = false;
  await db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const done = await tx
      .update(payments)
      .set(payment.method === 'stripe' ? { status: 'refunded', refundedAt: now, stripeRefundId: refundId } : { status: 'refund_due' })
      .where(and(eq(payments.id, payment.id), eq(payments.status, 'paid')))
      .returning({ id: payments.id });
    if (done.length === 0) return;
    await recordAudit(tx, {
      actorId: actor.id,
      action: payment.method === 'stripe' ? 'payment.refunded' : 'payment.refund_due',
      subjectType: 'registration',
      subjectId: registrationId,
      details: { paymentId: payment.id, refundId, method: payment.method },
    });
    const [booking] = await tx
      .select({ status: registrations.status, event: events })
      .from(registrations)
      .innerJoin(events, eq(events.id, registrations.eventId))
      .where(eq(registrations.id, registrationId));
    // A booking at a cancelled event is closed with a refund as before: its email says both.
    if (refundCancelsPlace(booking!, booking!.event, now) || booking!.event.status === 'cancelled') {
      ({ cancelled, told } = await cancelRegistration(db, registrationId, actor, {
        now,
        reason: REFUNDED_BY_ORGANISER,
        refunded: formatPence(payment.amountPence),
        refundMethod: payment.method,
        tx,
      }));
    }
    if (cancelled) return;
    // The booking keeps its state: the payer is still told what was refunded, and how much.
    if (payment.method === 'stripe') {
      told = await tellRefunded(tx, { registrationId, amountPence: payment.amountPence, method: 'stripe', late: false });
      return;
    }
    const credit = await creditInvoice(tx, { registrationId, reason: 'Refund: the amount paid is to be paid back', refund: true, now });
    const [person] = await tx.select({ name: registrations.name, email: registrations.email }).from(registrations).where(eq(registrations.id, registrationId));
    told =
      (await enqueueEmail(tx, {
        because: 'payment.refund-due',
        to: person!.email,
        template: 'payment-refund-due',
        data: {
          ...eventFacts(booking!.event),
          name: person!.name,
          amount: formatPence(payment.amountPence),
          creditNote: credit?.numberText ?? '',
          invoiceNumber: credit?.invoiceNumberText ?? '',
          attended: booking!.status === 'attended',
        },
        attachments: credit ? [credit.attachment] : [],
      })) !== null;
  });
  return { method: payment.method, amountPence: payment.amountPence, cancelled, told };
}

/** Stripe did not make an organiser's card refund (it refused, or could not be reached). */
export class RefundNotMadeError extends ConflictError {
  override name = 'RefundNotMadeError';
  constructor() {
    super(
      'refund_not_made',
      'Stripe did not make this refund, so no money has gone back and nothing has changed here. Try again in a few minutes: pressing the button again cannot refund twice. If it keeps failing, refund the payment in the Stripe dashboard.',
    );
  }
}
