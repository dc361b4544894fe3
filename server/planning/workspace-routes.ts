// The planning group's shared pages for one event: programme, tasks, discussion and decision log,
// planning meetings (sent as calendar invitations) and the 4PI record.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { InvalidInputError, NotFoundError, TooManyRequestsError, type FieldError } from '../errors.ts';
import { formatDateTime, formatTimeRange } from '../format.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { renderMarkdown } from '../markdown.ts';
import { planningAccess, type PlanningAccess } from './access.ts';
import { checked, list, text, textForm, type Body } from './form-values.ts';
import { getFourPi, presence, saveFourPi } from './four-pi.ts';
import { listGroup } from './group.ts';
import { isIsoDate, londonToday, readTimeSpan, utcToLondonFields } from '../london-time.ts';
import { cancelMeeting, findMeeting, listMeetings, scheduleMeeting, updateMeeting, type MeetingInput } from './meetings.ts';
import { EventParams } from './routes.ts';
import { dateOnly, programmeView, tasksView, workspaceFrame, type WorkspaceSection } from './view-models.ts';
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
  speakerIds: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Array(Type.String({ format: 'uuid' }), { maxItems: 50 })], { title: 'Speakers from the group' })),
});
const TaskForm = textForm({ taskTitle: { title: 'What needs doing', maxLength: 500 }, ownerId: { title: 'Who will do it', id: { errorMessage: 'Choose someone in the planning group' } }, dueOn: { title: 'Due date', maxLength: 20 } });
const DoneForm = textForm({ done: { title: 'Done', maxLength: 5 } });
const PostForm = textForm({ body: { title: 'Your message', maxLength: 10000 } });
const DecisionForm = textForm({ decision: { title: 'What was decided', maxLength: 2000 }, decidedBy: { title: 'Who decided', maxLength: 300 }, decidedOn: { title: 'When', maxLength: 20 } });
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
  principles: { title: 'Principles statement' },
  purpose: { title: 'Purpose statement' },
  preMeetings: { title: 'Pre-meetings', maxLength: 5 },
  accessiblePapers: { title: 'Accessible papers', maxLength: 5 },
  expensesInAdvance: { title: 'Expenses in advance', maxLength: 5 },
  otherSupport: { title: 'Other support offered' },
  impact: { title: 'What changed as a result' },
});

type Loader = (access: PlanningAccess, request: FastifyRequest) => Promise<Record<string, unknown>>;

