import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const day = 86_400_000;

describe('the public list of events', () => {
  it('filters by type, format, month and words, and has an archive of past events', async () => {
    const soon = new Date(Date.UTC(2030, 2, 10, 10));
    await makeEvent(t.db, {
      slug: 'round-table-march',
      title: 'Round table on peer support',
      type: 'round_table',
      format: 'online',
      startsAt: soon,
      endsAt: new Date(soon.getTime() + 7_200_000),
    });
    await makeEvent(t.db, {
      slug: 'training-april',
      title: 'Training for facilitators',
      type: 'training_event',
      format: 'in_person',
      startsAt: new Date(Date.UTC(2030, 3, 2, 9)),
      endsAt: null,
    });
    await makeEvent(t.db, {
      slug: 'old-conference',
      title: 'Conference of last year',
      type: 'conference',
      startsAt: new Date(Date.now() - 300 * day),
      endsAt: new Date(Date.now() - 299 * day),
    });
    await makeEvent(t.db, { slug: 'secret-planning', title: 'Not yet announced', status: 'planning' });
    await makeEvent(t.db, { slug: 'called-off', title: 'Called off seminar', status: 'cancelled', startsAt: new Date(soon.getTime() + day), endsAt: null });
    await makeEvent(t.db, {
      slug: 'called-off-long-ago',
      title: 'Long gone cancelled day',
      status: 'cancelled',
      startsAt: new Date(Date.now() - 30 * day),
      endsAt: null,
    });

    const all = await t.client().get('/events');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('Round table on peer support');
    expect(all.body).toContain('Training for facilitators');
    expect(all.body).not.toContain('Conference of last year');
    expect(all.body).not.toContain('Not yet announced');
    // A cancelled event stays findable, marked, until it would have happened.
    expect(all.body).toMatch(/Called off seminar<\/a><\/h3>\s*<p class="govuk-body convene-meta">.*Cancelled<\/strong>/);
    expect(all.body).not.toContain('Long gone cancelled day');

    const byType = await t.client().get('/events?type=round_table');
    expect(byType.body).toContain('Round table on peer support');
    expect(byType.body).not.toContain('Training for facilitators');

    const byFormat = await t.client().get('/events?format=in_person');
    expect(byFormat.body).not.toContain('Round table on peer support');
    expect(byFormat.body).toContain('Training for facilitators');
    // An event in a room and online is found by either, and alone by "In person and online".
    await makeEvent(t.db, { slug: 'both-ways', title: 'Seminar in a room and online', format: 'hybrid', startsAt: soon, endsAt: null });
    for (const format of ['in_person', 'online', 'hybrid'])
      expect((await t.client().get(`/events?format=${format}`)).body, format).toContain('Seminar in a room and online');
    const onlyBoth = (await t.client().get('/events?format=hybrid')).body;
    expect(onlyBoth).not.toContain('Round table on peer support');
    expect(onlyBoth).not.toContain('Training for facilitators');

    const byMonth = await t.client().get('/events?month=2030-04');
    expect(byMonth.body).toContain('Training for facilitators');
    expect(byMonth.body).not.toContain('Round table on peer support');

    // Months outside PostgreSQL's range are a month with no events, not a server error.
    for (const far of ['0000-01', '9999-12']) {
      const farMonth = await t.client().get(`/events?month=${far}`);
      expect(farMonth.statusCode, far).toBe(200);
      expect(farMonth.body).not.toContain('Training for facilitators');
    }

    const byWords = await t.client().get('/events?q=peer');
    expect(byWords.body).toContain('Round table on peer support');
    expect(byWords.body).not.toContain('Training for facilitators');
    expect(byWords.body).toContain('value="peer"');

    const archive = await t.client().get('/events?when=past');
    expect(archive.body).toContain('Conference of last year');
    expect(archive.body).not.toContain('Round table on peer support');

    expect((await t.client().get('/events?type=party')).statusCode).toBe(400);
  });

  it('treats a search of only spaces as no search', async () => {
    const page = await t.client().get('/events?q=%20%20%20');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/events? found/);
    expect(page.body).not.toContain('Clear filters');
  });

  it('shows places left, the price range and a booking button on the event page', async () => {
    const event = await makeEvent(t.db, { capacity: 20 });
    await makeTicketType(t.db, event.id, { name: 'Free place', pricePence: 0 });
    await makeTicketType(t.db, event.id, { name: 'Standard', pricePence: 2500 });
    const page = await t.client().get(`/events/${event.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('20 places left');
    expect(page.body).toContain('Free to £25');
    expect(page.body).toContain(`href="/events/${event.slug}/book"`);

    const full = await makeEvent(t.db, { capacity: 0 });
    await makeTicketType(t.db, full.id);
    expect((await t.client().get(`/events/${full.slug}`)).body).toContain('Join the waiting list');

    const noPlaces = await makeEvent(t.db);
    const closed = await t.client().get(`/events/${noPlaces.slug}`);
    expect(closed.body).toContain('Booking has not opened yet');
    expect(closed.body).not.toContain('/book"');
  });

  it('never shows the online joining link on the public page', async () => {
    const event = await makeEvent(t.db, { format: 'online', onlinePlatform: 'Zoom', onlineJoinUrl: 'https://zoom.example/j/123' });
    await makeTicketType(t.db, event.id);
    const page = await t.client().get(`/events/${event.slug}`);
    expect(page.body).toContain('Zoom');
    expect(page.body).not.toContain('zoom.example/j/123');
  });

  it('speaks of a room’s access only for an event held in one', async () => {
    // Left from before it moved online: a room's name, address and directions.
    const online = await makeEvent(t.db, {
      format: 'online',
      onlinePlatform: 'Zoom',
      stepFreeAccess: false,
      hearingLoop: true,
      liveCaptions: true,
      venueName: 'Old Hall',
      venueAddress: '1 Old Street, Leeds',
      travelInfo: 'Bus 42 from the station',
    });
    const onlinePage = (await t.client().get(`/events/${online.slug}`)).body;
    for (const leftover of ['Old Hall', '1 Old Street', 'Bus 42', 'Getting there']) expect(onlinePage).not.toContain(leftover);
    expect(onlinePage).not.toContain('step-free');
    expect(onlinePage).not.toContain('Hearing loop');
    expect(onlinePage).toContain('Live captions');
    const bare = await makeEvent(t.db, { format: 'online', onlinePlatform: 'Zoom', stepFreeAccess: false, liveCaptions: false });
    expect((await t.client().get(`/events/${bare.slug}`)).body).toContain('No captions or British Sign Language are listed for this online event yet.');
    const inRoom = await makeEvent(t.db, { format: 'hybrid', stepFreeAccess: false });
    expect((await t.client().get(`/events/${inRoom.slug}`)).body).toContain('No step-free access confirmed yet');
  });

  it('shows twenty events a page, with links to the other pages that keep the filters', async () => {
    const base = Date.UTC(2031, 0, 1, 10);
    for (let i = 0; i < 45; i++) {
      await makeEvent(t.db, {
        slug: `webinar-${i}`,
        title: `Webinar number ${i}`,
        type: 'webinar',
        format: 'online',
        startsAt: new Date(base + i * day),
        endsAt: new Date(base + i * day + 3_600_000),
      });
    }
    const first = await t.client().get('/events?type=webinar');
    expect(first.body).toContain('45 events found');
    expect(first.body).toContain('Showing 1 to 20, page 1 of 3.');
    expect(first.body).toContain('Webinar number 19<');
    expect(first.body).not.toContain('Webinar number 20<');
    expect(first.body).toContain('href="/events?type=webinar&amp;page=2#results" rel="next"');
    expect(first.body).not.toContain('rel="prev"');
    expect(first.body).toMatch(/aria-label="Page 1" aria-current="page"/);

    const last = await t.client().get('/events?type=webinar&page=3');
    expect(last.statusCode).toBe(200);
    expect(last.body).toContain('<title>Events (page 3 of 3)');
    expect(last.body).toContain('Showing 41 to 45, page 3 of 3.');
    expect(last.body).toContain('Webinar number 44<');
    expect(last.body).not.toContain('Webinar number 39<');
    expect(last.body).toContain('href="/events?type=webinar&amp;page=2#results" rel="prev"');
    expect(last.body).not.toContain('rel="next"');

    const beyond = await t.client().get('/events?type=webinar&page=9');
    expect(beyond.statusCode).toBe(200);
    expect(beyond.body).toContain('There are no events on this page.');
    expect(beyond.body).toContain('href="/events?type=webinar#results"');
  });
});
