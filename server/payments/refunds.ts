// Money going back, to the end: card refunds due (late payments) made through Stripe, refunds
// Stripe tells us of (charge.refunded, e.g. made in its dashboard), invoice refunds an organiser
// records as paid, and Checkout Sessions closed at Stripe once their booking has ended (so they
// can no longer be paid). Every email says only what has happened.
import { and, desc, eq, inArray, isNotNull, isNull, or } from 'drizzle-orm';
import type Stripe from 'stripe';
import { events, invoices, payments, registrations } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { lockEvent } from '../db/event-lock.ts';
import { ConflictError } from '../errors.ts';
import { formatPence } from '../format.ts';
import { enqueueEmail, isErasedAddress } from '../mail/outbox.ts';
import { refuseOwnBooking } from './own-booking.ts';
import { cancelRegistration, eventFacts } from '../registration/api.ts';
import { steeringGroupAddresses } from '../steering-group.ts';

/**
 * Records that money due back has gone back and tells the payer. Returns null when nothing was
 * due; else whether the payer was emailed (not when their details were erased).
 */
async function refunded(
  tx: Db,
  input: { paymentId: string; actorId: string | null; stripeRefundId?: string | null; late: boolean; now: Date; anotherWay?: boolean },
): Promise<{ told: boolean } | null> {
  const done = await tx
    .update(payments)
    .set({ status: 'refunded', refundedAt: input.now, ...(input.stripeRefundId ? { stripeRefundId: input.stripeRefundId } : {}) })
    .where(and(eq(payments.id, input.paymentId), eq(payments.status, 'refund_due')))
    .returning({ registrationId: payments.registrationId, amountPence: payments.amountPence, method: payments.method });
  const payment = done[0];
  if (!payment) return null;
  await recordAudit(tx, {
    actorId: input.actorId,
    action: 'payment.refunded',
    subjectType: 'registration',
    subjectId: payment.registrationId,
    details: { paymentId: input.paymentId, method: payment.method, refundId: input.stripeRefundId ?? null, anotherWay: input.anotherWay ?? false },
  });
  // A card refund that failed and was then paid back by other means is not "to your card".
  const told = await tellRefunded(tx, {
    registrationId: payment.registrationId,
    amountPence: payment.amountPence,
    method: input.anotherWay ? 'another_way' : payment.method,
    late: input.late,
  });
  return { told };
}

/** Emails the payer that their money has gone back: what for, how much and how. Returns whether an email was queued. */
export async function tellRefunded(
  tx: Db,
  input: { registrationId: string; amountPence: number; method: 'stripe' | 'invoice' | 'another_way'; late: boolean },
): Promise<boolean> {
  const [row] = await tx
    .select({ name: registrations.name, email: registrations.email, event: events })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(eq(registrations.id, input.registrationId));
  // An invoice made out to someone else (an organisation) was paid by them: the money goes back to them.
  const [invoice] =
    input.method === 'invoice'
      ? await tx
          .select({ payerName: invoices.payerName })
          .from(invoices)
          .where(eq(invoices.registrationId, input.registrationId))
          .orderBy(desc(invoices.issuedAt))
          .limit(1)
      : [];
  const paidBy = invoice && invoice.payerName !== row!.name ? invoice.payerName : '';
  const sent = await enqueueEmail(tx, {
    because: 'payment.refunded',
    to: row!.email,
    template: 'payment-refunded',
    data: { ...eventFacts(row!.event), name: row!.name, amount: formatPence(input.amountPence), method: input.method, late: input.late, paidBy },
  });
  return sent !== null;
}

/**
 * A card refund did not go through: the payer is told (`toldRefunded`: whether they had been told
 * it was made), and every organiser, so that someone pays it back another way and records it;
 * without this the only trace was a label on one attendee list. The organisers' email says whether
 * the payer was written to, and names them as the booking does, or as someone whose details were
 * erased (then nobody writes to them). One read of the booking for both.
 */
