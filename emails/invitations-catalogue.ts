// Emails about invitation-only events (a round table). The invitee's name was typed by an
// organiser; the event's title is the organisers' own. Names appear only in the greeting.

interface EventFacts {
  eventTitle: string;
  when: string;
  where: string;
  eventPath: string;
}

export interface InvitationEmails {
  /**
   * An invitation, or (reminder) the one reminder to someone who has not answered. The private
   * link opens a page to accept (with access needs) or decline.
   */
  'event-invitation': EventFacts & { name: string; perspective: string; invitationPath: string; reminder: boolean };
  /** To the invitee who accepted: a place is theirs; the same link changes the answer. */
  'event-invitation-accepted': EventFacts & { name: string; invitationPath: string; accessNeedsGiven: boolean };
  /**
   * To everyone invited who has not declined: the event was cancelled (with the organisers'
   * reason), or something they would act on changed (old → new). `accepted`: they hold a place.
   */
  'event-invitation-changed': EventFacts & {
    name: string;
    kind: 'changed' | 'cancelled';
    accepted: boolean;
    reason: string;
    changes: { what: string; before: string; after: string }[];
    invitationPath: string;
  };
  /** To an invitee who had not declined: the organisers took the invitation back (hadPlace: the place they accepted ends). */
  'event-invitation-withdrawn': EventFacts & { name: string; hadPlace: boolean };
}

export const invitationSubjects: { [K in keyof InvitationEmails]: (data: InvitationEmails[K]) => string } = {
  'event-invitation': (d) => (d.reminder ? `Reminder: you are invited to ${d.eventTitle}` : `You are invited to ${d.eventTitle}`),
  'event-invitation-accepted': (d) => `You are coming to ${d.eventTitle}`,
  'event-invitation-changed': (d) => (d.kind === 'cancelled' ? `Cancelled: ${d.eventTitle}` : `A change to ${d.eventTitle}`),
  'event-invitation-withdrawn': (d) => `Your invitation to ${d.eventTitle} has been withdrawn`,
};
