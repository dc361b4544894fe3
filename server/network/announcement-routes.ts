// Organisers' pages for announcements to the mailing list: the list of them, writing one (from
// scratch or from a published event), its preview and audience, a test to oneself, sending after
// a confirmation that names how many people it will reach, and the progress of a send.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ListInterests } from '../../db/schema/index.ts';
import { ConflictError, InvalidInputError, type FieldError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { formState, validationErrors } from '../http/forms.ts';
import { renderMarkdown } from '../markdown.ts';
import {
  type AnnouncementRow,
  audienceSize,
  BODY_MAX,
  createAnnouncement,
  draftForEvent,
  getAnnouncement,
  listAnnouncements,
  progressOf,
  SUBJECT_MAX,
  sendAnnouncement,
  sendTest,
  updateAnnouncement,
} from './announcements.ts';
import { interestChoices, interestsFrom, type InterestFields } from './interests.ts';

const Choices = (title: string) => Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })], { title }));

const AnnouncementForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  subject: Type.String({ title: 'Subject line', minLength: 1, maxLength: SUBJECT_MAX }),
  body: Type.String({ title: 'Announcement', minLength: 1, maxLength: BODY_MAX }),
  eventId: Type.Optional(Type.String({ maxLength: 40 })),
  types: Choices('Kinds of event'),
  formats: Choices('How people take part'),
  regions: Choices('Where in the UK'),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const NewQuery = Type.Object({ event: Type.Optional(Type.String({ maxLength: 120, pattern: '^[a-z0-9-]*$' })) });

type Body = InterestFields & { subject?: string; body?: string; eventId?: string };

function valuesFrom(body: Body) {
  const audience = interestsFrom(body);
  return { subject: String(body.subject ?? ''), body: String(body.body ?? ''), eventId: String(body.eventId ?? ''), ...audience, audience };
}

const audienceWords = (n: number) => (n === 1 ? '1 person' : `${n.toLocaleString('en-GB')} people`);

