// The payments plugin: card payments through Stripe Checkout when STRIPE_SECRET_KEY and
// STRIPE_WEBHOOK_SECRET are set, otherwise "pay by invoice". Registration reaches payments only
// through app.payments, and payments reaches registration only through registration/api.ts, so
// the two never import each other. The Stripe client is made here from the configuration (never
// at import time); STRIPE_API_BASE points it at a local stand-in in tests.
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import Stripe from 'stripe';
import { Type } from 'typebox';
import { ConflictError } from '../errors.ts';
import { forgetOldPayers, termsFromConfig } from '../invoices/service.ts';
import { scheduleJob } from '../jobs.ts';
import type { Me } from '../me.ts';
import { documentRoutes } from './documents.ts';
import { runInvoiceJobs } from './invoices.ts';
import { closeEndedSessions, makeDueRefunds, recordInvoiceRefund } from './refunds.ts';
import { checkoutUrl, handleStripeEvent, markInvoicePaid, reconcileReturn, refundRegistration } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    payments: {
      mode: 'stripe' | 'invoice';
      stripe: Stripe | null;
      /** Where to send a buyer to pay for a booking's open payment. */
      checkoutUrl(paymentId: string, managePath: string): Promise<string>;
      /** An organiser records that a booking's invoice was paid: the booking is confirmed (markInvoicePaid). */
      markInvoicePaid(eventId: string, registrationId: string, actor: Me): Promise<void>;
      /** An organiser refunds a paid booking, cancelling it while it still holds a place (refundRegistration). */
      refund(
        eventId: string,
        registrationId: string,
        actor: Me,
      ): Promise<{ method: 'stripe' | 'invoice'; amountPence: number; cancelled: boolean; told: boolean }>;
      /** An organiser records that they paid back a refunded invoice, or a failed card refund another way: the person is told (recordInvoiceRefund). Returns the amount, and whether they were emailed. */
      recordInvoiceRefund(eventId: string, registrationId: string, actor: Me): Promise<{ amountPence: number; told: boolean }>;
    };
    paymentJobs: {
      /**
       * Invoices' reminders, warnings and releases; card refunds due; Checkout Sessions to close at
       * Stripe. Run by a timer; tests call it with their own `now`.
       */
      runDue(now?: Date): Promise<{ reminded: number; warned: number; released: number; refundsMade: number; sessionsClosed: number }>;
    };
  }
}

const PaymentParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function makeStripe(key: string, apiBase: string | null): Stripe {
  if (!apiBase) return new Stripe(key, { maxNetworkRetries: 2 });
  const base = new URL(apiBase);
  return new Stripe(key, {
    host: base.hostname,
    port: base.port || (base.protocol === 'https:' ? 443 : 80),
    protocol: base.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 0,
  });
}

// Its own encapsulated scope so the raw-body JSON parser applies to this route alone.
const webhookRoutes: FastifyPluginAsync<{ stripe: Stripe; secret: string }> = async (app, { stripe, secret }) => {
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_request, body, done) => done(null, body));
  app.post('/payments/stripe/webhook', { config: { access: 'public', csrf: false, json: true, rateLimit: false } }, async (request, reply) => {
    const signature = request.headers['stripe-signature'];
    if (typeof signature !== 'string' || !Buffer.isBuffer(request.body)) return reply.code(400).send({ error: 'Missing signature' });
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(request.body, signature, secret);
    } catch {
      return reply.code(400).send({ error: 'Bad signature' });
    }
    const outcome = await handleStripeEvent(app.db, event, app.config.baseUrl);
    // A late payment with no place is refunded at once (and by the job, if Stripe is not reachable now).
    await makeDueRefunds(app.db, stripe);
    app.mail.nudge();
    return reply.send({ received: true, outcome });
  });
};

export const paymentsPlugin = fp(
  async (app) => {
    const { stripeSecretKey, stripeWebhookSecret, stripeApiBase, baseUrl } = app.config;
    const stripe = stripeSecretKey && stripeWebhookSecret ? makeStripe(stripeSecretKey, stripeApiBase) : null;
    const deps = stripe ? { stripe, baseUrl } : null;
    app.decorate('payments', {
      mode: stripe ? ('stripe' as const) : ('invoice' as const),
      stripe,
      async checkoutUrl(paymentId: string) {
        if (!deps) throw new ConflictError('no_stripe', 'Card payments are not set up.');
        return checkoutUrl(app.db, deps, paymentId);
      },
      markInvoicePaid: (eventId: string, registrationId: string, actor: Me) => markInvoicePaid(app.db, eventId, registrationId, actor, baseUrl),
      refund: (eventId: string, registrationId: string, actor: Me) => refundRegistration(app.db, { stripe }, eventId, registrationId, actor),
      recordInvoiceRefund: (eventId: string, registrationId: string, actor: Me) => recordInvoiceRefund(app.db, { eventId, registrationId }, actor),
    });

    if (stripe && stripeWebhookSecret) await app.register(webhookRoutes, { stripe, secret: stripeWebhookSecret });
    await app.register(documentRoutes);

    const terms = termsFromConfig(app.config);
    const runDue = async (now = new Date()) => {
      const invoices = await runInvoiceJobs(app.db, terms, now);
      const refundsMade = stripe ? await makeDueRefunds(app.db, stripe, now) : 0;
      const sessionsClosed = stripe ? await closeEndedSessions(app.db, stripe, now) : 0;
      if (invoices.reminded + invoices.warned + invoices.released + refundsMade > 0) app.mail.nudge();
      return { ...invoices, refundsMade, sessionsClosed };
    };
    app.decorate('paymentJobs', { runDue });
    // Invoices past their retention lose their payer's details (server/invoices/service.ts).
    scheduleJob(app, {
      name: 'invoice retention',
      firstAfterMs: 3_600_000,
      everyMs: 3_600_000,
      run: () => forgetOldPayers(app.db, { now: new Date(), years: app.config.invoiceRetentionYears }),
    });
    scheduleJob(app, { name: 'payment jobs', firstAfterMs: 2_000, everyMs: Math.max(app.config.outboxIntervalMs, 60_000), run: () => runDue() });

    const routes = app.withTypeProvider<TypeBoxTypeProvider>();
    routes.get('/payments/:id/return', { config: { access: 'public' }, schema: { params: PaymentParams } }, async (request, reply) => {
      const { id } = request.params;
      if (!deps) return reply.redirect('/events', 303);
      const state = await reconcileReturn(app.db, deps, id);
      if (state === 'paid') app.mail.nudge();
      return reply.page('registration/payment-return', {
        title: state === 'paid' ? 'Payment received' : state === 'open' ? 'You have not paid yet' : 'The time to pay has ended',
        state,
        paymentId: id,
      });
    });

    routes.post('/payments/:id/checkout', { config: { access: 'public' }, schema: { params: PaymentParams } }, async (request, reply) => {
      const { id } = request.params;
      if (!deps) return reply.redirect('/events', 303);
      return reply.redirect(await checkoutUrl(app.db, deps, id), 303);
    });
  },
  { name: 'payments', dependencies: ['database', 'mail'] },
);
