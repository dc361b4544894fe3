// The words people see for the event model's values.
import type { EventFormat, EventStatus, EventType } from '../db/schema/index.ts';

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
