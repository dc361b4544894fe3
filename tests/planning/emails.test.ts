// Every co-production email renders as HTML and plain text from one typed sample, escaping what
// people typed; and the late-payment emails speak only of a refund when the event was cancelled.
import { describe, expect, it } from 'vitest';
import { coproductionSubjects, type CoproductionEmails } from '../../emails/coproduction-catalogue.ts';
import { renderEmail } from '../../emails/render.ts';

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
const title = 'Seminar <1> & "friends"';
const samples: { [K in keyof CoproductionEmails]: CoproductionEmails[K] } = {
  'proposal-co-proposer': { inviterName: 'Sam', title, invitationPath: '/proposals/invitations/abc', expires: 'Tuesday 23 December 2026, 6pm' },
  'proposal-received': { name: 'Sam', title, resubmission: false, proposalPath: '/proposals/abc' },
  'proposal-to-review': { title, resubmission: true, reviewPath: '/review/abc' },
  'proposal-comment': { name: 'Sam', title, message: 'Could you say more about access?', proposalPath: '/proposals/abc' },
  'proposal-decision': { name: 'Sam', title, decision: 'accepted', message: 'Well done.', proposalPath: '/proposals/abc', planningPath: '/plan/abc' },
  'planning-invitation': { inviterName: 'Sam', title, roleLabel: 'speaker', invitationPath: '/plan/abc/invitation' },
  'planning-meeting': {
    name: 'Sam',
    eventTitle: title,
    meetingTitle: 'First meeting',
    kind: 'new',
    when: 'Tuesday 9 December 2026, 6pm to 7pm',
    place: 'Room 2',
    joinUrl: 'https://zoom.example/j/1',
    notes: 'Bring ideas.',
    planningPath: '/plan/abc/meetings',
  },
  'event-changed': {
    name: 'Sam',
    title,
    kind: 'cancelled',
    reason: 'The venue closed.',
    when: 'Tuesday 9 December 2026, 6pm to 7pm',
    previousWhen: '',
    eventPath: '/events/seminar-1',
  },
  'planning-event-status': {
    name: 'Sam',
    title,
    kind: 'cancelled',
    byName: 'Rosa <b>',
    reason: 'The venue closed <suddenly>.',
    told: 1,
    planningPath: '/plan/abc',
  },
  'impact-note': { name: 'Sam', title, note: 'You said more breaks; we added two.', eventPath: '/events/seminar-1' },
  'planning-event-news': {
    name: 'Sam',
    title,
    kind: 'changed',
    byName: 'Rosa',
    changes: [{ what: 'Venue', before: 'The Old Library', after: 'Friends Meeting House' }],
    told: 3,
    planningPath: '/plan/abc',
  },
  'planning-role-changed': { name: 'Sam', title, you: true, memberName: 'Sam', roleLabel: 'Co-lead', byName: 'Rosa', planningPath: '/plan/abc' },
  'planning-removed': { name: 'Sam', title, byName: 'Rosa', invited: false },
  'planning-member-left': { name: 'Rosa', title, memberName: 'Sam', steppedBack: true, byName: 'Rosa', planningPath: '/plan/abc' },
};

