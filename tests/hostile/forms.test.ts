// Hostile input to every form: generated and nasty values, posted to real records (an event, its
// kinds of place and questions, a booking, a fund, applications in each state, a proposal, a
// planning group with its sessions, tasks, meetings, involvement and resources) by the person
// whose role reaches each one (organiser, lead, applicant, proposer, booker, admin), so that the
// values reach the services rather than stopping at "not found"; sometimes by an admin or an
// anonymous visitor, and sometimes with a malformed or unknown id instead. Whatever arrives, the
// answer is never a 500, never raw JSON on a page, never what was typed echoed back unescaped
// (on the answer, or on the page a redirect leads to), and a refused post leaves the database
// exactly as it was. Pages that read a query string get hostile values in it too.
import fc from 'fast-check';
import { desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  announcements,
  bursaryApplications,
  bursaryFunds,
  bursaryItems,
  eventInvitations,
  eventResources,
  involvementItems,
  listImports,
  organisations,
  libraryImports,
  libraryItems,
  outboxMessages,
  planningMeetings,
  planningMembers,
  planningTasks,
  programmeSessions,
  proposals,
  registrations,
  reservedPlaces,
  surveyAnswers,
  surveyResponses,
} from '../../db/schema/index.ts';
import { ensureAdmins } from '../../server/accounts/people.ts';
import { JOIN_WORDING, subscribe, subscriberToken } from '../../server/network/list.ts';
import { ensureSurvey, listQuestions } from '../../server/surveys/service.ts';
import { invitationPath } from '../../server/invitations/service.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { FormFields, TestClient } from '../support/client.ts';
import { organiser as signedInOrganiser, personId, pdfBytes, pngBytes, postMultipart } from '../bursaries/support.ts';
import { completeProposal } from '../proposals/support.ts';
import { latestManagePath, makeEvent, makeQuestion, makeTicketType } from '../registration/fixtures.ts';

const MARKER = '<script>alert("hostile")</script>';

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    MARKER,
    '"><img src=x onerror=alert(1)>',
    "'; drop table people; --",
    '1 OR 1=1',
    '\u0000',
    '\u202e\u0645\u0631\u062d\u0628\u0627',
    '👩🏽‍🦽🏳️‍🌈',
    'Ω≈ç√∫˜µ≤≥÷',
    '%00%0d%0a',
    '../../etc/passwd',
    '{{7*7}}<%= 7*7 %>',
    '-1',
    '0',
    '99999999999999999999',
    '1e308',
    'NaN',
    '2026-02-30',
    '25:61',
    'true',
    '',
    ' ',
  ),
  fc.string({ minLength: 2000, maxLength: 6000 }),
  fc.integer().map(String),
);

