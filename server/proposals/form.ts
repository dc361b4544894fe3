// The proposal form: reading what was typed into a ProposalInput, and back again for editing.
import { eventFormats, eventTypes } from '../../db/schema/index.ts';
import type { FieldError } from '../errors.ts';
import { eventFormatLabels, eventTypeLabels } from '../event-labels.ts';
import { londonToUtc, utcToLondonFields, isIsoDate } from '../london-time.ts';
import { oneOf, pounds, poundsText, text, wholeNumber, type Body } from '../planning/form-values.ts';
import type { ProposalDetail, ProposalInput } from './service.ts';

export const DATE_OPTIONS = 3;

export const typeOptions = eventTypes.map((t) => ({ value: t, label: eventTypeLabels[t] }));
export const formatOptions = eventFormats.map((f) => ({ value: f, label: eventFormatLabels[f] }));

const textFields = ['title', 'type', 'summary', 'purpose', 'audience', 'format', 'place', 'expectedNumbers', 'accessibilityPlan', 'coproductionPlan', 'budgetNeeds', 'bursaryBudget', 'coProposerEmails'];

export function readProposalForm(body: Body): { values: Record<string, string>; input: ProposalInput; errors: FieldError[] } {
  const values: Record<string, string> = {};
  for (const k of textFields) values[k] = text(body, k);
  for (let i = 1; i <= DATE_OPTIONS; i++) for (const part of ['Date', 'Start', 'End']) values[`option${i}${part}`] = text(body, `option${i}${part}`);
  const errors: FieldError[] = [];
  if (!values.title!.trim()) errors.push({ field: 'title', message: 'Enter a title for the event' });
  if (values.title!.length > 200) errors.push({ field: 'title', message: 'The title must be 200 characters or fewer' });
  const type = oneOf(values.type!, eventTypes);
  if (!type) errors.push({ field: 'type', message: 'Choose the kind of event' });
  const format = oneOf(values.format!, eventFormats);
  if (!format) errors.push({ field: 'format', message: 'Choose whether it is in person, online or both' });
  for (const k of ['summary', 'purpose', 'audience', 'place', 'accessibilityPlan', 'coproductionPlan', 'budgetNeeds', 'coProposerEmails']) {
    if (values[k]!.length > 5000) errors.push({ field: k, message: 'This must be 5,000 characters or fewer' });
  }
  const expectedNumbers = wholeNumber(body, 'expectedNumbers', 'Expected numbers', errors, { min: 1, max: 100_000 });
  const bursaryBudgetPence = pounds(body, 'bursaryBudget', 'The bursary budget', errors);
  const dateOptions: ProposalInput['dateOptions'] = [];
  for (let i = 1; i <= DATE_OPTIONS; i++) {
    const date = values[`option${i}Date`]!.trim();
    const start = values[`option${i}Start`]!.trim();
    const end = values[`option${i}End`]!.trim();
    if (!date && !start && !end) continue;
    if (!isIsoDate(date)) {
      errors.push({ field: `option${i}Date`, message: `Enter date option ${i} as a date, for example 9 December 2026` });
      continue;
    }
    const startsAt = londonToUtc(date, start);
    const endsAt = end ? londonToUtc(date, end) : null;
    if (!startsAt) {
      errors.push({ field: `option${i}Start`, message: `Enter the start time of date option ${i}, for example 10:30` });
      continue;
    }
    if (end && (!endsAt || endsAt <= startsAt)) {
      errors.push({ field: `option${i}End`, message: `The end time of date option ${i} must be after its start time` });
      continue;
    }
    dateOptions.push({ startsAt, endsAt });
  }
  const coProposerEmails = values.coProposerEmails!.split(/[\s,;]+/).filter(Boolean);
  return {
    values,
    errors,
    input: {
      title: values.title!,
      type: type ?? 'seminar',
      summary: values.summary!,
      purpose: values.purpose!,
      audience: values.audience!,
      format: format ?? 'in_person',
      place: values.place!,
      expectedNumbers,
      accessibilityPlan: values.accessibilityPlan!,
      coproductionPlan: values.coproductionPlan!,
      budgetNeeds: values.budgetNeeds!,
      bursaryBudgetPence,
      dateOptions,
      coProposerEmails,
    },
  };
}

/** The form's values for an existing proposal. */
export function proposalFormValues(detail: ProposalDetail): Record<string, string> {
  const p = detail.proposal;
  const values: Record<string, string> = {
    title: p.title,
    type: p.type,
    summary: p.summary,
    purpose: p.purpose,
    audience: p.audience,
    format: p.format,
    place: p.place,
    expectedNumbers: p.expectedNumbers == null ? '' : String(p.expectedNumbers),
    accessibilityPlan: p.accessibilityPlan,
    coproductionPlan: p.coproductionPlan,
    budgetNeeds: p.budgetNeeds,
    bursaryBudget: poundsText(p.bursaryBudgetPence),
    coProposerEmails: '',
  };
  detail.dateOptions.slice(0, DATE_OPTIONS).forEach((d, i) => {
    const start = utcToLondonFields(d.startsAt);
    values[`option${i + 1}Date`] = start.date;
    values[`option${i + 1}Start`] = start.time;
    values[`option${i + 1}End`] = d.endsAt ? utcToLondonFields(d.endsAt).time : '';
  });
  return values;
}
