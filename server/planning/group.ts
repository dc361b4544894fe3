// The planning group of one event: members with a planning role and an optional, self-declared
// perspective that only the group (and organisers) can see; invitations by email that the
// invitee accepts or declines. Members may step back, and leads remove them; either way their
// meeting invitations are cancelled in their calendar. A planning role opens planning only (never bursary data), and
// nobody gives themselves a role: not by inviting their own address, nor by changing their own.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { events, people, planningMembers, type MemberStatus, type PlannerPerspective, type PlanningRole } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { checkEmail } from '../email-address.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { spendMailBudget, type MailBudget } from '../mail/budget.ts';
import { noteFeedChange } from '../calendar/private-feeds.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { planningAccess, requireLead, requireLeadChoice } from './access.ts';
import { planningRoleLabels } from './labels.ts';
import { inviteToArrangedMeetings, withdrawFromMeetings } from './meetings.ts';

export interface GroupMember {
  id: string;
  personId: string;
  name: string;
  email: string;
  role: PlanningRole;
  perspective: PlannerPerspective | null;
  status: MemberStatus;
}

/** Everyone invited to or in the group. Only call this for someone who may see the group. */
export async function listGroup(db: Db, eventId: string): Promise<GroupMember[]> {
  const rows = await db
    .select({
      id: planningMembers.id,
      personId: planningMembers.personId,
      displayName: people.displayName,
      email: people.email,
      role: planningMembers.role,
      perspective: planningMembers.perspective,
      status: planningMembers.status,
    })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(eq(planningMembers.eventId, eventId))
    .orderBy(asc(planningMembers.invitedAt));
  return rows.map((r) => ({ ...r, name: r.displayName || r.email }));
}

export async function inviteMember(
  db: Database,
  eventId: string,
  input: { email: string; role: PlanningRole },
  me: Me,
  context: { mailBudget: MailBudget },
): Promise<void> {
  const email = checkEmail(input.email);
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    requireLeadChoice(access, [input.role]);
    await tx.insert(people).values({ email }).onConflictDoNothing({ target: people.email });
    const [person] = await tx.select({ id: people.id }).from(people).where(eq(people.email, email));
    if (person!.id === me.id) throw new InvalidInputError([{ field: 'email', message: 'You cannot invite yourself: ask another lead or an organiser' }]);
    const [existing] = await tx
      .select({ id: planningMembers.id, status: planningMembers.status })
      .from(planningMembers)
      .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.personId, person!.id)));
    if (existing && existing.status !== 'declined')
      throw new ConflictError('already_in_group', 'That person is already in the planning group or has been invited.');
    if (existing) {
      await tx
        .update(planningMembers)
        .set({ role: input.role, status: 'invited', invitedBy: me.id, invitedAt: new Date(), respondedAt: null })
        .where(eq(planningMembers.id, existing.id));
    } else {
      await tx.insert(planningMembers).values({ eventId, personId: person!.id, role: input.role, status: 'invited', invitedBy: me.id });
    }
    // A lead is an ordinary member typing any address: each invitation is spent from their
    // daily email budget (over it, nothing is saved).
    await spendMailBudget(tx, { personId: me.id, emails: 1, budget: context.mailBudget });
    await recordAudit(tx, {
      actorId: me.id,
      action: 'planning.member.invited',
      subjectType: 'event',
      subjectId: eventId,
      details: { personId: person!.id, role: input.role },
    });
    await enqueueEmail(tx, {
      because: 'planning.invited',
      to: email,
      template: 'planning-invitation',
      data: {
        inviterName: me.displayName || me.email,
        title: access.event.title,
        roleLabel: planningRoleLabels[input.role].toLowerCase(),
        invitationPath: `/plan/${eventId}/invitation`,
      },
    });
  });
}

/** The signed-in person's invitation to this event's group, if they have one. */
export async function myInvitation(db: Db, eventId: string, me: Me) {
  const [row] = await db
    .select({ id: planningMembers.id, role: planningMembers.role, status: planningMembers.status, eventTitle: events.title })
    .from(planningMembers)
    .innerJoin(events, eq(events.id, planningMembers.eventId))
    .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.personId, me.id)));
  return row ?? null;
}