const fieldValue = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.array(hostileText, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

let t: TestApp;
let admin: TestClient;

/** A real record and who (a key of `people`) reaches it: names, so a failing case prints small. */
interface Real {
  id: string;
  as: string;
}

/** The signed-in visitors, by name; 'anonymous' is a new visitor each time. */
const people: Record<string, TestClient> = {};
function visitor(name: string): TestClient {
  return name === 'anonymous' ? t.client() : people[name]!;
}

/** Real records by what a route parameter (or body field) names. */
const real: Record<string, Real[]> = {};
function add(kind: string, id: string | undefined, as: string) {
  if (!id) throw new Error(`No ${kind} was made for the hostile test`);
  real[kind] ??= [];
  real[kind].push({ id, as });
}

/** What a route's parameter names, from its name and where it sits in the path. */
function kindOf(url: string, name: string): string {
  if (name === 'questionId' && url.includes('/feedback/')) return 'surveyQuestionId';
  if (name !== 'id' && name !== 'itemId') return name;
  if (url.startsWith('/organise/announcements/')) return 'announcementId';
  if (url.startsWith('/organise/list/imports/')) return 'listImportId';
  if (url.startsWith('/organise/directory/') || url.startsWith('/directory/')) return 'organisationId';
  if (url.includes('/ticket-types/')) return 'ticketTypeId';
  if (url.includes('/questions/')) return 'questionId';
  if (url.includes('/reserved/')) return 'reservationId';
  if (url.startsWith('/plan/')) return 'involvementItemId';
  if (url.startsWith('/organise/library/')) return 'libraryItemId';
  return 'registrationId';
}

/** Organiser-only and admin-only routes are used by those roles; others by the record's owner. */
function roleFor(access: string, owner: string | undefined): string {
  if (access === 'admin') return 'admin';
  if (access === 'organiser') return 'organiser';
  return owner ?? 'member';
}

/**
 * A route with its parameters filled: mostly real records (so the input reaches the service), and
 * sometimes an unknown uuid or a hostile text. Returns the path and the person to post it as.
 */
const routeArbitrary = (url: string, access: string) => {
  const names = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const perName = names.map((name) => {
    const pool = real[kindOf(url, name)] ?? [];
    return fc.oneof(
      { weight: pool.length ? 8 : 0, arbitrary: pool.length ? fc.constantFrom(...pool) : fc.constant(undefined) },
      { weight: 1, arbitrary: fc.uuid().map((id) => ({ id, as: undefined })) },
      { weight: 1, arbitrary: hostileText.filter((s) => s.length < 200).map((id) => ({ id, as: undefined })) },
    );
  });
  return fc.tuple(fc.tuple(...perName), fc.integer({ min: 0, max: 9 })).map(([picks, who]) => {
    let i = 0;
    const path = url.replace(/:([A-Za-z]+)/g, () => encodeURIComponent(picks[i++]!.id));
    const owner = picks.find((p) => p?.as)?.as;
    // Mostly the person whose role reaches the record; now and then an admin or a stranger.
    const as = who === 0 ? 'admin' : who === 1 ? 'anonymous' : roleFor(access, owner);
    return { path, as };
  });
};

/** Ids that look almost right: each passes a looser check than PostgreSQL's. */
const nearlyIds = fc.oneof(
  fc.uuid().map((id) => `urn:uuid:${id}`),
  fc.uuid().map((id) => `${id.slice(0, 35)}g`),
  fc.constantFrom('-'.repeat(36), `${'0'.repeat(32)}----`, 'null', '0'),
);

/** Real ids for a body field that names them (by its name, else any kind), or nearly ids. */
function idValue(field: string) {
  const pool = real[field.replace(/s$/, '')] ?? Object.values(real).flat();
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...pool.map((r) => r.id)) },
    { weight: 2, arbitrary: nearlyIds },
    { weight: 1, arbitrary: fc.uuid() },
  );
}

/** A value the form would accept for a field of that name, so that one hostile field gets through. */
function plausible(field: string) {
  if (/Ids?$/.test(field)) return idValue(field);
  if (/Date$|On$|deadline|At$/.test(field)) return fc.constant('2027-05-05');
  if (/Start$|End$|Time$/.test(field)) return fc.constant('10:00');
  if (/Amount$|budget|price|amount|capacity|Numbers$|hours|mins|rate|cap$|Hours$|Miles$/.test(field)) return fc.constant('10');
  if (/email/i.test(field)) return fc.uuid().map((id) => `someone-${id.slice(0, 8)}@example.org`);
  return fc.constant('Hostile test');
}

function hostileField(field: string) {
  return /Ids?$/.test(field) ? fc.oneof(idValue(field), fieldValue) : fieldValue;
}

/**
 * A body: either every field hostile, or every field plausible but one (an id field, more often
 * than not), so that a bad value meets the service code behind the form's other checks.
 */
function bodyArbitrary(bodyFields: string[]) {
  const fields = bodyFields.filter((f) => f !== '_csrf');
  const allHostile = fc.record(Object.fromEntries([...fields, 'unexpected'].map((f) => [f, hostileField(f)])), { requiredKeys: [] });
  if (fields.length === 0) return allHostile;
  const ids = fields.filter((f) => /Ids?$/.test(f));
  const target = ids.length ? fc.oneof(fc.constantFrom(...ids), fc.constantFrom(...fields)) : fc.constantFrom(...fields);
  const oneHostile = target.chain((bad) => fc.record(Object.fromEntries(fields.map((f) => [f, f === bad ? hostileField(f) : plausible(f)]))));
  return fc.oneof(allHostile, oneHostile);
}

beforeAll(async () => {
  // The site-wide limiter would answer most of these with 429 and hide what the forms do; so would
  // the per-IP limit on emailed requests (bookings, joining the mailing list), tested elsewhere.
  t = await startTestApp({
    env: {
      RATE_LIMIT_PER_MINUTE: '10000000',
      FORM_RATE_LIMIT_PER_MINUTE: '10000000',
      BOOKING_REQUESTS_PER_IP_PER_HOUR: '10000000',
      RESERVED_CODE_TRIES_PER_IP_PER_HOUR: '10000000',
    },
  });
  await seedDemo(t.db);
  await ensureAdmins(t.db, ['fuzzer@example.org']);
  admin = await t.signedIn('fuzzer@example.org');
  people.admin = admin;
  people.member = await t.signedIn('anyone@example.org');
  await makeRecords();
  await watchEveryTable();
}, 120_000);
afterAll(async () => {
  await t.close();
});

