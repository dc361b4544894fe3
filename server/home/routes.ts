// The home page: what the Hub is, and the next events.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listUpcomingEvents } from '../events/queries.ts';
import { markedEventCard } from '../events/view-models.ts';

export const homeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { config: { access: 'public', publicCache: true } }, async (_request, reply) => {
    // One statement: the next events, each marked if co-produced or by invitation.
    const next = await listUpcomingEvents(app.db, { limit: 5 });
    return reply.page('home', {
      title: 'Social Perspectives Hub',
      events: next.map(markedEventCard),
    });
  });
};

export const pageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/accessibility', { config: { access: 'public', publicCache: true } }, async (_request, reply) =>
    reply.page('pages/accessibility', { title: 'Accessibility statement', contactEmail: app.config.contactEmail }),
  );
  app.get('/contact', { config: { access: 'public', publicCache: true } }, async (_request, reply) =>
    reply.page('pages/contact', { title: 'Contact the Hub', contactEmail: app.config.contactEmail }),
  );
  app.get('/privacy', { config: { access: 'public', publicCache: true } }, async (_request, reply) => reply.page('pages/privacy', { title: 'Privacy' }));
};
