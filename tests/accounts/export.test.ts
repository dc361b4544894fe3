// "Your data" (UK GDPR Articles 15 and 20): a member downloads everything Convene holds about
// them — and nothing about anyone else, no secret, only ever their own, and always audited.
// Two people are seeded the same way through the real routes, each record carrying their marker.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  bursaryItems,
  bursaryReceipts,
  privateFeedTokens,
  registrationLinks,
  registrations,
  sessions,
  signInTokens,
} from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import type { PersonExport } from '../../server/accounts/export.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { idFrom, pngBytes, postMultipart, uuidIn } from '../bursaries/support.ts';
import { completeProposal, personId, signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, makeQuestion, makeTicketType } from '../registration/fixtures.ts';

let t: TestApp;
let panel: TestClient;
let admin: TestClient;

interface Seeded {
  email: string;
  marker: string;
  id: string;
  client: TestClient;
  applicationId: string;
  receiptId: string;
  proposalId: string;
}
const seeded: Record<'a' | 'b', Seeded> = {} as Record<'a' | 'b', Seeded>;

/** Shared events: both people are in the same planning group, book the same event and apply to the same fund. */
let bookingEvent: { id: string; slug: string };
let questionId: string;
let ticketTypeId: string;
let planningEventId: string;
let fundEvent: { id: string; slug: string };
let fundId: string;

async function seed(key: 'a' | 'b', perspective: 'lived_experience' | 'academic') {
  const marker = `MARK${key.toUpperCase()}${Math.random().toString(36).slice(2, 8)}`;
  const email = `person-${key}@example.org`;
  const client = await t.signedIn(email);
  const id = await personId(t.db, email);
  expect((await client.post('/account', { displayName: `Name ${marker}`, contactNotes: `No phone ${marker}` })).statusCode).toBe(303);

  // A booking, signed in, with an answer, access needs and a companion place.
  const booked = await client.post(`/events/${bookingEvent.slug}/book`, {
    ticketTypeId,
    name: `Booker ${marker}`,
    email,
    accessRequirements: `Ramp ${marker}`,
    dietaryNeeds: `Vegan ${marker}`,
    [`q_${questionId}`]: `Answer ${marker}`,
    companion: 'yes',
    companionName: `Companion ${marker}`,
  });
  expect(booked.statusCode, booked.body.slice(0, 300)).toBe(303);

  // A proposal, sent to the steering group.
  const drafted = await client.post('/proposals', { ...completeProposal, title: `Proposal ${marker}` });
  expect(drafted.statusCode, drafted.body.slice(0, 300)).toBe(303);
  const proposalId = idFrom(drafted.headers.location, uuidIn);
  expect((await client.post(`/proposals/${proposalId}/submit`)).statusCode).toBe(303);

  // A planning membership with a declared perspective, and an involvement item.
  expect((await panel.post(`/plan/${planningEventId}/members`, { email, role: 'speaker' })).statusCode).toBe(303);
  expect((await client.post(`/plan/${planningEventId}/invitation`, { answer: 'yes', perspective })).statusCode).toBe(303);
  const logged = await client.post(`/plan/${planningEventId}/involvement`, {
    activity: 'preparation',
    description: `Slides ${marker}`,
    occurredOn: '2027-05-01',
    hours: '1',
    mins: '30',
    choice: 'paid',
  });
  expect(logged.statusCode, logged.body.slice(0, 300)).toBe(303);

  // A bursary application, decided with a message, with a receipt and a claim.
  const started = await client.post(`/events/${fundEvent.slug}/bursary`);
  const applicationId = idFrom(started.headers.location, uuidIn);
  await client.post(`/bursaries/applications/${applicationId}/edit`, {
    perspective: 'carer',
    paymentMethod: 'bank_transfer',
    paymentName: `Bank name ${marker}`,
    sortCode: '30-94-57',
    accountNumber: '31926819',
    travelDescription: `Train ${marker}`,
    travelAmount: '30',
  });
  expect((await client.post(`/bursaries/applications/${applicationId}/submit`)).statusCode).toBe(303);
  const decided = await panel.post(`/bursaries/funds/${fundId}/applications/${applicationId}/decision`, {
    outcome: 'approve_all',
    message: `Reason for ${marker}`,
  });
  expect(decided.statusCode, decided.body.slice(0, 300)).toBe(303);
  const [travel] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, applicationId));
  const upload = await postMultipart(
    client,
    `/bursaries/applications/${applicationId}/receipts`,
    { itemId: travel!.id },
    { field: 'receipt', filename: `ticket-${marker}.png`, contentType: 'image/png', data: pngBytes },
  );
  expect(upload.statusCode).toBe(303);
  expect((await client.post(`/bursaries/applications/${applicationId}/claim`, { [`claim-${travel!.id}`]: '28' })).statusCode).toBe(303);
  // A panel member (the organiser sits on every panel) opens it.
  expect((await panel.get(`/bursaries/funds/${fundId}/applications/${applicationId}`)).statusCode).toBe(200);
  const [receipt] = await t.db.select({ id: bursaryReceipts.id }).from(bursaryReceipts).where(eq(bursaryReceipts.applicationId, applicationId));

  // A private calendar feed.
  expect((await client.post('/calendar/private')).statusCode).toBeLessThan(400);

  seeded[key] = { email, marker, id, client, applicationId, receiptId: receipt!.id, proposalId };
}

