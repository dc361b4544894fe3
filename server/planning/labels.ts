// The words people see for planning.
import type { InvolvementActivity, InvolvementChoice, PlannerPerspective, PlanningRole } from '../../db/schema/index.ts';

export const planningRoleLabels: Record<PlanningRole, string> = {
  lead: 'Lead',
  co_lead: 'Co-lead',
  speaker: 'Speaker',
  facilitator: 'Facilitator',
  note_taker: 'Note-taker',
  access_lead: 'Access lead',
};

export const perspectiveLabels: Record<PlannerPerspective, string> = {
  lived_experience: 'Lived experience / survivor',
  carer: 'Carer',
  practitioner: 'Practitioner',
  academic: 'Academic',
  other: 'Other',
};

export const involvementActivityLabels: Record<InvolvementActivity, string> = {
  meeting: 'Meeting',
  preparation: 'Preparation',
  speaking: 'Speaking',
};

export const involvementChoiceLabels: Record<InvolvementChoice, string> = {
  paid: 'Pay me',
  vouchers: 'Vouchers instead',
  organisation: 'Pay my organisation',
  declined: 'No payment, thank you',
};
