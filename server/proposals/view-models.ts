// Proposals as templates see them: dates formatted in Europe/London, labels chosen, flags computed.
import { eventFormatLabels, eventTypeLabels } from '../event-labels.ts';
import { formatDateTime, formatPence, formatTimeRange } from '../format.ts';
import { renderMarkdown } from '../markdown.ts';
import { proposalStatuses, rubricCriteria } from '../../db/schema/index.ts';
import { entryLabels, proposalStatusLabels, proposalStatusTags, rubricLabels } from './labels.ts';
import type { listReviewQueue, ProposalDetail, ProposalListItem, ReviewDetail } from './service.ts';

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

/** The review queue's filter of statuses: every status a decision leads to, and "waiting". */
export function queueStatusOptions() {
  return [
    { value: 'open', label: 'Waiting for a decision' },
    ...proposalStatuses.filter((s) => s !== 'draft' && s !== 'submitted').map((s) => ({ value: s, label: proposalStatusLabels[s] })),
  ];
}

/** The review queue's rows: each proposal with how many have scored it, and whether I have. */
export function queueItems(rows: Awaited<ReturnType<typeof listReviewQueue>>) {
  return rows.map((r) => ({ ...proposalListItem(r, '/organise/proposals'), scoreCount: r.scoreCount, scoredByMe: r.scoredByMe }));
}

/** What the review page shows of the reviewers' work: their notes, the rubric, and my score as the form starts. */
export function reviewerView(detail: ReviewDetail) {
  return {
    notes: detail.notes.map((n) => ({ author: n.authorName, when: formatDateTime(n.at), bodyHtml: renderMarkdown(n.body) })),
    rubric: rubricCriteria.map((c) => ({ name: c, ...rubricLabels[c] })),
    myScoreValues: detail.myScore ? Object.fromEntries(Object.entries(detail.myScore).map(([k, v]) => [k, String(v)])) : {},
  };
}