async function tellRefundFailed(tx: Db, input: { registrationId: string; amountPence: number; why: string; toldRefunded: boolean }): Promise<void> {
  const [row] = await tx
    .select({ name: registrations.name, email: registrations.email, event: events })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(eq(registrations.id, input.registrationId));
  const amount = formatPence(input.amountPence);
  const payerTold = await enqueueEmail(tx, {
    because: 'payment.refund-failed',
    to: row!.email,
    template: 'payment-refund-failed',
    data: { ...eventFacts(row!.event), name: row!.name, amount, toldRefunded: input.toldRefunded },
  });
  for (const organiser of await steeringGroupAddresses(tx)) {
    await enqueueEmail(tx, {
      because: 'payment.refund-failed',
      to: organiser.email,
      template: 'payment-refund-failed-organisers',
      data: {
        ...eventFacts(row!.event),
        payerName: payerName(row!),
        payerErased: isErasedAddress(row!.email),
        amount,
        why: input.why,
        payerTold: payerTold !== null,
        attendeesPath: `/organise/events/${row!.event.slug}/attendees`,
      },
    });
  }
}

/** The payer as organisers' emails name them: never a blank. */
function payerName(row: { name: string; email: string }): string {
  if (row.name.trim()) return row.name.trim();
  return isErasedAddress(row.email) ? 'a person whose details were erased' : 'the person who paid';
}

/**
 * Makes the card refunds that are due (late payments with no place to give), each through Stripe
 * with an idempotency key, so a retry after a failure or a crash never refunds twice. Run straight
 * after a webhook and by the payments job. Returns how many were made.
 */
export async function makeDueRefunds(db: Database, stripe: Stripe, now = new Date()): Promise<number> {
  const due = await db
    .select({ id: payments.id, intent: payments.stripePaymentIntentId })
    .from(payments)
    .where(and(eq(payments.method, 'stripe'), eq(payments.status, 'refund_due'), isNotNull(payments.stripePaymentIntentId)))
    .limit(20);
  let made = 0;
  for (const payment of due) {
    let refund: Stripe.Refund;
    try {
      refund = await stripe.refunds.create({ payment_intent: payment.intent! }, { idempotencyKey: `refund-${payment.id}` });
    } catch (error) {
      // Stripe could not be reached, or failed itself: the job tries again later.
      const status = (error as { statusCode?: number }).statusCode;
      if (!status || status >= 500 || status === 429) continue;
      // Stripe refused it (a 4xx): asking again would be refused again, for ever and unseen.
      await db.transaction((tx) => refundRefused(tx, payment.id, (error as Error).message));
      continue;
    }
    if (await db.transaction((tx) => refunded(tx, { paymentId: payment.id, actorId: null, stripeRefundId: refund.id, late: true, now }))) made++;
  }
  return made;
}

/**
 * Stripe refused a refund that was due (a late payment's): the payment is refund_failed, so the
 * pages say it is still owed, and the payer and the organisers are told that someone must pay it
 * back another way.
 */
async function refundRefused(tx: Db, paymentId: string, stripeMessage: string): Promise<void> {
  const [payment] = await tx
    .select({ registrationId: payments.registrationId, eventId: registrations.eventId })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .where(eq(payments.id, paymentId));
  if (!payment) return;
  await lockEvent(tx, payment.eventId);
  const done = await tx
    .update(payments)
    .set({ status: 'refund_failed' })
    .where(and(eq(payments.id, paymentId), eq(payments.status, 'refund_due')))
    .returning({ amountPence: payments.amountPence });
  if (!done[0]) return;
  await recordAudit(tx, {
    actorId: null,
    action: 'payment.stripe.refund_refused',
    subjectType: 'registration',
    subjectId: payment.registrationId,
    details: { paymentId, message: stripeMessage },
  });
  await tellRefundFailed(tx, {
    registrationId: payment.registrationId,
    amountPence: done[0].amountPence,
    why: 'Stripe refused to refund a card payment that arrived after its place had gone.',
    toldRefunded: false,
  });
}

/**
 * Stripe reports a refund on a charge. Our own refunds are already recorded, so they change
 * nothing; a payment due a refund (or whose card refund failed) is now refunded; a full refund of a paid booking made elsewhere
 * (Stripe's dashboard) cancels the booking, whose email says the money has gone back. A partial
 * refund is only recorded in the audit log: the booking stands.
 */
