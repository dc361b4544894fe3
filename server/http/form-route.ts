// The one shape of a POST route: read what was sent, call the service, and answer each outcome
// the same way everywhere (post/redirect/get):
// - the schema or the route found problems, or the service threw InvalidInputError: the same
//   page again, with what the person typed kept and each message beside its field (400);
// - a refusal, ConflictError (things moved on meanwhile: 409) or TooManyRequestsError (429):
//   where the route says (`conflict`, `tooMany`), either beside a field on the same page again,
//   with what was typed kept, or in an important notice on the page the form is on (303);
//   otherwise the error handler's problem page says it, with that status;
// - success: the mail sender is nudged (the service wrote any emails to the outbox), then a
//   notice and a 303 to the next page.
// Every refusal carries its error code in a header (ERROR_CODE_HEADER), for logs and tests.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ERROR_CODE_HEADER, type FieldError, InvalidInputError, TooManyRequestsError } from '../errors.ts';
import { type FormState, formState, validationErrors } from './forms.ts';

export interface NextPage {
  to: string;
  notice?: string;
  /** 'important' for a notice that tells of something not done. */
  kind?: 'done' | 'important';
}

/** Where a refusal is said: beside a field of the form shown again, or in a notice on a page. */
export type Refusal = { field: string } | { to: string };

export interface Submission<Result> {
  /** What the person sent, as the form shows it again. */
  values?: object;
  /** Problems the route found reading the form, shown with the schema's own. */
  errors?: FieldError[];
  /** The page the form is on, shown again with the values and their errors. */
  again?: (form: FormState, status: number) => FastifyReply | Promise<FastifyReply>;
  /** The service call. */
  run: () => Promise<Result>;
  /** Where to go once it worked, and what to say there. */
  done: NextPage | ((result: Result) => NextPage | FastifyReply | Promise<NextPage | FastifyReply>);
  /** Where a ConflictError's message goes (without one, the problem page: 409). */
  conflict?: Refusal;
  /** Where a TooManyRequestsError's message goes (without one, the problem page: 429). */
  tooMany?: Refusal;
}

/** A refusal said in an important notice on the page to go back to. */
function refused(reply: FastifyReply, error: ConflictError | TooManyRequestsError, to: string): FastifyReply {
  return reply.header(ERROR_CODE_HEADER, error.code).notice(error.message, 'important').redirect(to, 303);
}

/**
 * For a hook before submit() runs (an upload's preHandler): a ConflictError is said as submit()
 * says it with `conflict: { to }`; any other error goes on to the error handler.
 */
export function noticeOnConflict(reply: FastifyReply, error: unknown, backTo: string): FastifyReply {
  if (error instanceof ConflictError) return refused(reply, error, backTo);
  throw error;
}

function isReply(value: unknown): value is FastifyReply {
  return typeof value === 'object' && value !== null && 'sent' in value && 'request' in value;
}

export async function submit<Result>(request: FastifyRequest, reply: FastifyReply, s: Submission<Result>): Promise<FastifyReply> {
  const values = s.values ?? {};
  const fail = (errors: FieldError[], status: number, code: string) => {
    if (!s.again) throw new InvalidInputError(errors);
    reply.header(ERROR_CODE_HEADER, code);
    return s.again(formState(values, errors), status);
  };
  const problems = [...validationErrors(request), ...(s.errors ?? [])];
  if (problems.length) return fail(problems, 400, 'invalid_input');
  let result: Result;
  try {
    result = await s.run();
  } catch (error) {
    if (error instanceof InvalidInputError && s.again) return fail(error.fieldErrors, 400, error.code);
    const refusal = error instanceof ConflictError ? s.conflict : error instanceof TooManyRequestsError ? s.tooMany : undefined;
    if (refusal && (error instanceof ConflictError || error instanceof TooManyRequestsError)) {
      if ('to' in refusal) return refused(reply, error, refusal.to);
      if (s.again) return fail([{ field: refusal.field, message: error.message }], error.status, error.code);
    }
    throw error;
  }
  request.server.mail.nudge();
  const next = typeof s.done === 'function' ? await s.done(result) : s.done;
  // A done() that answered itself returns the reply. A reply is a thenable: awaiting one (an
  // async done() returning it is awaited too) waits until it is sent and gives undefined, which
  // once made every public booking log a TypeError after answering.
  if (reply.sent || isReply(next)) return reply;
  if (next.notice) reply.notice(next.notice, next.kind ?? 'done');
  return reply.redirect(next.to, 303);
}
