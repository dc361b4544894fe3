// The event details form: what the planning group types, read into EventDetailsInput, and back.
import { eventFormats, eventTypes } from '../../db/schema/index.ts';
import type { FieldError } from '../errors.ts';
import type { EventRow } from './access.ts';
import type { EventDetailsInput } from './events.ts';
import { checked, oneOf, text, textForm, wholeNumber, type Body } from '../http/form-values.ts';
import { isIsoDate, londonToUtc, utcToLondonFields } from '../london-time.ts';

const textFields = [
  'title',
  'type',
  'summary',
  'description',
  'format',
  'startDate',
  'startTime',
  'endDate',
  'endTime',
  'venueName',
  'venueAddress',
  'travelInfo',
  'onlinePlatform',
  'onlineJoinUrl',
  'capacity',
  'accessInfo',
  'contentNotes',
  'dayContactName',
  'dayContactPhone',
  'easyReadSummary',
] as const;
export const accessFlags = [
  { name: 'stepFreeAccess', label: 'Step-free access' },
  { name: 'hearingLoop', label: 'Hearing loop' },
  { name: 'bslInterpretation', label: 'British Sign Language interpretation' },
  { name: 'liveCaptions', label: 'Live captions' },
  { name: 'quietRoom', label: 'A quiet room people can use at any time' },
] as const;

export const DetailsForm = textForm({
  title: { title: 'Title', maxLength: 200 },
  type: { title: 'Kind of event', maxLength: 40 },
  summary: { title: 'Summary', maxLength: 1000 },
  description: { title: 'Description', maxLength: 20000 },
  format: { title: 'Format', maxLength: 40 },
  startDate: { title: 'Start date', maxLength: 20 },
  startTime: { title: 'Start time', maxLength: 10 },
  endDate: { title: 'End date', maxLength: 20 },
  endTime: { title: 'End time', maxLength: 10 },
  venueName: { title: 'Venue', maxLength: 300 },
  venueAddress: { title: 'Venue address', maxLength: 1000 },
  travelInfo: { title: 'Getting there' },
  onlinePlatform: { title: 'Online platform', maxLength: 200 },
  onlineJoinUrl: { title: 'Joining link', maxLength: 1000 },
  capacity: { title: 'Places', maxLength: 10 },
  accessInfo: { title: 'Accessibility information' },
  contentNotes: { title: 'Content notes' },
  dayContactName: { title: 'Contact on the day', maxLength: 200 },
  dayContactPhone: { title: 'Their phone number', maxLength: 50 },
  easyReadSummary: { title: 'Easy read summary' },
  stepFreeAccess: { title: 'Step-free access', maxLength: 5 },
  hearingLoop: { title: 'Hearing loop', maxLength: 5 },
  bslInterpretation: { title: 'British Sign Language interpretation', maxLength: 5 },
  liveCaptions: { title: 'Live captions', maxLength: 5 },
  quietRoom: { title: 'Quiet room', maxLength: 5 },
});

export function readDetailsForm(body: Body): { values: Record<string, unknown>; input: EventDetailsInput; errors: FieldError[] } {
  const values: Record<string, unknown> = {};
  for (const k of textFields) values[k] = text(body, k);
  for (const f of accessFlags) values[f.name] = checked(body, f.name);
  const errors: FieldError[] = [];
  const v = (k: (typeof textFields)[number]) => String(values[k]).trim();
  const type = oneOf(v('type'), eventTypes);
  if (!type) errors.push({ field: 'type', message: 'Choose the kind of event' });
  const format = oneOf(v('format'), eventFormats);
  if (!format) errors.push({ field: 'format', message: 'Choose whether it is in person, online or both' });
  const capacity = wholeNumber(body, 'capacity', 'Places', errors, { min: 1, max: 100_000 });
  let startsAt: Date | null = null;
  let endsAt: Date | null = null;
  const anyDate = v('startDate') || v('startTime') || v('endDate') || v('endTime');
  if (anyDate) {
    if (!isIsoDate(v('startDate'))) errors.push({ field: 'startDate', message: 'Enter the start date, for example 9 December 2026' });
    else {
      startsAt = londonToUtc(v('startDate'), v('startTime'));
      if (!startsAt) errors.push({ field: 'startTime', message: 'Enter the start time, for example 10:00' });
    }
    const endDate = v('endDate') || v('startDate');
    if (!isIsoDate(endDate)) errors.push({ field: 'endDate', message: 'Enter the end date, for example 9 December 2026' });
    else {
      endsAt = londonToUtc(endDate, v('endTime'));
      if (!endsAt) errors.push({ field: 'endTime', message: 'Enter the end time, for example 16:00' });
    }
  }
  return {
    values,
    errors,
    input: {
      title: v('title'),
      type: type ?? 'seminar',
      summary: v('summary'),
      description: String(values.description),
      format: format ?? 'in_person',
      startsAt,
      endsAt,
      venueName: v('venueName'),
      venueAddress: v('venueAddress'),
      travelInfo: v('travelInfo'),
      onlinePlatform: v('onlinePlatform'),
      onlineJoinUrl: v('onlineJoinUrl'),
      capacity,
      stepFreeAccess: Boolean(values.stepFreeAccess),
      hearingLoop: Boolean(values.hearingLoop),
      bslInterpretation: Boolean(values.bslInterpretation),
      liveCaptions: Boolean(values.liveCaptions),
      quietRoom: Boolean(values.quietRoom),
      accessInfo: v('accessInfo'),
      contentNotes: v('contentNotes'),
      dayContactName: v('dayContactName'),
      dayContactPhone: v('dayContactPhone'),
      easyReadSummary: v('easyReadSummary'),
    },
  };
}

export function detailsFormValues(e: EventRow): Record<string, unknown> {
  const start = utcToLondonFields(e.startsAt);
  const end = utcToLondonFields(e.endsAt);
  return {
    title: e.title,
    type: e.type,
    summary: e.summary,
    description: e.description,
    format: e.format,
    startDate: start.date,
    startTime: start.time,
    // Shown only when the event ends on another day, as the field's hint says; otherwise moving a
    // one-day event's date would leave the old end date behind.
    endDate: end.date && end.date !== start.date ? end.date : '',
    endTime: end.time,
    venueName: e.venueName,
    venueAddress: e.venueAddress,
    travelInfo: e.travelInfo,
    onlinePlatform: e.onlinePlatform,
    onlineJoinUrl: e.onlineJoinUrl,
    capacity: e.capacity == null ? '' : String(e.capacity),
    stepFreeAccess: e.stepFreeAccess,
    hearingLoop: e.hearingLoop,
    bslInterpretation: e.bslInterpretation,
    liveCaptions: e.liveCaptions,
    quietRoom: e.quietRoom,
    accessInfo: e.accessInfo,
    contentNotes: e.contentNotes,
    dayContactName: e.dayContactName,
    dayContactPhone: e.dayContactPhone,
    easyReadSummary: e.easyReadSummary,
  };
}