export async function chargeRefunded(db: Database, tx: Db, charge: Stripe.Charge, now: Date): Promise<'handled' | 'ignored'> {
  const intent = typeof charge.payment_intent === 'string' ? charge.payment_intent : (charge.payment_intent?.id ?? null);
  if (!intent) return 'ignored';
  const [payment] = await tx
    .select({
      id: payments.id,
      status: payments.status,
      registrationId: payments.registrationId,
      amountPence: payments.amountPence,
      eventId: registrations.eventId,
    })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .where(and(eq(payments.stripePaymentIntentId, intent), eq(payments.method, 'stripe')));
  if (!payment) return 'ignored';
  await lockEvent(tx, payment.eventId);
  const [locked] = await tx.select({ status: payments.status }).from(payments).where(eq(payments.id, payment.id)).for('update');
  if (!charge.refunded) {
    await recordAudit(tx, {
      actorId: null,
      action: 'payment.stripe.partly_refunded',
      subjectType: 'registration',
      subjectId: payment.registrationId,
      details: { paymentId: payment.id, amountRefundedPence: charge.amount_refunded },
    });
    return 'handled';
  }
  // Due a refund, or owed after a card refund failed (refundUpdated): refunded in Stripe's
  // dashboard meanwhile, the money has now gone back, so the pages stop saying it is owed.
  if (locked!.status === 'refund_due' || locked!.status === 'refund_failed') {
    if (locked!.status === 'refund_failed') await tx.update(payments).set({ status: 'refund_due' }).where(eq(payments.id, payment.id));
    await refunded(tx, { paymentId: payment.id, actorId: null, late: true, now });
    return 'handled';
  }
  if (locked!.status !== 'paid') return 'ignored';
  await tx.update(payments).set({ status: 'refunded', refundedAt: now }).where(eq(payments.id, payment.id));
  await recordAudit(tx, {
    actorId: null,
    action: 'payment.stripe.refunded_at_stripe',
    subjectType: 'registration',
    subjectId: payment.registrationId,
    details: { paymentId: payment.id },
  });
  const { cancelled } = await cancelRegistration(db, payment.registrationId, null, {
    now,
    reason: 'refunded at Stripe',
    refunded: formatPence(payment.amountPence),
    refundMethod: 'stripe',
    tx,
  });
  // The booking had already ended (cancelled, or attended): the person still hears of the money.
  if (!cancelled) {
    await tx.update(payments).set({ status: 'refund_due' }).where(eq(payments.id, payment.id));
    await refunded(tx, { paymentId: payment.id, actorId: null, late: false, now });
  }
  return 'handled';
}

/**
 * Stripe reports that a refund changed after it was made (refund.updated): one that failed (the
 * card was closed, say) or was cancelled has not given the money back after all. A payment we had
 * recorded refunded by it is refund_failed: its pages stop saying "refunded", the person is told
 * the refund did not go through and that the Hub will pay them back another way, and the audit
 * log records why. Anything else (a refund that succeeded, or one we do not know) changes nothing.
 */
export async function refundUpdated(tx: Db, refund: Stripe.Refund): Promise<'handled' | 'ignored'> {
  if (refund.status !== 'failed' && refund.status !== 'canceled') return 'ignored';
  const intent = typeof refund.payment_intent === 'string' ? refund.payment_intent : (refund.payment_intent?.id ?? null);
  const [payment] = await tx
    .select({ id: payments.id, stripeRefundId: payments.stripeRefundId, registrationId: payments.registrationId, eventId: registrations.eventId })
    .from(payments)
    .innerJoin(registrations, eq(registrations.id, payments.registrationId))
    .where(
      and(
        eq(payments.method, 'stripe'),
        // Ours carry the refund's id; one made in Stripe's dashboard is found by its payment.
        intent ? or(eq(payments.stripeRefundId, refund.id), eq(payments.stripePaymentIntentId, intent)) : eq(payments.stripeRefundId, refund.id),
      ),
    );
  if (!payment || (payment.stripeRefundId && payment.stripeRefundId !== refund.id)) return 'ignored';
  await lockEvent(tx, payment.eventId);
  const done = await tx
    .update(payments)
    .set({ status: 'refund_failed', refundedAt: null, stripeRefundId: refund.id })
    .where(and(eq(payments.id, payment.id), eq(payments.status, 'refunded')))
    .returning({ amountPence: payments.amountPence });
  if (!done[0]) return 'ignored';
  await recordAudit(tx, {
    actorId: null,
    action: 'payment.stripe.refund_failed',
    subjectType: 'registration',
    subjectId: payment.registrationId,
    details: { paymentId: payment.id, refundId: refund.id, status: refund.status, reason: refund.failure_reason ?? null },
  });
  await tellRefundFailed(tx, {
    registrationId: payment.registrationId,
    amountPence: done[0].amountPence,
    why: `Stripe reported it ${refund.status === 'canceled' ? 'cancelled' : 'failed'}${refund.failure_reason ? ` (${refund.failure_reason.replaceAll('_', ' ')})` : ''}.`,
    toldRefunded: true,
  });
  return 'handled';
}

