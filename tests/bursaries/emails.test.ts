// Every bursary email renders as HTML and plain text, escapes what people typed, and links to the
// application. None of them carries amounts or health and caring details.
import { describe, expect, it } from 'vitest';
import { bursarySubjects, type BursaryEmails } from '../../emails/bursaries-catalogue.ts';
import { renderEmail } from '../../emails/render.ts';

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
const facts = { name: 'Sam <b>', eventTitle: 'Seminar <1> & "friends"', applicationPath: '/bursaries/applications/abc' };
const samples: { [K in keyof BursaryEmails]: BursaryEmails[K] } = {
  'bursary-submitted': facts,
  'bursary-claim-received': facts,
  'bursary-decided': { ...facts, outcome: 'part_approved' },
  'bursary-claim-decided': { ...facts, outcome: 'returned', reason: 'Please add the <train> receipt' },
  'bursary-paid': { ...facts, overpaid: true },
  'bursary-repaid': { ...facts, settled: false },
  'bursary-written-off': { ...facts, settled: true },
  'bursary-event-cancelled-closed': { ...facts, wasDraft: false },
  'bursary-event-cancelled-approved': { ...facts, claimSent: false, hadAdvance: true },
};

describe('bursary emails', () => {
  for (const name of Object.keys(bursarySubjects) as (keyof BursaryEmails)[]) {
    it(`renders ${name} as HTML and plain text, escaping what people typed`, () => {
      const mail = renderEmail(name, samples[name] as never, site);
      expect(mail.subject).toContain('Seminar <1> & "friends"');
      expect(mail.html).toContain('Seminar &lt;1&gt; &amp; &quot;friends&quot;');
      expect(mail.html).toContain('Sam &lt;b&gt;');
      expect(mail.html).not.toContain('<b>');
      expect(mail.text).toContain('Seminar <1> & "friends"');
      expect(mail.text).toContain('Hello Sam <b>,');
      expect(mail.html).toContain('https://hub.example/bursaries/applications/abc');
      expect(mail.text).toContain('https://hub.example/bursaries/applications/abc');
      expect(mail.text).not.toMatch(/£\d/);
    });
  }

  it('greets someone who has not given a name with a plain "Hello," in every email', () => {
    for (const name of Object.keys(bursarySubjects) as (keyof BursaryEmails)[]) {
      const mail = renderEmail(name, { ...samples[name], name: '' } as never, site);
      expect(mail.text, name).toMatch(/^Hello,$/m);
      expect(mail.text, name).not.toContain('Hello ,');
      expect(mail.html, name).toContain('Hello,</p>');
    }
  });

  it('gives a decline’s reason in the panel’s words, and tells an approved applicant about their place', () => {
    const declined = renderEmail('bursary-decided', { ...facts, outcome: 'declined', reason: 'The fund only covers <travel>.' }, site);
    expect(declined.text).toContain("The panel's reason:\n\nThe fund only covers <travel>.");
    expect(declined.html).toContain('The fund only covers &lt;travel&gt;.');
    const held = renderEmail(
      'bursary-decided',
      { ...facts, outcome: 'approved', place: 'held', bookBy: 'Monday 14 December 2026, 10am', bookPath: '/events/x/book' },
      site,
    );
    expect(held.text).toContain('We are keeping a place at the event for you until Monday 14 December 2026, 10am.');
    expect(held.text).toContain('https://hub.example/events/x/book');
    expect(held.text).toContain('After that date the place goes to someone else.');
    const booked = renderEmail('bursary-decided', { ...facts, outcome: 'approved', place: 'booked', bookPath: '/events/x/book' }, site);
    expect(booked.text).toContain('You already have a place at the event, so you do not need to book another.');
    // The place may still wait on an invoice being paid: no "nothing more to do", but where to look.
    expect(booked.text).not.toContain('nothing more to do');
    expect(booked.text).toContain('https://hub.example/account/bookings');
    expect(booked.html).toContain('href="https://hub.example/account/bookings"');
    expect(booked.text).not.toContain('/events/x/book');
    const full = renderEmail('bursary-decided', { ...facts, outcome: 'approved', place: 'full', bookPath: '/events/x/book' }, site);
    expect(full.text).toContain('join the waiting list');
    const roomFull = renderEmail('bursary-decided', { ...facts, outcome: 'approved', place: 'room_full', bookPath: '/events/x/book' }, site);
    expect(roomFull.text).toContain('The room is full just now, but there are places online: you can book one, or join the waiting list for the room');
    expect(roomFull.text).not.toContain('it is full just now');
    expect(roomFull.html).toContain('href="https://hub.example/events/x/book"');
    const returned = renderEmail('bursary-claim-decided', { ...facts, outcome: 'returned', reason: 'Please add the train receipt.' }, site);
    expect(returned.text).toContain('Their reason:\n\nPlease add the train receipt.');
    expect(returned.text).toContain('You can change your claim and send it again.');
  });

  it('tells someone whose application closed with the event that nothing is needed of them', () => {
    for (const wasDraft of [false, true]) {
      const mail = renderEmail('bursary-event-cancelled-closed', { ...samples['bursary-event-cancelled-closed'], wasDraft }, site);
      expect(mail.text).toContain('has been cancelled');
      expect(mail.text).toContain(wasDraft ? 'closed the bursary application you started' : 'closed your bursary application');
      expect(mail.text).toContain('It is not a decision about you or about your application.');
      expect(mail.text).toContain('You do not need to do anything.');
      expect(mail.text).not.toContain('withdr');
    }
  });

  it('tells someone with an approved bursary how to claim, and mentions an advance only when there was one', () => {
    const base = samples['bursary-event-cancelled-approved'];
    const open = renderEmail('bursary-event-cancelled-approved', base, site);
    expect(open.text).toContain('Your bursary is still in place.');
    expect(open.text).toContain('you can still claim it');
    expect(open.text).toContain('To claim, sign in and open your application.');
    expect(open.text).toContain('We paid you some of your bursary in advance. Please do not worry about it.');
    expect(open.html).toContain('See your application and claim');

    const sent = renderEmail('bursary-event-cancelled-approved', { ...base, claimSent: true, hadAdvance: false }, site);
    expect(sent.text).toContain('You have already sent us your claim.');
    expect(sent.text).not.toContain('To claim, sign in');
    expect(sent.text).not.toContain('in advance');
  });

  it('greets someone who has not given a name without an empty gap', () => {
    const mail = renderEmail('bursary-event-cancelled-closed', { ...samples['bursary-event-cancelled-closed'], name: '' }, site);
    expect(mail.text.startsWith('Hello,\n')).toBe(true);
  });
});