export async function respondToInvitation(
  db: Database,
  eventId: string,
  input: { accept: boolean; perspective: PlannerPerspective | null },
  me: Me,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: planningMembers.id, status: planningMembers.status })
      .from(planningMembers)
      .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.personId, me.id)))
      .for('update');
    if (!row) throw new NotFoundError('We could not find an invitation for you to plan this event.');
    if (row.status !== 'invited') throw new ConflictError('invitation_answered', 'You have already answered this invitation.');
    await tx
      .update(planningMembers)
      .set({ status: input.accept ? 'accepted' : 'declined', perspective: input.accept ? input.perspective : null, respondedAt: new Date() })
      .where(eq(planningMembers.id, row.id));
    await recordAudit(tx, {
      actorId: me.id,
      action: input.accept ? 'planning.member.accepted' : 'planning.member.declined',
      subjectType: 'event',
      subjectId: eventId,
    });
    // Joining late: the meetings already arranged are sent as invitations.
    if (input.accept) {
      const [event] = await tx.select({ id: events.id, title: events.title }).from(events).where(eq(events.id, eventId));
      await inviteToArrangedMeetings(tx, event!, me.id);
    }
  });
}

/** A perspective is declared only by the person themselves. */
export async function setMyPerspective(db: Database, eventId: string, perspective: PlannerPerspective | null, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    if (!access.membership) throw new ForbiddenError('Only members of the planning group can declare a perspective here.');
    await tx.update(planningMembers).set({ perspective }).where(eq(planningMembers.id, access.membership.id));
    await recordAudit(tx, { actorId: me.id, action: 'planning.member.perspective_set', subjectType: 'event', subjectId: eventId });
  });
}

export async function changeMemberRole(
  db: Database,
  eventId: string,
  memberId: string,
  role: PlanningRole,
  me: Me,
  context: { mailBudget: MailBudget },
): Promise<void> {
  await db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    requireLead(access);
    const [member] = await tx
      .select({ personId: planningMembers.personId, role: planningMembers.role })
      .from(planningMembers)
      .where(and(eq(planningMembers.id, memberId), eq(planningMembers.eventId, eventId)))
      .for('update');
    if (!member) throw new NotFoundError('We could not find that member of the planning group.');
    if (member.personId === me.id) throw new ConflictError('own_role', 'You cannot change your own role. Another lead or an organiser can.');
    requireLeadChoice(access, [member.role, role]);
    if (member.role === role) return;
    await tx.update(planningMembers).set({ role }).where(eq(planningMembers.id, memberId));
    await recordAudit(tx, { actorId: me.id, action: 'planning.member.role_changed', subjectType: 'event', subjectId: eventId, details: { memberId, role } });
    const told = await tellOfRoleChange(tx, access.event, member.personId, role, me);
    // Emails to other people come out of the member's daily budget (organisers included, as for invitations).
    await spendMailBudget(tx, { personId: me.id, emails: told, budget: context.mailBudget });
  });
}

/**
 * Ends someone's membership, in the caller's transaction: their meeting invitations are cancelled
 * in their calendar and their private feed notes the change. Returns who it was.
 */
async function endMembership(
  tx: Db,
  because: 'planning.member-removed' | 'planning.stepped-back',
  event: { id: string; title: string },
  memberId: string,
): Promise<{ personId: string; status: MemberStatus; email: string; displayName: string | null; meetings: number }> {
  const [member] = await tx
    .select({ personId: planningMembers.personId, status: planningMembers.status, email: people.email, displayName: people.displayName })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(and(eq(planningMembers.id, memberId), eq(planningMembers.eventId, event.id)))
    .for('update', { of: planningMembers });
  if (!member) throw new NotFoundError('We could not find that member of the planning group.');
  await tx.delete(planningMembers).where(eq(planningMembers.id, memberId));
  if (member.status !== 'accepted') return { ...member, meetings: 0 };
  const now = new Date();
  const meetings = await withdrawFromMeetings(tx, because, event, { personId: member.personId, email: member.email, displayName: member.displayName }, now);
  await noteFeedChange(tx, member.personId, now);
  return { ...member, meetings };
}

