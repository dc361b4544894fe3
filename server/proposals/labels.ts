// The words people see for proposals.
import type { ProposalEntryKind, ProposalStatus, RubricCriterion } from '../../db/schema/index.ts';

export const proposalStatusLabels: Record<ProposalStatus, string> = {
  draft: 'Draft',
  submitted: 'With the steering group',
  changes_requested: 'Changes asked for',
  accepted: 'Accepted',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
};

export const proposalStatusTags: Record<ProposalStatus, string> = {
  draft: 'govuk-tag--grey',
  submitted: 'govuk-tag--blue',
  changes_requested: 'govuk-tag--yellow',
  accepted: 'govuk-tag--green',
  declined: 'govuk-tag--red',
  withdrawn: 'govuk-tag--grey',
};

export const entryLabels: Record<ProposalEntryKind, string> = {
  created: 'Started the proposal',
  submitted: 'Sent it to the steering group',
  resubmitted: 'Sent the changed proposal back',
  comment: 'Wrote',
  changes_requested: 'Asked for changes',
  accepted: 'Accepted the proposal',
  declined: 'Declined the proposal',
  withdrawn: 'Withdrew the proposal',
  co_proposer_added: 'Added a co-proposer',
};

export const rubricLabels: Record<RubricCriterion, { label: string; hint: string }> = {
  purpose: { label: 'Purpose', hint: 'Is it clear what the event is for, and does it fit the Hub’s aims?' },
  coproduction: { label: 'Co-production', hint: 'Are people with lived experience involved as equal partners from the start?' },
  accessibility: { label: 'Accessibility', hint: 'Is there a real plan so that everyone can take part?' },
  feasibility: { label: 'Feasibility', hint: 'Can it be done with the time, money and people described?' },
};
