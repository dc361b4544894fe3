// After the event: the impact note to attendees and the group, and resources (PDFs checked by
// content, or links) shown publicly only once the event is public.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, impactNotes, mailBudgetDays, outboxMessages, people, registrations } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { htmlBytes, pdfBytes, postMultipart } from '../bursaries/support.ts';
import { idFrom, mailTo, signedInOrganiser } from '../proposals/support.ts';

let t: TestApp;
let organiser: TestClient;
let lead: TestClient;
let speaker: TestClient;
let eventId: string;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'org@example.org');
  lead = await t.signedIn('lead@example.org');
  speaker = await t.signedIn('speaker@example.org');
  eventId = idFrom((await organiser.post('/organise/events', { title: 'Round table on housing', type: 'round_table' })).headers.location, '/plan');
  await organiser.post(`/plan/${eventId}/members`, { email: 'lead@example.org', role: 'co_lead' });
  await lead.post(`/plan/${eventId}/invitation`, { answer: 'yes', perspective: 'carer' });
  await organiser.post(`/plan/${eventId}/members`, { email: 'speaker@example.org', role: 'speaker' });
  await speaker.post(`/plan/${eventId}/invitation`, { answer: 'yes' });
});
afterAll(async () => {
  await t.close();
});

describe('resources', () => {
  it('accepts a real PDF and refuses a web page named .pdf, checking the content', async () => {
    const fake = await postMultipart(
      lead,
      `/plan/${eventId}/resources`,
      { title: 'Report' },
      { field: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: htmlBytes },
    );
    expect(fake.statusCode).toBe(400);
    expect(fake.body).toContain('The file must be a PDF');
    const noCsrf = await postMultipart(
      lead,
      `/plan/${eventId}/resources`,
      { title: 'Report' },
      { field: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: pdfBytes },
      { csrf: false },
    );
    expect(noCsrf.statusCode).toBe(403);
    const bySpeaker = await postMultipart(
      speaker,
      `/plan/${eventId}/resources`,
      { title: 'Report' },
      { field: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: pdfBytes },
    );
    expect(bySpeaker.statusCode).toBe(403);
    const ok = await postMultipart(
      lead,
      `/plan/${eventId}/resources`,
      { title: 'Report from the round table' },
      { field: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: pdfBytes },
    );
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(303);
    expect((await lead.post(`/plan/${eventId}/links`, { linkTitle: 'Slides', url: 'javascript:alert(1)' })).statusCode).toBe(400);
    expect((await lead.post(`/plan/${eventId}/links`, { linkTitle: 'Slides', url: 'https://slides.example.org/deck' })).statusCode).toBe(303);
  });

  it('keeps resources private while the event is being planned, and public once published', async () => {
    const page = await lead.get(`/plan/${eventId}/after`);
    const fileUrl = /href="(\/resources\/[0-9a-f-]{36})"/.exec(page.body)![1]!;
    expect((await t.client().get(fileUrl)).statusCode).toBe(404);
    expect((await t.client().get('/library')).body).not.toContain('Report from the round table');
    await t.db
      .update(events)
      .set({ status: 'published', startsAt: new Date('2026-01-10T10:00:00Z'), endsAt: new Date('2026-01-10T15:00:00Z') })
      .where(eq(events.id, eventId));
    const file = await t.client().get(fileUrl);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.rawPayload.equals(pdfBytes)).toBe(true);
    // The library is the one list of reports and resources: the old address moved there for good.
    const moved = await t.client().get('/resources');
    expect(moved.statusCode).toBe(301);
    expect(moved.headers.location).toBe('/library#from-events');
    const list = await t.client().get('/library');
    expect(list.body).toContain('id="from-events"');
    expect(list.body).toContain('Report from the round table');
    expect(list.body).toContain('https://slides.example.org/deck');
    expect(list.body).toContain(`href="${fileUrl}"`);
    expect((await t.client().get('/library?q=round+table+report')).body).toContain('Report from the round table');
    expect((await t.client().get('/library?q=nothing-like-it')).body).not.toContain('Report from the round table');
    // The footer names the library once, and no other list of reports.
    expect(list.body).not.toContain('href="/resources"');
    expect(list.body.match(/href="\/library"/g)?.length).toBeGreaterThanOrEqual(1);
    expect(list.body).toContain('Library of reports and resources</a>');
    const [event] = await t.db.select({ slug: events.slug }).from(events).where(eq(events.id, eventId));
    const publicPage = await t.client().get(`/events/${event!.slug}`);
    expect(publicPage.body).toContain('Report from the round table');
  });
});