/** Returns how many meetings were taken out of their calendar, and whether they were emailed. */
export async function removeMember(
  db: Database,
  eventId: string,
  memberId: string,
  me: Me,
  context: { mailBudget: MailBudget },
): Promise<{ meetings: number; emailed: boolean }> {
  return db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    requireLead(access);
    const [target] = await tx
      .select({ role: planningMembers.role })
      .from(planningMembers)
      .where(and(eq(planningMembers.id, memberId), eq(planningMembers.eventId, eventId)));
    requireLeadChoice(access, [target?.role]);
    const removed = await endMembership(tx, 'planning.member-removed', access.event, memberId);
    if (removed.status !== 'declined') {
      // They are told who took them off, so that they can ask that person or the organisers why.
      await enqueueEmail(tx, {
        because: 'planning.member-removed',
        to: removed.email,
        template: 'planning-removed',
        data: { name: removed.displayName, title: access.event.title, byName: me.displayName || me.email, invited: removed.status === 'invited' },
      });
    }
    const leadsTold = removed.status === 'accepted' ? await tellLeadsOfLeaving(tx, 'planning.member-removed', access.event, removed, me) : 0;
    const told = removed.meetings + (removed.status === 'declined' ? 0 : 1) + leadsTold;
    await spendMailBudget(tx, { personId: me.id, emails: told, budget: context.mailBudget });
    await recordAudit(tx, {
      actorId: me.id,
      action: 'planning.member.removed',
      subjectType: 'event',
      subjectId: eventId,
      details: { personId: removed.personId },
    });
    return { meetings: removed.meetings, emailed: removed.status !== 'declined' };
  });
}

/** A member steps back from the group of their own accord; no reason is asked. Returns how many meetings were taken out of their calendar. */
export async function leaveGroup(db: Database, eventId: string, me: Me): Promise<number> {
  return db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me);
    if (!access.membership) throw new ConflictError('not_in_group', 'You are not in this event’s planning group.');
    const left = await endMembership(tx, 'planning.stepped-back', access.event, access.membership.id);
    await tellLeadsOfLeaving(tx, 'planning.stepped-back', access.event, left, me);
    await recordAudit(tx, { actorId: me.id, action: 'planning.member.left', subjectType: 'event', subjectId: eventId });
    return left.meetings;
  });
}

/**
 * The group's leads and co-leads are told when a member leaves it, taken off by a lead or
 * stepping back (DOMAIN.md): not the one who took them off, nor the one who left. Returns how
 * many were told.
 */
async function tellLeadsOfLeaving(
  tx: Db,
  because: 'planning.member-removed' | 'planning.stepped-back',
  event: { id: string; title: string },
  member: { personId: string; displayName: string | null },
  me: Me,
): Promise<number> {
  const leads = await tx
    .select({ personId: people.id, email: people.email, displayName: people.displayName })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(and(eq(planningMembers.eventId, event.id), eq(planningMembers.status, 'accepted'), inArray(planningMembers.role, ['lead', 'co_lead'])));
  const told = leads.filter((l) => l.personId !== me.id && l.personId !== member.personId);
  for (const to of told) {
    await enqueueEmail(tx, {
      because,
      to: to.email,
      template: 'planning-member-left',
      data: {
        name: to.displayName,
        title: event.title,
        memberName: member.displayName || 'A member of the group',
        steppedBack: because === 'planning.stepped-back',
        byName: me.displayName || 'A lead of the group',
        planningPath: `/plan/${event.id}`,
      },
    });
  }
  return told.length;
}

/** The member whose role changed is told, and so are the group's other leads (not the one who did it). Returns how many were told. */
async function tellOfRoleChange(tx: Db, event: { id: string; title: string }, personId: string, role: PlanningRole, me: Me): Promise<number> {
  const rows = await tx
    .select({ personId: people.id, email: people.email, displayName: people.displayName, role: planningMembers.role, status: planningMembers.status })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(eq(planningMembers.eventId, event.id));
  const member = rows.find((r) => r.personId === personId);
  if (!member) return 0;
  const leads = rows.filter((r) => r.status === 'accepted' && (r.role === 'lead' || r.role === 'co_lead') && r.personId !== me.id && r.personId !== personId);
  for (const to of [member, ...leads]) {
    await enqueueEmail(tx, {
      because: 'planning.role-changed',
      to: to.email,
      template: 'planning-role-changed',
      data: {
        name: to.displayName,
        title: event.title,
        you: to === member,
        memberName: member.displayName || 'A member of the group',
        roleLabel: planningRoleLabels[role],
        byName: me.displayName || 'A lead of the group',
        planningPath: `/plan/${event.id}`,
      },
    });
  }
  return 1 + leads.length;
}
