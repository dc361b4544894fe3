// A planning-group member downloads their letter of involvement from the event's involvement page.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../errors.ts';
import { EventParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { planningAccess } from '../planning/access.ts';
import { letterFacts, letterPdf } from './letter.ts';

export const letterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/plan/:eventId/involvement/letter.pdf', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params;
    const me = signedIn(request);
    // Refuses anyone outside the group (organisers pass, but have no letter of their own here).
    const access = await planningAccess(app.db, eventId, me);
    const facts = await letterFacts(app.db, { event: access.event, personId: me.id });
    if (!facts) throw new NotFoundError('A letter of involvement is for members of this event’s planning group.');
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', 'attachment; filename="letter-of-involvement.pdf"')
      .header('cache-control', 'no-store')
      .send(await letterPdf(facts));
  });
};
