// Friendly error pages. Nothing internal (stack traces, SQL, validation dumps) reaches a person;
// the details go to the log with the request id so they can be found.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_CODE_HEADER, NotFoundError } from '../errors.ts';

function wantsJson(request: FastifyRequest): boolean {
  return request.routeOptions.config?.json === true;
}

interface ErrorView {
  template: string;
  title: string;
  message?: string;
  nextStep?: { href: string; text: string } | undefined;
}

function pageFor(status: number, error: FastifyError | DomainError): ErrorView {
  if (error instanceof DomainError) {
    if (status === 404) return { template: 'errors/not-found', title: 'Page not found', message: error.message };
    if (status === 403) return { template: 'errors/forbidden', title: 'You cannot see this page', message: error.message };
    return { template: 'errors/problem', title: 'There is a problem', message: error.message, nextStep: error.nextStep };
  }
  const code = (error as FastifyError).code ?? '';
  if (code.startsWith('FST_CSRF')) {
    return {
      template: 'errors/problem',
      title: 'This form has expired',
      message:
        'For your security, a form stops working if you have signed in or out since you opened it, if it has been open a long time, or if cookies are blocked. Nothing was sent. Go back, reload the page and try again: you may need to fill it in again.',
    };
  }
  if (status === 404) return { template: 'errors/not-found', title: 'Page not found' };
  if (status === 413)
    return { template: 'errors/problem', title: 'That was too large', message: 'What you sent was too large. Try a smaller file or shorter text.' };
  if (status === 429)
    return {
      template: 'errors/problem',
      title: 'Please wait a moment',
      message: 'There have been too many requests from your connection. Wait a minute and try again.',
    };
  if (status === 503) return { template: 'errors/unavailable', title: 'Sorry, the service is unavailable' };
  if (status >= 500) return { template: 'errors/server', title: 'Sorry, there is a problem with the service' };
  return { template: 'errors/problem', title: 'There is a problem', message: 'Something in the request was not right. Go back and try again.' };
}

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
]);

/** Whether the error, or anything that caused it, carries one of these codes. */
function hasCode(error: unknown, codes: Set<string>): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && codes.has(e.code)) return true;
  }
  return false;
}

/** The database cannot be reached (it may be restarting): the error or anything that caused it. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return hasCode(error, unavailableCodes);
}

// invalid_text_representation: PostgreSQL could not read a value as its column's type, such as
// an id that is not a uuid. Every id field declares its format, so this is a missed declaration:
// the request was still the sender's mistake (a missing page, a bad request), never a 500.
const unreadableValueCodes = new Set(['22P02']);

async function render(reply: FastifyReply, status: number, view: ErrorView) {
  // The page frame needs the CSRF plugin; if rendering itself fails, fall back to plain text.
  try {
    return await reply.page(view.template, { title: view.title, message: view.message ?? null, nextStep: view.nextStep ?? null }, status);
  } catch {
    return reply.code(status).type('text/plain; charset=utf-8').send(view.title);
  }
}

export const errorsPlugin = fp(
  async (app) => {
    // Form routes set attachValidation so they can show field messages, but that also lets a
    // malformed URL through to the handler. Only a body's problems belong on the form: a bad
    // id in the path is a missing page, a bad query a bad request.
    app.addHook('preHandler', async (request) => {
      const failure = request.validationError as (Error & { validationContext?: string }) | undefined;
      if (!failure || failure.validationContext === 'body') return;
      if (failure.validationContext === 'params') throw new NotFoundError();
      throw Object.assign(new Error('Bad request'), { statusCode: 400 });
    });

    app.setErrorHandler(async (thrown: FastifyError, request, reply) => {
      let error: FastifyError | DomainError = thrown;
      // A malformed id in the path names no page, whichever route it was sent to.
      if (thrown.validationContext === 'params') error = new NotFoundError();
      else if (hasCode(thrown, unreadableValueCodes)) {
        request.log.warn({ err: thrown }, 'a value the database could not read: its field should declare its format');
        error =
          request.method === 'GET' || request.method === 'HEAD'
            ? new NotFoundError()
            : new DomainError('bad_request', 'Something in the request was not right. Go back and try again.', 400);
      }
      let status = error instanceof DomainError ? error.status : (error.statusCode ?? 500);
      // An error that already says it was the request's fault is not the database's, whatever its
      // code: a visitor who goes away mid-upload ends the request with ECONNRESET and a 400.
      if (isDatabaseUnavailable(error) && status >= 500) status = 503;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: (error as FastifyError).code, status }, error.message);
      if (error instanceof DomainError && status < 500) reply.header(ERROR_CODE_HEADER, error.code);
      if (status === 429 && error.message) reply.header('retry-after', '60');
      if (status === 503) reply.header('retry-after', '30');
      if (wantsJson(request)) {
        return reply.code(status).send({ error: status >= 500 ? 'Internal error' : error.message });
      }
      return render(reply, status, pageFor(status, error));
    });

    app.setNotFoundHandler(async (_request, reply) => {
      return render(reply, 404, { template: 'errors/not-found', title: 'Page not found' });
    });
  },
  { name: 'errors', dependencies: ['pages'] },
);
