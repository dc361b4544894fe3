// The event's calendar file, attached to confirmation emails and offered on the manage page.
// The UID is `event-<event id>@convene` for every calendar Convene produces (feeds use the same),
// so a calendar app treats every copy as one event and SEQUENCE updates it in place.
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { eventUid } from '../calendar/uid.ts';

export interface IcsEvent {
  id: string;
  slug: string;
  title: string;
  summary: string;
  startsAt: Date;
  endsAt: Date | null;
  sequence: number;
  status: string;
  location: string;
  /** Only for confirmed registrants: the online joining link. */
  joinUrl?: string;
}

// The UID comes from the calendar feature, so an event is one entry whether it arrived by email
// or by feed.
export { eventUid };

export function eventIcs(event: IcsEvent, baseUrl: string): string {
  const calendar = ical({ prodId: { company: 'Social Perspectives Hub', product: 'Convene', language: 'EN' }, name: event.title });
  calendar.method(ICalCalendarMethod.PUBLISH);
  const pageUrl = new URL(`/events/${event.slug}`, baseUrl).href;
  const description = [event.summary, event.joinUrl ? `Join online: ${event.joinUrl}` : '', `Details: ${pageUrl}`].filter(Boolean).join('\n\n');
  calendar.createEvent({
    id: eventUid(event.id),
    sequence: event.sequence,
    start: event.startsAt,
    end: event.endsAt ?? new Date(event.startsAt.getTime() + 60 * 60_000),
    summary: event.title,
    description,
    location: event.location || null,
    url: pageUrl,
    status: event.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return calendar.toString();
}
