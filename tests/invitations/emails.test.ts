// The email to invitees when their invitation-only event changes or is cancelled: it says what
// changed (old → new) or why it was cancelled, escapes what organisers typed, and gives the
// invitation link only where there is still something to answer.
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../emails/render.ts';

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
const facts = { eventTitle: 'Round table <1>', when: 'Tuesday 12 January 2027, 10am to 1pm', where: 'Online', eventPath: '/events/round-table' };

describe('event-invitation-changed', () => {
  it('tells an invitee who accepted what changed, and that their place is kept', () => {
    const mail = renderEmail(
      'event-invitation-changed',
      {
        ...facts,
        name: 'Ida',
        kind: 'changed',
        accepted: true,
        reason: '',
        changes: [{ what: 'Date and time', before: 'Tuesday 5 January 2027', after: 'Tuesday 12 January 2027' }],
        invitationPath: '/invited/abc',
      },
      site,
    );
    expect(mail.subject).toBe('A change to Round table <1>');
    expect(mail.text).toContain('Now: Tuesday 12 January 2027\n  Before: Tuesday 5 January 2027');
    expect(mail.text).toContain('Your place is kept.');
    expect(mail.text).toContain('https://hub.example/invited/abc');
    expect(mail.html).toContain('Round table &lt;1&gt;');
  });

  it('tells an invitee of a cancellation with the reason, and asks nothing of them', () => {
    const mail = renderEmail(
      'event-invitation-changed',
      { ...facts, name: 'Jo', kind: 'cancelled', accepted: false, reason: 'The venue <closed>.', changes: [], invitationPath: '/invited/abc' },
      site,
    );
    expect(mail.subject).toBe('Cancelled: Round table <1>');
    expect(mail.text).toContain('The venue <closed>.');
    expect(mail.html).toContain('The venue &lt;closed&gt;.');
    expect(mail.text).toContain('You do not need to do anything.');
    expect(mail.text).not.toContain('/invited/abc');
  });
});
