// Emails of the co-production flows: proposals and their review, planning groups, planning
// meetings, changes to an event that registrants must hear about, an event's cancelling or
// unpublishing that its planning group must hear about, and the impact note.

export interface CoproductionEmails {
  /** An invitation to co-propose; nothing exists for the invitee until they accept through the link. */
  'proposal-co-proposer': { inviterName: string; title: string; invitationPath: string; expires: string };
  'proposal-received': { name: string; title: string; resubmission: boolean; proposalPath: string };
  'proposal-to-review': { title: string; resubmission: boolean; reviewPath: string };
  'proposal-comment': { name: string; title: string; message: string; proposalPath: string };
  'proposal-decision': {
    name: string;
    title: string;
    decision: 'accepted' | 'changes_requested' | 'declined';
    message: string;
    proposalPath: string;
    planningPath: string | null;
  };
  'planning-invitation': { inviterName: string; title: string; roleLabel: string; invitationPath: string };
  'planning-meeting': {
    name: string;
    eventTitle: string;
    meetingTitle: string;
    /** withdrawn: the person is no longer in the planning group, so the meeting leaves their calendar. */
    kind: 'new' | 'updated' | 'cancelled' | 'withdrawn';
    when: string;
    place: string;
    joinUrl: string;
    notes: string;
    planningPath: string;
  };
  /** To everyone holding or waiting for a place: the event was cancelled, or changed in a way they would act on. */
  'event-changed': {
    name: string;
    title: string;
    /** `date_changed`: only in messages queued before `changed` (with its list) existed. */
    kind: 'cancelled' | 'changed' | 'date_changed';
    reason: string;
    when: string;
    previousWhen: string;
    /** What changed, old → new (kind `changed`). */
    changes?: { what: string; before: string; after: string }[];
    eventPath: string;
    /** The person's own booking page. */
    managePath?: string;
    /** Cancelled: what happens about their money, in the words their booking page uses ('' when nothing). */
    money?: string;
  };
  /** To the planning group: the event was cancelled, or unpublished back to planning. */
  'planning-event-status': {
    name: string;
    title: string;
    kind: 'cancelled' | 'unpublished';
    /** Who did it. */
    byName: string;
    /** The reason for cancelling; empty when unpublished. */
    reason: string;
    /** How many registrants were emailed about the cancellation. */
    told: number;
    planningPath: string;
  };
  /** `quotes`: written feedback the leads chose, each cleared and agreed to by its author; no names. */
  'impact-note': { name: string; title: string; note: string; quotes?: string[]; eventPath: string; /** Checked in, or in the planning group: not only booked. */ tookPart?: boolean };
  /** To the rest of the planning group: the event was published, or changed in a way attendees act on. */
  'planning-event-news': {
    name: string;
    title: string;
    kind: 'published' | 'changed';
    byName: string;
    /** What changed, old → new (kind `changed`). */
    changes: { what: string; before: string; after: string }[];
    /** How many people holding or waiting for places were emailed about the change. */
    told: number;
    planningPath: string;
  };
  /** To a planner whose role a lead changed (`you`), and to the group's other leads. */
  'planning-role-changed': { name: string; title: string; you: boolean; memberName: string; roleLabel: string; byName: string; planningPath: string };
  /** To someone a lead took off the group (or whose invitation was withdrawn), naming who did it. */
  'planning-removed': { name: string | null; title: string; byName: string; invited: boolean };
  /** To the group's leads and co-leads when a member leaves: taken off by a lead (`byName`), or stepping back. */
  'planning-member-left': { name: string | null; title: string; memberName: string; steppedBack: boolean; byName: string; planningPath: string };
}

// Proposal emails go to people other than the member who acted (co-proposers, the steering
// group), so their subjects carry nothing a member typed (names, titles): the Hub's name must
// not be lent to someone else's words in an inbox. Their bodies show it, escaped.
export const coproductionSubjects: { [K in keyof CoproductionEmails]: (data: CoproductionEmails[K]) => string } = {
  'proposal-co-proposer': () => 'You are invited to co-propose an event on the Social Perspectives Hub',
  'proposal-received': (d) => (d.resubmission ? 'We have your updated event proposal' : 'We have your event proposal'),
  'proposal-to-review': (d) => (d.resubmission ? 'A changed event proposal to review' : 'A new event proposal to review'),
  'proposal-comment': () => 'A message about your event proposal',
  'proposal-decision': (d) =>
    d.decision === 'accepted'
      ? 'Your event proposal has been accepted'
      : d.decision === 'changes_requested'
        ? 'Some changes are needed to your event proposal'
        : 'A decision on your event proposal',
  // The event's title is typed by its lead, an ordinary member: never in a subject to others.
  'planning-invitation': () => 'You are invited to help plan an event on the Social Perspectives Hub',
  // Meeting titles are typed by any member of the group: fixed words only, the title is in the body.
  'planning-meeting': (d) =>
    d.kind === 'withdrawn'
      ? 'A planning meeting has been taken out of your calendar'
      : d.kind === 'cancelled'
        ? 'A planning meeting has been cancelled'
        : d.kind === 'updated'
          ? 'A planning meeting has changed'
          : 'A planning meeting has been arranged',
  // Only organisers cancel; a change may be made by a lead, so its subject is fixed words.
  // Titles may have been typed by a lead (an ordinary member): fixed words only.
  'event-changed': (d) => (d.kind === 'cancelled' ? 'An event you signed up for has been cancelled' : 'An event you signed up for has changed'),
  'planning-event-status': (d) => (d.kind === 'cancelled' ? 'An event you are planning has been cancelled' : 'An event you are planning is back in planning'),
  'impact-note': (d) => `You said, we did: ${d.title}`,
  'planning-event-news': (d) => (d.kind === 'published' ? 'An event you are planning is published' : 'An event you are planning has changed'),
  'planning-role-changed': (d) => (d.you ? 'Your role in a planning group has changed' : 'A role in your planning group has changed'),
  'planning-removed': (d) => (d.invited ? 'Your invitation to a planning group has been withdrawn' : 'You are no longer in a planning group'),
  'planning-member-left': () => 'Someone has left your planning group',
};