export const workspaceRoutes: FastifyPluginAsync = async (app) => {
  /** Renders a workspace page; on a failed post, the same page with the form as typed. */
  const show = async (request: FastifyRequest, reply: FastifyReply, section: WorkspaceSection, template: string, heading: string, load: Loader, forms: Record<string, FormState> = {}, status = 200) => {
    const { eventId } = request.params as { eventId: string };
    const access = await planningAccess(app.db, eventId, request.me!);
    const model = await load(access, request);
    return reply.page(
      template,
      { title: `${heading}: ${access.event.title}`, ...workspaceFrame(access, section), ...model, ...forms, allErrors: Object.values(forms).flatMap((f) => f.errors) },
      status,
    );
  };

  // ---- Programme ----

  const groupOptions = async (eventId: string) =>
    (await listGroup(app.db, eventId)).filter((m) => m.status === 'accepted').map((m) => ({ value: m.personId, label: m.name }));

  const loadProgramme: Loader = async (access) => ({
    sessions: programmeView(await listProgramme(app.db, access.event.id)),
    members: await groupOptions(access.event.id),
    sessionForm: formState({ sessionDate: utcToLondonFields(access.event.startsAt).date }),
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
      input: { title: String(values.title), description: String(values.description), room: String(values.room), guestSpeakers: String(values.guestSpeakers), speakerIds: values.speakerIds as string[], ...span },
    };
  };

  app.get('/plan/:eventId/programme', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    show(request, reply, 'programme', 'planning/programme', 'Programme', loadProgramme),
  );

  app.post('/plan/:eventId/programme', { config: { access: 'member' }, schema: { params: EventParams, body: SessionForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const { values, input, errors } = readSession(request.body as Body);
    const all = [...validationErrors(request), ...errors];
    const fail = (e: FieldError[]) => show(request, reply, 'programme', 'planning/programme', 'Programme', loadProgramme, { sessionForm: formState(values, e) }, 400);
    if (all.length || !input) return fail(all);
    try {
      await addSession(app.db, eventId, input, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return fail(error.fieldErrors);
      throw error;
    }
    return reply.notice('The session is added to the programme.').redirect(`/plan/${eventId}/programme`, 303);
  });

  const loadSession = (sessionId: string): Loader => async (access) => {
    const sessions = await listProgramme(app.db, access.event.id);
    const s = sessions.find((x) => x.id === sessionId);
    if (!s) throw new NotFoundError('We could not find that session.');
    const start = utcToLondonFields(s.startsAt);
    return {
      sessionId,
      members: await groupOptions(access.event.id),
      sessionForm: formState({ title: s.title, description: s.description, sessionDate: start.date, sessionStart: start.time, sessionEnd: utcToLondonFields(s.endsAt).time, room: s.room, guestSpeakers: s.guestSpeakers, speakerIds: s.speakerIds }),
    };
  };

  app.get('/plan/:eventId/programme/:sessionId', { config: { access: 'member' }, schema: { params: SessionParams } }, async (request, reply) => {
    const { sessionId } = request.params as { sessionId: string };
    return show(request, reply, 'programme', 'planning/session-edit', 'Change a session', loadSession(sessionId));
  });

  app.post('/plan/:eventId/programme/:sessionId', { config: { access: 'member' }, schema: { params: SessionParams, body: SessionForm }, attachValidation: true }, async (request, reply) => {
    const { eventId, sessionId } = request.params as { eventId: string; sessionId: string };
    const { values, input, errors } = readSession(request.body as Body);
    const all = [...validationErrors(request), ...errors];
    const fail = (e: FieldError[]) =>
      show(request, reply, 'programme', 'planning/session-edit', 'Change a session', loadSession(sessionId), { sessionForm: formState(values, e) }, 400);
    if (all.length || !input) return fail(all);
    try {
      await updateSession(app.db, eventId, sessionId, input, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return fail(error.fieldErrors);
      throw error;
    }
    return reply.notice('The session is saved.').redirect(`/plan/${eventId}/programme`, 303);
  });

  app.post('/plan/:eventId/programme/:sessionId/remove', { config: { access: 'member' }, schema: { params: SessionParams } }, async (request, reply) => {
    const { eventId, sessionId } = request.params as { eventId: string; sessionId: string };
    await deleteSession(app.db, eventId, sessionId, request.me!);
    return reply.notice('The session is removed from the programme.').redirect(`/plan/${eventId}/programme`, 303);
  });

  // ---- Tasks ----

  const loadTasks: Loader = async (access) => ({
    tasks: tasksView(await listTasks(app.db, access.event.id)),
    members: await groupOptions(access.event.id),
    taskForm: formState(),
  });

  app.get('/plan/:eventId/tasks', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => show(request, reply, 'tasks', 'planning/tasks', 'Tasks', loadTasks));

  app.post('/plan/:eventId/tasks', { config: { access: 'member' }, schema: { params: EventParams, body: TaskForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const body = request.body as Body;
    const values = { taskTitle: text(body, 'taskTitle'), ownerId: text(body, 'ownerId'), dueOn: text(body, 'dueOn') };
    const errors = validationErrors(request);
    if (values.dueOn && !isIsoDate(values.dueOn)) errors.push({ field: 'dueOn', message: 'Enter the due date as a date, for example 9 December 2026' });
    const fail = (e: FieldError[]) => show(request, reply, 'tasks', 'planning/tasks', 'Tasks', loadTasks, { taskForm: formState(values, e) }, 400);
    if (errors.length) return fail(errors);
    try {
      await addTask(app.db, eventId, { title: values.taskTitle, ownerId: values.ownerId || null, dueOn: values.dueOn || null }, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return fail(error.fieldErrors);
      throw error;
    }
    return reply.notice('The task is added.').redirect(`/plan/${eventId}/tasks`, 303);
  });

  app.post('/plan/:eventId/tasks/:taskId', { config: { access: 'member' }, schema: { params: TaskParams, body: DoneForm } }, async (request, reply) => {
    const { eventId, taskId } = request.params as { eventId: string; taskId: string };
    const done = checked(request.body as Body, 'done');
    await setTaskDone(app.db, eventId, taskId, done, request.me!);
    return reply.notice(done ? 'The task is marked as done.' : 'The task is open again.').redirect(`/plan/${eventId}/tasks`, 303);
  });

  // ---- Discussion and decisions ----

  const loadDiscussion: Loader = async (access) => ({
    posts: (await listPosts(app.db, access.event.id)).map((p) => ({ id: p.id, author: p.authorName || p.authorEmail || 'Someone', when: formatDateTime(p.at), iso: p.at.toISOString(), bodyHtml: renderMarkdown(p.body) })),
    decisions: (await listDecisions(app.db, access.event.id)).map((d) => ({ id: d.id, decision: d.decision, decidedBy: d.decidedBy, decidedOn: dateOnly(d.decidedOn), recorder: d.recorderName || '' })),
    postForm: formState(),
    decisionForm: formState({ decidedOn: londonToday() }),
  });

  app.get('/plan/:eventId/discussion', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) =>
    show(request, reply, 'discussion', 'planning/discussion', 'Discussion', loadDiscussion),
  );

  app.post('/plan/:eventId/discussion', { config: { access: 'member' }, schema: { params: EventParams, body: PostForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const values = { body: text(request.body as Body, 'body') };
    const fail = (e: FieldError[]) => show(request, reply, 'discussion', 'planning/discussion', 'Discussion', loadDiscussion, { postForm: formState(values, e) }, 400);
    const errors = validationErrors(request);
    if (errors.length) return fail(errors);
    try {
      await addPost(app.db, eventId, values.body, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return fail(error.fieldErrors);
      throw error;
    }
    return reply.notice('Your message is posted.').redirect(`/plan/${eventId}/discussion#discussion`, 303);
  });

  app.post('/plan/:eventId/decisions', { config: { access: 'member' }, schema: { params: EventParams, body: DecisionForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const body = request.body as Body;
    const values = { decision: text(body, 'decision'), decidedBy: text(body, 'decidedBy'), decidedOn: text(body, 'decidedOn') };
    const fail = (e: FieldError[]) => show(request, reply, 'discussion', 'planning/discussion', 'Discussion', loadDiscussion, { decisionForm: formState(values, e) }, 400);
    const errors = validationErrors(request);
    if (errors.length) return fail(errors);
    try {
      await recordDecision(app.db, eventId, values, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return fail(error.fieldErrors);
      throw error;
    }
    return reply.notice('The decision is recorded.').redirect(`/plan/${eventId}/discussion#decisions`, 303);
  });

  // ---- Meetings ----

  const loadMeetings: Loader = async (access) => ({
    meetings: (await listMeetings(app.db, access.event.id)).map((m) => ({
      id: m.id,
      title: m.title,
      when: formatTimeRange(m.startsAt, m.endsAt),
      place: m.place,
      joinUrl: m.joinUrl,
      notes: m.notes,
      cancelled: Boolean(m.cancelledAt),
      past: m.endsAt < new Date(),
    })),
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

  app.post('/plan/:eventId/meetings', { config: { access: 'member' }, schema: { params: EventParams, body: MeetingForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const { values, input, errors } = readMeeting(request.body as Body);
    const all = [...validationErrors(request), ...errors];
    const fail = (e: FieldError[]) => show(request, reply, 'meetings', 'planning/meetings', 'Meetings', loadMeetings, { meetingForm: formState(values, e) }, 400);
    if (all.length || !input) return fail(all);
    try {
      await scheduleMeeting(app.db, eventId, input, request.me!, { mailBudget: { perDay: app.config.mailBudgetPerDay } });
    } catch (error) {
      if (error instanceof InvalidInputError) return fail(error.fieldErrors);
      if (error instanceof TooManyRequestsError) return fail([{ field: 'meetingTitle', message: error.message }]);
      throw error;
    }
    app.mail.nudge();
    return reply.notice('The meeting is arranged. Everyone in the group has been sent a calendar invitation.').redirect(`/plan/${eventId}/meetings`, 303);
  });

  const loadMeeting = (meetingId: string): Loader => async (access) => {
    const m = await findMeeting(app.db, access.event.id, meetingId);
    const start = utcToLondonFields(m.startsAt);
    return {
      meetingId,
      cancelled: Boolean(m.cancelledAt),
      meetingForm: formState({ meetingTitle: m.title, meetingDate: start.date, meetingStart: start.time, meetingEnd: utcToLondonFields(m.endsAt).time, place: m.place, joinUrl: m.joinUrl, notes: m.notes }),
    };
  };

  app.get('/plan/:eventId/meetings/:meetingId', { config: { access: 'member' }, schema: { params: MeetingParams } }, async (request, reply) => {
    const { meetingId } = request.params as { meetingId: string };
    return show(request, reply, 'meetings', 'planning/meeting-edit', 'Change a meeting', loadMeeting(meetingId));
  });

  app.post('/plan/:eventId/meetings/:meetingId', { config: { access: 'member' }, schema: { params: MeetingParams, body: MeetingForm }, attachValidation: true }, async (request, reply) => {
    const { eventId, meetingId } = request.params as { eventId: string; meetingId: string };
    const { values, input, errors } = readMeeting(request.body as Body);
    const all = [...validationErrors(request), ...errors];
    const fail = (e: FieldError[]) => show(request, reply, 'meetings', 'planning/meeting-edit', 'Change a meeting', loadMeeting(meetingId), { meetingForm: formState(values, e) }, 400);
    if (all.length || !input) return fail(all);
    try {
      await updateMeeting(app.db, eventId, meetingId, input, request.me!, { mailBudget: { perDay: app.config.mailBudgetPerDay } });
    } catch (error) {
      if (error instanceof InvalidInputError) return fail(error.fieldErrors);
      if (error instanceof TooManyRequestsError) return fail([{ field: 'meetingTitle', message: error.message }]);
      throw error;
    }
    app.mail.nudge();
    return reply.notice('The meeting is changed. Everyone in the group has been sent the update.').redirect(`/plan/${eventId}/meetings`, 303);
  });

  app.post('/plan/:eventId/meetings/:meetingId/cancel', { config: { access: 'member' }, schema: { params: MeetingParams } }, async (request, reply) => {
    const { eventId, meetingId } = request.params as { eventId: string; meetingId: string };
    try {
      await cancelMeeting(app.db, eventId, meetingId, request.me!, { mailBudget: { perDay: app.config.mailBudgetPerDay } });
    } catch (error) {
      if (error instanceof TooManyRequestsError) return reply.notice(error.message, 'important').redirect(`/plan/${eventId}/meetings/${meetingId}`, 303);
      throw error;
    }
    app.mail.nudge();
    return reply.notice('The meeting is cancelled. Everyone in the group has been told.').redirect(`/plan/${eventId}/meetings`, 303);
  });

  // ---- 4PI record ----

  const loadFourPi: Loader = async (access) => {
    const record = await getFourPi(app.db, access.event.id);
    return { presence: await presence(app.db, access.event.id), fourPiForm: formState(record) };
  };

  app.get('/plan/:eventId/4pi', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => show(request, reply, 'four-pi', 'planning/four-pi', 'Involvement standards record', loadFourPi));

  app.post('/plan/:eventId/4pi', { config: { access: 'member' }, schema: { params: EventParams, body: FourPiForm }, attachValidation: true }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    const body = request.body as Body;
    const values = {
      principles: text(body, 'principles'),
      purpose: text(body, 'purpose'),
      preMeetings: checked(body, 'preMeetings'),
      accessiblePapers: checked(body, 'accessiblePapers'),
      expensesInAdvance: checked(body, 'expensesInAdvance'),
      otherSupport: text(body, 'otherSupport'),
      impact: text(body, 'impact'),
    };
    const errors = validationErrors(request);
    if (errors.length) return show(request, reply, 'four-pi', 'planning/four-pi', 'Involvement standards record', loadFourPi, { fourPiForm: formState(values, errors) }, 400);
    await saveFourPi(app.db, eventId, values, request.me!);
    return reply.notice('The involvement standards record is saved.').redirect(`/plan/${eventId}/4pi`, 303);
  });
};

