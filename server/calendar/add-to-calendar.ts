// "Add to calendar" links for one event page: Google Calendar and Outlook on the web take the
// details in the link; everything else (Apple Calendar, Outlook on a computer) opens the .ics file.
// Like the public feeds, these never carry the online joining link.
import { eventLocation, eventPageUrl } from './entries.ts';
import type { FeedEventRow } from './queries.ts';

export interface AddToCalendarLinks {
  google: string;
  outlookPersonal: string;
  outlookWork: string;
  ics: string;
}

type EventForLinks = Pick<
  FeedEventRow,
  'slug' | 'title' | 'summary' | 'status' | 'startsAt' | 'endsAt' | 'format' | 'venueName' | 'venueAddress' | 'onlinePlatform'
>;

/** 2026-12-09T10:00:00.000Z → 20261209T100000Z, the form Google's link takes. */
function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function outlookLink(host: string, event: EventForLinks & { startsAt: Date }, body: string, location: string): string {
  const query = new URLSearchParams({
    path: '/calendar/action/compose',
    rru: 'addevent',
    subject: event.title,
    startdt: event.startsAt.toISOString(),
    enddt: (event.endsAt ?? event.startsAt).toISOString(),
    body,
    location,
  });
  return `https://${host}/calendar/0/deeplink/compose?${query}`;
}

/** null when adding makes no sense: no date yet, cancelled, or already over. */
export function addToCalendarLinks(event: EventForLinks, baseUrl: string, now = new Date()): AddToCalendarLinks | null {
  const startsAt = event.startsAt;
  if (!startsAt || event.status !== 'published') return null;
  if ((event.endsAt ?? startsAt).getTime() < now.getTime()) return null;
  const dated = { ...event, startsAt };
  const pageUrl = eventPageUrl(baseUrl, event.slug);
  const details = [event.summary.trim(), `Details, access information and booking: ${pageUrl}`].filter(Boolean).join('\n\n');
  const location = eventLocation(event);
  const google = new URLSearchParams({
    action: 'TEMPLATE',
    text: event.title,
    dates: `${compactUtc(startsAt)}/${compactUtc(event.endsAt ?? startsAt)}`,
    details,
    location,
    ctz: 'Europe/London',
  });
  return {
    google: `https://calendar.google.com/calendar/render?${google}`,
    outlookPersonal: outlookLink('outlook.live.com', dated, details, location),
    outlookWork: outlookLink('outlook.office.com', dated, details, location),
    ics: `/events/${event.slug}/calendar.ics`,
  };
}
