// The public list's filters when what is asked for cannot be used, which months they offer, which
// organisations they filter by, and what a search looks at (review findings on /events).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventCohosts, organisations } from '../../db/schema/index.ts';
import { findEvents } from '../../server/events/queries.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '0' } });
});
afterAll(async () => {
  await t?.close();
});

const day = 86_400_000;
const titleOf = (body: string) => /<title>([^<]*) – /.exec(body)?.[1];
const errorSummary = (body: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(body)?.[0] ?? '';
const monthsOffered = (body: string) =>
  [...(/<select[^>]*id="month"[\s\S]*?<\/select>/.exec(body)?.[0] ?? '').matchAll(/<option value="(\d{4}-\d\d)"/g)].map((m) => m[1]);

describe('a filter the list cannot use', () => {
  beforeAll(async () => {
    await makeEvent(t.db, {
      slug: 'kestrel-round-table',
      title: 'Kestrel round table',
      type: 'round_table',
      format: 'online',
      onlinePlatform: 'Teams',
      startsAt: new Date(Date.UTC(2035, 2, 10, 10)),
    });
    await makeEvent(t.db, { slug: 'kestrel-training', title: 'Kestrel training day', type: 'training_event', startsAt: new Date(Date.UTC(2035, 3, 10, 10)) });
  });

  it('shows the list with a message, keeping the other filters, and answers 400', async () => {
    const page = await t.client().get('/events?month=2026-13&type=round_table&q=Kestrel');
    expect(page.statusCode).toBe(400);
    expect(titleOf(page.body)).toBe('Error: Events');
    expect(errorSummary(page.body)).toContain('<a href="#month">That is not a month we can show. Choose a month from the list.</a>');
    expect(page.body).toContain('id="month-error"');
    // The type and the words are kept, and the list is what they find.
    expect(page.body).toContain('<option value="round_table" selected>');
    expect(page.body).toContain('value="Kestrel"');
    expect(page.body).toContain('Kestrel round table');
    expect(page.body).not.toContain('Kestrel training day');
    expect(page.body).toContain('1 event found');

    const banana = await t.client().get('/events?type=banana&format=online&month=2035-03');
    expect(banana.statusCode).toBe(400);
    expect(errorSummary(banana.body)).toContain('<a href="#type">That type of event is not one we list. Choose a type of event from the list.</a>');
    expect(banana.body).toContain('<option value="online" selected>');
    expect(banana.body).toContain('<option value="2035-03" selected>');
    expect(banana.body).toContain('Kestrel round table');
    expect(banana.body).not.toContain('Kestrel training day');
    // The pages' links keep what could be used, not what could not.
    expect(banana.body).not.toContain('banana');

    const wordy = await t.client().get(`/events?q=${'Kestrel '.repeat(20)}&type=training_event`);
    expect(wordy.statusCode).toBe(400);
    expect(errorSummary(wordy.body)).toContain('Search must be 100 characters or fewer');
    expect(wordy.body).toContain(`value="${'Kestrel '.repeat(20)}"`);
    expect(wordy.body).toContain('Kestrel training day');

    for (const path of [
      '/events?format=underwater',
      '/events?page=0',
      '/events?page=abc',
      '/events?when=tomorrow',
      '/events?type=seminar&type=banana&month=1&month=2',
    ]) {
      const odd = await t.client().get(path);
      expect(odd.statusCode, path).toBe(400);
      expect(odd.body, path).toContain('class="govuk-error-summary"');
      expect(odd.body, path).toContain('<h1 class="govuk-heading-xl">');
    }
    // Every filter that could be used still answers as before.
    expect((await t.client().get('/events?type=round_table&month=2035-03&page=1&when=upcoming')).statusCode).toBe(200);
  });
});

describe('the months offered', () => {
  it('are those with an event the list shows, and the month asked for', async () => {
    await makeEvent(t.db, { slug: 'heron-june', title: 'Heron seminar', startsAt: new Date(Date.UTC(2036, 5, 3, 10)) });
    // Late on 31 October in London is still October, though already 1 November nowhere else here.
    await makeEvent(t.db, { slug: 'heron-october', title: 'Heron evening', startsAt: new Date(Date.UTC(2036, 9, 31, 23, 30)), endsAt: null });
    await makeEvent(t.db, { slug: 'heron-planning', title: 'Heron draft', status: 'planning', startsAt: new Date(Date.UTC(2036, 6, 3, 10)) });
    await makeEvent(t.db, { slug: 'heron-unlisted', title: 'Heron quiet table', unlisted: true, startsAt: new Date(Date.UTC(2036, 7, 3, 10)) });
    await makeEvent(t.db, { slug: 'heron-cancelled', title: 'Heron called off', status: 'cancelled', startsAt: new Date(Date.UTC(2036, 8, 3, 10)) });
    await makeEvent(t.db, {
      slug: 'heron-past',
      title: 'Heron last year',
      status: 'completed',
      startsAt: new Date(Date.now() - 400 * day),
      endsAt: new Date(Date.now() - 400 * day + 3_600_000),
    });

    const months = monthsOffered((await t.client().get('/events')).body);
    expect(months).toEqual([...months].sort());
    expect(months).toEqual(expect.arrayContaining(['2035-03', '2035-04', '2036-06', '2036-09', '2036-10']));
    for (const none of ['2036-07', '2036-08', '2036-11', '2037-01']) expect(months, none).not.toContain(none);
    const pastMonth = new Date(Date.now() - 400 * day).toISOString().slice(0, 7);
    expect(months).not.toContain(pastMonth);

    const archive = monthsOffered((await t.client().get('/events?when=past')).body);
    expect(archive).toContain(pastMonth);
    expect(archive).not.toContain('2036-06');
    expect(archive).toEqual([...archive].sort().reverse());

    // A month typed or linked stays chosen, and the page says it has nothing.
    const empty = await t.client().get('/events?month=2036-07');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('<option value="2036-07" selected>July 2036</option>');
    expect(empty.body).toContain('No events match.');
    expect(monthsOffered(empty.body)).toEqual([...monthsOffered(empty.body)].sort());
    expect(empty.body).not.toContain('Heron draft');
  });
});

describe('filtering by an organisation', () => {
  it('finds nothing for one not approved in the directory, as for an unknown one, and names neither', async () => {
    const [approved, pending, declined] = await t.db
      .insert(organisations)
      .values([
        { name: 'Wren Approved Network', kind: 'network', status: 'approved' },
        { name: 'Wren Pending Collective', kind: 'network', status: 'pending' },
        { name: 'Wren Declined Group', kind: 'charity', status: 'declined' },
      ])
      .returning();
    const shared = await makeEvent(t.db, { slug: 'wren-shared', title: 'Wren shared seminar', startsAt: new Date(Date.UTC(2037, 1, 3, 10)) });
    const pendingOnly = await makeEvent(t.db, { slug: 'wren-pending', title: 'Wren pending seminar', startsAt: new Date(Date.UTC(2037, 1, 4, 10)) });
    const declinedOnly = await makeEvent(t.db, { slug: 'wren-declined', title: 'Wren declined seminar', startsAt: new Date(Date.UTC(2037, 1, 5, 10)) });
    await t.db.insert(eventCohosts).values([
      { eventId: shared.id, organisationId: approved!.id },
      { eventId: shared.id, organisationId: pending!.id, position: 1 },
      { eventId: pendingOnly.id, organisationId: pending!.id },
      { eventId: declinedOnly.id, organisationId: declined!.id },
    ]);

    const good = await t.client().get(`/events?organisation=${approved!.id}&q=Wren`);
    expect(good.statusCode).toBe(200);
    expect(good.body).toContain(`<option value="${approved!.id}" selected>Wren Approved Network</option>`);
    expect(good.body).toContain('Wren shared seminar');
    expect(good.body).not.toContain('Wren pending seminar');

    // At the root: the list's condition itself counts approved co-hosts only.
    for (const org of [pending!, declined!]) expect((await findEvents(t.db, { organisation: org.id, q: 'Wren' })).total, org.name).toBe(0);
    expect((await findEvents(t.db, { organisation: approved!.id, q: 'Wren' })).total).toBe(1);

    const unknown = await t.client().get('/events?organisation=00000000-0000-4000-8000-000000000000&q=Wren');
    const answers = [unknown];
    for (const org of [pending!, declined!]) answers.push(await t.client().get(`/events?organisation=${org.id}&q=Wren`));
    for (const [i, page] of answers.entries()) {
      expect(page.statusCode, String(i)).toBe(400);
      expect(errorSummary(page.body), String(i)).toContain(
        '<a href="#organisation">We cannot show events for that organisation. Choose an organisation from the list.</a>',
      );
      // As for an unknown organisation: the other filters' events, no organisation chosen.
      expect(page.body, String(i)).toContain('3 events found');
      expect(page.body, String(i)).not.toContain(' selected>Wren');
      expect(page.body, String(i)).not.toContain('Wren Pending Collective');
      expect(page.body, String(i)).not.toContain('Wren Declined Group');
      // The same page, word for word, whichever it was (each answer has its own form token).
      const withoutToken = (body: string) => body.replace(/<meta name="csrf-token"[^>]*>/, '');
      expect(withoutToken(page.body), String(i)).toBe(withoutToken(answers[0]!.body));
    }
  });
});

describe('searching', () => {
  it('finds the online platform of an online event and the town of one held in a room', async () => {
    await makeEvent(t.db, {
      slug: 'lark-online',
      title: 'Lark webinar',
      format: 'online',
      onlinePlatform: 'Jitsi Meet',
      venueName: '',
      venueAddress: '',
      startsAt: new Date(Date.UTC(2037, 3, 1, 10)),
    });
    await makeEvent(t.db, {
      slug: 'lark-hybrid',
      title: 'Lark hybrid day',
      format: 'hybrid',
      onlinePlatform: 'Jitsi Meet',
      venueAddress: '2 Quay Street, Penzance',
      startsAt: new Date(Date.UTC(2037, 3, 2, 10)),
    });
    await makeEvent(t.db, {
      slug: 'lark-room',
      title: 'Lark room day',
      format: 'in_person',
      venueAddress: '3 Market Place, Penzance',
      onlinePlatform: 'Jitsi Meet',
      startsAt: new Date(Date.UTC(2037, 3, 3, 10)),
    });
    await makeEvent(t.db, {
      slug: 'lark-moved',
      title: 'Lark moved online',
      format: 'online',
      onlinePlatform: 'Teams',
      venueAddress: '4 Old Road, Penzance',
      startsAt: new Date(Date.UTC(2037, 3, 4, 10)),
    });

    const platform = await t.client().get('/events?q=jitsi');
    expect(platform.body).toContain('Lark webinar');
    expect(platform.body).toContain('Lark hybrid day');
    // An event held only in a room says nothing of a platform, so is not found by one.
    expect(platform.body).not.toContain('Lark room day');

    const town = await t.client().get('/events?q=penzance');
    expect(town.body).toContain('Lark hybrid day');
    expect(town.body).toContain('Lark room day');
    // Nor is an online event by the address of a room it no longer uses.
    expect(town.body).not.toContain('Lark moved online');
  });
});
