// Words that are true: a booked member is shown their booking rather than a form to book again;
// a full event's button says what it does; "check your email" claims no email it did not send;
// a title that ends with a question mark is not followed by a full stop in emails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../emails/render.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeEvent, makeTicketType } from './fixtures.ts';

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('words that are true', () => {
  it('shows a booked member their booking on the booking page, not the form again', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const member = await t.signedIn('already@example.org');
    expect((await member.get(`/events/${event.slug}/book`)).body).toContain('Book my place');
    expect((await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Al Ready', email: 'already@example.org' })).statusCode).toBe(303);
    const page = await member.get(`/events/${event.slug}/book`);
    expect(page.body).toContain('You have already booked this event');
    expect(page.body).toContain('See your booking');
    expect(page.body).not.toContain('Book my place');
    const [, id] = /action="\/account\/bookings\/([0-9a-f-]{36})\/link"/.exec(page.body) ?? [];
    const open = await member.post(`/account/bookings/${id}/link`);
    expect(open.statusCode).toBe(303);
    expect(String(open.headers.location)).toMatch(/^\/bookings\//);
  });

  it('says "Join the waiting list" on the button when every place is taken', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const first = await t.signedIn('first-in@example.org');
    await first.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'First In', email: 'first-in@example.org' });
    const page = await t.client().get(`/events/${event.slug}/book`);
    expect(page.body).toMatch(/<button type="submit" class="govuk-button" data-module="govuk-button">Join the waiting list<\/button>/);
  });

  it('does not claim an email was sent when "check your email" is opened directly', async () => {
    const event = await makeEvent(t.db);
    const page = await t.client().get(`/events/${event.slug}/book/check-your-email`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('We have sent an email');
    expect(page.body).toContain('If you have just filled in the booking form, we have emailed the address you gave.');
  });

  it('never writes "?." after a title that asks a question', () => {
    const mail = renderEmail(
      'registration-cancelled',
      { eventTitle: 'Who cares?', when: 'Monday', where: 'Leeds', eventPath: '/events/x', name: '', leftWaitingList: true, refunded: '' },
      site,
    );
    expect(mail.text).toContain('You have left the waiting list for Who cares?');
    expect(mail.text).not.toContain('?.');
    expect(mail.html).not.toContain('?.');
    const submitted = renderEmail('bursary-submitted', { name: '', eventTitle: 'Why now?', applicationPath: '/bursaries/applications/1' }, site);
    expect(submitted.text).not.toContain('?.');
    const plain = renderEmail('bursary-submitted', { name: '', eventTitle: 'Day one', applicationPath: '/bursaries/applications/1' }, site);
    expect(plain.text).toContain('coming to Day one.');
  });
});
