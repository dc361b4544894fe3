// Proposals as templates see them: dates formatted in Europe/London, labels chosen, flags computed.
import { eventFormatLabels, eventTypeLabels } from '../event-labels.ts';
import { formatDateTime, formatPence, formatTimeRange } from '../format.ts';
import { renderMarkdown } from '../markdown.ts';
import { entryLabels, proposalStatusLabels, proposalStatusTags } from './labels.ts';
import type { ProposalDetail, ProposalListItem } from './service.ts';

export function proposalListItem(p: ProposalListItem, base: string) {
  return {
    id: p.id,
    url: `${base}/${p.id}`,
    title: p.title,
    typeLabel: eventTypeLabels[p.type],
    formatLabel: eventFormatLabels[p.format],
    statusLabel: proposalStatusLabels[p.status],
    statusTag: proposalStatusTags[p.status],
    submitted: p.submittedAt ? formatDateTime(p.submittedAt) : 'Not sent yet',
    updated: formatDateTime(p.updatedAt),
    planningUrl: p.eventId ? `/plan/${p.eventId}` : null,
  };
}

export function proposalView(detail: ProposalDetail) {
  const p = detail.proposal;
  return {
    id: p.id,
    title: p.title,
    status: p.status,
    statusLabel: proposalStatusLabels[p.status],
    statusTag: proposalStatusTags[p.status],
    canEdit: p.status === 'draft' || p.status === 'changes_requested',
    canSubmit: p.status === 'draft' || p.status === 'changes_requested',
    canWithdraw: p.status === 'draft' || p.status === 'submitted' || p.status === 'changes_requested',
    planningUrl: p.eventId ? `/plan/${p.eventId}` : null,
    rows: [
      { key: 'Kind of event', value: eventTypeLabels[p.type] },
      { key: 'Summary', value: p.summary },
      { key: 'Purpose and aims', value: p.purpose },
      { key: 'Who it is for', value: p.audience },
      { key: 'Format', value: eventFormatLabels[p.format] },
      { key: 'Place or online platform', value: p.place },
      { key: 'Expected number of people', value: p.expectedNumbers == null ? '' : String(p.expectedNumbers) },
      { key: 'Suggested dates', value: detail.dateOptions.map((d) => formatTimeRange(d.startsAt, d.endsAt)).join('\n') },
      { key: 'Accessibility plan', value: p.accessibilityPlan },
      { key: 'Co-production plan', value: p.coproductionPlan },
      { key: 'Budget needs', value: p.budgetNeeds },
      { key: 'Bursary budget asked for', value: p.bursaryBudgetPence == null ? '' : formatPence(p.bursaryBudgetPence) },
    ].map((r) => ({ ...r, value: r.value || 'Not given' })),
    proposers: detail.proposers.map((x) => ({ name: x.displayName || x.email, isAuthor: x.isAuthor })),
    timeline: detail.entries.map((e) => {
      // Since co-proposers are invitations, the entry is made by the invitee on accepting
      // (its detail is their own address); older entries were made by the author adding someone.
      const joined = e.kind === 'co_proposer_added' && e.message === e.actorEmail;
      return {
        id: e.id,
        who: e.actorName,
        byProposer: e.actorIsProposer,
        what: joined ? 'Accepted the invitation to propose this event' : entryLabels[e.kind],
        isMessage: Boolean(e.message),
        messageHtml: e.kind === 'co_proposer_added' ? '' : renderMarkdown(e.message),
        detail: e.kind === 'co_proposer_added' && !joined ? e.message : '',
        when: formatDateTime(e.at),
        whenIso: e.at.toISOString(),
      };
    }),
  };
}
