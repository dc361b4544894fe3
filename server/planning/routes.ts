// Planning an event together: the Organise area (organisers create events and see them all),
// each event's planning workspace (overview, group and invitations, details, publishing) for its
// planning group, organisers and admins. Per-event rights are checked by planningAccess().
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventRequest } from '../http/params.ts';
import { EventParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { eventTypes, plannerPerspectives, planningRoles, type PlannerPerspective } from '../../db/schema/index.ts';
import type { FieldError } from '../errors.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { submit } from '../http/form-route.ts';
import { formatOptions, typeOptions } from '../event-labels.ts';
import { planningAccess, requireLead } from './access.ts';
import { accessFlags, DetailsForm, detailsFormValues, readDetailsForm } from './details-form.ts';
import { cancelEvent, completeEvent, createEvent, missingForPublishing, publishEvent, unpublishEvent, updateEventDetails } from './events.ts';
import { oneOf, text, textForm, type Body } from '../http/form-values.ts';
import { presenceOf } from './four-pi.ts';
import { changeMemberRole, inviteMember, leaveGroup, listGroup, myInvitation, removeMember, respondToInvitation, setMyPerspective } from './group.ts';
import { countAwaitingReview, listEventsForOrganisers, listPastEventsForOrganisers, listMyPlanning } from './lists.ts';
import { countOpenTasks } from './workspace.ts';
import {
  groupView,
  invitedRoleWords,
  myPlanningItem,
  organiseEventRow,
  perspectiveOptions,
  readinessList,
  roleOptions,
  workspaceFrame,
} from './view-models.ts';

const MemberParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), memberId: Type.String({ format: 'uuid' }) });

const NewEventForm = textForm({ title: { title: 'Title', maxLength: 200 }, type: { title: 'Kind of event', maxLength: 40 } });
const InviteForm = textForm({ email: { title: 'Email address', maxLength: 320 }, role: { title: 'Role', maxLength: 40 } });
const RoleForm = textForm({ role: { title: 'Role', maxLength: 40 } });
const PerspectiveForm = textForm({ perspective: { title: 'Perspective', maxLength: 40 } });
const InvitationForm = textForm({ answer: { title: 'Would you like to join?', maxLength: 10 }, perspective: { title: 'Perspective', maxLength: 40 } });
const PublishForm = textForm({ overrideReason: { title: 'Reason for publishing with items missing', maxLength: 2000 } });
const CancelForm = textForm({ reason: { title: 'Reason for cancelling', maxLength: 2000 } });

function readPerspective(body: Body): PlannerPerspective | null {
  return oneOf(text(body, 'perspective'), plannerPerspectives);
}

interface OverviewForms {
  invite?: FormState;
  publish?: FormState;
  cancel?: FormState;
  problem?: string;
}

