// Invitation-only events: the organisers' invitations page (make the event invitation-only,
// choose how it is listed and the balance aimed for, invite people, see who is coming against
// that balance) and the invitee's private page, reached only from their email, to accept (with
// any access needs) or decline.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { BalanceTarget } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { submit } from '../http/form-route.ts';
import { type FormState, formState } from '../http/forms.ts';
import { SlugIdParams, SlugParams, TokenParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import {
  ACCESS_NEEDS_MAX,
  acceptInvitation,
  declineInvitation,
  getEventBySlug,
  getPlan,
  invitationByToken,
  invite,
  listInvitations,
  savePlan,
  withdrawInvitation,
} from './service.ts';
import { balanceView, contactOptions, invitationRows, inviteeView, perspectiveChoices, targetChoices } from './view-models.ts';

/**
 * One public contact of an organisation in the directory, for inviting from it. The directory
 * (server/network/directory*.ts) provides the list; app.ts passes it in as `directoryContacts`.
 */
export interface DirectoryContact {
  /** Stable while the page is open: the form sends it back. */
  id: string;
  organisation: string;
  name: string;
  email: string;
}
export type DirectoryContacts = (db: Db) => Promise<DirectoryContact[]>;

export interface InvitationRoutesOptions {
  /** Organisations' public contacts; without it the page invites by name and address only. */
  directoryContacts?: DirectoryContacts;
}

const perspectiveField = Type.Union(
  perspectiveChoices.map((p) => Type.Literal(p.value)),
  { title: 'Perspective they are invited to bring' },
);

const PlanForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  invitationOnly: Type.Union([Type.Literal('yes'), Type.Literal('no')], { title: 'Is this event by invitation only?' }),
  listing: Type.Optional(Type.Union([Type.Literal('listed'), Type.Literal('unlisted')], { title: 'How the event is shown' })),
  target: Type.Union(
    targetChoices.map((t) => Type.Literal(t.value)),
    { title: 'The balance you aim for' },
  ),
});

const InviteForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  name: Type.String({ title: 'Their name', minLength: 1, maxLength: 120 }),
  email: Type.String({ title: 'Their email address', minLength: 1, maxLength: 254 }),
  perspective: perspectiveField,
});

const DirectoryInviteForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  contact: Type.String({ title: 'Contact from the directory', minLength: 1, maxLength: 200 }),
  directoryPerspective: Type.Union(
    perspectiveChoices.map((p) => Type.Literal(p.value)),
    { title: 'Perspective they are invited to bring' },
  ),
});

const AcceptForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  accessNeeds: Type.Optional(Type.String({ title: 'Anything you need to take part', maxLength: ACCESS_NEEDS_MAX })),
});

const text = (body: unknown, field: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : '';
};

