// Calendar pages as they show feeds: each feed's two addresses, and when a private link was made.
import { formatDateTime } from '../format.ts';
import { allEventsFeed, publicFeeds, webcalUrl } from './feeds.ts';

/** A feed's address for the web (https) and for calendar apps (webcal). */
export function feedLinks(baseUrl: string, path: string) {
  return { https: `${baseUrl}${path}`, webcal: webcalUrl(`${baseUrl}${path}`) };
}

/** The public feeds as the calendar page lists them: every event, then one feed a kind of event. */
export function publicFeedsView(baseUrl: string) {
  return {
    allEvents: { name: allEventsFeed.name, description: allEventsFeed.description, ...feedLinks(baseUrl, allEventsFeed.path) },
    typeFeeds: publicFeeds
      .filter((feed) => feed !== allEventsFeed)
      .map((feed) => ({ id: feed.path.replace(/^\/calendar\/|\.ics$/g, ''), name: feed.name, ...feedLinks(baseUrl, feed.path) })),
  };
}

/** When the person's private feed link was made; null when they have none. */
export function madeOnText(state: { createdAt: Date } | null): string | null {
  return state ? formatDateTime(state.createdAt) : null;
}
