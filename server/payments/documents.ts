// Invoices and credit notes to download: from a booking's private manage page (its link is the
// key) and, for organisers, from the event's invoices page. A document is found by its number AND
// its booking or event, so changing the number in the address opens nothing else.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { NotFoundError } from '../errors.ts';
import { LinkToken, Slug } from '../http/params.ts';
import { documentPdf, documentsOf, parseCreditNoteNumber, parseInvoiceNumber } from '../invoices/service.ts';
import { invoiceListModel } from '../invoices/view-models.ts';
import { getBookingParty, getEventBySlug, registrationIdForToken } from '../registration/api.ts';

/** "invoice-INV-00001.pdf" or "credit-note-CN-00001.pdf". */
const DocumentFile = Type.String({ minLength: 5, maxLength: 40, pattern: '^(invoice-INV|credit-note-CN)-[0-9]{1,9}\\.pdf$' });

function readFile(file: string): { kind: 'invoice' | 'credit_note'; number: number } | null {
  const base = file.replace(/\.pdf$/, '');
  if (base.startsWith('invoice-')) {
    const number = parseInvoiceNumber(base.slice('invoice-'.length));
    return number === null ? null : { kind: 'invoice', number };
  }
  const number = parseCreditNoteNumber(base.slice('credit-note-'.length));
  return number === null ? null : { kind: 'credit_note', number };
}

function sendPdf(reply: FastifyReply, found: { filename: string; pdf: Buffer } | null) {
  if (!found) throw new NotFoundError('We could not find that document.');
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${found.filename}"`)
    .header('cache-control', 'no-store')
    .send(found.pdf);
}

export const documentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const instructions = app.config.invoicePaymentInstructions;

  app.get(
    '/bookings/:token/documents/:file',
    { config: { access: 'public' }, schema: { params: Type.Object({ token: LinkToken, file: DocumentFile }) } },
    async (request, reply) => {
      const { token, file } = request.params;
      const registrationId = await registrationIdForToken(app.db, token, { daysAfterEvent: app.config.manageLinkDaysAfterEvent, viewer: request.me });
      const party = registrationId ? await getBookingParty(app.db, registrationId) : null;
      const wanted = readFile(file);
      if (!party || party.main.companionOfId || !wanted) throw new NotFoundError('We could not find that document.');
      return sendPdf(reply, await documentPdf(app.db, { ...wanted, scope: { registrationId: party.main.id }, paymentInstructions: instructions }));
    },
  );

  async function eventFor(slug: string) {
    const event = await getEventBySlug(app.db, slug);
    if (!event || event.status === 'planning') throw new NotFoundError('We could not find that event.');
    return event;
  }

  app.get('/organise/events/:slug/invoices', { config: { access: 'organiser' }, schema: { params: Type.Object({ slug: Slug }) } }, async (request, reply) => {
    const { slug } = request.params;
    const event = await eventFor(slug);
    return reply.page('payments/invoices', invoiceListModel(event, await documentsOf(app.db, { eventId: event.id })));
  });

  app.get(
    '/organise/events/:slug/invoices/:file',
    { config: { access: 'organiser' }, schema: { params: Type.Object({ slug: Slug, file: DocumentFile }) } },
    async (request, reply) => {
      const { slug, file } = request.params;
      const event = await eventFor(slug);
      const wanted = readFile(file);
      if (!wanted) throw new NotFoundError('We could not find that document.');
      return sendPdf(reply, await documentPdf(app.db, { ...wanted, scope: { eventId: event.id }, paymentInstructions: instructions }));
    },
  );
};
