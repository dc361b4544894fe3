// The proposal form: reading what was typed into a ProposalInput, and back again for editing.
import { eventFormats, eventTypes, rubricCriteria } from '../../db/schema/index.ts';
import type { FieldError } from '../errors.ts';
import { londonToUtc, utcToLondonFields, isIsoDate } from '../london-time.ts';
import { oneOf, pounds, poundsText, text, textForm, wholeNumber, type Body } from '../http/form-values.ts';
import { rubricLabels } from './labels.ts';
import { missingForSending, type ProposalDetail, type ProposalInput, type ScoreInput } from './service.ts';

export const DATE_OPTIONS = 3;

const textFields = [
  'title',
  'type',
  'summary',
  'purpose',
  'audience',
  'format',
  'place',
  'expectedNumbers',
  'accessibilityPlan',
  'coproductionPlan',
  'budgetNeeds',
  'bursaryBudget',
  'coProposerEmails',
];

export function readProposalForm(body: Body): { values: Record<string, string>; input: ProposalInput; errors: FieldError[]; send: boolean } {
  const values: Record<string, string> = {};
  for (const k of textFields) values[k] = text(body, k);
  for (let i = 1; i <= DATE_OPTIONS; i++) for (const part of ['Date', 'Start', 'End']) values[`option${i}${part}`] = text(body, `option${i}${part}`);
  // Lengths are the body schema's to check (its messages join these, in one round).
  const errors: FieldError[] = [];
  if (!values.title!.trim()) errors.push({ field: 'title', message: 'Enter a title' });
  const type = oneOf(values.type!, eventTypes);
  if (!type) errors.push({ field: 'type', message: 'Select the kind of event' });
  const format = oneOf(values.format!, eventFormats);
  if (!format) errors.push({ field: 'format', message: 'Select the format' });
  const expectedNumbers = wholeNumber(body, 'expectedNumbers', 'Expected number of people', errors, { min: 1, max: 100_000 });
  const bursaryBudgetPence = pounds(body, 'bursaryBudget', 'Bursary budget', errors);
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
  const input: ProposalInput = {
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
  };
  // "Save and send" checks what sending needs too, so every missing answer shows at once.
  const send = text(body, 'send') === 'yes';
  if (send) {
    const already = new Set(errors.map((e) => e.field));
    // A date typed wrongly already has its message; "enter a date" would contradict it.
    const dated = dateOptions.length + errors.filter((e) => e.field.startsWith('option')).length;
    for (const e of missingForSending(input, dated)) if (!already.has(e.field)) errors.push(e);
  }
  return { values, errors, input, send };
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

/** The rubric's score form: one field a criterion, titled as the page labels it. */
export const ScoreForm = textForm(Object.fromEntries(rubricCriteria.map((c) => [c, { title: rubricLabels[c].label, maxLength: 2 }])));

/**
 * A reviewer's scores as typed, and as numbers: each criterion needs a score from 1 to 5, asked
 * for here unless the body schema already refused that field (`refused`).
 */
export function readScoreForm(body: Body, refused: Set<string>): { values: Record<string, string>; score: ScoreInput; errors: FieldError[] } {
  const values = Object.fromEntries(rubricCriteria.map((c) => [c, text(body, c)]));
  const errors: FieldError[] = [];
  for (const c of rubricCriteria) {
    if (!/^[1-5]$/.test(values[c]!) && !refused.has(c))
      errors.push({ field: c, message: `Choose a score from 1 to 5 for ${rubricLabels[c].label.toLowerCase()}` });
  }
  const score = Object.fromEntries(rubricCriteria.map((c) => [c, Number(values[c])])) as ScoreInput;
  return { values, score, errors };
}