async function newest<T>(rows: Promise<T[]>): Promise<T | undefined> {
  return (await rows)[0];
}

/** One of each kind of record, made through the site by the role that makes it. */
async function makeRecords(): Promise<void> {
  const db = t.db;
  const organiser = await signedInOrganiser(t, 'steering@example.org');
  const booker = await t.signedIn('booker@example.org');
  const proposer = await t.signedIn('proposer@example.org');
  const lead = await t.signedIn('lead@example.org');
  Object.assign(people, { organiser, booker, proposer, lead });
  const speaker = await t.signedIn('speaker@example.org');

  // An event with places, a question and a booking.
  const event = await makeEvent(db, { capacity: 50 });
  const type = await makeTicketType(db, event.id);
  const question = await makeQuestion(db, event.id, 'short_text', 'Anything we should know?');
  add('slug', event.slug, 'organiser');
  add('ticketTypeId', type.id, 'organiser');
  add('questionId', question.id, 'organiser');
  await booker.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Booker', email: 'booker@example.org' });
  const booking = await newest(db.select({ id: registrations.id }).from(registrations).where(eq(registrations.email, 'booker@example.org')));
  add('registrationId', booking?.id, 'booker');
  // A hybrid event (its online places), and places reserved behind a code.
  add('slug', (await makeEvent(db, { format: 'hybrid', capacity: 50, onlineCapacity: 50 })).slug, 'organiser');
  await organiser.post(`/organise/events/${event.slug}/places/reserved`, {
    groupName: 'A group',
    places: '2',
    expiresAt: new Date(Date.now() + 86_400_000).toISOString().slice(0, 16),
  });
  add('reservationId', (await newest(db.select({ id: reservedPlaces.id }).from(reservedPlaces).where(eq(reservedPlaces.eventId, event.id))))?.id, 'organiser');
  const managePath = await latestManagePath(db, 'booker@example.org').catch(() => null);
  if (managePath) add('token', managePath.split('/')[2], 'anonymous');
  add('personId', await personId(db, 'booker@example.org'), 'admin');
  add('messageId', (await newest(db.select({ id: outboxMessages.id }).from(outboxMessages).orderBy(desc(outboxMessages.createdAt))))?.id, 'admin');

  // A fund, and applications in each state by three applicants.
  await organiser.post('/bursaries/funds', { eventId: event.id, name: 'Hostile fund', budget: '1000', eligibility: '', covers: '', deadline: '' });
  const fund = await newest(db.select({ id: bursaryFunds.id }).from(bursaryFunds).where(eq(bursaryFunds.eventId, event.id)));
  add('fundId', fund?.id, 'organiser');
  for (const [n, state] of (['draft', 'submitted', 'approved'] as const).entries()) {
    const applicant = await t.signedIn(`applicant-${n}@example.org`);
    people[`applicant-${n}`] = applicant;
    await applicant.post(`/events/${event.slug}/bursary`);
    const application = await newest(
      db
        .select({ id: bursaryApplications.id })
        .from(bursaryApplications)
        .where(eq(bursaryApplications.applicantId, await personId(db, `applicant-${n}@example.org`))),
    );
    add('applicationId', application?.id, `applicant-${n}`);
    await applicant.post(`/bursaries/applications/${application!.id}/edit`, {
      perspective: 'carer',
      paymentMethod: 'other',
      paymentArrangement: 'Cash',
      travelDescription: 'Train',
      travelAmount: '60',
    });
    const items = await db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, application!.id));
    for (const item of items) add('itemId', item.id, `applicant-${n}`);
    if (state === 'draft') continue;
    await applicant.post(`/bursaries/applications/${application!.id}/submit`);
    if (state === 'approved')
      await organiser.post(`/bursaries/funds/${fund!.id}/applications/${application!.id}/decision`, {
        outcome: 'approve_all',
        message: 'Yes.',
        [`amount-${items[0]!.id}`]: '60',
      });
  }

  // Proposals: one being written, one sent to the steering group.
  for (const send of [false, true]) {
    await proposer.post('/proposals', completeProposal);
    const proposal = await newest(db.select({ id: proposals.id }).from(proposals).orderBy(desc(proposals.createdAt)));
    add('proposalId', proposal?.id, 'proposer');
    if (send) await proposer.post(`/proposals/${proposal!.id}/submit`);
  }

  // A planning group with a lead and a speaker, and something of each kind in its workspace.
  const created = await organiser.post('/organise/events', { title: 'Hostile round table', type: 'round_table' });
  const planned = /\/plan\/([0-9a-f-]{36})/.exec(String(created.headers.location))?.[1];
  add('eventId', planned, 'lead');
  await organiser.post(`/plan/${planned}/members`, { email: 'lead@example.org', role: 'co_lead' });
  await lead.post(`/plan/${planned}/invitation`, { answer: 'yes', perspective: 'carer' });
  await organiser.post(`/plan/${planned}/members`, { email: 'speaker@example.org', role: 'speaker' });
  await speaker.post(`/plan/${planned}/invitation`, { answer: 'yes' });
  const members = await db
    .select({ id: planningMembers.id, personId: planningMembers.personId })
    .from(planningMembers)
    .where(eq(planningMembers.eventId, planned!));
  for (const m of members) add('memberId', m.id, 'lead');
  for (const m of members) add('ownerId', m.personId, 'lead');
  await lead.post(`/plan/${planned}/programme`, { title: 'Welcome', sessionDate: '2027-05-05', sessionStart: '10:00', sessionEnd: '10:30' });
  add('sessionId', (await newest(db.select({ id: programmeSessions.id }).from(programmeSessions).where(eq(programmeSessions.eventId, planned!))))?.id, 'lead');
  await lead.post(`/plan/${planned}/tasks`, { taskTitle: 'Book interpreters', dueOn: '2027-01-01' });
  add('taskId', (await newest(db.select({ id: planningTasks.id }).from(planningTasks).where(eq(planningTasks.eventId, planned!))))?.id, 'lead');
  await lead.post(`/plan/${planned}/meetings`, {
    meetingTitle: 'First meeting',
    meetingDate: '2027-02-03',
    meetingStart: '14:00',
    meetingEnd: '15:00',
    joinUrl: 'https://meet.example.org/abc',
  });
  add('meetingId', (await newest(db.select({ id: planningMeetings.id }).from(planningMeetings).where(eq(planningMeetings.eventId, planned!))))?.id, 'lead');
  await lead.post(`/plan/${planned}/involvement`, { activity: 'meeting', occurredOn: '2027-05-01', hours: '1', mins: '30', choice: 'paid' });
  add(
    'involvementItemId',
    (await newest(db.select({ id: involvementItems.id }).from(involvementItems).where(eq(involvementItems.eventId, planned!))))?.id,
    'lead',
  );
  await lead.post(`/plan/${planned}/links`, { linkTitle: 'Slides', url: 'https://slides.example.org/deck' });
  add('resourceId', (await newest(db.select({ id: eventResources.id }).from(eventResources).where(eq(eventResources.eventId, planned!))))?.id, 'lead');

  // The group's feedback surveys, a question of each, and an answer to moderate.
  for (const audience of ['attendees', 'planners'] as const) {
    add('audience', audience, 'lead');
    const survey = await ensureSurvey(db, planned!, audience);
    const [question] = await listQuestions(db, survey.id);
    add('surveyQuestionId', question?.id, 'lead');
    const [response] = await db.insert(surveyResponses).values({ surveyId: survey.id, submittedAt: new Date() }).returning({ id: surveyResponses.id });
    const [answer] = await db
      .insert(surveyAnswers)
      .values({ responseId: response!.id, questionId: question!.id, value: 'Typed feedback' })
      .returning({ id: surveyAnswers.id });
    add('answerId', answer?.id, 'lead');
  }
  for (const change of ['up', 'down', 'remove']) add('change', change, 'lead');

  // A mailing-list subscriber's private link, and an announcement still a draft.
  add('token', subscriberToken(await subscribe(db, { email: 'listed@example.org', method: 'web_form', wording: JOIN_WORDING, now: new Date() })), 'anonymous');
  await organiser.post('/organise/announcements', { subject: 'Hostile news', body: 'Hello' });
  add('announcementId', (await newest(db.select({ id: announcements.id }).from(announcements).orderBy(desc(announcements.createdAt))))?.id, 'organiser');

  // A directory entry (listed, and one waiting for a decision) and a list import's preview.
  for (const name of ['Hostile Listed Network', 'Hostile Waiting Network']) {
    const path = name.includes('Listed') ? '/organise/directory' : '/directory/ask';
    await (name.includes('Listed') ? organiser : t.client()).post(path, { name, kind: 'network', requesterEmail: 'asker@example.org' });
    add('organisationId', (await newest(db.select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name))))?.id, 'organiser');
  }
  const csv = Buffer.from('Email,Name,Consent\nimported@example.org,Im,2024-01-01\n');
  await postMultipart(organiser, '/organise/list/import', {}, { field: 'file', filename: 'list.csv', contentType: 'text/csv', data: csv });
  add('listImportId', (await newest(db.select({ id: listImports.id }).from(listImports).orderBy(desc(listImports.createdAt))))?.id, 'organiser');
  // An invitation to a round table (its private link), a library item and an import's preview.
  const roundTable = await makeEvent(db, { type: 'round_table' });
  const [invitation] = await db
    .insert(eventInvitations)
    .values({ eventId: roundTable.id, name: 'Invited', email: 'invited@example.org', perspective: 'carer' })
    .returning({ id: eventInvitations.id });
  add('token', invitationPath(invitation!.id).replace('/invited/', ''), 'anonymous');
  const [item] = await db.insert(libraryItems).values({ title: 'Hostile report', kind: 'report', year: 2026, url: 'https://example.org/r' }).returning();
  add('libraryItemId', item?.id, 'organiser');
  const [preview] = await db.insert(libraryImports).values({}).returning();
  add('importId', preview?.id, 'organiser');
}

