// The words people see for bursary categories, statuses and choices.
import type { BursaryApplicationStatus, BursaryCategory, BursaryPerspective, EventStatus } from '../../db/schema/index.ts';

/** `one` names a single cost of the kind, for "Another … " headings on the form. */
export const categoryLabels: Record<BursaryCategory, { label: string; hint: string; one: string }> = {
  travel: { label: 'Travel', hint: 'How you will travel and where from. If you are driving, give the miles there and back.', one: 'travel cost' },
  accommodation: { label: 'Accommodation', hint: 'For example, a night in a hotel before an early start.', one: 'accommodation cost' },
  subsistence: { label: 'Food and drink', hint: 'Meals while you are away from home.', one: 'food and drink cost' },
  care: {
    label: 'Replacement care or childcare',
    hint: 'Someone to look after a person you care for, or your children, while you attend.',
    one: 'care or childcare cost',
  },
  support_worker: { label: 'Support worker or personal assistant', hint: 'Their time, travel or place at the event.', one: 'support worker cost' },
  data_phone: { label: 'Data or phone costs', hint: 'For online events: mobile data or call costs.', one: 'data or phone cost' },
  other: { label: 'Anything else', hint: 'Tell us what it is for.', one: 'cost of something else' },
};

export const perspectiveLabels: Record<BursaryPerspective, string> = {
  service_user: 'I use or have used mental health services, or I am a survivor',
  carer: 'I am a carer',
};

export const statusLabels: Record<BursaryApplicationStatus, { label: string; tag: string }> = {
  draft: { label: 'Draft – not sent yet', tag: 'govuk-tag--grey' },
  submitted: { label: 'Waiting for a decision', tag: 'govuk-tag--blue' },
  approved: { label: 'Approved', tag: 'govuk-tag--green' },
  part_approved: { label: 'Partly approved', tag: 'govuk-tag--turquoise' },
  declined: { label: 'Not approved', tag: 'govuk-tag--red' },
  withdrawn: { label: 'Withdrawn', tag: 'govuk-tag--grey' },
};

/**
 * The status as shown to people. An application closed because its event was cancelled is
 * stored as withdrawn (closed before any decision), but the applicant did not withdraw it, so it
 * is not called that.
 */
export function statusLabelFor(status: BursaryApplicationStatus, eventStatus: EventStatus): { label: string; tag: string } {
  if (status === 'withdrawn' && eventStatus === 'cancelled') return { label: 'Closed – the event was cancelled', tag: 'govuk-tag--grey' };
  return statusLabels[status];
}

export const claimStatusLabels: Record<string, string> = {
  submitted: 'Claim waiting for approval',
  approved: 'Claim approved – payment due',
  paid: 'Paid',
};
