// Attacks on what changed since 9f38756: the event list's filters and search over where an event
// is, the bursary fund page's paging, organisers' certificate routes, organisers' refunds of
// attended places, and Markdown-to-text in email text parts. Passing tests guard a THREATS
// "never" that held; the tests marked FINDING fail on main and show a defect.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryFunds, people, registrations } from '../../db/schema/index.ts';
import { applicationReference } from '../../server/bursaries/reporting.ts';
import { markdownToText, renderMarkdown } from '../../server/markdown.ts';
import { createEvent, organiser, panelMember, planner } from '../bursaries/support.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let boss: TestClient;
beforeAll(async () => {
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '0' } });
  boss = await organiser(t, 'attack-organiser@example.org');
});
afterAll(async () => {
  await t?.close();
});

const start = (days: number) => new Date(Date.UTC(2036, 4, 1, 10) + days * 86_400_000);

describe('event list search over where an event is', () => {
  beforeAll(async () => {
    // Moved online: the room's address is left in the row, and the joining link is private.
    await makeEvent(t.db, {
      slug: 'moved-online',
      title: 'Peer support circle',
      format: 'online',
      venueName: 'Safe House',
      venueAddress: '17 Hidden Close, Bradford',
      onlinePlatform: 'Zoom',
      onlineJoinUrl: 'https://zoom.example/j/secretmeeting123',
      startsAt: start(1),
    });
    await makeEvent(t.db, { slug: 'quiet-unlisted', title: 'Quiet round table', unlisted: true, venueAddress: '9 Unlisted Row, York', startsAt: start(2) });
    await makeEvent(t.db, { slug: 'draft-plan', title: 'Draft plan', status: 'planning', venueAddress: '4 Draft Lane, Hull', startsAt: start(3) });
    await makeEvent(t.db, {
      slug: 'in-room',
      title: 'In the room',
      format: 'in_person',
      onlinePlatform: 'Teams',
      venueAddress: '2 Public Street, Leeds',
      startsAt: start(4),
    });
  });

  it('never finds an event by its joining link, an unlisted or draft event by its address, or a room event by a leftover platform', async () => {
    for (const q of ['secretmeeting123', 'zoom.example', 'Unlisted Row', 'Draft Lane', 'Hidden Close', 'Safe House']) {
      const res = await t.client().get(`/events?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
      expect(res.body, q).toContain('0 events found');
      expect(res.body, q).not.toMatch(/Peer support circle|Quiet round table|Draft plan/);
    }
    const teams = await t.client().get('/events?q=Teams');
    expect(teams.body).not.toContain('In the room');
    // What the page does show is found.
    expect((await t.client().get('/events?q=Public%20Street')).body).toContain('In the room');
  });

  // FINDING: the search's own comment (server/events/queries.ts searchCondition) says a venue left
  // on an event that became online-only "is not shown"; the event's public page does show it
  // (views/events/show.eta: `if (e.venueAddress)` whatever the format), while the calendar feed
  // (server/calendar/entries.ts eventLocation) and the search leave it out.
  it('does not show the leftover address of a room on the public page of an online-only event', async () => {
    const page = await t.client().get('/events/moved-online');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('17 Hidden Close');
  });

  it('answers hostile, repeated, huge and oddly encoded filters without a 500 or a hidden event', async () => {
    const urls = [
      `/events?q=${'%25'.repeat(100)}`,
      `/events?q=${'_'.repeat(100)}`,
      `/events?q=%5C%25Hidden`,
      `/events?q=${'a'.repeat(20_000)}`,
      `/events?${Array.from({ length: 500 }, (_, i) => `q=x${i}`).join('&')}`,
      `/events?${Array.from({ length: 200 }, () => 'month=2036-05&type=seminar&organisation=00000000-0000-4000-8000-000000000000').join('&')}`,
      '/events?q=%C0%AF&month=%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96-05',
      '/events?q=%ED%A0%80%00&when=past&when=x',
      '/events?month=0000-01&page=100000',
      '/events?month=9999-12&page=999999',
      '/events?organisation=ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
      '/events?type=constructor&format=__proto__&when=toString',
      '/events?page=1e3&page=2',
      '/events?q[]=a&q[b]=c',
    ];
    for (const url of urls) {
      const res = await t.client().get(url);
      expect([200, 400], url.slice(0, 120)).toContain(res.statusCode);
      // The online event is public; its joining link and leftover room, and the hidden events, are not.
      expect(res.body).not.toMatch(/Quiet round table|Draft plan|secretmeeting|Hidden Close/);
      expect(res.body).not.toMatch(/at \S+\.ts:\d+|Internal Server Error/);
    }
  });
});

describe('the bursary fund page’s paging', () => {
  let fundA: string;
  let fundB: string;
  let draftId: string;
  let otherId: string;
  let ownId: string;
  beforeAll(async () => {
    const event = await createEvent(t.db, { title: 'Paging attack day' });
    const [a] = await t.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Fund A', budgetPence: 100_000 }).returning();
    const otherEvent = await createEvent(t.db, { title: 'Other paging day' });
    const [b] = await t.db.insert(bursaryFunds).values({ eventId: otherEvent.id, name: 'Fund B', budgetPence: 100_000 }).returning();
    fundA = a!.id;
    fundB = b!.id;
    const [p1, p2, p3] = await t.db
      .insert(people)
      .values([
        { email: 'pg-draft@example.org', displayName: 'Draft Person' },
        { email: 'pg-other@example.org', displayName: 'Other Fund Person' },
        { email: 'pg-own@example.org', displayName: 'Own Person' },
      ])
      .returning({ id: people.id });
    const rows = await t.db
      .insert(bursaryApplications)
      .values([
        { fundId: fundA, eventId: event.id, applicantId: p1!.id, status: 'draft' as const, perspective: 'carer' as const },
        { fundId: fundB, eventId: otherEvent.id, applicantId: p2!.id, status: 'declined' as const, perspective: 'carer' as const, submittedAt: new Date() },
        { fundId: fundA, eventId: event.id, applicantId: p3!.id, status: 'approved' as const, perspective: 'carer' as const, submittedAt: new Date() },
      ])
      .returning({ id: bursaryApplications.id });
    [draftId, otherId, ownId] = rows.map((r) => r.id) as [string, string, string];
  });

  it('shows a non-panel member, a planner and the applicant nothing of a fund, on any page', async () => {
    const member = await t.signedIn('pg-nobody@example.org');
    const lead = await planner(t, 'pg-lead@example.org', (await t.db.select().from(bursaryFunds).where(eq(bursaryFunds.id, fundA)))[0]!.eventId!, 'lead');
    const applicant = await t.signedIn('pg-own@example.org');
    for (const client of [member, lead, applicant, t.client()]) {
      for (const q of ['', '?page=1', '?page=2', '?page=100000', '?page=0', '?page=abc', '?page=1&page=2']) {
        const res = await client.get(`/bursaries/funds/${fundA}${q}`);
        expect([302, 303, 400, 403, 404], q).toContain(res.statusCode);
        expect(res.body).not.toContain('Fund A');
        expect(res.body).not.toContain(applicationReference(ownId));
        expect(res.body).not.toContain('Own Person');
      }
    }
  });

  it('never lists another fund’s applications or a draft, on any page', async () => {
    const panel = await panelMember(t, 'pg-panel@example.org', fundA);
    for (const q of ['', '?page=1', '?page=2', '?page=9']) {
      const res = await panel.get(`/bursaries/funds/${fundA}${q}`);
      expect(res.statusCode, q).toBe(200);
      expect(res.body).not.toContain(applicationReference(draftId));
      expect(res.body).not.toContain('Draft Person');
      expect(res.body).not.toContain(applicationReference(otherId));
      expect(res.body).not.toContain('Other Fund Person');
    }
    expect((await panel.get(`/bursaries/funds/${fundA}`)).body).toContain(applicationReference(ownId));
    // Fund B's page is not theirs.
    expect([403, 404]).toContain((await panel.get(`/bursaries/funds/${fundB}?page=1`)).statusCode);
  });
});

describe('organisers’ certificate routes', () => {
  it('open only a checked-in place at the event in the address, and only for organisers', async () => {
    const here = await makeEvent(t.db, {
      slug: 'cert-here',
      startsAt: new Date(Date.now() - 3 * 86_400_000),
      endsAt: new Date(Date.now() - 3 * 86_400_000 + 3_600_000),
    });
    const there = await makeEvent(t.db, {
      slug: 'cert-there',
      startsAt: new Date(Date.now() - 3 * 86_400_000),
      endsAt: new Date(Date.now() - 3 * 86_400_000 + 3_600_000),
    });
    const [away] = await t.db
      .insert(registrations)
      .values({ eventId: there.id, status: 'attended', attendedAt: new Date(), name: 'Elsewhere Person', email: 'elsewhere@example.org' })
      .returning();
    const [booked] = await t.db
      .insert(registrations)
      .values({ eventId: here.id, status: 'confirmed', name: 'Not Checked In', email: 'notin@example.org' })
      .returning();
    const [erased] = await t.db
      .insert(registrations)
      .values({ eventId: here.id, status: 'attended', attendedAt: new Date(), name: '', email: 'booking@erased.invalid' })
      .returning();
    const [mine] = await t.db
      .insert(registrations)
      .values({ eventId: here.id, status: 'attended', attendedAt: new Date(), name: 'Real Name', email: 'cert-member@example.org' })
      .returning();
    for (const id of [away!.id, booked!.id, erased!.id, '00000000-0000-4000-8000-000000000000']) {
      expect((await boss.get(`/organise/events/cert-here/certificates/${id}/name`)).statusCode, id).toBe(404);
      expect((await boss.get(`/organise/events/cert-here/certificates/${id}/certificate.pdf`)).statusCode, id).toBe(404);
      const posted = await boss.post(`/organise/events/cert-here/certificates/${id}/name`, { name: 'Hijacked' });
      expect([404, 409], id).toContain(posted.statusCode);
    }
    // The person themselves, a planner of the event and anyone else may not rename or download.
    const member = await t.signedIn('cert-member@example.org');
    const lead = await planner(t, 'cert-lead@example.org', here.id, 'lead');
    for (const client of [member, lead, t.client()]) {
      expect([302, 303, 403, 404]).toContain((await client.get(`/organise/events/cert-here/certificates/${mine!.id}/certificate.pdf`)).statusCode);
      expect([302, 303, 403, 404]).toContain(
        (await client.post(`/organise/events/cert-here/certificates/${mine!.id}/name`, { name: 'Dr Real Name' })).statusCode,
      );
    }
    const [still] = await t.db.select().from(registrations).where(eq(registrations.id, mine!.id));
    expect(still!.name).toBe('Real Name');
    // Script in a corrected name is text on every page.
    expect((await boss.post(`/organise/events/cert-here/certificates/${mine!.id}/name`, { name: '<script>alert(1)</script>' })).statusCode).toBe(303);
    const list = await boss.get('/organise/events/cert-here/certificates');
    expect(list.body).not.toContain('<script>alert(1)</script>');
    expect(list.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('Markdown as the text part of an email', () => {
  it('keeps no script, style or comment, and cannot add header lines above the body', () => {
    const text = markdownToText('<script>alert(1)</script><style>x{}</style><!-- hidden -->Hello\r\n\r\nBcc: x@example.org');
    expect(text).not.toMatch(/alert|x\{\}|hidden/);
    expect(text.startsWith('Hello')).toBe(true);
  });

  // FINDING: the HTML part's sanitiser allows only http, https and mailto links
  // (server/markdown.ts allowedSchemes), so a javascript: or data: link is dropped there, but
  // markdownToText writes its address out in full in the text part (server/markdown.ts inline,
  // case 'link' and case 'image'), where mail programs may make it clickable.
  it('writes out no link the HTML part refuses (javascript:, data:, vbscript:)', () => {
    for (const source of [
      '[Confirm your place](javascript:alert(document.cookie))',
      '[Open](JaVaScRiPt:alert(1))',
      '![logo](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '[x](vbscript:msgbox(1))',
    ]) {
      expect(renderMarkdown(source)).not.toMatch(/javascript:|data:|vbscript:/i);
      expect(markdownToText(source), source).not.toMatch(/javascript:|data:|vbscript:/i);
    }
  });

  // FINDING: once a paragraph holds any typed tag, the whole paragraph's text (already decoded,
  // so "&lt;under 18s&gt;" is "<under 18s>" by then) goes through sanitize-html again
  // (server/markdown.ts inline: `typedHtml ? withoutTags(out) : out`), so words the HTML part
  // shows as text vanish from the text part: an email that says less than was written.
  it('keeps words written with escaped angle brackets when the paragraph also has a tag', () => {
    const source = 'Please note: <b>important</b>. Children &lt;under 16&gt; must come with an adult, and 1 \\<2.';
    expect(renderMarkdown(source)).toContain('&lt;under 16&gt;');
    const text = markdownToText(source);
    expect(text).toContain('under 16');
  });
});
