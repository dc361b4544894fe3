// The planning group's shared pages for one event: programme, tasks, discussion and decision log,
// planning meetings (sent as calendar invitations) and the 4PI record.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventRequest } from '../http/params.ts';
import { EventParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { submit } from '../http/form-route.ts';
import { Type } from 'typebox';
import { NotFoundError, type FieldError } from '../errors.ts';
import { formState, type FormState } from '../http/forms.ts';
import { planningAccess, type PlanningAccess } from './access.ts';
import { checked, list, text, textForm, type Body } from '../http/form-values.ts';
import { getFourPi, presence, saveFourPi } from './four-pi.ts';
import { listGroup } from './group.ts';
import { isIsoDate, londonToday, readTimeSpan } from '../london-time.ts';
import { cancelMeeting, findMeeting, listMeetings, scheduleMeeting, updateMeeting, type MeetingInput } from './meetings.ts';
import {
  decisionView,
  meetingValues,
  meetingView,
  memberOptions,
  newSessionValues,
  postView,
  programmeView,
  sessionValues,
  tasksView,
  workspaceFrame,
  type WorkspaceSection,
} from './view-models.ts';
import {
  addPost,
  addSession,
  addTask,
  deleteSession,
  listDecisions,
  listPosts,
  listProgramme,
  listTasks,
  recordDecision,
  setTaskDone,
  updateSession,
  type SessionInput,
} from './workspace.ts';

const SessionParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), sessionId: Type.String({ format: 'uuid' }) });
const TaskParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), taskId: Type.String({ format: 'uuid' }) });
const MeetingParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), meetingId: Type.String({ format: 'uuid' }) });

const SessionForm = Type.Object({
  title: Type.Optional(Type.String({ title: 'Title', maxLength: 300 })),
  description: Type.Optional(Type.String({ title: 'Description', maxLength: 5000 })),
  sessionDate: Type.Optional(Type.String({ title: 'Date', maxLength: 20 })),
  sessionStart: Type.Optional(Type.String({ title: 'Start time', maxLength: 10 })),
  sessionEnd: Type.Optional(Type.String({ title: 'End time', maxLength: 10 })),
  room: Type.Optional(Type.String({ title: 'Room or stream', maxLength: 200 })),
  guestSpeakers: Type.Optional(Type.String({ title: 'Guest speakers', maxLength: 2000 })),
  speakerIds: Type.Optional(
    Type.Union([Type.String({ format: 'uuid' }), Type.Array(Type.String({ format: 'uuid' }), { maxItems: 50 })], { title: 'Speakers from the planning group' }),
  ),
});
const TaskForm = textForm({
  taskTitle: { title: 'What needs doing', maxLength: 500 },
  ownerId: { title: 'Who will do it', id: { errorMessage: 'Select who will do it from the planning group' } },
  dueOn: { title: 'Due date', maxLength: 20 },
});
const DoneForm = textForm({ done: { title: 'Done', maxLength: 5 } });
const PostForm = textForm({ body: { title: 'Message to the group', maxLength: 10000 } });
const DecisionForm = textForm({
  decision: { title: 'What was decided', maxLength: 2000 },
  decidedBy: { title: 'Who decided', maxLength: 300 },
  decidedOn: { title: 'When', maxLength: 20 },
});
const MeetingForm = textForm({
  meetingTitle: { title: 'What the meeting is', maxLength: 300 },
  meetingDate: { title: 'Date', maxLength: 20 },
  meetingStart: { title: 'Start time', maxLength: 10 },
  meetingEnd: { title: 'End time', maxLength: 10 },
  place: { title: 'Where', maxLength: 500 },
  joinUrl: { title: 'Joining link', maxLength: 1000 },
  notes: { title: 'Notes', maxLength: 5000 },
});
const FourPiForm = textForm({
  principles: { title: 'Principles' },
  purpose: { title: 'Purpose' },
  preMeetings: { title: 'Pre-meetings', maxLength: 5 },
  accessiblePapers: { title: 'Papers in accessible formats, sent in good time', maxLength: 5 },
  expensesInAdvance: { title: 'Expenses paid in advance, so nobody is out of pocket', maxLength: 5 },
  otherSupport: { title: 'Other support offered' },
  impact: { title: 'What changed as a result' },
});

type Loader = (access: PlanningAccess, request: FastifyRequest) => Promise<Record<string, unknown>>;