export const planningRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // ---- The Organise area ----

  app.get('/organise', { config: { access: 'organiser' } }, async (_request, reply) => {
    const now = new Date();
    const [awaiting, rows, past] = await Promise.all([
      countAwaitingReview(app.db),
      listEventsForOrganisers(app.db, ['planning', 'published']),
      listPastEventsForOrganisers(app.db, now),
    ]);
    const pastIds = new Set(past.map((e) => e.id));
    return reply.page('organise/index', {
      title: 'Organise',
      awaiting,
      events: rows.filter((e) => !pastIds.has(e.id)).map(organiseEventRow),
      pastEvents: past.map(organiseEventRow),
    });
  });

  const renderNewEvent = (reply: FastifyReply, form: FormState, status = 200) =>
    reply.page('organise/new-event', { title: 'Create an event', form, typeOptions }, status);

  app.get('/organise/events/new', { config: { access: 'organiser' } }, async (_request, reply) => renderNewEvent(reply, formState({ type: 'seminar' })));

  app.post('/organise/events', { config: { access: 'organiser' }, schema: { body: NewEventForm }, attachValidation: true }, async (request, reply) => {
    const body = request.body;
    const values = { title: text(body, 'title'), type: text(body, 'type') };
    const errors = validationErrors(request);
    const type = oneOf(values.type, eventTypes);
    if (!type) errors.push({ field: 'type', message: 'Choose the kind of event' });
    if (!values.title.trim()) errors.push({ field: 'title', message: 'Enter the event’s title' });
    if (errors.length) return renderNewEvent(reply, formState(values, errors), 400);
    const eventId = await createEvent(app.db, { title: values.title, type: type! }, signedIn(request));
    return reply.notice('The event is created and is being planned. Add its details and invite its planning group.').redirect(`/plan/${eventId}/details`, 303);
  });

  // ---- A person's own planning groups ----

  app.get('/plan', { config: { access: 'member' } }, async (request, reply) => {
    const rows = await listMyPlanning(app.db, signedIn(request).id);
    return reply.page('planning/mine', {
      title: 'Events you are planning',
      invitations: rows.filter((r) => r.memberStatus === 'invited').map(myPlanningItem),
      events: rows.filter((r) => r.memberStatus === 'accepted').map(myPlanningItem),
    });
  });

  // ---- Invitation to a planning group ----

  const renderInvitation = async (request: EventRequest, reply: FastifyReply, form: FormState, status = 200) => {
    const { eventId } = request.params;
    const invitation = await myInvitation(app.db, eventId, signedIn(request));
    if (!invitation)
      return reply.page('errors/not-found', { title: 'Page not found', message: 'We could not find an invitation for you to plan this event.' }, 404);
    return reply.page(
      'planning/invitation',
      {
        title: `Help plan ${invitation.eventTitle}`,
        eventId,
        eventTitle: invitation.eventTitle,
        roleLabel: invitedRoleWords(invitation.role),
        status: invitation.status,
        form,
        perspectiveOptions,
      },
      status,
    );
  };

  app.get('/plan/:eventId/invitation', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    renderInvitation(request, reply, formState()),
  );

  app.post(
    '/plan/:eventId/invitation',
    { config: { access: 'member' }, schema: { params: EventParams, body: InvitationForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = request.body;
      const values = { answer: text(body, 'answer'), perspective: text(body, 'perspective') };
      const errors: FieldError[] = [];
      if (values.answer !== 'yes' && values.answer !== 'no') errors.push({ field: 'answer', message: 'Choose whether you would like to join' });
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => renderInvitation(request, reply, form, status),
        run: () => respondToInvitation(app.db, eventId, { accept: values.answer === 'yes', perspective: readPerspective(body) }, signedIn(request)),
        done:
          values.answer === 'yes'
            ? { to: `/plan/${eventId}`, notice: 'Welcome to the planning group.' }
            : { to: '/plan', notice: 'Thank you for letting us know.' },
      });
    },
  );

  // ---- Overview: readiness, the group, publishing ----

  const renderOverview = async (request: EventRequest, reply: FastifyReply, forms: OverviewForms = {}, status = 200) => {
    const { eventId } = request.params;
    const me = signedIn(request);
    const access = await planningAccess(app.db, eventId, me);
    // Presence and the co-produced mark are worked out from the group as listed, not read again.
    const [members, openTasks] = await Promise.all([listGroup(app.db, eventId), countOpenTasks(app.db, eventId)]);
    const share = presenceOf(members.filter((m) => m.status === 'accepted'));
    const coProduced = share.livedOrCarer > 0;
    const missing = await missingForPublishing(app.db, access.event, coProduced);
    const mine = members.find((m) => m.personId === me.id && m.status === 'accepted');
    const errors = [forms.invite, forms.publish, forms.cancel].flatMap((f) => f?.errors ?? []);
    return reply.page(
      'planning/overview',
      {
        title: `Planning: ${access.event.title}`,
        ...workspaceFrame(access, 'overview'),
        allErrors: errors,
        problem: forms.problem ?? null,
        readiness: readinessList(missing),
        ready: missing.length === 0,
        coProduced,
        presence: share,
        openTasks,
        group: groupView(members, access, me.id),
        myPerspective: mine?.perspective ?? '',
        // Only the lead and organisers can make someone lead.
        roleOptions: roleOptions(access.canChooseLeads),
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
      const { eventId } = request.params;
      const body = request.body;
      const values = { email: text(body, 'email'), role: text(body, 'role') };
      const role = oneOf(values.role, planningRoles);
      return submit(request, reply, {
        values,
        errors: role ? [] : [{ field: 'role', message: 'Choose their role' }],
        again: (form, status) => renderOverview(request, reply, { invite: form }, status),
        tooMany: { field: 'email' },
        run: () =>
          inviteMember(app.db, eventId, { email: values.email, role: role! }, signedIn(request), { mailBudget: { perDay: app.config.mailBudgetPerDay } }),
        done: { to: `/plan/${eventId}#group`, notice: `We have emailed an invitation to ${values.email.trim()}.` },
      });
    },
  );

  app.post(
    '/plan/:eventId/members/:memberId/role',
    { config: { access: 'member' }, schema: { params: MemberParams, body: RoleForm } },
    async (request, reply) => {
      const { eventId, memberId } = request.params;
      const role = oneOf(text(request.body, 'role'), planningRoles);
      if (!role) return reply.notice('Choose a role.', 'important').redirect(`/plan/${eventId}#group`, 303);
      return submit(request, reply, {
        run: () => changeMemberRole(app.db, eventId, memberId, role, signedIn(request), { mailBudget: { perDay: app.config.mailBudgetPerDay } }),
        conflict: { to: `/plan/${eventId}#group` },
        done: { to: `/plan/${eventId}#group`, notice: 'The role is changed.' },
      });
    },
  );

  // Removing someone asks first: the group page links here, and this page's button posts.
  app.get('/plan/:eventId/members/:memberId/remove', { config: { access: 'member' }, schema: { params: MemberParams } }, async (request, reply) => {
    const { eventId, memberId } = request.params;
    const me = signedIn(request);
    const access = await planningAccess(app.db, eventId, me);
    requireLead(access);
    const member = (await listGroup(app.db, eventId)).find((m) => m.id === memberId && m.personId !== me.id);
    if (!member) return reply.notice('They are not in this planning group.', 'important').redirect(`/plan/${eventId}#group`, 303);
    return reply.page('confirm', {
      title: `Remove ${member.name} from planning ${access.event.title}`,
      heading: `Are you sure you want to remove ${member.name} from the planning group?`,
      caption: access.event.title,
      paragraphs: [
        'They will no longer see this event’s planning pages. If they were invited to planning meetings, we will email them to take those out of their calendar.',
      ],
      postUrl: `/plan/${eventId}/members/${memberId}/remove`,
      yesLabel: 'Yes, remove them',
      backUrl: `/plan/${eventId}#group`,
      backLabel: 'Back to the planning group',
      noLabel: 'No, keep them in the group',
    });
  });

  app.post('/plan/:eventId/members/:memberId/remove', { config: { access: 'member' }, schema: { params: MemberParams } }, async (request, reply) => {
    const { eventId, memberId } = request.params;
    return submit(request, reply, {
      run: () => removeMember(app.db, eventId, memberId, signedIn(request), { mailBudget: { perDay: app.config.mailBudgetPerDay } }),
      conflict: { to: `/plan/${eventId}#group` },
      done: ({ meetings, emailed }) => {
        const told = !emailed
          ? ''
          : meetings
            ? ' We have emailed them to say so, and to take its planning meetings out of their calendar.'
            : ' We have emailed them to say so.';
        return { to: `/plan/${eventId}#group`, notice: `They are no longer in the planning group.${told}` };
      },
    });
  });

  // Stepping back: a page that says what happens, then the post. Only members of the group.
  app.get('/plan/:eventId/leave', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params;
    const access = await planningAccess(app.db, eventId, signedIn(request));
    if (!access.membership) return reply.notice('You are not in this event’s planning group.', 'important').redirect(`/plan/${eventId}`, 303);
    return reply.page('planning/leave', { title: `Step back from planning ${access.event.title}`, eventId, eventTitle: access.event.title });
  });

  app.post('/plan/:eventId/leave', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params;
    return submit(request, reply, {
      run: () => leaveGroup(app.db, eventId, signedIn(request)),
      conflict: { to: `/plan/${eventId}` },
      done: (meetings) => {
        const told = meetings ? ' We have emailed you to take its planning meetings out of your calendar.' : '';
        return { to: '/plan', notice: `You have stepped back from the planning group. Thank you for the part you played.${told}` };
      },
    });
  });

  app.post('/plan/:eventId/perspective', { config: { access: 'member' }, schema: { params: EventParams, body: PerspectiveForm } }, async (request, reply) => {
    const { eventId } = request.params;
    return submit(request, reply, {
      run: () => setMyPerspective(app.db, eventId, readPerspective(request.body), signedIn(request)),
      done: { to: `/plan/${eventId}#group`, notice: 'Your perspective is saved. Only the planning group can see it.' },
    });
  });

  app.post(
    '/plan/:eventId/publish',
    { config: { access: 'member' }, schema: { params: EventParams, body: PublishForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const overrideReason = text(request.body, 'overrideReason');
      return submit(request, reply, {
        values: { overrideReason },
        again: (form, status) => renderOverview(request, reply, { publish: form }, status),
        run: () => publishEvent(app.db, eventId, { overrideReason }, signedIn(request)),
        done: { to: `/plan/${eventId}`, notice: 'The event is published. Anyone can now see it in the events list.' },
      });
    },
  );

  app.post('/plan/:eventId/unpublish', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params;
    return submit(request, reply, {
      run: () => unpublishEvent(app.db, eventId, signedIn(request)),
      done: { to: `/plan/${eventId}`, notice: 'The event is unpublished and back in planning. It no longer appears in the events list.' },
    });
  });

  app.post(
    '/plan/:eventId/cancel',
    { config: { access: 'member' }, schema: { params: EventParams, body: CancelForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const reason = text(request.body, 'reason');
      return submit(request, reply, {
        values: { reason },
        again: (form, status) => renderOverview(request, reply, { cancel: form }, status),
        run: () => cancelEvent(app.db, eventId, reason, signedIn(request)),
        done: (told) => ({
          to: `/plan/${eventId}`,
          notice: `The event is cancelled. ${told === 1 ? '1 person' : `${told} people`} registered will be emailed.`,
        }),
      });
    },
  );

  app.post('/plan/:eventId/complete', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params;
    return submit(request, reply, {
      run: () => completeEvent(app.db, eventId, signedIn(request)),
      done: { to: `/plan/${eventId}/after`, notice: 'The event is marked as finished.' },
    });
  });

  // ---- Event details ----

  const renderDetails = async (request: EventRequest, reply: FastifyReply, form: FormState | null, status = 200) => {
    const { eventId } = request.params;
    const access = await planningAccess(app.db, eventId, signedIn(request));
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

  app.get('/plan/:eventId/details', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    renderDetails(request, reply, null),
  );

  app.post(
    '/plan/:eventId/details',
    { config: { access: 'member' }, schema: { params: EventParams, body: DetailsForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const { values, input, errors } = readDetailsForm(request.body);
      if (!input.title) errors.push({ field: 'title', message: 'Enter the event’s title' });
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => renderDetails(request, reply, form, status),
        run: () => updateEventDetails(app.db, eventId, input, signedIn(request)),
        done: ({ told, toCheck }) => ({
          to: `/plan/${eventId}`,
          notice: [
            told
              ? `The details are saved. ${told === 1 ? '1 person' : `${told} people`} registered will be emailed about the change.`
              : 'The details are saved.',
            ...toCheck,
          ].join(' '),
        }),
      });
    },
  );
};
