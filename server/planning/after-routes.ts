// After the event: the impact note and resources (uploaded PDFs or links), and the public
// resources list and file downloads.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { acceptUploads, readFieldsBeforeFile, readUploadedFile } from '../http/uploads.ts';
import { planningAccess, requireLead } from './access.ts';
import { addFileResource, addLinkResource, getImpactNote, MAX_RESOURCE_BYTES, removeResource, saveImpactNote } from './after.ts';
import { text, textForm, type Body } from './form-values.ts';
import { findPublicResourceFile, listPublicResources, listResources } from './public.ts';
import { EventParams } from './routes.ts';
import { workspaceFrame } from './view-models.ts';

const ResourceParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), resourceId: Type.String({ format: 'uuid' }) });
const NoteForm = textForm({ note: { title: 'Impact note', maxLength: 10000 }, action: { title: 'Action', maxLength: 10 } });
const LinkForm = textForm({ linkTitle: { title: 'Title', maxLength: 300 }, linkDescription: { title: 'Description', maxLength: 1000 }, url: { title: 'Web address', maxLength: 2000 } });
const UploadForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  title: Type.Optional(Type.String({ title: 'Title', maxLength: 300 })),
  description: Type.Optional(Type.String({ title: 'Description', maxLength: 1000 })),
  file: Type.Optional(Type.Unknown()),
});

export const afterRoutes: FastifyPluginAsync = async (app) => {
  // Uploads only here, no larger than a resource may be.
  await acceptUploads(app, { maxFileBytes: MAX_RESOURCE_BYTES, fields: 6 });

  const show = async (request: FastifyRequest, reply: FastifyReply, forms: { note?: FormState; upload?: FormState; link?: FormState } = {}, status = 200) => {
    const { eventId } = request.params as { eventId: string };
    const access = await planningAccess(app.db, eventId, request.me!);
    const [note, resources] = await Promise.all([getImpactNote(app.db, eventId), listResources(app.db, eventId)]);
    const e = access.event;
    return reply.page(
      'planning/after',
      {
        title: `After the event: ${e.title}`,
        ...workspaceFrame(access, 'after'),
        noteSent: note?.sentAt ? formatDateTime(note.sentAt) : null,
        noteText: note?.body ?? '',
        hasHappened: e.status === 'completed' || (e.status === 'published' && Boolean(e.endsAt && e.endsAt <= new Date())),
        resources: resources.map((r) => ({ id: r.id, title: r.title, kind: r.kind, url: r.kind === 'file' ? `/resources/${r.id}` : r.url })),
        noteForm: forms.note ?? formState({ note: note?.body ?? '' }),
        uploadForm: forms.upload ?? formState(),
        linkForm: forms.link ?? formState(),
        allErrors: [forms.note, forms.upload, forms.link].flatMap((f) => f?.errors ?? []),
        maxMb: MAX_RESOURCE_BYTES / (1024 * 1024),
      },
      status,
    );
  };

  app.get('/plan/:eventId/after', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => show(request, reply));

  app.post('/plan/:eventId/impact-note', { config: { access: 'member' }, schema: { params: EventParams, body: NoteForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const body = request.body as Body;
    const values = { note: text(body, 'note') };
    const errors = validationErrors(request);
    if (errors.length) return show(request, reply, { note: formState(values, errors) }, 400);
    const send = text(body, 'action') === 'send';
    let told = 0;
    try {
      told = await saveImpactNote(app.db, eventId, { body: values.note, send }, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return show(request, reply, { note: formState(values, error.fieldErrors) }, 400);
      throw error;
    }
    app.mail.nudge();
    return reply.notice(send ? `The impact note is on its way to ${told === 1 ? '1 person' : `${told} people`}.` : 'The impact note is saved.').redirect(`/plan/${eventId}/after`, 303);
  });

  // Only leads may upload: checked after the CSRF token and before the file is read.
  const leadsOnly = async (request: FastifyRequest) => {
    const { eventId } = request.params as { eventId: string };
    requireLead(await planningAccess(app.db, eventId, request.me!));
  };

  app.post('/plan/:eventId/resources', { config: { access: 'member' }, schema: { params: EventParams, body: UploadForm }, attachValidation: true, preValidation: readFieldsBeforeFile, preHandler: leadsOnly }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const body = (request.body ?? {}) as { title?: unknown; description?: unknown };
    const values = { title: typeof body.title === 'string' ? body.title : '', description: typeof body.description === 'string' ? body.description : '' };
    const file = await readUploadedFile(request);
    const errors = validationErrors(request);
    if (errors.length) return show(request, reply, { upload: formState(values, errors) }, 400);
    try {
      await addFileResource(app.db, eventId, { ...values, filename: file?.filename ?? '', data: file?.data ?? Buffer.alloc(0) }, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return show(request, reply, { upload: formState(values, error.fieldErrors) }, 400);
      throw error;
    }
    return reply.notice('The file is added. It shows on the public event page once the event is published.').redirect(`/plan/${eventId}/after`, 303);
  });

  app.post('/plan/:eventId/links', { config: { access: 'member' }, schema: { params: EventParams, body: LinkForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const body = request.body as Body;
    const values = { linkTitle: text(body, 'linkTitle'), linkDescription: text(body, 'linkDescription'), url: text(body, 'url') };
    const errors = validationErrors(request);
    if (errors.length) return show(request, reply, { link: formState(values, errors) }, 400);
    try {
      await addLinkResource(app.db, eventId, { title: values.linkTitle, description: values.linkDescription, url: values.url }, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return show(request, reply, { link: formState(values, error.fieldErrors) }, 400);
      throw error;
    }
    return reply.notice('The link is added.').redirect(`/plan/${eventId}/after`, 303);
  });

  app.post('/plan/:eventId/resources/:resourceId/remove', { config: { access: 'member' }, schema: { params: ResourceParams } }, async (request, reply) => {
    const { eventId, resourceId } = request.params as { eventId: string; resourceId: string };
    await removeResource(app.db, eventId, resourceId, request.me!);
    return reply.notice('The resource is removed.').redirect(`/plan/${eventId}/after`, 303);
  });

  // ---- Public ----

  app.get('/resources', { config: { access: 'public', publicCache: true } }, async (_request, reply) => {
    return reply.page('planning/resources', { title: 'Reports, slides and links', resources: await listPublicResources(app.db) });
  });

  app.get('/resources/:resourceId', { config: { access: 'public' }, schema: { params: Type.Object({ resourceId: Type.String({ format: 'uuid' }) }) } }, async (request, reply) => {
    const { resourceId } = request.params as { resourceId: string };
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
  });
};
