// Calendar UIDs. A UID must never change for the life of the thing it names (RFC 5545 3.8.4.7):
// calendar apps use it to recognise every copy of an event, from any feed or email, as one entry
// and to update it in place when SEQUENCE rises. Everything Convene publishes takes its UID here.

/** The one UID of an event, in every feed and every email. */
export function eventUid(eventId: string): string {
  return `event-${eventId}@convene`;
}

/** A programme session shown as its own calendar entry. */
export function programmeSessionUid(sessionId: string): string {
  return `session-${sessionId}@convene`;
}
