// Admin pages: roles, mail that could not be delivered, and the audit log.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { siteRoles } from '../../db/schema/index.ts';
import { grantRole, listPeople, removeRole } from '../accounts/people.ts';
import { submit } from '../http/form-route.ts';
import { requeueMessage } from '../mail/sender.ts';
import { countFailedMail, recentAuditEntries, undeliveredMail } from './queries.ts';
import { auditRow, mailGroups, personRow } from './view-models.ts';

const Uuid = Type.String({ format: 'uuid' });

export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/admin', { config: { access: 'admin' } }, async (_request, reply) => {
    return reply.page('admin/index', { title: 'Admin', failedMail: await countFailedMail(app.db) });
  });

  app.get(
    '/admin/people',
    { config: { access: 'admin' }, schema: { querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }) } },
    async (request, reply) => {
      const { q } = request.query;
      const rows = await listPeople(app.db, { search: q });
      return reply.page('admin/people', {
        title: 'People and roles',
        q: q ?? '',
        people: rows.map((p) => personRow(p, signedIn(request).id)),
      });
    },
  );

  app.post(
    '/admin/people/:personId/roles',
    {
      config: { access: 'admin' },
      schema: {
        params: Type.Object({ personId: Uuid }),
        body: Type.Object({ role: Type.Union(siteRoles.map((r) => Type.Literal(r))), change: Type.Union([Type.Literal('grant'), Type.Literal('remove')]) }),
      },
    },
    async (request, reply) => {
      const { personId } = request.params;
      const { role, change } = request.body;
      const label = role === 'admin' ? 'admin' : 'organiser';
      return submit(request, reply, {
        run: () => (change === 'grant' ? grantRole : removeRole)(app.db, signedIn(request), personId, role),
        conflict: { to: '/admin/people' },
        done: { to: '/admin/people', notice: change === 'grant' ? `Role given: ${label}.` : `Role removed: ${label}.` },
      });
    },
  );

  app.get('/admin/outbox', { config: { access: 'admin' } }, async (_request, reply) => {
    return reply.page('admin/outbox', { title: 'Mail not yet delivered', ...mailGroups(await undeliveredMail(app.db)) });
  });

  app.post('/admin/outbox/:messageId/retry', { config: { access: 'admin' }, schema: { params: Type.Object({ messageId: Uuid }) } }, async (request, reply) => {
    const { messageId } = request.params;
    const requeued = await requeueMessage(app.db, messageId);
    app.mail.nudge();
    return reply
      .notice(
        requeued
          ? 'The email will be sent again shortly.'
          : 'That email cannot be sent again: it was not waiting to be retried, or the private link it carried was removed when it was given up (the person can ask for a new link).',
        requeued ? 'done' : 'important',
      )
      .redirect('/admin/outbox', 303);
  });

  app.get('/admin/audit', { config: { access: 'admin' } }, async (_request, reply) => {
    return reply.page('admin/audit', { title: 'Audit log', entries: (await recentAuditEntries(app.db)).map(auditRow) });
  });
};