describe('the impact note', () => {
  it('is sent once to attendees and the planning group', async () => {
    await t.db.insert(registrations).values([
      { eventId, status: 'attended', name: 'Ada', email: 'ada@example.org' },
      { eventId, status: 'cancelled', name: 'Cy', email: 'cy@example.org' },
      { eventId, status: 'confirmed', name: 'Di', email: 'di@example.org' },
    ]);
    expect((await speaker.post(`/plan/${eventId}/impact-note`, { note: 'x', action: 'send' })).statusCode).toBe(403);
    expect((await lead.post(`/plan/${eventId}/impact-note`, { note: '', action: 'send' })).statusCode).toBe(400);
    expect((await lead.post(`/plan/${eventId}/impact-note`, { note: 'You said the room was cold. We moved venue.', action: 'send' })).statusCode).toBe(303);
    for (const email of ['ada@example.org', 'lead@example.org', 'speaker@example.org']) {
      const [mail] = await mailTo(t.db, email, 'impact-note');
      expect(mail?.data.note, email).toBe('You said the room was cold. We moved venue.');
    }
    expect(await mailTo(t.db, 'cy@example.org', 'impact-note')).toHaveLength(0);
    // Someone booked who was not checked in is not thanked for taking part.
    const [booked] = await mailTo(t.db, 'di@example.org', 'impact-note');
    const [came] = await mailTo(t.db, 'ada@example.org', 'impact-note');
    const text = (mail: typeof booked) => renderEmail('impact-note', mail!.data as never, { baseUrl: 'http://convene.test', siteName: 'Convene' }).text;
    expect(text(booked)).toContain('You had a place at Round table on housing. Here is what people said');
    expect(text(booked)).not.toContain('Thank you for being part of');
    expect(text(came)).toContain('Thank you for being part of Round table on housing.');
    const again = await lead.post(`/plan/${eventId}/impact-note`, { note: 'Again', action: 'send' });
    expect(again.statusCode).toBe(409);
    expect(again.headers['x-error-code']).toBe('impact_note_sent');
    for (;;) {
      const result = await t.app.mail.deliverDue();
      expect(result.retrying + result.failed).toBe(0);
      if (result.sent === 0) break;
    }
  });

  it('spends the sender’s daily mail budget like other mail they send; over it, nothing is saved or sent', async () => {
    const id = idFrom((await organiser.post('/organise/events', { title: 'Seminar on budgets', type: 'seminar' })).headers.location, '/plan');
    await organiser.post(`/plan/${id}/members`, { email: 'lead@example.org', role: 'co_lead' });
    await lead.post(`/plan/${id}/invitation`, { answer: 'yes', perspective: 'carer' });
    await t.db
      .update(events)
      .set({ status: 'published', startsAt: new Date('2026-02-10T10:00:00Z'), endsAt: new Date('2026-02-10T15:00:00Z') })
      .where(eq(events.id, id));
    const attendees = ['bo', 'di', 'em'].map((n) => ({ eventId: id, status: 'attended' as const, name: n, email: `${n}-budget@example.org` }));
    await t.db.insert(registrations).values(attendees);
    const [leadPerson] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'lead@example.org'));
    const perDay = t.config.mailBudgetPerDay;
    const today = sql`(now() at time zone 'Europe/London')::date`;
    // Two emails short of the day's budget: three attendees (the lead's own copy is free) is too many.
    await t.db
      .insert(mailBudgetDays)
      .values({ personId: leadPerson!.id, day: today, sent: perDay - 2 })
      .onConflictDoUpdate({ target: [mailBudgetDays.personId, mailBudgetDays.day], set: { sent: perDay - 2 } });
    const refused = await lead.post(`/plan/${id}/impact-note`, { note: 'You said: more breaks.', action: 'send' });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('more emails to other people than one account may send in a day');
    expect(refused.body).toContain('You said: more breaks.');
    expect(await mailTo(t.db, 'bo-budget@example.org', 'impact-note')).toHaveLength(0);
    expect((await t.db.select().from(impactNotes).where(eq(impactNotes.eventId, id)))[0]?.sentAt ?? null).toBeNull();

    const toOthers = async () =>
      (await t.db.select({ to: outboxMessages.toAddress }).from(outboxMessages).where(eq(outboxMessages.template, 'impact-note'))).filter(
        (m) => m.to !== 'lead@example.org',
      ).length;
    const before = await toOthers();
    await t.db.update(mailBudgetDays).set({ sent: 0 }).where(eq(mailBudgetDays.personId, leadPerson!.id));
    expect((await lead.post(`/plan/${id}/impact-note`, { note: 'You said: more breaks.', action: 'send' })).statusCode).toBe(303);
    expect(await mailTo(t.db, 'bo-budget@example.org', 'impact-note')).toHaveLength(1);
    const [spent] = await t.db.select({ sent: mailBudgetDays.sent }).from(mailBudgetDays).where(eq(mailBudgetDays.personId, leadPerson!.id));
    expect(spent!.sent).toBeGreaterThanOrEqual(3);
    expect(spent!.sent).toBe((await toOthers()) - before);
    await t.db.delete(mailBudgetDays).where(eq(mailBudgetDays.personId, leadPerson!.id));
  });
});

