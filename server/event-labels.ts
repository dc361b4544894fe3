// The words people see for the event model's values.
import { eventFormats, eventTypes, type EventFormat, type EventStatus, type EventType } from '../db/schema/index.ts';

export const eventTypeLabels: Record<EventType, string> = {
  launch_day: 'Launch day',
  seminar: 'Seminar',
  training_event: 'Training event',
  conference: 'Conference',
  round_table: 'Round table',
  webinar: 'Webinar',
  other: 'Other event',
};

export const eventFormatLabels: Record<EventFormat, string> = {
  in_person: 'In person',
  online: 'Online',
  hybrid: 'In person and online',
};

export const eventStatusLabels: Record<EventStatus, string> = {
  planning: 'Being planned',
  published: 'Published',
  cancelled: 'Cancelled',
  completed: 'Finished',
};

/** The kinds of event and formats as a form's choices, for proposing an event and for planning one. */
export const typeOptions = eventTypes.map((t) => ({ value: t, label: eventTypeLabels[t] }));
export const formatOptions = eventFormats.map((f) => ({ value: f, label: eventFormatLabels[f] }));
