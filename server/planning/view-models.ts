// Planning pages as templates see them: London times, labels, and flags already worked out.
import type { PlannerPerspective } from '../../db/schema/index.ts';
import { eventFormatLabels, eventStatusLabels, eventTypeLabels } from '../event-labels.ts';
import { formatDate, formatTime, formatTimeRange } from '../format.ts';
import { renderMarkdown } from '../markdown.ts';
import type { EventRow, PlanningAccess } from './access.ts';
import type { GroupMember } from './group.ts';
import { perspectiveLabels, planningRoleLabels } from './labels.ts';
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
    speakers: [...s.speakers, ...s.guestSpeakers.split(/\n|,/).map((x) => x.trim()).filter(Boolean)].join(', '),
  }));
}

export function tasksView(rows: { id: string; title: string; dueOn: string | null; doneAt: Date | null; ownerName: string | null; ownerEmail: string | null }[], now = new Date()) {
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
