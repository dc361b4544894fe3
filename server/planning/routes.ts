// Planning an event together: the Organise area (organisers create events and see them all),
// each event's planning workspace (overview, group and invitations, details, publishing) for its
// planning group, organisers and admins. Per-event rights are checked by planningAccess().
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { eventTypes, plannerPerspectives, planningRoles, type PlannerPerspective } from '../../db/schema/index.ts';
import { InvalidInputError, TooManyRequestsError, type FieldError } from '../errors.ts';
import { eventStatusLabels, eventTypeLabels } from '../event-labels.ts';
import { formatTimeRange } from '../format.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { noticeOnConflict } from '../http/pages.ts';
import { countAwaitingReview } from '../proposals/service.ts';
import { formatOptions, typeOptions } from '../proposals/form.ts';
import { planningAccess } from './access.ts';
import { accessFlags, DetailsForm, detailsFormValues, readDetailsForm } from './details-form.ts';
import { cancelEvent, completeEvent, createEvent, isCoProduced, missingForPublishing, publishEvent, readinessLabels, unpublishEvent, updateEventDetails } from './events.ts';
import { oneOf, text, textForm, type Body } from './form-values.ts';
import { presence } from './four-pi.ts';
import { changeMemberRole, inviteMember, leaveGroup, listGroup, myInvitation, removeMember, respondToInvitation, setMyPerspective } from './group.ts';
import { perspectiveLabels, planningRoleLabels } from './labels.ts';
import { listEventsForOrganisers, listPastEventsForOrganisers, listMyPlanning } from './lists.ts';
import { countOpenTasks } from './workspace.ts';
import { groupView, workspaceFrame } from './view-models.ts';

export const EventParams = Type.Object({ eventId: Type.String({ format: 'uuid' }) });
const MemberParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), memberId: Type.String({ format: 'uuid' }) });

const NewEventForm = textForm({ title: { title: 'Title', maxLength: 200 }, type: { title: 'Kind of event', maxLength: 40 } });
const InviteForm = textForm({ email: { title: 'Email address', maxLength: 320 }, role: { title: 'Role', maxLength: 40 } });
const RoleForm = textForm({ role: { title: 'Role', maxLength: 40 } });
const PerspectiveForm = textForm({ perspective: { title: 'Perspective', maxLength: 40 } });
const InvitationForm = textForm({ answer: { title: 'Your answer', maxLength: 10 }, perspective: { title: 'Perspective', maxLength: 40 } });
const PublishForm = textForm({ overrideReason: { title: 'Reason for publishing with items missing', maxLength: 2000 } });
const CancelForm = textForm({ reason: { title: 'Reason for cancelling', maxLength: 2000 } });

export const roleOptions = planningRoles.map((r) => ({ value: r, label: planningRoleLabels[r] }));
export const perspectiveOptions = [{ value: '', label: 'I would rather not say' }, ...plannerPerspectives.map((p) => ({ value: p, label: perspectiveLabels[p] }))];

function readPerspective(body: Body): PlannerPerspective | null {
  return oneOf(text(body, 'perspective'), plannerPerspectives);
}

interface OverviewForms {
  invite?: FormState;
  publish?: FormState;
  cancel?: FormState;
  problem?: string;
}