/**
 * Routes that end a record's life (delete, cancel, remove…) go last, so that the others meet
 * their records still alive.
 */
const ENDS_A_RECORD = /\/(delete|remove|cancel|withdraw|unpublish|complete|refund|close|decision)$/;

function formRoutes() {
  // Signing out and deleting the account take no input and would end the signed-in visitor.
  const routes = t.app.routeAccess.filter((r) => r.method === 'POST' && r.csrf && !['/sign-out', '/sign-out-everywhere', '/account/delete'].includes(r.url));
  return [...routes.filter((r) => !ENDS_A_RECORD.test(r.url)), ...routes.filter((r) => ENDS_A_RECORD.test(r.url))];
}

// Tables that record an attempt whether or not it is refused: sign-in requests and codes tried for
// reserved places are counted to limit them, and sessions are touched by every visit.
const RECORDS_ATTEMPTS = new Set(['sign_in_tokens', 'sessions', 'reserved_code_tries']);

async function rows(query: string): Promise<Record<string, unknown>[]> {
  const result = (await t.db.execute(sql.raw(query))) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
}

/**
 * Counts every row written, changed or deleted by a committed transaction, in any table: a
 * trigger per table (test database only) adds one to a counter, and a rolled-back transaction
 * takes its additions back with it. A refused post must leave the counter where it was.
 */