export const announcementRoutes: FastifyPluginAsync = async (app) => {
  const me = (request: FastifyRequest) => request.me!;

  app.get('/organise/announcements', { config: { access: 'organiser' } }, async (_request, reply) => {
    const rows = await listAnnouncements(app.db);
    return reply.page('network/announcements', {
      title: 'Announcements',
      subscribers: await audienceSize(app.db),
      announcements: rows.map((a) => ({
        url: `/organise/announcements/${a.id}`,
        subject: a.subject,
        status: a.status === 'sent' ? `Sent ${formatDateTime(a.sentAt!)} to ${audienceWords(a.audienceSize)}` : 'Draft, not sent',
      })),
    });
  });

  const editPage = async (reply: FastifyReply, input: { values: ReturnType<typeof valuesFrom>; errors?: FieldError[]; announcement?: AnnouncementRow; status?: number }) => {
    const errors = input.errors ?? [];
    const title = input.announcement ? 'Announcement' : 'Write an announcement';
    return reply.page(
      'network/announcement-edit',
      {
        title: errors.length ? `Error: ${title}` : title,
        heading: title,
        postUrl: input.announcement ? `/organise/announcements/${input.announcement.id}` : '/organise/announcements',
        announcementId: input.announcement?.id ?? '',
        form: formState(input.values, errors),
        choices: interestChoices,
        subjectMax: SUBJECT_MAX,
        bodyMax: BODY_MAX,
        previewHtml: input.announcement ? renderMarkdown(input.announcement.body) : '',
        audience: input.announcement ? audienceWords(await audienceSize(app.db, input.announcement.audience)) : '',
      },
      input.status ?? 200,
    );
  };

  app.get('/organise/announcements/new', { config: { access: 'organiser' }, schema: { querystring: NewQuery } }, async (request, reply) => {
    const { event } = request.query as { event?: string };
    if (event) {
      const draft = await draftForEvent(app.db, event);
      return editPage(reply, { values: { ...draft, ...draft.audience, audience: draft.audience } });
    }
    const none: ListInterests = { types: [], formats: [], regions: [] };
    return editPage(reply, { values: { subject: '', body: '', eventId: '', ...none, audience: none } });
  });

  app.post('/organise/announcements', { config: { access: 'organiser' }, schema: { body: AnnouncementForm }, attachValidation: true }, async (request, reply) => {
    const values = valuesFrom((request.body ?? {}) as Body);
    const errors = validationErrors(request);
    if (errors.length) return editPage(reply, { values, errors, status: 400 });
    try {
      const id = await createAnnouncement(app.db, me(request).id, { subject: values.subject, body: values.body, audience: values.audience, eventId: values.eventId || null });
      return reply.notice('Saved as a draft. Check the preview, send yourself a test, then send it.').redirect(`/organise/announcements/${id}`, 303);
    } catch (error) {
      if (error instanceof InvalidInputError) return editPage(reply, { values, errors: error.fieldErrors, status: 400 });
      throw error;
    }
  });

  app.get('/organise/announcements/:id', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const announcement = await getAnnouncement(app.db, id);
    if (announcement.status === 'sent') {
      return reply.page('network/announcement-sent', {
        title: announcement.subject,
        subject: announcement.subject,
        sentAt: formatDateTime(announcement.sentAt!),
        previewHtml: renderMarkdown(announcement.body),
        progress: await progressOf(app.db, announcement),
      });
    }
    const values = { subject: announcement.subject, body: announcement.body, eventId: announcement.eventId ?? '', ...announcement.audience, audience: announcement.audience };
    return editPage(reply, { values, announcement });
  });

  app.post('/organise/announcements/:id', { config: { access: 'organiser' }, schema: { params: IdParams, body: AnnouncementForm }, attachValidation: true }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const announcement = await getAnnouncement(app.db, id);
    const values = valuesFrom((request.body ?? {}) as Body);
    const errors = validationErrors(request);
    if (errors.length) return editPage(reply, { values, errors, announcement, status: 400 });
    try {
      await updateAnnouncement(app.db, id, { subject: values.subject, body: values.body, audience: values.audience });
    } catch (error) {
      if (error instanceof InvalidInputError) return editPage(reply, { values, errors: error.fieldErrors, announcement, status: 400 });
      if (error instanceof ConflictError) return reply.notice(error.message, 'important').redirect(`/organise/announcements/${id}`, 303);
      throw error;
    }
    return reply.notice('Your changes are saved.').redirect(`/organise/announcements/${id}`, 303);
  });

  app.post('/organise/announcements/:id/test', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await sendTest(app.db, id, me(request));
    app.mail.nudge();
    return reply.notice(`A test copy is on its way to ${me(request).email}.`).redirect(`/organise/announcements/${id}`, 303);
  });

  app.get('/organise/announcements/:id/send', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const announcement = await getAnnouncement(app.db, id);
    if (announcement.status === 'sent') return reply.redirect(`/organise/announcements/${id}`, 303);
    return reply.page('network/announcement-send', {
      title: 'Send this announcement?',
      subject: announcement.subject,
      audience: audienceWords(await audienceSize(app.db, announcement.audience)),
      perMinute: app.config.listSendPerMinute,
      postUrl: `/organise/announcements/${id}/send`,
      backUrl: `/organise/announcements/${id}`,
    });
  });

  app.post('/organise/announcements/:id/send', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    try {
      const n = await sendAnnouncement(app.db, id, me(request).id, { perMinute: app.config.listSendPerMinute });
      app.mail.nudge();
      return reply.notice(`Sending to ${audienceWords(n)}. This page shows how it is going.`).redirect(`/organise/announcements/${id}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) return reply.notice(error.message, 'important').redirect(`/organise/announcements/${id}`, 303);
      throw error;
    }
  });
};