describe('co-production emails', () => {
  for (const name of Object.keys(coproductionSubjects) as (keyof CoproductionEmails)[]) {
    it(`renders ${name} as HTML and plain text, escaping what people typed`, () => {
      const mail = renderEmail(name, samples[name] as never, site);
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.html).toContain('Seminar &lt;1&gt; &amp; &quot;friends&quot;');
      expect(mail.text).toContain('Seminar <1> & "friends"');
    });
  }

  it('tells the leads who left the group, and who took them off', () => {
    const left = renderEmail('planning-member-left', samples['planning-member-left'], site);
    expect(left.text).toContain('Sam has stepped back from the planning group for Seminar <1> & "friends".');
    expect(left.text).toContain('Their planning meetings have been taken out of their calendar.');
    const removed = renderEmail('planning-member-left', { ...samples['planning-member-left'], steppedBack: false, byName: 'Jo' }, site);
    expect(removed.text).toContain('Jo has taken Sam off the planning group for Seminar <1> & "friends".');
    expect(removed.html).toContain('Jo has taken Sam off the planning group for <strong>Seminar &lt;1&gt; &amp; &quot;friends&quot;</strong>.');
  });

  it('tells the planning group who cancelled the event, why, and where the planning pages are', () => {
    const mail = renderEmail('planning-event-status', samples['planning-event-status'], site);
    expect(mail.subject).toBe('An event you are planning has been cancelled');
    expect(mail.html).toContain('Rosa &lt;b&gt; has cancelled');
    expect(mail.html).toContain('The venue closed &lt;suddenly&gt;.');
    expect(mail.text).toContain('Rosa <b> has cancelled Seminar <1> & "friends".');
    expect(mail.text).toContain('We have emailed the person who was booked or on the waiting list');
    expect(mail.text).toContain('If anyone paid for a place, the Hub’s organisers will arrange their refund.');
    expect(mail.html).toContain('https://hub.example/plan/abc');
    expect(mail.text).toContain('https://hub.example/plan/abc');
    const nobody = renderEmail('planning-event-status', { ...samples['planning-event-status'], told: 0 }, site);
    expect(nobody.text).not.toContain('We have emailed');
  });

  it('tells the planning group when the event goes back to planning, without a reason', () => {
    const mail = renderEmail('planning-event-status', { ...samples['planning-event-status'], kind: 'unpublished', reason: '', told: 0 }, site);
    expect(mail.subject).toBe('An event you are planning is back in planning');
    expect(mail.text).toContain('Rosa <b> has moved Seminar <1> & "friends" back to planning.');
    expect(mail.text).toContain('Anyone already booked keeps their place');
    expect(mail.text).not.toContain('reason');
    expect(mail.text).toContain('https://hub.example/plan/abc');
  });
});

describe('the email about a change to an event', () => {
  const base = { name: 'Sam', title, reason: '', when: 'Wednesday 27 January 2027, 10am to 3pm', eventPath: '/events/seminar-1' };

  it('lists each change old → new with the person’s booking link, under a subject of fixed words', () => {
    const mail = renderEmail(
      'event-changed',
      {
        ...base,
        kind: 'changed',
        previousWhen: '',
        managePath: '/bookings/abc',
        changes: [{ what: 'Venue', before: 'The Old Library', after: 'Friends <Meeting> House' }],
      },
      site,
    );
    expect(mail.subject).toBe('An event you signed up for has changed');
    expect(mail.text).toContain('Venue\n  Now: Friends <Meeting> House\n  Before: The Old Library');
    expect(mail.html).toContain('Friends &lt;Meeting&gt; House');
    expect(mail.text).toContain('https://hub.example/bookings/abc');
  });

  it('still reads a new-date email queued before the list of changes existed', () => {
    const mail = renderEmail('event-changed', { ...base, kind: 'date_changed', previousWhen: 'Wednesday 20 January 2027, 10am to 3pm' }, site);
    expect(mail.text).toContain('Date and time\n  Now: Wednesday 27 January 2027, 10am to 3pm\n  Before: Wednesday 20 January 2027, 10am to 3pm');
  });
});

describe('late payment emails for a cancelled event', () => {
  const facts = { eventTitle: title, when: 'Tuesday 9 December 2026, 6pm to 7:30pm', where: 'Online (Zoom)', eventPath: '/events/seminar-1' };

  it('tells the payer their money is safe and will be refunded, with no talk of a place', () => {
    const cancelled = renderEmail('payment-arrived-late', { ...facts, name: 'Sam', amount: '£15', eventCancelled: true }, site);
    expect(cancelled.text).toContain('after the event had been cancelled');
    expect(cancelled.text).toContain('You have not lost your money.');
    expect(cancelled.html).toContain('to refund you in full');
    expect(cancelled.text).not.toContain('give you a place');
    // Messages queued before the flag existed read as they always did.
    const expired = renderEmail('payment-arrived-late', { ...facts, name: 'Sam', amount: '£15' }, site);
    expect(expired.text).toContain('give you a place if one is free');
  });
});
