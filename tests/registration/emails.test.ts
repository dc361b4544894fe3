import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../emails/render.ts';
import { registrationSubjects, type RegistrationEmails } from '../../emails/registration-catalogue.ts';

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
const facts = { eventTitle: 'Seminar <1> & "friends"', when: 'Tuesday 9 December 2026, 6pm to 7:30pm', where: 'Online (Zoom)', eventPath: '/events/seminar-1' };
const samples: { [K in keyof RegistrationEmails]: RegistrationEmails[K] } = {
  'registration-confirmed': {
    ...facts,
    name: 'Sam',
    managePath: '/bookings/abc',
    ticketName: 'Free place',
    companionName: 'Jo',
    travelInfo: 'Bus 1',
    joinUrl: 'https://zoom.example/j/1',
    dayContact: 'Ann (0123)',
  },
  'registration-waitlisted': { ...facts, name: 'Sam', managePath: '/bookings/abc' },
  'registration-offer': { ...facts, name: 'Sam', managePath: '/bookings/abc', expires: 'Thursday 11 December 2026, 6pm' },
  'registration-offer-expired': { ...facts, name: 'Sam' },
  'registration-cancelled': { ...facts, name: 'Sam', leftWaitingList: false, refunded: '£15' },
  'registration-refund-owed': { ...facts, payerName: 'Sam <b>', amount: '£15', method: 'stripe', attendeesPath: '/organise/events/seminar-1/attendees' },
  'registration-invoice': { ...facts, name: 'Sam', managePath: '/bookings/abc', amount: '£40', ticketName: 'Professional' },
  'registration-link': { ...facts, name: 'Sam', managePath: '/bookings/abc', reason: 'asked' },
  'registration-confirm-request': { ...facts, confirmPath: '/bookings/confirm/abc' },
  'registration-reminder': {
    ...facts,
    name: 'Sam',
    managePath: '/bookings/abc',
    lead: 'in 2 days',
    travelInfo: '',
    joinUrl: 'https://zoom.example/j/1',
    dayContact: '',
  },
  'attendee-message': { ...facts, subjectLine: 'Room change', message: 'We are in room 2.\nSee you there.', managePath: '/bookings/abc' },
  'payment-arrived-late': { ...facts, name: 'Sam', amount: '£15' },
};

describe('registration emails', () => {
  for (const name of Object.keys(registrationSubjects) as (keyof RegistrationEmails)[]) {
    it(`renders ${name} as HTML and plain text, escaping what people typed`, () => {
      const mail = renderEmail(name, samples[name] as never, site);
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.html).toContain('Seminar &lt;1&gt; &amp; &quot;friends&quot;');
      expect(mail.text).toContain('Seminar <1> & "friends"');
      if ('managePath' in samples[name]) {
        expect(mail.html).toContain('https://hub.example/bookings/abc');
        expect(mail.text).toContain('https://hub.example/bookings/abc');
      }
    });
  }

  it('puts the online joining link only where it is given', () => {
    const confirmed = renderEmail('registration-confirmed', samples['registration-confirmed'], site);
    expect(confirmed.text).toContain('Join online: https://zoom.example/j/1');
    const inPerson = renderEmail('registration-confirmed', { ...samples['registration-confirmed'], joinUrl: '' }, site);
    expect(inPerson.text).not.toContain('Join online');
  });

  it('ends the sentence once when the title already ends with a question mark', () => {
    const asked = renderEmail('registration-confirmed', { ...samples['registration-confirmed'], eventTitle: 'Whose recovery is it anyway?' }, site);
    expect(asked.text).toContain('Your place is booked for Whose recovery is it anyway?\n');
    expect(asked.html).toContain('<strong>Whose recovery is it anyway?</strong></p>');
    expect(renderEmail('registration-confirmed', samples['registration-confirmed'], site).text).toContain('"friends".');
  });
});
