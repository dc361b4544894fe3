// "Your data" (UK GDPR Articles 15 and 20): a signed-in person reads or downloads everything
// Convene holds about them. Every route takes the person from the session and nothing else, so
// no id in a request can point at someone else; every opening and download is audited.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { downloadReceipt } from '../bursaries/claims.ts';
import { exportPerson, ownReceiptKey } from './export.ts';
import { exportView } from './export-view.ts';

/** Headers for a file that holds personal data: always saved, never stored by a cache or sniffed. */
function asAttachment(reply: FastifyReply, contentType: string, filename: string): FastifyReply {
  return reply
    .header('content-type', contentType)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');
}

const today = () => new Date().toISOString().slice(0, 10);

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/account/your-data', { config: { access: 'member' } }, async (request, reply) => {
    const data = await exportPerson(app.db, { personId: signedIn(request).id, format: 'page' });
    return reply.page('accounts/export', { title: 'Your data', view: exportView(data, { receiptLinks: true }) });
  });

  app.get('/account/your-data.json', { config: { access: 'member' } }, async (request, reply) => {
    const data = await exportPerson(app.db, { personId: signedIn(request).id, format: 'json' });
    return asAttachment(reply, 'application/json; charset=utf-8', `your-data-${today()}.json`).send(JSON.stringify(data, null, 2));
  });

  app.get('/account/your-data.html', { config: { access: 'member' } }, async (request, reply) => {
    const data = await exportPerson(app.db, { personId: signedIn(request).id, format: 'html' });
    const html = await app.view('accounts/export-file', { view: exportView(data, { receiptLinks: false }) });
    return asAttachment(reply, 'text/html; charset=utf-8', `your-data-${today()}.html`).send(html);
  });

  // Each receipt on its own, found through the person's own applications (the bursaries feature
  // then checks again, sends the file and audits the download).
  app.get(
    '/account/your-data/receipts/:receiptId',
    { config: { access: 'member' }, schema: { params: Type.Object({ receiptId: Type.String({ format: 'uuid' }) }) } },
    async (request, reply) => {
      const me = signedIn(request);
      const { receiptId } = request.params;
      const storageKey = await ownReceiptKey(app.db, { personId: me.id, receiptId });
      const file = await downloadReceipt(app.db, storageKey, { id: me.id, isOrganiser: me.isOrganiser, isAdmin: me.isAdmin });
      return asAttachment(reply, file.contentType, file.filename).send(file.content);
    },
  );
};
