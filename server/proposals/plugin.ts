// Proposals: how an event starts at the Hub. Anyone signed in proposes one (routes.ts); the
// steering group reviews, scores and decides (review-routes.ts); acceptance creates the event
// in planning (service.ts → ../planning/events.ts).
import type { FastifyPluginAsync } from 'fastify';
import { reviewRoutes } from './review-routes.ts';
import { proposalsRoutes } from './routes.ts';

export const proposalsPlugin: FastifyPluginAsync = async (app) => {
  await app.register(proposalsRoutes);
  await app.register(reviewRoutes);
};
