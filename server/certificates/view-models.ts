// What the certificates pages show, worked out here so the templates only display it: above all,
// whether each thank-you email has gone, will go, or will not, in words that are true whenever the
// page is read (the job sends them from an hour after the event until 30 days after it).
import type { EventStatus } from '../../db/schema/index.ts';
import { tookPlace } from '../event-over.ts';
import { formatDateTime } from '../format.ts';
import { groupedCode } from './codes.ts';
import { type CheckedIn, eventDateText, hoursText, type LearningHours } from './service.ts';
import { THANK_AFTER_MS, THANK_WITHIN_MS } from './thanks.ts';

export type ThanksTiming = 'before' | 'sending' | 'over';

/** Where the event stands for the thank-you job. */
export function thanksTiming(event: { startsAt: Date | null; endsAt: Date | null }, now = new Date()): ThanksTiming {
  const end = (event.endsAt ?? event.startsAt)?.getTime();
  if (end === undefined || now.getTime() < end + THANK_AFTER_MS) return 'before';
  return now.getTime() < end + THANK_WITHIN_MS ? 'sending' : 'over';
}

const thanksIntro: Record<ThanksTiming, string> = {
  before: 'Everyone checked in who gave an email address is emailed a thank-you with their certificate an hour after the event ends.',
  sending:
    'Everyone checked in who gave an email address is emailed a thank-you with their certificate: the emails go out from an hour after the event, and to anyone checked in later, until 30 days after it.',
  over: 'Thank-you emails with certificates go only in the 30 days after an event, and that time has passed: nobody else will be emailed. People checked in can still download their certificate from “Your bookings”, signed in with the email address they booked with, and you can download it for them below.',
};

/** What happened, or will, to the thank-you email for one place. */
export function thanksStatus(place: { thankedAt: Date | null; noEmail: boolean }, timing: ThanksTiming): string {
  if (place.noEmail) return 'No email address: download the certificate to print for them';
  if (place.thankedAt) return `Sent ${formatDateTime(place.thankedAt)}`;
  if (timing === 'before') return 'Goes an hour after the event';
  if (timing === 'sending') return 'Going out shortly';
  return 'Not sent (over 30 days after the event)';
}

export function certificatesOverview(
  event: { status: EventStatus; startsAt: Date | null; endsAt: Date | null },
  people: CheckedIn[],
  erased: number,
  now = new Date(),
) {
  const timing = thanksTiming(event, now);
  const issued = people.filter((p) => p.code !== null).length;
  // Check-in can open before the day, but a certificate says someone attended: nothing is issued,
  // downloaded or renamed until the event has ended (issueIn refuses it too).
  const ended = tookPlace(event, now);
  const canIssue = ended && issued < people.length;
  return {
    thanksIntro: [thanksIntro[timing], timing === 'before' && canIssue ? 'You can issue the certificates sooner.' : ''].filter(Boolean).join(' '),
    namesText: !ended
      ? 'Once the event has ended you can check and correct the names, issue the certificates and download them to print.'
      : timing === 'before'
        ? 'Check the names before the thank-you emails go. You can correct anyone’s name, including a companion’s.'
        : 'You can correct anyone’s name, including a companion’s: their certificate gets a new code.',
    ended,
    attended: people.length,
    issuedCount: issued,
    // The bulk button only while someone checked in has no certificate.
    canIssue,
    erasedText: erased
      ? `${erased} ${erased === 1 ? 'place' : 'places'} checked in ${erased === 1 ? 'belongs' : 'belong'} to people whose details were erased: ${erased === 1 ? 'it has' : 'they have'} no certificate and nobody is emailed.`
      : '',
    people: people.map((p) => ({
      id: p.registrationId,
      name: p.name,
      companion: p.companion,
      code: p.code ? groupedCode(p.code) : '',
      thanks: thanksStatus(p, timing),
    })),
  };
}

/** The event as a booking's certificate page names it: its date and hours of learning. */
export function certificateEventView(event: { title: string; startsAt: Date | null; endsAt: Date | null }, hours: LearningHours, code: string | null) {
  return {
    event: { title: event.title, date: eventDateText(event.startsAt, event.endsAt), hours: hours.minutes ? hoursText(hours.minutes) : '' },
    code: code ? groupedCode(code) : '',
  };
}

/** The learning hours form as it starts: the event's and each session's hours as set. */
export function hoursFormValues(hours: LearningHours): Record<string, unknown> {
  return {
    hours: hours.eventMinutes === null ? '' : String(hours.eventMinutes / 60),
    ...Object.fromEntries(hours.sessions.map((s) => [`session_${s.id}`, s.minutes === null ? '' : String(s.minutes / 60)])),
  };
}

/** The organisers' certificates page: the hours, each session's field, and everyone checked in. */
export function organiseCertificatesView(
  event: { status: EventStatus; startsAt: Date | null; endsAt: Date | null },
  hours: LearningHours,
  people: CheckedIn[],
  erased: number,
) {
  return {
    totalHours: hours.minutes ? hoursText(hours.minutes) : 'none',
    sessions: hours.sessions.map((s) => ({ field: `session_${s.id}`, title: s.title })),
    ...certificatesOverview(event, people, erased),
  };
}
