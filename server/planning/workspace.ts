// The planning group's shared work on one event: the programme, tasks, the discussion thread and
// the decision log. Every function checks the person's rights on this event first.
import { and, asc, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { events, people, planningDecisions, planningMembers, planningPosts, planningTasks, programmeSessions } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formatTimeRange } from '../format.ts';
import { planningAccess } from './access.ts';
import { isIsoDate } from '../london-time.ts';

// ---- Programme ----

export interface SessionInput {
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  room: string;
  speakerIds: string[];
  guestSpeakers: string;
}

async function checkSpeakers(tx: Db, eventId: string, speakerIds: string[]): Promise<void> {
  if (!speakerIds.length) return;
  const rows = await tx
    .select({ personId: planningMembers.personId })
    .from(planningMembers)
    .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.status, 'accepted'), inArray(planningMembers.personId, speakerIds)));
  if (rows.length !== new Set(speakerIds).size)
    throw new InvalidInputError([{ field: 'speakerIds', message: 'Speakers must be members of the planning group' }]);
}

function checkSession(input: SessionInput): void {
  if (!input.title.trim()) throw new InvalidInputError([{ field: 'title', message: 'Enter the session’s title' }]);
}

/** A session happens within its event's times, once the event has them. */
function checkWithinEvent(input: SessionInput, event: { startsAt: Date | null; endsAt: Date | null }): void {
  if (!event.startsAt || !event.endsAt) return;
  if (input.startsAt < event.startsAt || input.endsAt > event.endsAt) {
    const times = formatTimeRange(event.startsAt, event.endsAt);
    throw new InvalidInputError([{ field: 'sessionStart', message: `The session must be within the event’s times (${times})` }]);
  }
}

/**
 * The programme moves with its event: when the event's start moves, every session moves by the
 * same amount, in the caller's transaction. A session that would then fall outside the event's
 * new times is refused, with the event's form error, so nothing is half-moved.
 */
export async function moveProgramme(
  tx: Db,
  eventId: string,
  before: { startsAt: Date | null },
  after: { startsAt: Date | null; endsAt: Date | null },
): Promise<void> {
  const sessions = await tx
    .select({ id: programmeSessions.id, title: programmeSessions.title, startsAt: programmeSessions.startsAt, endsAt: programmeSessions.endsAt })
    .from(programmeSessions)
    .where(eq(programmeSessions.eventId, eventId));
  if (!sessions.length || !after.startsAt || !after.endsAt) return;
  const offset = before.startsAt ? after.startsAt.getTime() - before.startsAt.getTime() : 0;
  const outside: string[] = [];
  for (const s of sessions) {
    const startsAt = new Date(s.startsAt.getTime() + offset);
    const endsAt = new Date(s.endsAt.getTime() + offset);
    if (startsAt < after.startsAt || endsAt > after.endsAt) outside.push(s.title);
    else if (offset) await tx.update(programmeSessions).set({ startsAt, endsAt }).where(eq(programmeSessions.id, s.id));
  }
  if (outside.length) {
    throw new InvalidInputError([
      {
        field: 'endTime',
        message: `The programme would have sessions outside the event’s times: ${outside.join(', ')}. Change the times, or move those sessions first.`,
      },
    ]);
  }
}

export async function addSession(db: Database, eventId: string, input: SessionInput, me: Me): Promise<string> {
  checkSession(input);
  return db.transaction(async (tx) => {
    checkWithinEvent(input, (await planningAccess(tx, eventId, me)).event);
    await checkSpeakers(tx, eventId, input.speakerIds);
    const [row] = await tx
      .insert(programmeSessions)
      .values({
        eventId,
        ...input,
        title: input.title.trim(),
        description: input.description.trim(),
        room: input.room.trim(),
        guestSpeakers: input.guestSpeakers.trim(),
      })
      .returning({ id: programmeSessions.id });
    await recordAudit(tx, { actorId: me.id, action: 'planning.session.added', subjectType: 'event', subjectId: eventId, details: { sessionId: row!.id } });
    return row!.id;
  });
}

