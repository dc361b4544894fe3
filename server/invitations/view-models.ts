// What the organisers' invitations page and the invitee's page show: who is coming against the
// balance aimed for, with the gap said in words, and each invitation's state.
import { type BalanceTarget, balanceTargets, type InvitedPerspective, invitedPerspectives } from '../../db/schema/index.ts';
import { formatDateTime, formatTimeRange } from '../format.ts';
import { type InvitationListRow, livedExperience, type OpenedInvitation, perspectiveLabels } from './service.ts';

/** Each target as a fraction and in words. */
export const targetFractions: Record<Exclude<BalanceTarget, 'none'>, { n: number; d: number; words: string }> = {
  quarter: { n: 1, d: 4, words: 'a quarter' },
  third: { n: 1, d: 3, words: 'a third' },
  half: { n: 1, d: 2, words: 'half' },
  two_thirds: { n: 2, d: 3, words: 'two thirds' },
};

export const targetChoices = balanceTargets.map((value) => ({
  value,
  label: value === 'none' ? 'No target' : `At least ${targetFractions[value].words} with lived experience`,
}));

export const perspectiveChoices = invitedPerspectives.map((value) => ({ value, label: perspectiveLabels[value] }));

const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);

/**
 * How many more people with lived experience (service users or survivors, and carers) would
 * have to accept for the share coming to reach the target, and that in words. With n/d the
 * target, `coming` accepted and `lived` of them with lived experience, the smallest k with
 * (lived + k) / (coming + k) ≥ n/d is ceil((n·coming − d·lived) / (d − n)).
 */
export function balanceGap(target: BalanceTarget, coming: number, lived: number): { met: boolean; more: number; words: string } {
  if (target === 'none') return { met: true, more: 0, words: 'No balance is set for this event.' };
  const { n, d, words } = targetFractions[target];
  if (coming === 0) return { met: false, more: 0, words: `Nobody has accepted yet. The aim is at least ${words} with lived experience.` };
  const more = Math.max(0, Math.ceil((n * coming - d * lived) / (d - n)));
  if (more === 0) return { met: true, more, words: `The aim of at least ${words} with lived experience is met: ${lived} of the ${people(coming)} coming.` };
  return {
    met: false,
    more,
    words: `${more} more ${more === 1 ? 'person' : 'people'} with lived experience would reach ${words} (${lived} of the ${people(coming)} coming now).`,
  };
}

export interface BalanceView {
  rows: { label: string; invited: number; accepted: number; declined: number; waiting: number }[];
  totals: { invited: number; accepted: number; declined: number; waiting: number };
  livedComing: number;
  gap: ReturnType<typeof balanceGap>;
}

export function balanceView(all: InvitationListRow[], target: BalanceTarget): BalanceView {
  // A withdrawn invitation no longer counts as anyone invited.
  const invitations = all.filter((i) => i.status !== 'withdrawn');
  const count = (list: InvitationListRow[]) => ({
    invited: list.length,
    accepted: list.filter((i) => i.status === 'accepted').length,
    declined: list.filter((i) => i.status === 'declined').length,
    waiting: list.filter((i) => i.status === 'invited').length,
  });
  const rows = invitedPerspectives.map((p: InvitedPerspective) => ({ label: perspectiveLabels[p], ...count(invitations.filter((i) => i.perspective === p)) }));
  const totals = count(invitations);
  const livedComing = invitations.filter((i) => i.status === 'accepted' && livedExperience.includes(i.perspective)).length;
  return { rows, totals, livedComing, gap: balanceGap(target, totals.accepted, livedComing) };
}

const statusLabels = { invited: 'No answer yet', accepted: 'Coming', declined: 'Not coming', withdrawn: 'Withdrawn' } as const;
const statusColours = { invited: 'govuk-tag--grey', accepted: 'govuk-tag--green', declined: 'govuk-tag--red', withdrawn: 'govuk-tag--grey' } as const;

/** Each invitation as the organisers' table shows it; `canWithdraw` until the event starts. */
export function invitationRows(invitations: InvitationListRow[], options: { open: boolean }) {
  return invitations.map((i) => ({
    id: i.id,
    canWithdraw: options.open && i.status !== 'withdrawn',
    name: i.name,
    email: i.email,
    organisation: i.organisation,
    perspective: perspectiveLabels[i.perspective],
    status: statusLabels[i.status],
    statusClass: statusColours[i.status],
    accessNeeds: i.status === 'accepted' ? i.accessNeeds : '',
    invitedAt: formatDateTime(i.invitedAt),
    reminded: i.remindedAt ? formatDateTime(i.remindedAt) : '',
  }));
}

/** Organisations' public contacts as the invite form's choices. */
export function contactOptions(contacts: { id: string; organisation: string; name: string; email: string }[] | null) {
  return contacts?.map((c) => ({ value: c.id, label: `${c.name}, ${c.organisation} (${c.email})` })) ?? null;
}

/** The invited person's page: the event in words, and the perspective they are asked to bring. */
export function inviteeView(opened: OpenedInvitation) {
  const { invitation, event } = opened;
  return {
    event: {
      title: event.title,
      summary: event.summary,
      when: event.startsAt ? formatTimeRange(event.startsAt, event.endsAt) : 'Date to be confirmed',
      where: event.format === 'online' ? 'Online' : [event.venueName, event.venueAddress].filter(Boolean).join(', ') || 'Venue to be confirmed',
      path: `/events/${event.slug}`,
    },
    perspective: perspectiveLabels[invitation.perspective].toLowerCase(),
  };
}
