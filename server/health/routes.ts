// /healthz for load balancers and monitors: 200 when this process can reach the database.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ping } from '../db/database.ts';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { config: { access: 'public', json: true, rateLimit: false } }, async (request, reply) => {
    try {
      await ping(app.db);
      return reply.header('cache-control', 'no-store').send({ status: 'ok', database: app.database.kind });
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database unreachable');
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'unavailable' });
    }
  });
};
