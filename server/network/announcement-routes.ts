// Organisers' pages for announcements to the mailing list: the list of them, writing one (from
// scratch or from a published event), its preview and audience, a test to oneself, sending after
// a confirmation that names how many people it will reach, and the progress of a send.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { ListInterests } from '../../db/schema/index.ts';
import type { FieldError } from '../errors.ts';
import { submit } from '../http/form-route.ts';
import { formState } from '../http/forms.ts';
import { Uuid } from '../http/ids.ts';
import { signedIn } from '../http/signed-in.ts';
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
import { announcementHtml, announcementRows, audienceWords, sentAtText } from './directory-view-models.ts';

const Choices = (title: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })], { title }));

const AnnouncementForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  subject: Type.String({ title: 'Subject line', errorMessage: 'Enter a subject line', minLength: 1, maxLength: SUBJECT_MAX }),
  body: Type.String({ title: 'Announcement', minLength: 1, maxLength: BODY_MAX }),
  types: Choices('Kinds of event'),
  formats: Choices('How you would take part'),
  regions: Choices('Where in the UK'),
});

const IdParams = Type.Object({ id: Uuid });
const NewQuery = Type.Object({ event: Type.Optional(Type.String({ maxLength: 120, pattern: '^[a-z0-9-]*$' })) });

type Body = InterestFields & { subject?: string; body?: string };

function valuesFrom(body: Body) {
  const audience = interestsFrom(body);
  return { subject: String(body.subject ?? ''), body: String(body.body ?? ''), ...audience, audience };
}

export const announcementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organise/announcements', { config: { access: 'organiser' } }, async (_request, reply) => {
    const rows = await listAnnouncements(app.db);
    return reply.page('network/announcements', {
      title: 'Announcements',
      subscribers: await audienceSize(app.db),
      announcements: announcementRows(rows),
    });
  });

  const editPage = async (
    reply: FastifyReply,
    input: { values: ReturnType<typeof valuesFrom>; errors?: FieldError[]; announcement?: AnnouncementRow; eventSlug?: string; status?: number },
  ) => {
    const errors = input.errors ?? [];
    const title = input.announcement ? 'Announcement' : 'Write an announcement';
    return reply.page(
      'network/announcement-edit',
      {
        title: errors.length ? `Error: ${title}` : title,
        heading: title,
        // Drafted from an event: the event travels in the address, not in a field anyone could change unseen.
        postUrl: input.announcement
          ? `/organise/announcements/${input.announcement.id}`
          : `/organise/announcements${input.eventSlug ? `?event=${input.eventSlug}` : ''}`,
        announcementId: input.announcement?.id ?? '',
        form: formState(input.values, errors),
        choices: interestChoices,
        subjectMax: SUBJECT_MAX,
        bodyMax: BODY_MAX,
        previewHtml: input.announcement ? announcementHtml(input.announcement) : '',
        audience: input.announcement ? audienceWords(await audienceSize(app.db, input.announcement.audience)) : '',
      },
      input.status ?? 200,
    );
  };

  app.get('/organise/announcements/new', { config: { access: 'organiser' }, schema: { querystring: NewQuery } }, async (request, reply) => {
    const { event } = request.query;
    if (event) {
      const draft = await draftForEvent(app.db, event);
      return editPage(reply, { values: { subject: draft.subject, body: draft.body, ...draft.audience, audience: draft.audience }, eventSlug: event });
    }
    const none: ListInterests = { types: [], formats: [], regions: [] };
    return editPage(reply, { values: { subject: '', body: '', ...none, audience: none } });
  });

  app.post(
    '/organise/announcements',
    { config: { access: 'organiser' }, schema: { body: AnnouncementForm, querystring: NewQuery }, attachValidation: true },
    async (request, reply) => {
      const values = valuesFrom(request.body ?? {});
      return submit(request, reply, {
        values,
        again: (form, status) => editPage(reply, { values, errors: form.errors, eventSlug: request.query.event, status }),
        run: () =>
          createAnnouncement(app.db, signedIn(request).id, {
            subject: values.subject,
            body: values.body,
            audience: values.audience,
            eventSlug: request.query.event || null,
          }),
        done: (id) => ({ to: `/organise/announcements/${id}`, notice: 'Saved as a draft. Check the preview, send yourself a test, then send it.' }),
      });
    },
  );

  app.get('/organise/announcements/:id', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    const announcement = await getAnnouncement(app.db, id);
    if (announcement.status === 'sent') {
      return reply.page('network/announcement-sent', {
        perMinute: app.config.listSendPerMinute,
        title: announcement.subject,
        subject: announcement.subject,
        sentAt: sentAtText(announcement),
        previewHtml: announcementHtml(announcement),
        progress: await progressOf(app.db, announcement),
      });
    }
    const values = { subject: announcement.subject, body: announcement.body, ...announcement.audience, audience: announcement.audience };
    return editPage(reply, { values, announcement });
  });

  app.post(
    '/organise/announcements/:id',
    { config: { access: 'organiser' }, schema: { params: IdParams, body: AnnouncementForm }, attachValidation: true },
    async (request, reply) => {
      const { id } = request.params;
      const announcement = await getAnnouncement(app.db, id);
      const values = valuesFrom(request.body ?? {});
      return submit(request, reply, {
        values,
        again: (form, status) => editPage(reply, { values, errors: form.errors, announcement, status }),
        run: () => updateAnnouncement(app.db, id, { subject: values.subject, body: values.body, audience: values.audience }),
        conflict: { to: `/organise/announcements/${id}` },
        done: { to: `/organise/announcements/${id}`, notice: 'Your changes are saved.' },
      });
    },
  );

  app.post('/organise/announcements/:id/test', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    const me = signedIn(request);
    await sendTest(app.db, id, me);
    app.mail.nudge();
    return reply.notice(`A test copy is on its way to ${me.email}.`).redirect(`/organise/announcements/${id}`, 303);
  });

  app.get('/organise/announcements/:id/send', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
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
    const { id } = request.params;
    return submit(request, reply, {
      run: () => sendAnnouncement(app.db, id, signedIn(request).id, { perMinute: app.config.listSendPerMinute }),
      conflict: { to: `/organise/announcements/${id}` },
      done: (n) => ({ to: `/organise/announcements/${id}`, notice: `Sending to ${audienceWords(n)}. This page shows how it is going.` }),
    });
  });
};