/**
 * An organiser has paid back a refund and records it: the payment is refunded and the person told
 * "we have paid back". An invoice due a refund, or a card payment whose refund failed at Stripe
 * (refundUpdated), which the Hub then paid back another way; of a booking at this event. Never
 * by the organiser whose own booking it is (refuseOwnBooking). Returns the amount, and whether
 * the person was emailed (not when their details were erased).
 */
export async function recordInvoiceRefund(
  db: Database,
  input: { eventId: string; registrationId: string },
  actor: Me,
  now = new Date(),
): Promise<{ amountPence: number; told: boolean }> {
  return db.transaction(async (tx) => {
    await refuseOwnBooking(tx, input.registrationId, actor, 'refund-paid');
    const [payment] = await tx
      .select({ id: payments.id, amountPence: payments.amountPence, status: payments.status })
      .from(payments)
      .innerJoin(registrations, eq(registrations.id, payments.registrationId))
      .where(
        and(
          eq(payments.registrationId, input.registrationId),
          eq(registrations.eventId, input.eventId),
          or(and(eq(payments.method, 'invoice'), eq(payments.status, 'refund_due')), and(eq(payments.method, 'stripe'), eq(payments.status, 'refund_failed'))),
        ),
      )
      .for('update');
    if (!payment) throw new ConflictError('no_refund_due', 'There is no refund waiting to be recorded on this booking.');
    const anotherWay = payment.status === 'refund_failed';
    if (anotherWay) await tx.update(payments).set({ status: 'refund_due' }).where(eq(payments.id, payment.id));
    const done = await refunded(tx, { paymentId: payment.id, actorId: actor.id, late: false, now, anotherWay });
    return { amountPence: payment.amountPence, told: done?.told ?? false };
  });
}

/**
 * Expires at Stripe the Checkout Sessions whose booking has ended here (the hold ran out, the
 * booking was cancelled, the event was cancelled), so nobody can pay for a place that is gone.
 * A session Stripe will not expire (already expired or paid) is marked closed too: a payment
 * already made arrives by webhook and is settled as a late payment. Returns how many were closed.
 */
export async function closeEndedSessions(db: Database, stripe: Stripe, now = new Date()): Promise<number> {
  const ended = await db
    .select({ id: payments.id, sessionId: payments.stripeSessionId })
    .from(payments)
    .where(
      and(eq(payments.method, 'stripe'), inArray(payments.status, ['expired']), isNotNull(payments.stripeSessionId), isNull(payments.stripeSessionClosedAt)),
    )
    .limit(50);
  let closed = 0;
  for (const payment of ended) {
    try {
      await stripe.checkout.sessions.expire(payment.sessionId!, {}, { idempotencyKey: `expire-${payment.id}` });
    } catch (error) {
      // Stripe answers 4xx for a session that is not open any more: nothing left to close.
      const status = (error as { statusCode?: number }).statusCode;
      if (!status || status >= 500) continue;
    }
    await db.update(payments).set({ stripeSessionClosedAt: now }).where(eq(payments.id, payment.id));
    closed++;
  }
  return closed;
}
