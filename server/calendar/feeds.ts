// The public feeds. Their paths are promises to subscribers, who keep them for years: add new
// feeds, never rename these.
import type { EventType } from '../../db/schema/index.ts';

export interface PublicFeed {
  path: string;
  /** null: every type. */
  type: EventType | null;
  name: string;
  description: string;
}

const hub = 'Social Perspectives Hub';

function typeFeed(type: EventType, slug: string, plural: string): PublicFeed {
  return {
    path: `/calendar/${slug}.ics`,
    type,
    name: `${hub}: ${plural.toLowerCase()}`,
    description: `${plural} of the ${hub}: upcoming ones and those of the last 12 months.`,
  };
}

export const allEventsFeed: PublicFeed = {
  path: '/calendar.ics',
  type: null,
  name: `${hub} events`,
  description: `Every published event of the ${hub}: upcoming ones and those of the last 12 months.`,
};

export const publicFeeds: PublicFeed[] = [
  allEventsFeed,
  typeFeed('launch_day', 'launch-days', 'Launch days'),
  typeFeed('seminar', 'seminars', 'Seminars'),
  typeFeed('training_event', 'training-events', 'Training events'),
  typeFeed('conference', 'conferences', 'Conferences'),
  typeFeed('round_table', 'round-tables', 'Round tables'),
  typeFeed('webinar', 'webinars', 'Webinars'),
  typeFeed('other', 'other-events', 'Other events'),
];

/** "https://hub.example/calendar.ics" → "webcal://hub.example/calendar.ics", which opens a calendar app. */
export function webcalUrl(httpsUrl: string): string {
  return httpsUrl.replace(/^https?:/, 'webcal:');
}
