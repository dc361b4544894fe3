// The directory's pages: the public list with filters and search, each organisation's entry (where
// a signed-in person can say they belong), the public "ask to be listed" form, the organisers'
// page of requests to approve or decline, and naming an event's co-hosts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { NotFoundError } from '../errors.ts';
import { clientKey } from '../http/client-address.ts';
import { submit } from '../http/form-route.ts';
import { checked, list, text, textForm, type Body } from '../http/form-values.ts';
import { formState, type FormState } from '../http/forms.ts';
import { Uuid } from '../http/ids.ts';
import { SlugParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import {
  askForChange,
  CHANGE_MESSAGE_MAX,
  changeRequests,
  closeChangeRequest,
  eventForCohosts,
  addOrganisation,
  askToBeListed,
  removeOrganisation,
  updateOrganisation,
  cohostIds,
  decideOrganisation,
  eventsCohostedBy,
  findOrganisations,
  getListedOrganisation,
  kindChoices,
  membership,
  organisationsOf,
  pendingOrganisations,
  publicMembers,
  regionChoices,
  setCohosts,
  setMembership,
} from './directory.ts';
import {
  changeRequestCard,
  cohostOptions,
  hostedEventRows,
  myOrganisationRows,
  organisationCard,
  organisationFormValues,
  pendingCard,
} from './directory-view-models.ts';

const IdParams = Type.Object({ id: Uuid });
const DirectoryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  kind: Type.Optional(Type.String({ maxLength: 40 })),
  region: Type.Optional(Type.String({ maxLength: 60 })),
});

const organisationFields = {
  name: { title: 'Name of the organisation', maxLength: 200 },
  kind: { title: 'Kind of organisation', maxLength: 40 },
  website: { title: 'Website (optional)', maxLength: 300 },
  region: { title: 'Region', maxLength: 60 },
  description: { title: 'What it does', maxLength: 1000 },
  contactName: { title: 'Contact name (optional)', maxLength: 120 },
  contactEmail: { title: 'Contact email address (optional)', maxLength: 254 },
  contactPublic: { title: 'Show this contact in the directory', maxLength: 3 },
};
const AskForm = textForm({ ...organisationFields, requesterEmail: { title: 'Your email address', maxLength: 254 } });
const AddForm = textForm(organisationFields);
const DecisionForm = textForm({ decision: { title: 'Decision', maxLength: 10 } });
const ChangeForm = textForm({
  email: { title: 'Your email address', maxLength: 254 },
  message: { title: 'What should change', maxLength: CHANGE_MESSAGE_MAX },
});
const MembershipForm = textForm({ belongs: { title: 'I belong to this organisation', maxLength: 3 }, showPublicly: { title: 'Show my name', maxLength: 3 } });
const CohostsForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  organisations: Type.Optional(Type.Union([Uuid, Type.Array(Uuid, { maxItems: 50 })], { title: 'Co-hosts' })),
});

function organisationValues(body: Body) {
  return {
    name: text(body, 'name'),
    kind: text(body, 'kind'),
    website: text(body, 'website'),
    region: text(body, 'region'),
    description: text(body, 'description'),
    contactName: text(body, 'contactName'),
    contactEmail: text(body, 'contactEmail'),
    contactPublic: checked(body, 'contactPublic'),
  };
}

