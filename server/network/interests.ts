// The interests a subscriber chooses and an announcement's audience is chosen by: kinds of event,
// how people take part, and where in the UK. The same checkboxes on every form that asks.
import { eventFormats, eventTypes, type ListInterests } from '../../db/schema/index.ts';
import { eventTypeLabels } from '../event-labels.ts';
import { listRegions } from './list.ts';

export const interestChoices = {
  types: eventTypes.map((value) => ({ value, label: eventTypeLabels[value] })),
  // "Hybrid" is an event's format, not a way one person takes part: it meets either choice.
  formats: eventFormats.filter((f) => f !== 'hybrid').map((value) => ({ value, label: value === 'online' ? 'Online' : 'In a room' })),
  regions: listRegions.map((value) => ({ value, label: value })),
};

export type InterestFields = { types?: string | string[]; formats?: string | string[]; regions?: string | string[] };

/** Ticked boxes, keeping only values the form offers. */
export function interestsFrom(body: InterestFields): ListInterests {
  const pick = (value: string | string[] | undefined, allowed: readonly string[]) => [...new Set([value ?? []].flat())].filter((v) => allowed.includes(v));
  return {
    types: pick(body.types, eventTypes),
    formats: pick(body.formats, ['in_person', 'online']),
    regions: pick(body.regions, listRegions),
  };
}
