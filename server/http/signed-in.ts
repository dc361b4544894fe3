// The person signed in, for routes whose `config.access` is member, organiser or admin. The
// access hook has already sent anyone else to sign in, so here `request.me` is known to be set;
// this says so in the types instead of `request.me!` in every handler.
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.ts';

export type SignedIn = NonNullable<FastifyRequest['me']>;

export function signedIn(request: FastifyRequest): SignedIn {
  // Only reached by a route that declared `access: 'public'` and still needs someone signed in.
  if (!request.me) throw new ForbiddenError('Sign in to do this.');
  return request.me;
}