export const workspaceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** Renders a workspace page; on a failed post, the same page with the form as typed. */
  const show = async (
    request: EventRequest,
    reply: FastifyReply,
    section: WorkspaceSection,
    template: string,
    heading: string,
    load: Loader,
    forms: Record<string, FormState> = {},
    status = 200,
  ) => {
    const { eventId } = request.params;
    const access = await planningAccess(app.db, eventId, signedIn(request));
    const model = await load(access, request);
    return reply.page(
      template,
      {
        title: `${heading}: ${access.event.title}`,
        ...workspaceFrame(access, section),
        ...model,
        ...forms,
        allErrors: Object.values(forms).flatMap((f) => f.errors),
      },
      status,
    );
  };

  // ---- Programme ----

  const groupOptions = async (eventId: string) => memberOptions(await listGroup(app.db, eventId));

  const loadProgramme: Loader = async (access) => ({
    sessions: programmeView(await listProgramme(app.db, access.event.id)),
    members: await groupOptions(access.event.id),
    sessionForm: formState(newSessionValues(access.event.startsAt)),
  });

  const readSession = (body: Body): { values: Record<string, unknown>; input: SessionInput | null; errors: FieldError[] } => {
    const values: Record<string, unknown> = {
      title: text(body, 'title'),
      description: text(body, 'description'),
      sessionDate: text(body, 'sessionDate'),
      sessionStart: text(body, 'sessionStart'),
      sessionEnd: text(body, 'sessionEnd'),
      room: text(body, 'room'),
      guestSpeakers: text(body, 'guestSpeakers'),
      speakerIds: list(body, 'speakerIds'),
    };
    const errors: FieldError[] = [];
    if (!String(values.title).trim()) errors.push({ field: 'title', message: 'Enter the session’s title' });
    const span = readTimeSpan(values as Record<string, string>, 'session', errors, 'the session');
    if (errors.length || !span) return { values, input: null, errors };
    return {
      values,
      errors,
      input: {
        title: String(values.title),
        description: String(values.description),
        room: String(values.room),
        guestSpeakers: String(values.guestSpeakers),
        speakerIds: values.speakerIds as string[],
        ...span,
      },
    };
  };

  app.get('/plan/:eventId/programme', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    show(request, reply, 'programme', 'planning/programme', 'Programme', loadProgramme),
  );

  app.post(
    '/plan/:eventId/programme',
    { config: { access: 'member' }, schema: { params: EventParams, body: SessionForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const { values, input, errors } = readSession(request.body);
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => show(request, reply, 'programme', 'planning/programme', 'Programme', loadProgramme, { sessionForm: form }, status),
        run: () => addSession(app.db, eventId, input!, signedIn(request)),
        done: { to: `/plan/${eventId}/programme`, notice: 'The session is added to the programme.' },
      });
    },
  );

  const loadSession =
    (sessionId: string): Loader =>
    async (access) => {
      const sessions = await listProgramme(app.db, access.event.id);
      const s = sessions.find((x) => x.id === sessionId);
      if (!s) throw new NotFoundError('We could not find that session.');
      return { sessionId, members: await groupOptions(access.event.id), sessionForm: formState(sessionValues(s)) };
    };

  app.get('/plan/:eventId/programme/:sessionId', { config: { access: 'member' }, schema: { params: SessionParams } }, async (request, reply) => {
    const { sessionId } = request.params;
    return show(request, reply, 'programme', 'planning/session-edit', 'Change a session', loadSession(sessionId));
  });

  app.post(
    '/plan/:eventId/programme/:sessionId',
    { config: { access: 'member' }, schema: { params: SessionParams, body: SessionForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId, sessionId } = request.params;
      const { values, input, errors } = readSession(request.body);
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) =>
          show(request, reply, 'programme', 'planning/session-edit', 'Change a session', loadSession(sessionId), { sessionForm: form }, status),
        run: () => updateSession(app.db, eventId, sessionId, input!, signedIn(request)),
        done: { to: `/plan/${eventId}/programme`, notice: 'The session is saved.' },
      });
    },
  );

  app.post('/plan/:eventId/programme/:sessionId/remove', { config: { access: 'member' }, schema: { params: SessionParams } }, async (request, reply) => {
    const { eventId, sessionId } = request.params;
    return submit(request, reply, {
      run: () => deleteSession(app.db, eventId, sessionId, signedIn(request)),
      done: { to: `/plan/${eventId}/programme`, notice: 'The session is removed from the programme.' },
    });
  });

  // ---- Tasks ----

  const loadTasks: Loader = async (access) => ({
    tasks: tasksView(await listTasks(app.db, access.event.id)),
    members: await groupOptions(access.event.id),
    taskForm: formState(),
  });

  app.get('/plan/:eventId/tasks', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    show(request, reply, 'tasks', 'planning/tasks', 'Tasks', loadTasks),
  );

  app.post(
    '/plan/:eventId/tasks',
    { config: { access: 'member' }, schema: { params: EventParams, body: TaskForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = request.body;
      const values = { taskTitle: text(body, 'taskTitle'), ownerId: text(body, 'ownerId'), dueOn: text(body, 'dueOn') };
      const errors: FieldError[] = [];
      if (values.dueOn && !isIsoDate(values.dueOn)) errors.push({ field: 'dueOn', message: 'Enter the due date as a date, for example 9 December 2026' });
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => show(request, reply, 'tasks', 'planning/tasks', 'Tasks', loadTasks, { taskForm: form }, status),
        run: () => addTask(app.db, eventId, { title: values.taskTitle, ownerId: values.ownerId || null, dueOn: values.dueOn || null }, signedIn(request)),
        done: { to: `/plan/${eventId}/tasks`, notice: 'The task is added.' },
      });
    },
  );

  app.post('/plan/:eventId/tasks/:taskId', { config: { access: 'member' }, schema: { params: TaskParams, body: DoneForm } }, async (request, reply) => {
    const { eventId, taskId } = request.params;
    const done = checked(request.body, 'done');
    return submit(request, reply, {
      run: () => setTaskDone(app.db, eventId, taskId, done, signedIn(request)),
      done: { to: `/plan/${eventId}/tasks`, notice: done ? 'The task is marked as done.' : 'The task is open again.' },
    });
  });

  // ---- Discussion and decisions ----

  const loadDiscussion: Loader = async (access) => ({
    posts: (await listPosts(app.db, access.event.id)).map(postView),
    decisions: (await listDecisions(app.db, access.event.id)).map(decisionView),
    postForm: formState(),
    decisionForm: formState({ decidedOn: londonToday() }),
  });

  app.get('/plan/:eventId/discussion', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    show(request, reply, 'discussion', 'planning/discussion', 'Discussion', loadDiscussion),
  );

  app.post(
    '/plan/:eventId/discussion',
    { config: { access: 'member' }, schema: { params: EventParams, body: PostForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const values = { body: text(request.body, 'body') };
      return submit(request, reply, {
        values,
        again: (form, status) => show(request, reply, 'discussion', 'planning/discussion', 'Discussion', loadDiscussion, { postForm: form }, status),
        run: () => addPost(app.db, eventId, values.body, signedIn(request)),
        done: { to: `/plan/${eventId}/discussion#discussion`, notice: 'Your message is posted.' },
      });
    },
  );

  app.post(
    '/plan/:eventId/decisions',
    { config: { access: 'member' }, schema: { params: EventParams, body: DecisionForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = request.body;
      const values = { decision: text(body, 'decision'), decidedBy: text(body, 'decidedBy'), decidedOn: text(body, 'decidedOn') };
      return submit(request, reply, {
        values,
        again: (form, status) => show(request, reply, 'discussion', 'planning/discussion', 'Discussion', loadDiscussion, { decisionForm: form }, status),
        run: () => recordDecision(app.db, eventId, values, signedIn(request)),
        done: { to: `/plan/${eventId}/discussion#decisions`, notice: 'The decision is recorded.' },
      });
    },
  );

  // ---- Meetings ----

  const loadMeetings: Loader = async (access) => ({
    meetings: (await listMeetings(app.db, access.event.id)).map((m) => meetingView(m)),
    meetingForm: formState(),
  });

  const readMeeting = (body: Body): { values: Record<string, string>; input: MeetingInput | null; errors: FieldError[] } => {
    const values: Record<string, string> = {};
    for (const k of ['meetingTitle', 'meetingDate', 'meetingStart', 'meetingEnd', 'place', 'joinUrl', 'notes']) values[k] = text(body, k);
    const errors: FieldError[] = [];
    if (!values.meetingTitle!.trim()) errors.push({ field: 'meetingTitle', message: 'Enter what the meeting is, for example “First planning meeting”' });
    const span = readTimeSpan(values, 'meeting', errors, 'the meeting');
    if (!span || errors.length) return { values, input: null, errors };
    return { values, errors, input: { title: values.meetingTitle!, place: values.place!, joinUrl: values.joinUrl!, notes: values.notes!, ...span } };
  };

  app.get('/plan/:eventId/meetings', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    show(request, reply, 'meetings', 'planning/meetings', 'Meetings', loadMeetings),
  );

  app.post(
    '/plan/:eventId/meetings',
    { config: { access: 'member' }, schema: { params: EventParams, body: MeetingForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const { values, input, errors } = readMeeting(request.body);
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => show(request, reply, 'meetings', 'planning/meetings', 'Meetings', loadMeetings, { meetingForm: form }, status),
        tooMany: { field: 'meetingTitle' },
        run: () => scheduleMeeting(app.db, eventId, input!, signedIn(request), { mailBudget: { perDay: app.config.mailBudgetPerDay } }),
        done: { to: `/plan/${eventId}/meetings`, notice: 'The meeting is arranged. Everyone in the group has been sent a calendar invitation.' },
      });
    },
  );

  const loadMeeting =
    (meetingId: string): Loader =>
    async (access) => {
      const m = await findMeeting(app.db, access.event.id, meetingId);
      return { meetingId, cancelled: Boolean(m.cancelledAt), meetingForm: formState(meetingValues(m)) };
    };

  app.get('/plan/:eventId/meetings/:meetingId', { config: { access: 'member' }, schema: { params: MeetingParams } }, async (request, reply) => {
    const { meetingId } = request.params;
    return show(request, reply, 'meetings', 'planning/meeting-edit', 'Change a meeting', loadMeeting(meetingId));
  });

  app.post(
    '/plan/:eventId/meetings/:meetingId',
    { config: { access: 'member' }, schema: { params: MeetingParams, body: MeetingForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId, meetingId } = request.params;
      const { values, input, errors } = readMeeting(request.body);
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) =>
          show(request, reply, 'meetings', 'planning/meeting-edit', 'Change a meeting', loadMeeting(meetingId), { meetingForm: form }, status),
        tooMany: { field: 'meetingTitle' },
        run: () => updateMeeting(app.db, eventId, meetingId, input!, signedIn(request), { mailBudget: { perDay: app.config.mailBudgetPerDay } }),
        done: { to: `/plan/${eventId}/meetings`, notice: 'The meeting is changed. Everyone in the group has been sent the update.' },
      });
    },
  );

  app.post('/plan/:eventId/meetings/:meetingId/cancel', { config: { access: 'member' }, schema: { params: MeetingParams } }, async (request, reply) => {
    const { eventId, meetingId } = request.params;
    return submit(request, reply, {
      run: () => cancelMeeting(app.db, eventId, meetingId, signedIn(request), { mailBudget: { perDay: app.config.mailBudgetPerDay } }),
      tooMany: { to: `/plan/${eventId}/meetings/${meetingId}` },
      done: { to: `/plan/${eventId}/meetings`, notice: 'The meeting is cancelled. Everyone in the group has been told.' },
    });
  });

  // ---- 4PI record ----

  const loadFourPi: Loader = async (access) => {
    const record = await getFourPi(app.db, access.event.id);
    return { presence: await presence(app.db, access.event.id), fourPiForm: formState(record) };
  };

  app.get('/plan/:eventId/4pi', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    show(request, reply, 'four-pi', 'planning/four-pi', 'Involvement standards record', loadFourPi),
  );

  app.post(
    '/plan/:eventId/4pi',
    { config: { access: 'member' }, schema: { params: EventParams, body: FourPiForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = request.body;
      const values = {
        principles: text(body, 'principles'),
        purpose: text(body, 'purpose'),
        preMeetings: checked(body, 'preMeetings'),
        accessiblePapers: checked(body, 'accessiblePapers'),
        expensesInAdvance: checked(body, 'expensesInAdvance'),
        otherSupport: text(body, 'otherSupport'),
        impact: text(body, 'impact'),
      };
      return submit(request, reply, {
        values,
        again: (form, status) => show(request, reply, 'four-pi', 'planning/four-pi', 'Involvement standards record', loadFourPi, { fourPiForm: form }, status),
        run: () => saveFourPi(app.db, eventId, values, signedIn(request)),
        done: { to: `/plan/${eventId}/4pi`, notice: 'The involvement standards record is saved.' },
      });
    },
  );
};