export const invitationRoutes: FastifyPluginAsyncTypebox<InvitationRoutesOptions> = async (app, options) => {
  const base = (slug: string) => `/organise/events/${slug}`;

  async function organiserPage(reply: FastifyReply, slug: string, forms: { plan?: FormState; invite?: FormState; directory?: FormState } = {}, status = 200) {
    const event = await getEventBySlug(app.db, slug);
    const [plan, invitations, contacts] = await Promise.all([
      getPlan(app.db, event),
      listInvitations(app.db, event.id),
      options.directoryContacts ? options.directoryContacts(app.db) : Promise.resolve(null),
    ]);
    const failed = [forms.plan, forms.invite, forms.directory].some((f) => f?.errors.length);
    return reply.page(
      'invitations/organise',
      {
        title: `${failed ? 'Error: ' : ''}Invitations: ${event.title}`,
        event: { title: event.title, slug: event.slug, capacity: event.capacity, status: event.status },
        base: base(slug),
        plan,
        balance: balanceView(invitations, plan.target),
        invitations: invitationRows(invitations, { open: event.status !== 'cancelled' && !(event.startsAt && event.startsAt <= new Date()) }),
        planForm:
          forms.plan ?? formState({ invitationOnly: plan.invitationOnly ? 'yes' : 'no', listing: plan.unlisted ? 'unlisted' : 'listed', target: plan.target }),
        inviteForm: forms.invite ?? formState({}),
        directoryForm: forms.directory ?? formState({}),
        contacts: contactOptions(contacts),
        perspectives: perspectiveChoices,
        targets: targetChoices,
      },
      status,
    );
  }

  app.get('/organise/events/:slug/invitations', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) =>
    organiserPage(reply, request.params.slug),
  );

  app.post(
    '/organise/events/:slug/invitations/plan',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: PlanForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body = request.body;
      const values = { invitationOnly: text(body, 'invitationOnly'), listing: text(body, 'listing') || 'listed', target: text(body, 'target') };
      return submit(request, reply, {
        values,
        again: (form, status) => organiserPage(reply, slug, { plan: form }, status),
        run: async () => {
          const event = await getEventBySlug(app.db, slug);
          await savePlan(
            app.db,
            event.id,
            { invitationOnly: values.invitationOnly === 'yes', unlisted: values.listing === 'unlisted', target: values.target as BalanceTarget },
            signedIn(request),
          );
          return values.invitationOnly === 'yes';
        },
        done: (on) => ({
          to: `${base(slug)}/invitations`,
          notice: on ? 'Saved. Nobody can book this event from its page: invite people below.' : 'Saved. People can book this event from its page again.',
        }),
      });
    },
  );

  app.post(
    '/organise/events/:slug/invitations',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: InviteForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body = request.body;
      const values = { name: text(body, 'name'), email: text(body, 'email'), perspective: text(body, 'perspective') };
      return submit(request, reply, {
        values,
        again: (form, status) => organiserPage(reply, slug, { invite: form }, status),
        run: async () => invite(app.db, (await getEventBySlug(app.db, slug)).id, values, signedIn(request)),
        conflict: { to: `${base(slug)}/invitations` },
        done: { to: `${base(slug)}/invitations`, notice: `${values.name.trim()} is invited. We have emailed them a private link to accept or decline.` },
      });
    },
  );

  app.post(
    '/organise/events/:slug/invitations/from-directory',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: DirectoryInviteForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body = request.body;
      const values = { contact: text(body, 'contact'), directoryPerspective: text(body, 'directoryPerspective') };
      const contacts = options.directoryContacts ? await options.directoryContacts(app.db) : [];
      const contact = contacts.find((c) => c.id === values.contact);
      return submit(request, reply, {
        values,
        errors: values.contact && !contact ? [{ field: 'contact', message: 'Select a contact from the directory' }] : [],
        again: (form, status) => organiserPage(reply, slug, { directory: form }, status),
        run: async () =>
          invite(
            app.db,
            (await getEventBySlug(app.db, slug)).id,
            { name: contact!.name, email: contact!.email, organisation: contact!.organisation, perspective: values.directoryPerspective },
            signedIn(request),
            // The one choice stands for the name and address.
            { fields: { name: 'contact', email: 'contact', perspective: 'directoryPerspective' } },
          ),
        conflict: { to: `${base(slug)}/invitations` },
        done: { to: `${base(slug)}/invitations`, notice: `${contact?.name ?? 'They'} is invited. We have emailed them a private link to accept or decline.` },
      });
    },
  );

  app.post(
    '/organise/events/:slug/invitations/:id/withdraw',
    {
      config: { access: 'organiser' },
      schema: { params: SlugIdParams },
    },
    async (request, reply) => {
      const { slug, id } = request.params;
      return submit(request, reply, {
        run: async () => withdrawInvitation(app.db, { eventId: (await getEventBySlug(app.db, slug)).id, invitationId: id }, signedIn(request)),
        conflict: { to: `${base(slug)}/invitations` },
        done: ({ name }) => ({ to: `${base(slug)}/invitations`, notice: `The invitation to ${name} is withdrawn.` }),
      });
    },
  );

  // ---- The invitee's private page ----

  const linkProblem = (reply: FastifyReply) =>
    reply.page('errors/problem', { title: 'This link does not work', message: 'Please check you copied the whole link from the email.' }, 404);

  async function inviteePage(reply: FastifyReply, token: string, form?: FormState, status = 200) {
    const opened = await invitationByToken(app.db, token);
    if (!opened) return linkProblem(reply);
    const { invitation, event, closed } = opened;
    const view = inviteeView(opened);
    return reply.page(
      'invitations/invited',
      {
        title: `${form?.errors.length ? 'Error: ' : ''}Your invitation: ${event.title}`,
        event: view.event,
        name: invitation.name,
        perspective: view.perspective,
        status: invitation.status,
        closed,
        form: form ?? formState({ accessNeeds: invitation.accessNeeds }),
        postUrl: `/invited/${token}`,
        accessNeedsMax: ACCESS_NEEDS_MAX,
      },
      status,
    );
  }

  // Opening the link changes nothing (mail scanners open links); the buttons do.
  app.get('/invited/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) =>
    inviteePage(reply, request.params.token),
  );

  app.post(
    '/invited/:token/accept',
    { config: { access: 'public' }, schema: { params: TokenParams, body: AcceptForm }, attachValidation: true },
    async (request, reply) => {
      const { token } = request.params;
      if (!(await invitationByToken(app.db, token))) return linkProblem(reply);
      const values = { accessNeeds: text(request.body, 'accessNeeds') };
      return submit(request, reply, {
        values,
        again: (form, status) => inviteePage(reply, token, form, status),
        run: () => acceptInvitation(app.db, token, values),
        conflict: { to: `/invited/${token}` },
        done: { to: `/invited/${token}`, notice: 'Thank you: you are coming. We have emailed you to confirm.' },
      });
    },
  );

  app.post('/invited/:token/decline', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    if (!(await invitationByToken(app.db, token))) return linkProblem(reply);
    return submit(request, reply, {
      run: () => declineInvitation(app.db, token),
      conflict: { to: `/invited/${token}` },
      done: { to: `/invited/${token}`, notice: 'Thank you for letting us know. You can change your answer from this page until the event.' },
    });
  });
};