export async function updateSession(db: Database, eventId: string, sessionId: string, input: SessionInput, me: Me): Promise<void> {
  checkSession(input);
  await db.transaction(async (tx) => {
    checkWithinEvent(input, (await planningAccess(tx, eventId, me)).event);
    await checkSpeakers(tx, eventId, input.speakerIds);
    const updated = await tx
      .update(programmeSessions)
      .set({ ...input, title: input.title.trim(), description: input.description.trim(), room: input.room.trim(), guestSpeakers: input.guestSpeakers.trim() })
      .where(and(eq(programmeSessions.id, sessionId), eq(programmeSessions.eventId, eventId)))
      .returning({ id: programmeSessions.id });
    if (!updated.length) throw new NotFoundError('We could not find that session.');
    await recordAudit(tx, { actorId: me.id, action: 'planning.session.updated', subjectType: 'event', subjectId: eventId, details: { sessionId } });
  });
}

export async function deleteSession(db: Database, eventId: string, sessionId: string, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    await planningAccess(tx, eventId, me);
    const removed = await tx
      .delete(programmeSessions)
      .where(and(eq(programmeSessions.id, sessionId), eq(programmeSessions.eventId, eventId)))
      .returning({ id: programmeSessions.id });
    if (!removed.length) throw new NotFoundError('We could not find that session.');
    // A removed session leaves no change time of its own: the event's stands for it, so feeds
    // with the programme tell calendar apps that asked If-Modified-Since.
    await tx.update(events).set({ updatedAt: new Date() }).where(eq(events.id, eventId));
    await recordAudit(tx, { actorId: me.id, action: 'planning.session.removed', subjectType: 'event', subjectId: eventId, details: { sessionId } });
  });
}

export interface ProgrammeSession {
  id: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  room: string;
  speakerIds: string[];
  speakers: string[];
  guestSpeakers: string;
}

/** The programme in time order, with speakers' display names. Public once the event is. */
const programmeOf = prepared((db) =>
  db
    .select({
      id: programmeSessions.id,
      title: programmeSessions.title,
      description: programmeSessions.description,
      startsAt: programmeSessions.startsAt,
      endsAt: programmeSessions.endsAt,
      room: programmeSessions.room,
      speakerIds: programmeSessions.speakerIds,
      guestSpeakers: programmeSessions.guestSpeakers,
    })
    .from(programmeSessions)
    .where(eq(programmeSessions.eventId, sql.placeholder('eventId')))
    .orderBy(asc(programmeSessions.startsAt), asc(programmeSessions.title))
    .prepare('programme'),
);

export async function listProgramme(db: Db, eventId: string): Promise<ProgrammeSession[]> {
  const rows = await programmeOf(db).execute({ eventId });
  const ids = [...new Set(rows.flatMap((r) => r.speakerIds))];
  const names = ids.length ? await db.select({ id: people.id, displayName: people.displayName }).from(people).where(inArray(people.id, ids)) : [];
  const nameOf = new Map(names.map((n) => [n.id, n.displayName || 'A member of the planning group']));
  return rows.map((r) => ({ ...r, speakers: r.speakerIds.map((id) => nameOf.get(id) ?? '').filter(Boolean) }));
}

// ---- Tasks ----

export async function addTask(db: Database, eventId: string, input: { title: string; ownerId: string | null; dueOn: string | null }, me: Me): Promise<void> {
  if (!input.title.trim()) throw new InvalidInputError([{ field: 'taskTitle', message: 'Enter what needs doing' }]);
  await db.transaction(async (tx) => {
    await planningAccess(tx, eventId, me);
    if (input.ownerId) {
      const [owner] = await tx
        .select({ id: planningMembers.id })
        .from(planningMembers)
        .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.personId, input.ownerId), eq(planningMembers.status, 'accepted')));
      if (!owner) throw new InvalidInputError([{ field: 'ownerId', message: 'Select who will do it from the planning group' }]);
    }
    const [row] = await tx
      .insert(planningTasks)
      .values({ eventId, title: input.title.trim(), ownerId: input.ownerId, dueOn: input.dueOn, createdBy: me.id })
      .returning({ id: planningTasks.id });
    await recordAudit(tx, { actorId: me.id, action: 'planning.task.added', subjectType: 'event', subjectId: eventId, details: { taskId: row!.id } });
  });
}

