// Planning pages as templates see them: London times, labels, and flags already worked out.
import type { PlannerPerspective } from '../../db/schema/index.ts';
import { formatPence } from '../format.ts';
import { eventFormatLabels, eventStatusLabels, eventTypeLabels } from '../event-labels.ts';
import { formatDate, formatDateTime, formatTime, formatTimeRange } from '../format.ts';
import { renderMarkdown } from '../markdown.ts';
import type { EventRow, PlanningAccess } from './access.ts';
import type { GroupMember } from './group.ts';
import type { listItems, myItems } from './involvement.ts';
import type { listMeetings } from './meetings.ts';
import type { listResources } from './public.ts';
import type { QuotableAnswer } from './after.ts';
import type { FormState } from '../http/forms.ts';
import type { listDecisions, listPosts } from './workspace.ts';
import type { listEventsForOrganisers, listMyPlanning } from './lists.ts';
import { involvementActivityLabels, involvementChoiceLabels, perspectiveLabels, planningRoleLabels } from './labels.ts';
import { londonToday } from '../london-time.ts';
import type { ProgrammeSession } from './workspace.ts';

export const workspaceSections = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'details', label: 'Event details', path: '/details' },
  { key: 'programme', label: 'Programme', path: '/programme' },
  { key: 'tasks', label: 'Tasks', path: '/tasks' },
  { key: 'discussion', label: 'Discussion and decisions', path: '/discussion' },
  { key: 'meetings', label: 'Meetings', path: '/meetings' },
  { key: 'four-pi', label: 'Involvement standards', path: '/4pi' },
  { key: 'involvement', label: 'Involvement payments', path: '/involvement' },
  { key: 'after', label: 'After the event', path: '/after' },
] as const;
export type WorkspaceSection = (typeof workspaceSections)[number]['key'];

/** The frame every workspace page shares: the event's name and state and the section links. */
export function workspaceFrame(access: PlanningAccess, current: WorkspaceSection) {
  const e = access.event;
  return {
    event: {
      id: e.id,
      title: e.title,
      status: e.status,
      statusLabel: eventStatusLabels[e.status],
      typeLabel: eventTypeLabels[e.type],
      formatLabel: eventFormatLabels[e.format],
      when: e.startsAt ? formatTimeRange(e.startsAt, e.endsAt) : 'Date not set yet',
      publicUrl: e.status === 'planning' ? null : `/events/${e.slug}`,
      organiseUrl: `/organise/events/${e.slug}`,
      announceUrl: `/organise/announcements/new?event=${e.slug}`,
    },
    sections: workspaceSections.map((s) => ({ ...s, url: `/plan/${e.id}${s.path}`, current: s.key === current })),
    canLead: access.canLead,
    isOrganiser: access.isOrganiser,
    isMember: Boolean(access.membership),
  };
}

export function groupView(members: GroupMember[], access: PlanningAccess, myPersonId: string) {
  // Declared perspectives are seen only inside the group (each person always sees their own).
  const showPerspectives = Boolean(access.membership);
  return members.map((m) => ({
    id: m.id,
    personId: m.personId,
    name: m.name,
    email: access.canLead ? m.email : '',
    // A co-lead manages everyone but the lead; nobody changes their own row.
    manageable: access.canLead && m.personId !== myPersonId && (access.canChooseLeads || m.role !== 'lead'),
    role: m.role,
    roleLabel: planningRoleLabels[m.role],
    status: m.status,
    statusLabel: m.status === 'invited' ? 'Invited' : m.status === 'declined' ? 'Declined' : '',
    perspectiveLabel: (showPerspectives || m.personId === myPersonId) && m.perspective ? perspectiveLabels[m.perspective as PlannerPerspective] : '',
    isMe: m.personId === myPersonId,
  }));
}

export function programmeView(sessions: ProgrammeSession[]) {
  return sessions.map((s) => ({
    id: s.id,
    title: s.title,
    descriptionHtml: renderMarkdown(s.description),
    day: formatDate(s.startsAt),
    time: `${formatTime(s.startsAt)} to ${formatTime(s.endsAt)}`,
    startsAtIso: s.startsAt.toISOString(),
    room: s.room,
    speakers: [
      ...s.speakers,
      ...s.guestSpeakers
        .split(/\n|,/)
        .map((x) => x.trim())
        .filter(Boolean),
    ].join(', '),
  }));
}

export function tasksView(
  rows: { id: string; title: string; dueOn: string | null; doneAt: Date | null; ownerName: string | null; ownerEmail: string | null }[],
  now = new Date(),
) {
  const today = londonToday(now);
  return rows.map((t) => ({
    id: t.id,
    title: t.title,
    owner: t.ownerName || t.ownerEmail || 'Nobody yet',
    due: t.dueOn ? formatDate(new Date(`${t.dueOn}T12:00:00Z`)) : 'No date',
    done: Boolean(t.doneAt),
    overdue: !t.doneAt && Boolean(t.dueOn) && t.dueOn! < today,
  }));
}

