// After the event: the impact note and resources (uploaded PDFs or links), and the public
// resources list and file downloads.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventRequest } from '../http/params.ts';
import { EventParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { NotFoundError } from '../errors.ts';
import { formState, type FormState } from '../http/forms.ts';
import { acceptUploads, readFieldsBeforeFile, readUploadedFile } from '../http/uploads.ts';
import { planningAccess, requireLead } from './access.ts';
import {
  addFileResource,
  addLinkResource,
  getImpactNote,
  impactNoteDue,
  MAX_RESOURCE_BYTES,
  quotableAnswers,
  removeResource,
  saveImpactNote,
} from './after.ts';
import { Uuid } from '../http/ids.ts';
import { text, textForm, type Body } from '../http/form-values.ts';
import { submit } from '../http/form-route.ts';
import { findPublicResourceFile, listResources } from './public.ts';
import { noteSentText, quotableView, resourceView, workspaceFrame } from './view-models.ts';

const ResourceParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), resourceId: Type.String({ format: 'uuid' }) });
const NoteForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  note: Type.Optional(Type.String({ title: 'Impact note', maxLength: 10000 })),
  action: Type.Optional(Type.String({ title: 'Action', maxLength: 10 })),
  // One checkbox per answer that may be quoted: a single value arrives as a string.
  quotes: Type.Optional(Type.Union([Type.Array(Uuid, { maxItems: 200 }), Uuid], { title: 'Quotes from the feedback' })),
});
const LinkForm = textForm({
  linkTitle: { title: 'Title', maxLength: 300 },
  linkDescription: { title: 'Description', maxLength: 1000 },
  url: { title: 'Web address', maxLength: 2000 },
});
const UploadForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  title: Type.Optional(Type.String({ title: 'Title', maxLength: 300 })),
  description: Type.Optional(Type.String({ title: 'Description', maxLength: 1000 })),
  file: Type.Optional(Type.Unknown()),
});

export const afterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Uploads only here, no larger than a resource may be.
  await acceptUploads(app, { maxFileBytes: MAX_RESOURCE_BYTES, fields: 6 });

  const show = async (request: EventRequest, reply: FastifyReply, forms: { note?: FormState; upload?: FormState; link?: FormState } = {}, status = 200) => {
    const { eventId } = request.params;
    const access = await planningAccess(app.db, eventId, signedIn(request));
    const [note, resources, quotable] = await Promise.all([getImpactNote(app.db, eventId), listResources(app.db, eventId), quotableAnswers(app.db, eventId)]);
    const e = access.event;
    return reply.page(
      'planning/after',
      {
        title: `After the event: ${e.title}`,
        ...workspaceFrame(access, 'after'),
        noteSent: noteSentText(note),
        noteText: note?.body ?? '',
        hasHappened: impactNoteDue(e, new Date()),
        resources: resources.map(resourceView),
        noteForm: forms.note ?? formState({ note: note?.body ?? '' }),
        quotes: quotableView(quotable, forms.note),
        uploadForm: forms.upload ?? formState(),
        linkForm: forms.link ?? formState(),
        allErrors: [forms.note, forms.upload, forms.link].flatMap((f) => f?.errors ?? []),
        maxMb: MAX_RESOURCE_BYTES / (1024 * 1024),
      },
      status,
    );
  };

  app.get('/plan/:eventId/after', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => show(request, reply));

  app.post(
    '/plan/:eventId/impact-note',
    { config: { access: 'member' }, schema: { params: EventParams, body: NoteForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = request.body;
      const values = { note: body.note ?? '', quotes: typeof body.quotes === 'string' ? [body.quotes] : (body.quotes ?? []) };
      const send = body.action === 'send';
      return submit(request, reply, {
        values,
        again: (form, status) => show(request, reply, { note: form }, status),
        // Over the sender's mail budget: said beside the note, which is kept as typed.
        tooMany: { field: 'note' },
        run: () =>
          saveImpactNote(app.db, eventId, { body: values.note, send, quotes: values.quotes }, signedIn(request), {
            mailBudget: { perDay: app.config.mailBudgetPerDay },
          }),
        done: (told) => ({
          to: `/plan/${eventId}/after`,
          notice: send ? `The impact note is on its way to ${told === 1 ? '1 person' : `${told} people`}.` : 'The impact note is saved.',
        }),
      });
    },
  );

  // Only leads may upload: checked after the CSRF token and before the file is read.
  const leadsOnly = async (request: EventRequest) => {
    const { eventId } = request.params;
    requireLead(await planningAccess(app.db, eventId, signedIn(request)));
  };

  app.post(
    '/plan/:eventId/resources',
    {
      config: { access: 'member' },
      schema: { params: EventParams, body: UploadForm },
      attachValidation: true,
      preValidation: readFieldsBeforeFile,
      preHandler: leadsOnly,
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const body: Body = request.body ?? {};
      const values = { title: text(body, 'title'), description: text(body, 'description') };
      const file = await readUploadedFile(request);
      return submit(request, reply, {
        values,
        again: (form, status) => show(request, reply, { upload: form }, status),
        run: () => addFileResource(app.db, eventId, { ...values, filename: file?.filename ?? '', data: file?.data ?? Buffer.alloc(0) }, signedIn(request)),
        done: { to: `/plan/${eventId}/after`, notice: 'The file is added. It shows on the public event page once the event is published.' },
      });
    },
  );

  app.post(
    '/plan/:eventId/links',
    { config: { access: 'member' }, schema: { params: EventParams, body: LinkForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = request.body;
      const values = { linkTitle: text(body, 'linkTitle'), linkDescription: text(body, 'linkDescription'), url: text(body, 'url') };
      return submit(request, reply, {
        values,
        again: (form, status) => show(request, reply, { link: form }, status),
        run: () => addLinkResource(app.db, eventId, { title: values.linkTitle, description: values.linkDescription, url: values.url }, signedIn(request)),
        done: { to: `/plan/${eventId}/after`, notice: 'The link is added.' },
      });
    },
  );

  app.post('/plan/:eventId/resources/:resourceId/remove', { config: { access: 'member' }, schema: { params: ResourceParams } }, async (request, reply) => {
    const { eventId, resourceId } = request.params;
    return submit(request, reply, {
      run: () => removeResource(app.db, eventId, resourceId, signedIn(request)),
      done: { to: `/plan/${eventId}/after`, notice: 'The resource is removed.' },
    });
  });

  // ---- Public ----

  // The library is the one place for reports and resources: it lists these too. This address,
  // once their own list, moved there for good; each file keeps its address below.
  app.get('/resources', { config: { access: 'public' } }, async (_request, reply) => reply.redirect('/library#from-events', 301));

  app.get(
    '/resources/:resourceId',
    { config: { access: 'public' }, schema: { params: Type.Object({ resourceId: Type.String({ format: 'uuid' }) }) } },
    async (request, reply) => {
      const { resourceId } = request.params;
      const file = await findPublicResourceFile(app.db, resourceId);
      if (!file) throw new NotFoundError('We could not find that file. It may have been removed.');
      // Uploaded by a planner and served from the site's own origin: always a download, never a
      // document the browser renders here (a PDF viewer runs scripts), and sandboxed should one
      // be opened anyway. Never kept by shared caches, and a browser asks again each time, so a
      // removed file stops being served at once.
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${file.filename.replace(/[^A-Za-z0-9 ._()-]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('cache-control', 'private, no-cache')
        .send(file.content);
    },
  );
};