describe('when an event counts as over, for the impact note and for marking it finished', () => {
  // One rule for every page and service (server/event-over.ts): an event with a start and no end
  // time is over once it has started, as everywhere else; before, these two pages said "once it
  // has ended" forever for it, and the page and the service each kept a copy of the rule.
  it('takes an event with no end time as over once it has started, and a cancelled one never', async () => {
    const id = idFrom((await organiser.post('/organise/events', { title: 'Seminar without an end time', type: 'seminar' })).headers.location, '/plan');
    await organiser.post(`/plan/${id}/members`, { email: 'lead@example.org', role: 'co_lead' });
    await lead.post(`/plan/${id}/invitation`, { answer: 'yes', perspective: 'carer' });
    await t.db
      .update(events)
      .set({ status: 'published', startsAt: new Date(Date.now() + 86_400_000), endsAt: null })
      .where(eq(events.id, id));
    expect((await lead.get(`/plan/${id}/after`)).body).toContain('send it once the event has taken place');
    expect((await lead.post(`/plan/${id}/impact-note`, { note: 'Too soon.', action: 'send' })).headers['x-error-code']).toBe('event_not_over');

    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 86_400_000) })
      .where(eq(events.id, id));
    expect((await lead.get(`/plan/${id}/after`)).body).not.toContain('send it once the event has taken place');
    expect((await lead.post(`/plan/${id}/complete`, {})).statusCode).toBe(303);
    expect((await t.db.select({ status: events.status }).from(events).where(eq(events.id, id)))[0]?.status).toBe('completed');
    expect((await lead.post(`/plan/${id}/impact-note`, { note: 'You said: an end time.', action: 'send' })).statusCode).toBe(303);

    const cancelled = idFrom((await organiser.post('/organise/events', { title: 'Seminar called off', type: 'seminar' })).headers.location, '/plan');
    await organiser.post(`/plan/${cancelled}/members`, { email: 'lead@example.org', role: 'co_lead' });
    await lead.post(`/plan/${cancelled}/invitation`, { answer: 'yes', perspective: 'carer' });
    await t.db
      .update(events)
      .set({ status: 'cancelled', startsAt: new Date(Date.now() - 86_400_000), endsAt: null })
      .where(eq(events.id, cancelled));
    expect((await lead.post(`/plan/${cancelled}/impact-note`, { note: 'No.', action: 'send' })).headers['x-error-code']).toBe('event_not_over');
  });
});
