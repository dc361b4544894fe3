import ICAL from 'ical.js';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, people, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { bookAnonymously, latestConfirmPath, latestManagePath, mailsTo, makeEvent, makeQuestion, makeTicketType } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const person = (email: string, extra: Record<string, string> = {}) => ({ name: 'Sam Rivers', email, accessRequirements: 'Step-free access please', ...extra });

describe('booking a free place', () => {
  it('books, emails a confirmation with a valid .ics, and the private link shows the booking', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id, { name: 'Free place' });
    const visitor = t.client();
    const form = await visitor.get(`/events/${event.slug}/book`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Free place');

    const { asked: done } = await bookAnonymously(t.db, visitor, event.slug, person('sam@example.org', { ticketTypeId: type.id }));
    expect(done.statusCode).toBe(303);
    // The private links travel only by email: first to confirm the booking, then to manage it.
    expect(done.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
    expect((await visitor.get(String(done.headers.location))).body).toContain('Check your email');

    const [mail] = await mailsTo(t.db, 'sam@example.org');
    expect(mail?.template).toBe('registration-confirmed');
    expect(mail?.attachments).toHaveLength(1);
    const ics = mail!.attachments[0]!.content;
    const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('uid')).toBe(`event-${event.id}@convene`);
    expect(vevent.getFirstPropertyValue('summary')).toBe(event.title);
    expect((vevent.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().getTime()).toBe(event.startsAt!.getTime());

    const manage = String(mail!.data.managePath);
    expect(manage).toMatch(/^\/bookings\/[A-Za-z0-9_-]+$/);
    const page = await visitor.get(manage);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Booked');
    expect(page.body).toContain('Step-free access please');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const calendar = await visitor.get(`${manage}/calendar.ics`);
    expect(calendar.headers['content-type']).toContain('text/calendar');
    expect(calendar.body).toContain(`UID:event-${event.id}@convene`);
  });

  it('shows errors beside the fields and keeps what was typed', async () => {
    const event = await makeEvent(t.db);
    await makeTicketType(t.db, event.id);
    const q = await makeQuestion(t.db, event.id, 'choice', 'Which workshop?', { required: true, options: ['Morning', 'Afternoon'] });
    const response = await t.client().post(`/events/${event.slug}/book`, { name: '', email: 'not-an-address', organisation: 'Mind in Leeds' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain('Enter your name');
    expect(response.body).toContain('Select the kind of place you want');
    expect(response.body).toContain('Enter an email address in the right format');
    expect(response.body).toContain(`href="#q_${q.id}"`);
    expect(response.body).toContain('value="Mind in Leeds"');
    expect(await t.db.select().from(registrations).where(eq(registrations.eventId, event.id))).toHaveLength(0);
  });

  it('saves answers to custom questions and lets the registrant change them', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const q = await makeQuestion(t.db, event.id, 'short_text', 'What would you like to get from the day?', { required: true });
    const visitor = t.client();
    const { confirmed } = await bookAnonymously(
      t.db,
      visitor,
      event.slug,
      person('answers@example.org', { ticketTypeId: type.id, [`q_${q.id}`]: 'Ideas for our group' }),
    );
    expect(confirmed.statusCode).toBe(303);
    const manage = await latestManagePath(t.db, 'answers@example.org');
    expect((await visitor.get(manage)).body).toContain('value="Ideas for our group"');
    const bad = await visitor.post(`${manage}/answers`, { [`q_${q.id}`]: '' });
    expect(bad.statusCode).toBe(400);
    const saved = await visitor.post(`${manage}/answers`, { [`q_${q.id}`]: 'Meeting people', dietaryNeeds: 'Vegan' });
    expect(saved.statusCode).toBe(303);
    const page = await visitor.get(manage);
    expect(page.body).toContain('value="Meeting people"');
    expect(page.body).toContain('Vegan');
  });

  it('does not reveal an existing booking; confirming from the emailed link goes to it', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, person('twice@example.org', { ticketTypeId: type.id }));
    const again = await t.client().post(`/events/${event.slug}/book`, person('Twice@Example.org', { ticketTypeId: type.id }));
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/events/${event.slug}/book/check-your-email`);
    const mails = await mailsTo(t.db, 'twice@example.org');
    expect(mails.map((m) => m.template)).toEqual(['registration-confirm-request', 'registration-confirmed', 'registration-confirm-request']);
    const visitor = t.client();
    const confirmed = await visitor.post(await latestConfirmPath(t.db, 'twice@example.org'));
    expect((await visitor.get(String(confirmed.headers.location))).body).toContain('You have already booked this event');
    expect(await t.db.select().from(registrations).where(eq(registrations.eventId, event.id))).toHaveLength(1);
  });

  it('cancels through the private link, freeing the place, and records it', async () => {
    const event = await makeEvent(t.db, { capacity: 1 });
    const type = await makeTicketType(t.db, event.id);
    const visitor = t.client();
    await bookAnonymously(t.db, visitor, event.slug, person('cancel@example.org', { ticketTypeId: type.id }));
    const manage = await latestManagePath(t.db, 'cancel@example.org');
    expect((await visitor.get(`/events/${event.slug}/book`)).body).toContain('Full');
    expect((await visitor.get(`${manage}/cancel`)).body).toContain('Cancel my booking');
    const cancelled = await visitor.post(`${manage}/cancel`);
    expect(cancelled.statusCode).toBe(303);
    expect((await visitor.get(manage)).body).toContain('Cancelled');
    expect((await visitor.get(`${manage}/calendar.ics`)).statusCode).toBe(404);
    expect((await mailsTo(t.db, 'cancel@example.org'))[0]?.template).toBe('registration-cancelled');
    const audit = await t.db.select().from(auditEntries).where(eq(auditEntries.action, 'registration.booking.cancelled'));
    expect(audit.length).toBeGreaterThan(0);
    expect((await visitor.get(`/events/${event.slug}/book`)).body).toContain('1 place left');
  });

  it('adds a free companion place that counts against capacity and is cancelled with the booking', async () => {
    const event = await makeEvent(t.db, { capacity: 3 });
    const type = await makeTicketType(t.db, event.id, { capacity: 1 });
    const visitor = t.client();
    await bookAnonymously(t.db, visitor, event.slug, person('pa@example.org', { ticketTypeId: type.id, companion: 'yes', companionName: 'Jo (PA)' }));
    const rows = await t.db.select().from(registrations).where(eq(registrations.eventId, event.id));
    expect(rows.map((r) => r.status).sort()).toEqual(['confirmed', 'confirmed']);
    expect(rows.find((r) => r.companionOfId)?.name).toBe('Jo (PA)');
    expect((await visitor.get(`/events/${event.slug}/book`)).body).toContain('Full');
    const manage = await latestManagePath(t.db, 'pa@example.org');
    // Asked first: the page names the companion's place, which goes too.
    const asked = await visitor.get(`${manage}/cancel`);
    expect(asked.body).toContain('You will give up your place, and the companion place for Jo (PA), at');
    expect(asked.body).toContain('Both places will then be free for someone else.');
    await visitor.post(`${manage}/cancel`);
    const after = await t.db.select().from(registrations).where(eq(registrations.eventId, event.id));
    expect(after.every((r) => r.status === 'cancelled')).toBe(true);
    // The email says the companion's place went too, as the page did.
    const [cancelled] = (await mailsTo(t.db, 'pa@example.org')).filter((m) => m.template === 'registration-cancelled');
    const site = { siteName: 'Social Perspectives Hub', baseUrl: 'https://hub.example', contactEmail: '' };
    const email = renderEmail('registration-cancelled', cancelled!.data as never, site);
    expect(email.text).toContain('The place of Jo (PA), who was coming with you, is cancelled with it.');
    expect(email.html).toContain('<p>The place of Jo (PA), who was coming with you, is cancelled with it.</p>');
  });

  it('tells an organiser cancelling a booking that its companion place goes with it', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, person('with-pa@example.org', { ticketTypeId: type.id, companion: 'yes', companionName: 'Sam (PA)' }));
    const [lead] = await t.db
      .select({ id: registrations.id })
      .from(registrations)
      .where(and(eq(registrations.eventId, event.id), eq(registrations.email, 'with-pa@example.org')));
    const organiser = await t.signedIn('companion-organiser@example.org');
    const [me] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'companion-organiser@example.org'));
    await grantRole(t.db, null, me!.id, 'organiser');
    const asked = await organiser.get(`/organise/events/${event.slug}/attendees/${lead!.id}/cancel`);
    expect(asked.body).toContain('The place of Sam (PA), who is coming with them, is cancelled with it.');
  });

  it('refuses a made-up manage link, and booking for an event being planned', async () => {
    expect((await t.client().get(`/bookings/${'x'.repeat(43)}`)).statusCode).toBe(404);
    const planning = await makeEvent(t.db, { status: 'planning' });
    expect((await t.client().get(`/events/${planning.slug}/book`)).statusCode).toBe(404);
  });

  it('shows a signed-in person their bookings, including ones made before signing in', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, person('member@example.org', { ticketTypeId: type.id }));
    const member = await t.signedIn('member@example.org');
    const list = await member.get('/account/bookings');
    expect(list.body).toContain(event.title);
    const [row] = await t.db
      .select({ id: registrations.id })
      .from(registrations)
      .where(and(eq(registrations.email, 'member@example.org')));
    const open = await member.post(`/account/bookings/${row!.id}/link`);
    expect(open.headers.location).toMatch(/^\/bookings\//);
    const other = await t.signedIn('someone-else@example.org');
    expect((await other.post(`/account/bookings/${row!.id}/link`)).statusCode).toBe(404);
  });
});