export function dateOnly(iso: string): string {
  return formatDate(new Date(`${iso}T12:00:00Z`));
}

export type { EventRow };

/** An event on the Organise page. */
export function organiseEventRow(e: Awaited<ReturnType<typeof listEventsForOrganisers>>[number]) {
  return {
    title: e.title,
    url: `/plan/${e.id}`,
    attendeesUrl: `/organise/events/${e.slug}/attendees`,
    typeLabel: eventTypeLabels[e.type],
    statusLabel: eventStatusLabels[e.status],
    when: e.startsAt ? formatTimeRange(e.startsAt, e.endsAt) : 'Date not set yet',
  };
}

/** An event on a person's own planning page: an invitation opens the invitation page. */
export function myPlanningItem(e: Awaited<ReturnType<typeof listMyPlanning>>[number]) {
  return {
    title: e.title,
    roleLabel: planningRoleLabels[e.role],
    statusLabel: eventStatusLabels[e.status],
    when: e.startsAt ? formatTimeRange(e.startsAt, e.endsAt) : 'Date not set yet',
    url: e.memberStatus === 'invited' ? `/plan/${e.id}/invitation` : `/plan/${e.id}`,
  };
}

/** "2 hours 30 minutes". */
export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h} hour${h === 1 ? '' : 's'}` : '', m ? `${m} minutes` : ''].filter(Boolean).join(' ');
}

/** A logged piece of involvement on an event's involvement page. */
export function involvementItemView(i: Awaited<ReturnType<typeof listItems>>[number], myPersonId: string) {
  return {
    id: i.id,
    who: i.personName || i.personEmail,
    isMine: i.personId === myPersonId,
    activity: involvementActivityLabels[i.activity],
    description: i.description,
    on: dateOnly(i.occurredOn),
    duration: duration(i.minutes),
    amount: formatPence(i.amountPence),
    choice: i.choice,
    choiceLabel: involvementChoiceLabels[i.choice] + (i.choice === 'organisation' && i.organisationName ? ` (${i.organisationName})` : ''),
    organisationName: i.organisationName,
    paid: Boolean(i.paidAt),
  };
}

/** A person's own logged involvement, across events. */
export function myInvolvementItemView(i: Awaited<ReturnType<typeof myItems>>[number]) {
  return {
    eventTitle: i.eventTitle,
    activity: involvementActivityLabels[i.activity],
    on: dateOnly(i.occurredOn),
    duration: duration(i.minutes),
    amount: formatPence(i.amountPence),
    choiceLabel: involvementChoiceLabels[i.choice],
    paid: Boolean(i.paidAt),
  };
}

/** A message in the planning group's discussion. */
export function postView(p: Awaited<ReturnType<typeof listPosts>>[number]) {
  return {
    id: p.id,
    author: p.authorName || p.authorEmail || 'Someone',
    when: formatDateTime(p.at),
    iso: p.at.toISOString(),
    bodyHtml: renderMarkdown(p.body),
  };
}

/** A decision the planning group recorded. */
export function decisionView(d: Awaited<ReturnType<typeof listDecisions>>[number]) {
  return { id: d.id, decision: d.decision, decidedBy: d.decidedBy, decidedOn: dateOnly(d.decidedOn), recorder: d.recorderName || '' };
}

/** A planning meeting on the meetings page. */
export function meetingView(m: Awaited<ReturnType<typeof listMeetings>>[number], now = new Date()) {
  return {
    id: m.id,
    title: m.title,
    when: formatTimeRange(m.startsAt, m.endsAt),
    place: m.place,
    joinUrl: m.joinUrl,
    notes: m.notes,
    cancelled: Boolean(m.cancelledAt),
    past: m.endsAt < now,
  };
}

/** A resource (an uploaded file or a link) on the after-the-event page. */
export function resourceView(r: Awaited<ReturnType<typeof listResources>>[number]) {
  return { id: r.id, title: r.title, kind: r.kind, url: r.kind === 'file' ? `/resources/${r.id}` : r.url };
}

/**
 * The answers a lead may choose to quote in the impact note, each checked as it was saved, or as
 * it was just sent when the form comes back with a message.
 */
export function quotableView(answers: QuotableAnswer[], form?: FormState) {
  const sent = form?.values.quotes;
  const chosen = sent === undefined ? null : new Set(Array.isArray(sent) ? sent.map(String) : [String(sent)]);
  return answers.map((a) => ({ id: a.id, question: a.question, value: a.value, checked: chosen ? chosen.has(a.id) : a.quoted }));
}