async function watchEveryTable(): Promise<void> {
  await rows('create table hostile_changes (n bigint not null)');
  await rows('insert into hostile_changes values (0)');
  await rows(`create function hostile_bump() returns trigger language plpgsql as $$
    begin update hostile_changes set n = n + 1; return null; end $$`);
  const tables = await rows(`select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'hostile_changes'`);
  // Looking at bursary data is audited, and a refused form shows the application again.
  await rows(`create trigger hostile_watch_audit after insert on audit_entries for each row
    when (new.action not like '%.viewed') execute function hostile_bump()`);
  await rows('create trigger hostile_watch_audit_changes after update or delete on audit_entries for each row execute function hostile_bump()');
  for (const { name } of tables) {
    if (RECORDS_ATTEMPTS.has(String(name)) || name === 'audit_entries') continue;
    await rows(`create trigger hostile_watch after insert or update or delete on "${String(name)}" for each row execute function hostile_bump()`);
  }
}

async function changes(): Promise<number> {
  return Number((await rows('select n from hostile_changes'))[0]!.n);
}

/** Forms with a file are posted as a browser posts them, with a real file, so the other fields reach the service. */
async function post(client: TestClient, url: string, fields: FormFields, fileField: string | undefined) {
  if (!fileField) return client.post(url, fields);
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && key !== fileField) text[key] = String(Array.isArray(value) ? value[0] : value);
  const data = fileField === 'receipt' ? pngBytes : pdfBytes;
  return postMultipart(client, url, text, { field: fileField, filename: 'hostile.bin', contentType: 'application/octet-stream', data });
}

