// Planning pages as templates see them: London times, labels, and flags already worked out.
import {
  involvementActivities,
  involvementChoices,
  plannerPerspectives,
  planningRoles,
  type PlannerPerspective,
  type PlanningRole,
} from '../../db/schema/index.ts';
import { formatPence } from '../format.ts';
import { poundsField } from '../money.ts';
import { taxYearOf, taxYearRange } from './involvement.ts';
import { eventFormatLabels, eventStatusLabels, eventTypeLabels } from '../event-labels.ts';
import { formatDate, formatDateTime, formatTime, formatTimeRange } from '../format.ts';
import { renderMarkdown } from '../markdown.ts';
import type { EventRow, PlanningAccess } from './access.ts';
import type { GroupMember } from './group.ts';
import type { listItems, myItems } from './involvement.ts';
import type { listMeetings, MeetingRow } from './meetings.ts';
import type { listResources } from './public.ts';
import type { QuotableAnswer } from './after.ts';
import type { FormState } from '../http/forms.ts';
import type { listDecisions, listPosts } from './workspace.ts';
import type { listEventsForOrganisers, listMyPlanning } from './lists.ts';
import { involvementActivityLabels, involvementChoiceLabels, perspectiveLabels, planningRoleLabels } from './labels.ts';
import { londonToday, utcToLondonFields } from '../london-time.ts';
import type { ProgrammeSession } from './workspace.ts';
import { readinessLabels, type ReadinessItem } from './events.ts';

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

/** The planning roles as a form's choices; without "lead" for someone who may not choose leads. */
export function roleOptions(canChooseLeads = true) {
  return planningRoles.filter((r) => canChooseLeads || r !== 'lead').map((r) => ({ value: r, label: planningRoleLabels[r] }));
}

/** A planner's perspective as a form's choices, not saying first. */
export const perspectiveOptions = [
  { value: '', label: 'I would rather not say' },
  ...plannerPerspectives.map((p) => ({ value: p, label: perspectiveLabels[p] })),
];

/** The overview's checklist for publishing: each item, and whether it is done. */
export function readinessList(missing: ReadinessItem[]) {
  return (Object.keys(readinessLabels) as ReadinessItem[]).map((k) => ({ key: k, label: readinessLabels[k], done: !missing.includes(k) }));
}

/** The role someone is invited to plan in, as the invitation's sentence says it. */
export function invitedRoleWords(role: PlanningRole): string {
  return planningRoleLabels[role].toLowerCase();
}

/** What a planner did, and how they would like to be paid, as a form's choices. */
export const activityOptions = involvementActivities.map((a) => ({ value: a, label: involvementActivityLabels[a] }));
export const choiceOptions = involvementChoices.map((c) => ({ value: c, label: involvementChoiceLabels[c] }));

/** The event's involvement page's money: the Hub's rate, and my total this tax year against my limit. */
export function involvementMoney(rate: number, year: number, total: number, cap: number | null) {
  return { rate: formatPence(rate), myTotal: { year: taxYearRange(year).label, total: formatPence(total), cap: cap == null ? null : formatPence(cap) } };
}

/** A person's own involvement page: this tax year against their limit, each year's total, and each item. */
export function myInvolvementModel(items: Awaited<ReturnType<typeof myItems>>, year: number, total: number, cap: number | null) {
  const byYear = new Map<number, number>();
  for (const i of items)
    if (i.choice === 'paid' || i.choice === 'vouchers') byYear.set(taxYearOf(i.occurredOn), (byYear.get(taxYearOf(i.occurredOn)) ?? 0) + i.amountPence);
  return {
    thisYear: {
      label: taxYearRange(year).label,
      total: formatPence(total),
      cap: cap == null ? null : formatPence(cap),
      left: cap == null ? null : formatPence(Math.max(0, cap - total)),
    },
    years: [...byYear.entries()].sort((a, b) => b[0] - a[0]).map(([y, sum]) => ({ label: taxYearRange(y).label, total: formatPence(sum) })),
    items: items.map(myInvolvementItemView),
  };
}

/** An amount in pence as its form field starts; '' for none. */
export function poundsValue(pence: number | null): string {
  return poundsField(pence);
}

/** What the page says once a person's limit is saved. */
export function capNotice(cap: number | null): string {
  return cap == null ? 'You have no limit now.' : `Your limit is now ${formatPence(cap)} a tax year.`;
}

/** What the page says once the Hub's rate is saved. */
export function rateNotice(rate: number): string {
  return `The Hub’s rate is now ${formatPence(rate)} an hour. Time already logged keeps the rate it was logged at.`;
}

/** The accepted members of the planning group as a form's choices (speakers). */
export function memberOptions(members: GroupMember[]) {
  return members.filter((m) => m.status === 'accepted').map((m) => ({ value: m.personId, label: m.name }));
}

/** A new session's form starts on the event's day, in London. */
export function newSessionValues(eventStartsAt: Date | null) {
  return { sessionDate: utcToLondonFields(eventStartsAt).date };
}

/** A programme session as its change form starts: its times in London. */
export function sessionValues(s: ProgrammeSession) {
  const start = utcToLondonFields(s.startsAt);
  return {
    title: s.title,
    description: s.description,
    sessionDate: start.date,
    sessionStart: start.time,
    sessionEnd: utcToLondonFields(s.endsAt).time,
    room: s.room,
    guestSpeakers: s.guestSpeakers,
    speakerIds: s.speakerIds,
  };
}

/** A planning meeting as its change form starts: its times in London. */
export function meetingValues(m: MeetingRow) {
  const start = utcToLondonFields(m.startsAt);
  return {
    meetingTitle: m.title,
    meetingDate: start.date,
    meetingStart: start.time,
    meetingEnd: utcToLondonFields(m.endsAt).time,
    place: m.place,
    joinUrl: m.joinUrl,
    notes: m.notes,
  };
}

/** When the impact note went to the steering group; null while it has not. */
export function noteSentText(note: { sentAt: Date | null } | null | undefined): string | null {
  return note?.sentAt ? formatDateTime(note.sentAt) : null;
}
