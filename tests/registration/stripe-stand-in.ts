// A tiny local stand-in for the parts of the Stripe API that Convene calls, so the paid path is
// tested over real HTTP with the real Stripe SDK. It honours idempotency keys as Stripe does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInSession {
  id: string;
  object: 'checkout.session';
  url: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  payment_intent: string | null;
  metadata: Record<string, string>;
  amount_total: number;
  currency: string;
  customer_email: string;
  expires_at: number;
}

export class StripeStandIn {
  readonly sessions = new Map<string, StandInSession>();
  readonly refunds: { id: string; payment_intent: string; idempotencyKey: string }[] = [];
  readonly requests: { method: string; path: string; idempotencyKey: string | undefined }[] = [];
  private readonly idempotent = new Map<string, string>();
  private server: http.Server | null = null;
  private counter = 0;
  url = '';
  /** The next this-many requests fail with a 500, as when Stripe cannot be reached. */
  failNext = 0;
  /** The next this-many refunds are refused with a 400, as Stripe refuses one it will never make. */
  refuseRefunds = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const key = req.headers['idempotency-key'] as string | undefined;
        this.requests.push({ method: req.method!, path: req.url!, idempotencyKey: key });
        if (key && this.idempotent.has(key)) return this.send(res, 200, this.idempotent.get(key)!);
        if (this.failNext > 0) {
          this.failNext--;
          return this.send(res, 500, JSON.stringify({ error: { type: 'api_error', message: 'Stand-in is down' } }));
        }
        const answer = this.route(req.method!, req.url!, new URLSearchParams(body), key);
        const text = JSON.stringify(answer.body);
        if (key && answer.status === 200) this.idempotent.set(key, text);
        this.send(res, answer.status, text);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private send(res: http.ServerResponse, status: number, text: string) {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++this.counter}` });
    res.end(text);
  }

  private route(method: string, path: string, form: URLSearchParams, key: string | undefined): { status: number; body: unknown } {
    const expire = /^\/v1\/checkout\/sessions\/([^/?]+)\/expire$/.exec(path);
    if (method === 'POST' && expire) {
      // As Stripe: only an open session can be expired; otherwise a 400 invalid_request_error.
      const session = this.sessions.get(expire[1]!);
      if (!session) return { status: 404, body: { error: { type: 'invalid_request_error', message: 'No such checkout.session' } } };
      if (session.status !== 'open') {
        return {
          status: 400,
          body: { error: { type: 'invalid_request_error', message: `This Checkout Session is ${session.status} and cannot be expired.` } },
        };
      }
      session.status = 'expired';
      return { status: 200, body: session };
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const id = `cs_test_${++this.counter}`;
      const metadata: Record<string, string> = {};
      for (const [k, v] of form) {
        const m = /^metadata\[(.+)\]$/.exec(k);
        if (m) metadata[m[1]!] = v;
      }
      const session: StandInSession = {
        id,
        object: 'checkout.session',
        url: `https://checkout.stripe.test/pay/${id}`,
        status: 'open',
        payment_status: 'unpaid',
        payment_intent: null,
        metadata,
        amount_total: Number(form.get('line_items[0][price_data][unit_amount]')),
        currency: String(form.get('line_items[0][price_data][currency]')),
        customer_email: String(form.get('customer_email')),
        expires_at: Number(form.get('expires_at')),
      };
      this.sessions.set(id, session);
      return { status: 200, body: session };
    }
    const got = /^\/v1\/checkout\/sessions\/([^/?]+)/.exec(path);
    if (method === 'GET' && got) {
      const session = this.sessions.get(got[1]!);
      return session ? { status: 200, body: session } : { status: 404, body: { error: { type: 'invalid_request_error', message: 'No such session' } } };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      if (this.refuseRefunds > 0) {
        this.refuseRefunds--;
        return { status: 400, body: { error: { type: 'invalid_request_error', code: 'charge_disputed', message: 'This charge is disputed.' } } };
      }
      const refund = { id: `re_test_${++this.counter}`, object: 'refund', status: 'succeeded', payment_intent: String(form.get('payment_intent')) };
      this.refunds.push({ ...refund, idempotencyKey: key ?? '' });
      return { status: 200, body: refund };
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `No route ${method} ${path}` } } };
  }

  /**
   * A refund this stand-in made, as a refund.updated event carries it once the refund has failed
   * (fields as in Stripe's API reference for the Refund object, and a recorded test-mode payload):
   * the card was closed, so the money went back to the Stripe balance.
   */
  failedRefund(refundId: string, amount: number) {
    const made = this.refunds.find((r) => r.id === refundId);
    if (!made) throw new Error(`No refund ${refundId}`);
    return {
      id: refundId,
      object: 'refund',
      amount,
      balance_transaction: `txn_for_${refundId}`,
      charge: `ch_for_${made.payment_intent}`,
      created: Math.floor(Date.now() / 1000) - 3600,
      currency: 'gbp',
      destination_details: { card: { reference_status: 'unavailable', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
      failure_balance_transaction: `txn_failure_for_${refundId}`,
      failure_reason: 'expired_or_canceled_card',
      metadata: {},
      payment_intent: made.payment_intent,
      reason: null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'failed',
      transfer_reversal: null,
    };
  }

  /** The buyer pays on the (pretend) Checkout page. */
  pay(sessionId: string): StandInSession {
    const session = this.sessions.get(sessionId)!;
    session.status = 'complete';
    session.payment_status = 'paid';
    session.payment_intent = `pi_test_${++this.counter}`;
    return session;
  }

  /**
   * The Charge behind a paid session, as a charge.refunded event carries it (fields as in Stripe's
   * API reference for the Charge object): `amount_refunded` of `amount`, `refunded` when all of it.
   */
  charge(sessionId: string, amountRefunded: number) {
    const session = this.sessions.get(sessionId)!;
    return {
      id: `ch_for_${session.payment_intent}`,
      object: 'charge',
      amount: session.amount_total,
      amount_captured: session.amount_total,
      amount_refunded: amountRefunded,
      currency: session.currency,
      paid: true,
      payment_intent: session.payment_intent,
      refunded: amountRefunded >= session.amount_total,
      status: 'succeeded',
    };
  }

  expire(sessionId: string): StandInSession {
    const session = this.sessions.get(sessionId)!;
    session.status = 'expired';
    return session;
  }
}