export async function setTaskDone(db: Database, eventId: string, taskId: string, done: boolean, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    await planningAccess(tx, eventId, me);
    const updated = await tx
      .update(planningTasks)
      .set({ doneAt: done ? new Date() : null })
      .where(and(eq(planningTasks.id, taskId), eq(planningTasks.eventId, eventId)))
      .returning({ id: planningTasks.id });
    if (!updated.length) throw new NotFoundError('We could not find that task.');
    await recordAudit(tx, {
      actorId: me.id,
      action: done ? 'planning.task.done' : 'planning.task.reopened',
      subjectType: 'event',
      subjectId: eventId,
      details: { taskId },
    });
  });
}

export async function listTasks(db: Db, eventId: string) {
  return db
    .select({
      id: planningTasks.id,
      title: planningTasks.title,
      dueOn: planningTasks.dueOn,
      doneAt: planningTasks.doneAt,
      ownerName: people.displayName,
      ownerEmail: people.email,
    })
    .from(planningTasks)
    .leftJoin(people, eq(people.id, planningTasks.ownerId))
    .where(eq(planningTasks.eventId, eventId))
    .orderBy(asc(planningTasks.doneAt), asc(planningTasks.dueOn), asc(planningTasks.createdAt));
}

export async function countOpenTasks(db: Db, eventId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(planningTasks)
    .where(and(eq(planningTasks.eventId, eventId), isNull(planningTasks.doneAt)));
  return row?.n ?? 0;
}

// ---- Discussion and decisions ----

export async function addPost(db: Database, eventId: string, body: string, me: Me): Promise<void> {
  if (!body.trim()) throw new InvalidInputError([{ field: 'body', message: 'Enter your message' }]);
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    if (access.event.status === 'cancelled') throw new ConflictError('event_closed', 'This event has been cancelled.');
    await tx.insert(planningPosts).values({ eventId, authorId: me.id, body: body.trim() });
    await recordAudit(tx, { actorId: me.id, action: 'planning.post.added', subjectType: 'event', subjectId: eventId });
  });
}

export async function listPosts(db: Db, eventId: string) {
  return db
    .select({ id: planningPosts.id, body: planningPosts.body, at: planningPosts.at, authorName: people.displayName, authorEmail: people.email })
    .from(planningPosts)
    .leftJoin(people, eq(people.id, planningPosts.authorId))
    .where(eq(planningPosts.eventId, eventId))
    .orderBy(asc(planningPosts.at));
}

export async function recordDecision(db: Database, eventId: string, input: { decision: string; decidedBy: string; decidedOn: string }, me: Me): Promise<void> {
  const errors = [];
  if (!input.decision.trim()) errors.push({ field: 'decision', message: 'Enter what was decided' });
  if (!input.decidedBy.trim()) errors.push({ field: 'decidedBy', message: 'Enter who decided' });
  if (!isIsoDate(input.decidedOn)) errors.push({ field: 'decidedOn', message: 'Enter the date it was decided, for example 9 December 2026' });
  if (errors.length) throw new InvalidInputError(errors);
  await db.transaction(async (tx) => {
    await planningAccess(tx, eventId, me);
    await tx
      .insert(planningDecisions)
      .values({ eventId, decision: input.decision.trim(), decidedBy: input.decidedBy.trim(), decidedOn: input.decidedOn, recordedBy: me.id });
    await recordAudit(tx, { actorId: me.id, action: 'planning.decision.recorded', subjectType: 'event', subjectId: eventId });
  });
}

export async function listDecisions(db: Db, eventId: string) {
  return db
    .select({
      id: planningDecisions.id,
      decision: planningDecisions.decision,
      decidedBy: planningDecisions.decidedBy,
      decidedOn: planningDecisions.decidedOn,
      recorderName: people.displayName,
    })
    .from(planningDecisions)
    .leftJoin(people, eq(people.id, planningDecisions.recordedBy))
    .where(eq(planningDecisions.eventId, eventId))
    .orderBy(desc(planningDecisions.decidedOn), desc(planningDecisions.at));
}
