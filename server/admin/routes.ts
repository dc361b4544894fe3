// Admin pages: roles, mail that could not be delivered, and the audit log.
import { desc, eq, inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { auditSentence } from './audit-sentences.ts';
import { auditEntries, outboxMessages, people, siteRoles } from '../../db/schema/index.ts';
import { grantRole, listPeople, removeRole } from '../accounts/people.ts';
import { submit } from '../http/form-route.ts';
import { requeueMessage } from '../mail/sender.ts';

const Uuid = Type.String({ format: 'uuid' });

export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/admin', { config: { access: 'admin' } }, async (_request, reply) => {
    const problems = await app.db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.status, 'failed')).limit(100);
    return reply.page('admin/index', { title: 'Admin', failedMail: problems.length });
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
        people: rows.map((p) => ({
          ...p,
          isAdmin: p.roles.includes('admin'),
          isOrganiser: p.roles.includes('organiser'),
          isMe: p.id === signedIn(request).id,
        })),
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
    const rows = await app.db
      .select({
        id: outboxMessages.id,
        toAddress: outboxMessages.toAddress,
        subject: outboxMessages.subject,
        status: outboxMessages.status,
        attempts: outboxMessages.attempts,
        lastError: outboxMessages.lastError,
        createdAt: outboxMessages.createdAt,
        nextAttemptAt: outboxMessages.nextAttemptAt,
      })
      .from(outboxMessages)
      .where(inArray(outboxMessages.status, ['failed', 'queued']))
      .orderBy(desc(outboxMessages.createdAt))
      .limit(200);
    return reply.page('admin/outbox', {
      title: 'Mail not yet delivered',
      failed: rows.filter((r) => r.status === 'failed'),
      queued: rows.filter((r) => r.status === 'queued'),
    });
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
    const rows = await app.db
      .select({
        at: auditEntries.at,
        action: auditEntries.action,
        subjectType: auditEntries.subjectType,
        subjectId: auditEntries.subjectId,
        actorEmail: people.email,
        actorName: people.displayName,
      })
      .from(auditEntries)
      .leftJoin(people, eq(people.id, auditEntries.actorId))
      .orderBy(desc(auditEntries.id))
      .limit(300);
    return reply.page('admin/audit', {
      title: 'Audit log',
      entries: rows.map((r) => ({
        at: r.at,
        sentence: auditSentence(r),
        action: r.action,
        record: `${r.subjectType.replace(/_/g, ' ')} ${r.subjectId ?? ''}`.trim(),
      })),
    });
  });
};
