// Path parameter schemas shared by several features' routes. Each validates and, through the
// TypeBox type provider, types `request.params`; a malformed one is a missing page.
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { Uuid } from './ids.ts';

/** An event's public address, as in /events/:slug. */
export const Slug = Type.String({ minLength: 1, maxLength: 120, pattern: '^[a-z0-9-]+$' });
/** A private link's token (sent by email): long, URL-safe, never guessable. */
export const LinkToken = Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });

export const SlugParams = Type.Object({ slug: Slug });
export const SlugIdParams = Type.Object({ slug: Slug, id: Uuid });
export const TokenParams = Type.Object({ token: LinkToken });
export const EventParams = Type.Object({ eventId: Uuid });
export const ProposalParams = Type.Object({ proposalId: Uuid });

/** A request to a route under /plan/:eventId, for helpers that render one of its pages. */
export type EventRequest = FastifyRequest<{ Params: Static<typeof EventParams> }>;
/** A request to a route under /proposals/:proposalId or /organise/proposals/:proposalId. */
export type ProposalRequest = FastifyRequest<{ Params: Static<typeof ProposalParams> }>;