export const directoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const choices = { kinds: kindChoices, regions: regionChoices };

  app.get('/directory', { config: { access: 'public', publicCache: true }, schema: { querystring: DirectoryQuery } }, async (request, reply) => {
    const filters = { q: request.query.q ?? '', kind: request.query.kind ?? '', region: request.query.region ?? '' };
    const rows = await findOrganisations(app.db, filters);
    return reply.page('network/directory', {
      title: 'Directory of networks and organisations',
      organisations: rows.map(organisationCard),
      filters,
      filtered: Boolean(filters.q || filters.kind || filters.region),
      choices,
    });
  });

  const askPage = (reply: FastifyReply, form: FormState, status = 200) =>
    reply.page(
      'network/directory-ask',
      {
        title: 'Ask for an organisation to be listed',
        form,
        choices,
        postUrl: '/directory/ask',
        asker: true,
      },
      status,
    );

  app.get('/directory/ask', { config: { access: 'public' } }, async (_request, reply) => askPage(reply, formState({ contactPublic: false })));

  app.post(
    '/directory/ask',
    {
      config: { access: 'public', rateLimit: { max: app.config.formRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: { body: AskForm },
      attachValidation: true,
    },
    async (request, reply) => {
      const body: Body = request.body ?? {};
      const values = { ...organisationValues(body), requesterEmail: text(body, 'requesterEmail') };
      return submit(request, reply, {
        values,
        again: (form, status) => askPage(reply, form, status),
        run: () => askToBeListed(app.db, { ...values, ip: clientKey(request.ip), perIpPerHour: app.config.bookingRequestsPerIpPerHour }),
        tooMany: { field: 'requesterEmail' },
        done: { to: '/directory/ask/sent' },
      });
    },
  );

  app.get('/directory/ask/sent', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('network/directory-asked', { title: 'Thank you: an organiser will look at it' }),
  );

  app.get('/directory/:id', { config: { access: 'public' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    const row = await getListedOrganisation(app.db, id);
    const me = request.me;
    const mine = me ? await membership(app.db, { organisationId: id, personId: me.id }) : null;
    const hosted = await eventsCohostedBy(app.db, id);
    return reply.page('network/directory-entry', {
      title: row.name,
      organisation: organisationCard(row),
      members: await publicMembers(app.db, id),
      events: hostedEventRows(hosted),
      eventsUrl: `/events?organisation=${id}`,
      signedIn: Boolean(me),
      membership: { belongs: Boolean(mine), showPublicly: mine?.showPublicly ?? false },
      postUrl: `/directory/${id}/membership`,
      changeUrl: `/directory/${id}/change`,
      signInUrl: `/sign-in?next=${encodeURIComponent(`/directory/${id}`)}`,
    });
  });

  app.post(
    '/directory/:id/membership',
    { config: { access: 'member' }, schema: { params: IdParams, body: MembershipForm }, attachValidation: true },
    async (request, reply) => {
      const { id } = request.params;
      const body: Body = request.body ?? {};
      const belongs = checked(body, 'belongs');
      const showPublicly = belongs && checked(body, 'showPublicly');
      return submit(request, reply, {
        run: () => setMembership(app.db, { organisationId: id, personId: signedIn(request).id, belongs, showPublicly }),
        done: {
          to: `/directory/${id}`,
          notice: !belongs
            ? 'Saved: you are not shown as belonging to this organisation.'
            : showPublicly
              ? 'Saved: your name is shown on this page.'
              : 'Saved: you belong to this organisation. Your name is not shown to anyone else.',
        },
      });
    },
  );

  app.get('/directory/yours', { config: { access: 'member' } }, async (request, reply) => {
    const mine = await organisationsOf(app.db, signedIn(request).id);
    return reply.page('network/directory-yours', {
      title: 'Organisations you belong to',
      organisations: myOrganisationRows(mine),
    });
  });

  // ---- Asking for a change to a listed entry (its contact, say) ----

  const changePage = async (reply: FastifyReply, id: string, form: FormState, status = 200) => {
    const row = await getListedOrganisation(app.db, id);
    return reply.page(
      'network/directory-change',
      {
        title: `${form.errors.length ? 'Error: ' : ''}Ask for a change: ${row.name}`,
        name: row.name,
        form,
        postUrl: `/directory/${id}/change`,
        backUrl: `/directory/${id}`,
        messageMax: CHANGE_MESSAGE_MAX,
      },
      status,
    );
  };

  app.get('/directory/:id/change', { config: { access: 'public' }, schema: { params: IdParams } }, async (request, reply) =>
    changePage(reply, request.params.id, formState()),
  );

  app.post(
    '/directory/:id/change',
    {
      config: { access: 'public', rateLimit: { max: app.config.formRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: { params: IdParams, body: ChangeForm },
      attachValidation: true,
    },
    async (request, reply) => {
      const { id } = request.params;
      const body: Body = request.body ?? {};
      const values = { email: text(body, 'email'), message: text(body, 'message') };
      return submit(request, reply, {
        values,
        again: (form, status) => changePage(reply, id, form, status),
        run: () => askForChange(app.db, { organisationId: id, ...values, ip: clientKey(request.ip), perIpPerHour: app.config.bookingRequestsPerIpPerHour }),
        tooMany: { field: 'message' },
        done: { to: `/directory/${id}/change/sent` },
      });
    },
  );

  app.get('/directory/:id/change/sent', { config: { access: 'public' }, schema: { params: IdParams } }, async (request, reply) =>
    reply.page('network/directory-change-sent', { title: 'Thank you: an organiser will look at it', backUrl: `/directory/${request.params.id}` }),
  );

  // ---- Organisers ----

  const organisePage = async (reply: FastifyReply, form: FormState, status = 200) => {
    const [pending, listed, changes] = await Promise.all([pendingOrganisations(app.db), findOrganisations(app.db), changeRequests(app.db)]);
    return reply.page(
      'network/directory-organise',
      {
        title: 'The directory',
        pending: pending.map(pendingCard),
        changes: changes.map(changeRequestCard),
        listed: listed.map(organisationCard),
        form,
        choices,
        postUrl: '/organise/directory',
        asker: false,
      },
      status,
    );
  };

  app.get('/organise/directory', { config: { access: 'organiser' } }, async (_request, reply) => organisePage(reply, formState({ contactPublic: false })));

  app.post('/organise/directory', { config: { access: 'organiser' }, schema: { body: AddForm }, attachValidation: true }, async (request, reply) => {
    const values = organisationValues(request.body ?? {});
    return submit(request, reply, {
      values,
      again: (form, status) => organisePage(reply, form, status),
      run: () => addOrganisation(app.db, signedIn(request).id, values),
      done: (id) => ({ to: `/directory/${id}`, notice: 'The organisation is in the directory.' }),
    });
  });

  app.post(
    '/organise/directory/:id/decision',
    { config: { access: 'organiser' }, schema: { params: IdParams, body: DecisionForm }, attachValidation: true },
    async (request, reply) => {
      const { id } = request.params;
      const decision = text(request.body ?? {}, 'decision');
      return submit(request, reply, {
        errors: decision === 'approve' || decision === 'decline' ? [] : [{ field: 'decision', message: 'Choose approve or decline' }],
        run: () => decideOrganisation(app.db, { id, approve: decision === 'approve', actorId: signedIn(request).id }),
        conflict: { to: '/organise/directory' },
        done: (row) => ({
          to: '/organise/directory',
          notice: `${row.name} is ${row.status === 'approved' ? 'listed in the directory' : 'declined'}.${row.status === 'approved' ? ' The person who asked is told by email.' : ' The person who asked is told by email; the details they gave are deleted.'}`,
        }),
      });
    },
  );

  // Changing or removing a listed organisation.
  const editPage = async (reply: FastifyReply, id: string, form: FormState | null, status = 200) => {
    const row = await getListedOrganisation(app.db, id);
    return reply.page(
      'network/directory-edit',
      {
        title: `${form?.errors.length ? 'Error: ' : ''}Change ${row.name}`,
        name: row.name,
        form: form ?? formState(organisationFormValues(row)),
        choices,
        postUrl: `/organise/directory/${id}/edit`,
        removeUrl: `/organise/directory/${id}/remove`,
      },
      status,
    );
  };

  app.get('/organise/directory/:id/edit', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) =>
    editPage(reply, request.params.id, null),
  );

  app.post(
    '/organise/directory/:id/edit',
    { config: { access: 'organiser' }, schema: { params: IdParams, body: AddForm }, attachValidation: true },
    async (request, reply) => {
      const { id } = request.params;
      const values = organisationValues(request.body ?? {});
      return submit(request, reply, {
        values,
        again: (form, status) => editPage(reply, id, form, status),
        run: async () => {
          const row = await updateOrganisation(app.db, { id, actorId: signedIn(request).id, fields: values });
          const asked = (await changeRequests(app.db)).some((r) => r.organisationId === id);
          return { row, asked };
        },
        // Changed because someone asked: back to the requests, where theirs is still to mark done.
        done: ({ row, asked }) =>
          asked
            ? { to: '/organise/directory', notice: `${row.name}’s entry is changed. If that deals with the request for a change, mark it done.` }
            : { to: `/directory/${id}`, notice: `${row.name}’s entry is changed.` },
      });
    },
  );

  app.get('/organise/directory/:id/remove', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    const row = await getListedOrganisation(app.db, id);
    return reply.page('network/directory-remove', {
      title: `Remove ${row.name} from the directory?`,
      name: row.name,
      events: (await eventsCohostedBy(app.db, id)).length,
      postUrl: `/organise/directory/${id}/remove`,
      backUrl: `/organise/directory/${id}/edit`,
    });
  });

  app.post('/organise/directory/:id/remove', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    return submit(request, reply, {
      run: () => removeOrganisation(app.db, { id, actorId: signedIn(request).id }),
      done: ({ name }) => ({ to: '/organise/directory', notice: `${name} is no longer in the directory.` }),
    });
  });

  app.post('/organise/directory/changes/:id/done', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    return submit(request, reply, {
      run: () => closeChangeRequest(app.db, { id, actorId: signedIn(request).id }),
      done: { to: '/organise/directory', notice: 'The request is marked done and deleted.' },
    });
  });

  // Which organisations co-host an event: organisers choose from the directory.
  const eventBySlug = async (slug: string) => {
    const event = await eventForCohosts(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event.');
    return event;
  };

  const cohostsPage = async (reply: FastifyReply, event: { id: string; title: string; slug: string }, chosen: string[], form: FormState, status = 200) => {
    const listed = await findOrganisations(app.db);
    return reply.page(
      'network/cohosts',
      {
        title: `Co-hosts of ${event.title}`,
        eventTitle: event.title,
        eventUrl: `/events/${event.slug}`,
        postUrl: `/organise/events/${event.slug}/co-hosts`,
        options: cohostOptions(listed, chosen),
        form,
      },
      status,
    );
  };

  app.get('/organise/events/:slug/co-hosts', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const event = await eventBySlug(request.params.slug);
    return cohostsPage(reply, event, await cohostIds(app.db, event.id), formState());
  });

  app.post(
    '/organise/events/:slug/co-hosts',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: CohostsForm }, attachValidation: true },
    async (request, reply) => {
      const event = await eventBySlug(request.params.slug);
      const chosen = list((request.body ?? {}) as Body, 'organisations');
      return submit(request, reply, {
        values: {},
        again: (form, status) => cohostsPage(reply, event, chosen, form, status),
        run: () => setCohosts(app.db, { eventId: event.id, organisationIds: chosen, actorId: signedIn(request).id }),
        done: { to: `/events/${event.slug}`, notice: chosen.length ? 'The co-hosts are saved.' : 'The event has no co-hosts now.' },
      });
    },
  );
};