export const planningRoutes: FastifyPluginAsync = async (app) => {
  // ---- The Organise area ----

  app.get('/organise', { config: { access: 'organiser' } }, async (_request, reply) => {
    const now = new Date();
    const [awaiting, rows, past] = await Promise.all([
      countAwaitingReview(app.db),
      listEventsForOrganisers(app.db, ['planning', 'published']),
      listPastEventsForOrganisers(app.db, now),
    ]);
    const pastIds = new Set(past.map((e) => e.id));
    const row = (e: (typeof rows)[number]) => ({
      title: e.title,
      url: `/plan/${e.id}`,
      attendeesUrl: `/organise/events/${e.slug}/attendees`,
      typeLabel: eventTypeLabels[e.type],
      statusLabel: eventStatusLabels[e.status],
      when: e.startsAt ? formatTimeRange(e.startsAt, e.endsAt) : 'Date not set yet',
    });
    return reply.page('organise/index', {
      title: 'Organise',
      awaiting,
      events: rows.filter((e) => !pastIds.has(e.id)).map(row),
      pastEvents: past.map(row),
    });
  });

  const renderNewEvent = (reply: FastifyReply, form: FormState, status = 200) => reply.page('organise/new-event', { title: 'Create an event', form, typeOptions }, status);

  app.get('/organise/events/new', { config: { access: 'organiser' } }, async (_request, reply) => renderNewEvent(reply, formState({ type: 'seminar' })));

  app.post('/organise/events', { config: { access: 'organiser' }, schema: { body: NewEventForm }, attachValidation: true }, async (request, reply) => {
    const body = request.body as Body;
    const values = { title: text(body, 'title'), type: text(body, 'type') };
    const errors = validationErrors(request);
    const type = oneOf(values.type, eventTypes);
    if (!type) errors.push({ field: 'type', message: 'Choose the kind of event' });
    if (!values.title.trim()) errors.push({ field: 'title', message: 'Enter the event’s title' });
    if (errors.length) return renderNewEvent(reply, formState(values, errors), 400);
    const eventId = await createEvent(app.db, { title: values.title, type: type! }, request.me!);
    return reply.notice('The event is created and is being planned. Add its details and invite its planning group.').redirect(`/plan/${eventId}/details`, 303);
  });

  // ---- A person's own planning groups ----

  app.get('/plan', { config: { access: 'member' } }, async (request, reply) => {
    const rows = await listMyPlanning(app.db, request.me!.id);
    const item = (e: (typeof rows)[number]) => ({
      title: e.title,
      roleLabel: planningRoleLabels[e.role],
      statusLabel: eventStatusLabels[e.status],
      when: e.startsAt ? formatTimeRange(e.startsAt, e.endsAt) : 'Date not set yet',
      url: e.memberStatus === 'invited' ? `/plan/${e.id}/invitation` : `/plan/${e.id}`,
    });
    return reply.page('planning/mine', {
      title: 'Events you are planning',
      invitations: rows.filter((r) => r.memberStatus === 'invited').map(item),
      events: rows.filter((r) => r.memberStatus === 'accepted').map(item),
    });
  });

  // ---- Invitation to a planning group ----

  const renderInvitation = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) => {
    const { eventId } = request.params as { eventId: string };
    const invitation = await myInvitation(app.db, eventId, request.me!);
    if (!invitation) return reply.page('errors/not-found', { title: 'Page not found', message: 'We could not find an invitation for you to plan this event.' }, 404);
    return reply.page(
      'planning/invitation',
      { title: `Help plan ${invitation.eventTitle}`, eventId, eventTitle: invitation.eventTitle, roleLabel: planningRoleLabels[invitation.role].toLowerCase(), status: invitation.status, form, perspectiveOptions },
      status,
    );
  };

  app.get('/plan/:eventId/invitation', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => renderInvitation(request, reply, formState()));

  app.post(
    '/plan/:eventId/invitation',
    { config: { access: 'member' }, schema: { params: EventParams, body: InvitationForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params as { eventId: string };
      const body = request.body as Body;
      const values = { answer: text(body, 'answer'), perspective: text(body, 'perspective') };
      const errors: FieldError[] = validationErrors(request);
      if (values.answer !== 'yes' && values.answer !== 'no') errors.push({ field: 'answer', message: 'Choose whether you would like to join' });
      if (errors.length) return renderInvitation(request, reply, formState(values, errors), 400);
      await respondToInvitation(app.db, eventId, { accept: values.answer === 'yes', perspective: readPerspective(body) }, request.me!);
      if (values.answer === 'yes') return reply.notice('Welcome to the planning group.').redirect(`/plan/${eventId}`, 303);
      return reply.notice('Thank you for letting us know.').redirect('/plan', 303);
    },
  );

  // ---- Overview: readiness, the group, publishing ----

  const renderOverview = async (request: FastifyRequest, reply: FastifyReply, forms: OverviewForms = {}, status = 200) => {
    const { eventId } = request.params as { eventId: string };
    const me = request.me!;
    const access = await planningAccess(app.db, eventId, me);
    const [members, missing, coProduced, share, openTasks] = await Promise.all([
      listGroup(app.db, eventId),
      missingForPublishing(app.db, access.event),
      isCoProduced(app.db, eventId),
      presence(app.db, eventId),
      countOpenTasks(app.db, eventId),
    ]);
    const mine = members.find((m) => m.personId === me.id && m.status === 'accepted');
    const errors = [forms.invite, forms.publish, forms.cancel].flatMap((f) => f?.errors ?? []);
    return reply.page(
      'planning/overview',
      {
        title: `Planning: ${access.event.title}`,
        ...workspaceFrame(access, 'overview'),
        allErrors: errors,
        problem: forms.problem ?? null,
        readiness: (Object.keys(readinessLabels) as (keyof typeof readinessLabels)[]).map((k) => ({ key: k, label: readinessLabels[k], done: !missing.includes(k) })),
        ready: missing.length === 0,
        coProduced,
        presence: share,
        openTasks,
        group: groupView(members, access, me.id),
        myPerspective: mine?.perspective ?? '',
        roleOptions,
        perspectiveOptions,
        inviteForm: forms.invite ?? formState({ role: 'speaker' }),
        publishForm: forms.publish ?? formState(),
        cancelForm: forms.cancel ?? formState(),
        canComplete: access.event.status === 'published' && Boolean(access.event.endsAt && access.event.endsAt <= new Date()),
      },
      status,
    );
  };

  app.get('/plan/:eventId', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => renderOverview(request, reply));

  app.post(
    '/plan/:eventId/members',
    { config: { access: 'member' }, schema: { params: EventParams, body: InviteForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params as { eventId: string };
      const body = request.body as Body;
      const values = { email: text(body, 'email'), role: text(body, 'role') };
      const errors = validationErrors(request);
      const role = oneOf(values.role, planningRoles);
      if (!role) errors.push({ field: 'role', message: 'Choose their role' });
      if (errors.length) return renderOverview(request, reply, { invite: formState(values, errors) }, 400);
      try {
        await inviteMember(app.db, eventId, { email: values.email, role: role! }, request.me!, { mailBudget: { perDay: app.config.mailBudgetPerDay } });
      } catch (error) {
        if (error instanceof InvalidInputError) return renderOverview(request, reply, { invite: formState(values, error.fieldErrors) }, 400);
        if (error instanceof TooManyRequestsError) return renderOverview(request, reply, { invite: formState(values, [{ field: 'email', message: error.message }]) }, 429);
        throw error;
      }
      app.mail.nudge();
      return reply.notice(`We have emailed an invitation to ${values.email.trim()}.`).redirect(`/plan/${eventId}#group`, 303);
    },
  );

  app.post('/plan/:eventId/members/:memberId/role', { config: { access: 'member' }, schema: { params: MemberParams, body: RoleForm } }, async (request, reply) => {
    const { eventId, memberId } = request.params as { eventId: string; memberId: string };
    const role = oneOf(text(request.body as Body, 'role'), planningRoles);
    if (!role) return reply.notice('Choose a role.', 'important').redirect(`/plan/${eventId}#group`, 303);
    try {
      await changeMemberRole(app.db, eventId, memberId, role, request.me!);
    } catch (error) {
      return noticeOnConflict(reply, error, `/plan/${eventId}#group`);
    }
    return reply.notice('The role is changed.').redirect(`/plan/${eventId}#group`, 303);
  });

  app.post('/plan/:eventId/members/:memberId/remove', { config: { access: 'member' }, schema: { params: MemberParams } }, async (request, reply) => {
    const { eventId, memberId } = request.params as { eventId: string; memberId: string };
    const meetings = await removeMember(app.db, eventId, memberId, request.me!);
    app.mail.nudge();
    const told = meetings ? ' We have emailed them to take its planning meetings out of their calendar.' : '';
    return reply.notice(`They are no longer in the planning group.${told}`).redirect(`/plan/${eventId}#group`, 303);
  });

  // Stepping back: a page that says what happens, then the post. Only members of the group.
  app.get('/plan/:eventId/leave', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const access = await planningAccess(app.db, eventId, request.me!);
    if (!access.membership) return reply.notice('You are not in this event’s planning group.', 'important').redirect(`/plan/${eventId}`, 303);
    return reply.page('planning/leave', { title: `Step back from planning ${access.event.title}`, eventId, eventTitle: access.event.title });
  });

  app.post('/plan/:eventId/leave', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    let meetings: number;
    try {
      meetings = await leaveGroup(app.db, eventId, request.me!);
    } catch (error) {
      return noticeOnConflict(reply, error, `/plan/${eventId}`);
    }
    app.mail.nudge();
    const told = meetings ? ' We have emailed you to take its planning meetings out of your calendar.' : '';
    return reply.notice(`You have stepped back from the planning group. Thank you for the part you played.${told}`).redirect('/plan', 303);
  });

  app.post('/plan/:eventId/perspective', { config: { access: 'member' }, schema: { params: EventParams, body: PerspectiveForm } }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    await setMyPerspective(app.db, eventId, readPerspective(request.body as Body), request.me!);
    return reply.notice('Your perspective is saved. Only the planning group can see it.').redirect(`/plan/${eventId}#group`, 303);
  });

  app.post('/plan/:eventId/publish', { config: { access: 'member' }, schema: { params: EventParams, body: PublishForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const overrideReason = text(request.body as Body, 'overrideReason');
    const errors = validationErrors(request);
    if (errors.length) return renderOverview(request, reply, { publish: formState({ overrideReason }, errors) }, 400);
    try {
      await publishEvent(app.db, eventId, { overrideReason }, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return renderOverview(request, reply, { publish: formState({ overrideReason }, error.fieldErrors) }, 400);
      throw error;
    }
    return reply.notice('The event is published. Anyone can now see it in the events list.').redirect(`/plan/${eventId}`, 303);
  });

  app.post('/plan/:eventId/unpublish', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    await unpublishEvent(app.db, eventId, request.me!);
    return reply.notice('The event is unpublished and back in planning. It no longer appears in the events list.').redirect(`/plan/${eventId}`, 303);
  });

  app.post('/plan/:eventId/cancel', { config: { access: 'member' }, schema: { params: EventParams, body: CancelForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const reason = text(request.body as Body, 'reason');
    const errors = validationErrors(request);
    if (errors.length) return renderOverview(request, reply, { cancel: formState({ reason }, errors) }, 400);
    let told: number;
    try {
      told = await cancelEvent(app.db, eventId, reason, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return renderOverview(request, reply, { cancel: formState({ reason }, error.fieldErrors) }, 400);
      throw error;
    }
    app.mail.nudge();
    return reply.notice(`The event is cancelled. ${told === 1 ? '1 person' : `${told} people`} registered will be emailed.`).redirect(`/plan/${eventId}`, 303);
  });

  app.post('/plan/:eventId/complete', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    await completeEvent(app.db, eventId, request.me!);
    return reply.notice('The event is marked as finished.').redirect(`/plan/${eventId}/after`, 303);
  });

  // ---- Event details ----

  const renderDetails = async (request: FastifyRequest, reply: FastifyReply, form: FormState | null, status = 200) => {
    const { eventId } = request.params as { eventId: string };
    const access = await planningAccess(app.db, eventId, request.me!);
    return reply.page(
      'planning/details',
      {
        title: `Event details: ${access.event.title}`,
        ...workspaceFrame(access, 'details'),
        form: form ?? formState(detailsFormValues(access.event)),
        typeOptions,
        formatOptions,
        accessFlags,
        editable: access.canLead && (access.event.status === 'planning' || access.event.status === 'published'),
      },
      status,
    );
  };

  app.get('/plan/:eventId/details', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => renderDetails(request, reply, null));

  app.post('/plan/:eventId/details', { config: { access: 'member' }, schema: { params: EventParams, body: DetailsForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const { values, input, errors } = readDetailsForm(request.body as Body);
    const all = [...validationErrors(request), ...errors];
    if (!input.title) all.push({ field: 'title', message: 'Enter the event’s title' });
    if (all.length) return renderDetails(request, reply, formState(values, all), 400);
    let result: Awaited<ReturnType<typeof updateEventDetails>>;
    try {
      result = await updateEventDetails(app.db, eventId, input, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return renderDetails(request, reply, formState(values, error.fieldErrors), 400);
      throw error;
    }
    app.mail.nudge();
    return reply.notice(result.told ? `The details are saved. ${result.told === 1 ? '1 person' : `${result.told} people`} registered will be emailed about the change.` : 'The details are saved.').redirect(`/plan/${eventId}`, 303);
  });
};