async function postAndCheck(client: TestClient, url: string, fields: FormFields, fileField?: string): Promise<void> {
  const before = await changes();
  const response = await post(client, url, fields, fileField);
  const where = `POST ${url} ${JSON.stringify(fields).slice(0, 300)}`;
  expect(response.statusCode, where).toBeLessThan(500);
  // Asking for sign-in links has its own limits, per address and per connection, counted in the database.
  if (url !== '/sign-in') expect(response.statusCode, where).not.toBe(429);
  if (response.statusCode === 303 || response.statusCode === 302) {
    // Accepted: the page it leads to shows what was typed escaped too.
    const next = await client.get(String(response.headers.location));
    expect(next.statusCode, `${where} → ${response.headers.location}`).toBeLessThan(500);
    expect(next.body, where).not.toContain(MARKER);
    return;
  }
  expect(response.headers['content-type'], where).toMatch(/text\/html/);
  expect(response.body, where).not.toContain(MARKER);
  expect(response.body, where).not.toContain('<img src=x onerror');
  // Refused (a page that shows a result, such as a new private feed link, is a 200): nothing half-saved.
  if (response.statusCode >= 400) expect(await changes(), where).toBe(before);
}

describe('hostile input to every form', () => {
  it('counts committed changes and ignores rolled-back ones (so the check below means something)', async () => {
    const before = await changes();
    await rows("update events set title = title || '' where slug = 'hub-launch-and-discussion-day'");
    expect(await changes()).toBe(before + 1);
    await t.db
      .transaction(async (tx) => {
        await tx.execute(sql.raw("update events set title = title || '' where slug = 'hub-launch-and-discussion-day'"));
        tx.rollback();
      })
      .catch(() => {});
    expect(await changes()).toBe(before + 1);
  });

  it('has a real record of every kind a form route names', () => {
    for (const route of formRoutes()) {
      for (const [, name] of route.url.matchAll(/:([A-Za-z]+)/g)) {
        if (route.url.startsWith('/sign-in/')) continue; // a sign-in link is used once; hostile tokens only
        expect(real[kindOf(route.url, name!)]?.length, `${route.url} :${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('never answers with a server error or unescaped input', async () => {
    const routes = formRoutes();
    expect(routes.length).toBeGreaterThan(3);
    const runsPerRoute = Math.max(20, Math.ceil(Number(process.env.HOSTILE_POSTS ?? 2_000) / routes.length));
    for (const route of routes) {
      const fileField = route.bodyFields.find((f) => f === 'receipt' || f === 'file');
      await fc.assert(
        fc.asyncProperty(bodyArbitrary(route.bodyFields), routeArbitrary(route.url, route.access), async (fields, { path, as }) => {
          await postAndCheck(visitor(as), path, fields as FormFields, fileField);
        }),
        // A fixed seed keeps CI repeatable; HOSTILE_SEED=<n> explores other inputs.
        { numRuns: runsPerRoute, seed: Number(process.env.HOSTILE_SEED ?? 20261122) + routes.indexOf(route) },
      );
    }
    // Thousands of posts: time enough for a busy two-core machine.
  }, 600_000);

  it('never answers a hostile query string with a server error', async () => {
    const pages = t.app.routeAccess.filter((r) => r.method === 'GET' && r.queryFields.length > 0);
    expect(pages.map((r) => r.url)).toContain('/organise/events/:slug/attendees');
    for (const route of pages) {
      await fc.assert(
        fc.asyncProperty(
          fc.record(
            Object.fromEntries(route.queryFields.map((f) => [f, fc.oneof(hostileField(f), fc.constantFrom('/%09/evil.example', '/\u0007x', '\u0000', '/ok'))])),
            { requiredKeys: [] },
          ),
          routeArbitrary(route.url, route.access),
          async (query, { path, as }) => {
            const client = visitor(as);
            const search = new URLSearchParams();
            for (const [key, value] of Object.entries(query)) for (const v of [value ?? []].flat()) search.append(key, String(v));
            const response = await client.get(`${path}?${search}`);
            expect(response.statusCode, `GET ${path}?${search}`).toBeLessThan(500);
            expect(response.body).not.toContain(MARKER);
          },
        ),
        { numRuns: 30, seed: Number(process.env.HOSTILE_SEED ?? 20261122) + pages.indexOf(route) },
      );
    }
  }, 300_000);

  it('still works for everyone afterwards', async () => {
    expect((await admin.get('/account')).statusCode).toBe(200);
    expect((await t.client().get('/')).statusCode).toBe(200);
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
  });
});