beforeAll(async () => {
  t = await startTestApp();
  panel = await signedInOrganiser(t, 'panel@example.org');
  await panel.post('/account', { displayName: 'Pat Panel' });
  admin = await t.signedIn('admin@example.org');
  await grantRole(t.db, null, await personId(t.db, 'admin@example.org'), 'admin');

  bookingEvent = await makeEvent(t.db);
  ticketTypeId = (await makeTicketType(t.db, bookingEvent.id)).id;
  questionId = (await makeQuestion(t.db, bookingEvent.id, 'short_text', 'What would you like from the day?')).id;
  planningEventId = idFrom((await panel.post('/organise/events', { title: 'Planned together', type: 'seminar' })).headers.location, uuidIn);
  fundEvent = await makeEvent(t.db, { title: 'Bursary day' });
  fundId = idFrom(
    (await panel.post('/bursaries/funds', { eventId: fundEvent.id, name: 'Day fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers
      .location,
    uuidIn,
  );

  await seed('a', 'lived_experience');
  await seed('b', 'academic');
  // Reviewers' private note, and a message to the proposers, on A's proposal.
  expect((await panel.post(`/organise/proposals/${seeded.a.proposalId}/notes`, { note: 'PRIVATE-REVIEWER-NOTE' })).statusCode).toBe(303);
  expect((await panel.post(`/organise/proposals/${seeded.a.proposalId}/messages`, { message: 'MESSAGE-TO-PROPOSERS' })).statusCode).toBe(303);
}, 60_000);
afterAll(async () => {
  await t.close();
});

async function download(client: TestClient, query = ''): Promise<{ data: PersonExport; raw: string }> {
  const response = await client.get(`/account/your-data.json${query}`);
  expect(response.statusCode).toBe(200);
  return { data: JSON.parse(response.body) as PersonExport, raw: response.body };
}

describe('downloading your data', () => {
  it('contains the person, their booking with answers, proposal, planning membership, involvement and bursary application', async () => {
    const a = seeded.a;
    const { data, raw } = await download(a.client);
    expect(data.about).toMatchObject({ format: 'convene-personal-data', version: 1 });
    expect(data.person).toMatchObject({ id: a.id, email: a.email, displayName: `Name ${a.marker}`, contactNotes: `No phone ${a.marker}` });
    expect(data.sessions.length).toBeGreaterThan(0);
    expect(data.signInRequests.length).toBeGreaterThan(0);

    expect(data.bookings).toHaveLength(1);
    expect(data.bookings[0]).toMatchObject({
      status: 'confirmed',
      accessRequirements: `Ramp ${a.marker}`,
      dietaryNeeds: `Vegan ${a.marker}`,
      answers: [{ question: 'What would you like from the day?', answer: `Answer ${a.marker}` }],
      companions: [{ name: `Companion ${a.marker}`, status: 'confirmed' }],
    });

    expect(data.proposals).toHaveLength(1);
    expect(data.proposals[0]).toMatchObject({ title: `Proposal ${a.marker}`, yourPart: 'author', status: 'submitted' });
    // What was said to the proposers is theirs; the reviewers' private note is not.
    expect(data.proposals[0]!.history).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'comment', by: 'someone else', message: 'MESSAGE-TO-PROPOSERS' })]),
    );
    expect(raw).not.toContain('PRIVATE-REVIEWER-NOTE');

    expect(data.planning.memberships).toEqual([
      expect.objectContaining({ eventId: planningEventId, role: 'speaker', perspective: 'lived_experience', status: 'accepted' }),
    ]);
    expect(data.involvementItems).toEqual([expect.objectContaining({ description: `Slides ${a.marker}`, minutes: 90, choice: 'paid' })]);

    expect(data.bursaryApplications).toHaveLength(1);
    const application = data.bursaryApplications[0]!;
    expect(application).toMatchObject({
      id: a.applicationId,
      status: 'approved',
      perspective: 'carer',
      paymentName: `Bank name ${a.marker}`,
      bankDetails: { sortCode: '30-94-57', accountNumber: '31926819' },
    });
    expect(application.items).toEqual([
      expect.objectContaining({ category: 'travel', description: `Train ${a.marker}`, estimatePence: 3000, approvedPence: 3000, claimedPence: 2800 }),
    ]);
    expect(application.messages).toEqual([expect.objectContaining({ by: 'someone else', body: `Reason for ${a.marker}` })]);
    expect(application.claim).toMatchObject({ status: 'submitted' });
    expect(application.receipts).toEqual([
      expect.objectContaining({ id: a.receiptId, filename: `ticket-${a.marker}.png`, contentType: 'image/png', sizeBytes: pngBytes.length }),
    ]);
    // Who looked at it: the panel member, by the name they use, and when.
    expect(application.access).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'bursary.application.viewed', by: 'someone else', name: 'Pat Panel' })]),
    );

    expect(data.calendar.privateFeed.exists).toBe(true);
    expect(data.emails.map((m) => m.template)).toEqual(expect.arrayContaining(['sign-in', 'registration-confirmed']));
    expect(data.emails[0]).not.toHaveProperty('data');
  });

  it('holds nothing of a second person seeded the same way, nor other planners’ perspectives', async () => {
    const { a, b } = seeded;
    const { raw } = await download(a.client);
    for (const theirs of [b.marker, b.email, b.id, b.applicationId, b.receiptId, b.proposalId, 'academic']) expect(raw).not.toContain(theirs);
    // The panel member is named only where they opened A's application, never by address.
    expect(raw).not.toContain('panel@example.org');
    // And the other way round.
    const other = await download(b.client);
    expect(other.raw).toContain(b.marker);
    expect(other.raw).not.toContain(a.marker);
    expect(other.raw).not.toContain(a.email);
  });

  it('contains no token, hash or storage key', async () => {
    const a = seeded.a;
    const { raw } = await download(a.client);
    const [myBookings, signIns, mySessions, feed, receipts] = await Promise.all([
      t.db.select({ id: registrations.id }).from(registrations).where(eq(registrations.personId, a.id)),
      t.db.select({ hash: signInTokens.tokenHash }).from(signInTokens).where(eq(signInTokens.email, a.email)),
      t.db.select({ hash: sessions.idHash }).from(sessions).where(eq(sessions.personId, a.id)),
      t.db.select({ hash: privateFeedTokens.tokenHash }).from(privateFeedTokens).where(eq(privateFeedTokens.personId, a.id)),
      t.db.select({ key: bursaryReceipts.storageKey }).from(bursaryReceipts).where(eq(bursaryReceipts.applicationId, a.applicationId)),
    ]);
    const links = await t.db
      .select({ hash: registrationLinks.tokenHash })
      .from(registrationLinks)
      .where(
        inArray(
          registrationLinks.registrationId,
          myBookings.map((r) => r.id),
        ),
      );
    const secrets = [...signIns, ...mySessions, ...feed, ...links]
      .map((r) => r.hash)
      .concat(
        receipts.map((r) => r.key),
        [...a.client.cookies.values()],
      );
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(raw).not.toContain(secret);
    // No SHA-256 of anything, no sign-in or manage link, no receipt bytes.
    expect(raw).not.toMatch(/[0-9a-f]{64}/);
    expect(raw).not.toMatch(/\/(sign-in|bookings|calendar\/private)\/[A-Za-z0-9_-]{20,}/);
    expect(raw).not.toContain(pngBytes.toString('base64'));
    const page = await a.client.get('/account/your-data.html');
    for (const secret of secrets) expect(page.body).not.toContain(secret);
  });

  it('sends each file as a download that no cache keeps', async () => {
    const a = seeded.a;
    for (const [url, type] of [
      ['/account/your-data.json', 'application/json'],
      ['/account/your-data.html', 'text/html'],
    ] as const) {
      const response = await a.client.get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain(type);
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="your-data-\d{4}-\d{2}-\d{2}\.(json|html)"$/);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('shows a readable summary on the site, linked from the account page, built from the same data', async () => {
    const a = seeded.a;
    expect((await a.client.get('/account')).body).toContain('href="/account/your-data"');
    const page = await a.client.get('/account/your-data');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    for (const text of [
      `Answer ${a.marker}`,
      `Companion ${a.marker}`,
      `Proposal ${a.marker}`,
      'Lived experience / survivor',
      `Slides ${a.marker}`,
      `Reason for ${a.marker}`,
      'Pat Panel',
      'Opened the application',
      `ticket-${a.marker}.png`,
    ]) {
      expect(page.body).toContain(text);
    }
    expect(page.body).not.toContain(seeded.b.marker);
    expect(page.body).toContain(`href="/account/your-data/receipts/${a.receiptId}"`);
    // Tables (a browser's long description, say) scroll inside a named region, so the page
    // itself still fits a 320px-wide screen.
    const tables = page.body.match(/<table /g)?.length ?? 0;
    expect(tables).toBeGreaterThan(0);
    expect(page.body.match(/<div class="convene-table-scroll" tabindex="0" role="region" aria-labelledby="section-[^"]+">\s*<table /g)).toHaveLength(tables);
    const file = await a.client.get('/account/your-data.html');
    expect(file.body).toContain(`Answer ${a.marker}`);
    expect(file.body).not.toContain('/account/your-data/receipts/');
  });

  it('offers each receipt as its own download, only to its applicant', async () => {
    const { a, b } = seeded;
    const own = await a.client.get(`/account/your-data/receipts/${a.receiptId}`);
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-disposition']).toBe(`attachment; filename="ticket-${a.marker}.png"`);
    expect(own.headers['cache-control']).toBe('no-store');
    expect(own.rawPayload.equals(pngBytes)).toBe(true);
    // Another person's receipt id is "not found", even for a panel member going through this route.
    expect((await a.client.get(`/account/your-data/receipts/${b.receiptId}`)).statusCode).toBe(404);
    expect((await panel.get(`/account/your-data/receipts/${a.receiptId}`)).statusCode).toBe(404);
    expect((await a.client.get('/account/your-data/receipts/not-a-uuid')).statusCode).toBe(404);
  });

  it('always exports the signed-in person, whatever id or address a request carries', async () => {
    const { a, b } = seeded;
    for (const query of [`?personId=${b.id}`, `?id=${b.id}&email=${encodeURIComponent(b.email)}`, `?person=${b.id}&applicationId=${b.applicationId}`]) {
      const { data, raw } = await download(a.client, query);
      expect(data.person.id).toBe(a.id);
      expect(raw).not.toContain(b.marker);
      const page = await a.client.get(`/account/your-data${query}`);
      expect(page.body).not.toContain(b.marker);
    }
  });

  it('refuses anonymous visitors, sending them to sign in, and records nothing', async () => {
    const before = await t.db.select({ id: auditEntries.id }).from(auditEntries).where(eq(auditEntries.action, 'account.data.exported'));
    const anonymous = t.client();
    for (const url of ['/account/your-data', '/account/your-data.json', '/account/your-data.html', `/account/your-data/receipts/${seeded.a.receiptId}`]) {
      const response = await anonymous.get(url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toMatch(/^\/sign-in/);
      expect(response.body).not.toContain(seeded.a.marker);
    }
    const after = await t.db.select({ id: auditEntries.id }).from(auditEntries).where(eq(auditEntries.action, 'account.data.exported'));
    expect(after).toHaveLength(before.length);
  });

  it('audits every download and opening of the summary, and admins see them in the audit log', async () => {
    const b = seeded.b;
    await b.client.get('/account/your-data.json');
    await b.client.get('/account/your-data.html');
    await b.client.get('/account/your-data');
    const entries = await t.db
      .select({ details: auditEntries.details, subjectType: auditEntries.subjectType, subjectId: auditEntries.subjectId })
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'account.data.exported'), eq(auditEntries.actorId, b.id)));
    expect(entries.map((e) => e.details.format).sort()).toEqual(['html', 'json', 'json', 'page']);
    for (const e of entries) expect(e).toMatchObject({ subjectType: 'person', subjectId: b.id });
    const log = await admin.get('/admin/audit');
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('account.data.exported');
    // The export itself shows in the person's next export, among their activity.
    const { data } = await download(b.client);
    expect(data.activity).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'account.data.exported', by: 'you' })]));
  });

  it('includes bookings asked for with the address, and no internet address, whoever asked', async () => {
    const a = seeded.a;
    // Someone not signed in asks for a booking with A's address, from an address of their own.
    const stranger = t.client();
    const asked = await stranger.post(`/events/${bookingEvent.slug}/book`, {
      ticketTypeId,
      name: `Asked ${a.marker}`,
      email: a.email,
      [`q_${questionId}`]: 'Anything',
    });
    expect(asked.statusCode, asked.body.slice(0, 300)).toBe(303);
    const { data, raw } = await download(a.client);
    expect(data.bookingRequests).toEqual([
      expect.objectContaining({ eventTitle: expect.any(String), usedAt: null, form: expect.objectContaining({ name: `Asked ${a.marker}` }) }),
    ]);
    // inject's requests come from 127.0.0.1: the address a link or booking was asked from is left out.
    expect(raw).not.toContain('127.0.0.1');
    const page = await a.client.get('/account/your-data');
    expect(page.body).toContain('Bookings asked for by email');
    expect(page.body).not.toContain('127.0.0.1');
  });
});
