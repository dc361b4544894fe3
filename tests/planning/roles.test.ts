// A planning role opens planning only. A lead (an ordinary member) cannot hand anyone, or a second
// account of their own, a way into the event's bursary applications, and nobody changes their
// own role or invites their own address.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planningMembers } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { idFrom, personId, signedInOrganiser } from '../proposals/support.ts';

let t: TestApp;
let organiser: TestClient;
let lead: TestClient;
let eventId: string;
let fundId: string;
let applicationId: string;

const uuid = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

async function membership(email: string) {
  const [row] = await t.db
    .select()
    .from(planningMembers)
    .where(eq(planningMembers.personId, await personId(t.db, email)));
  return row ?? null;
}

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'org@example.org');
  lead = await t.signedIn('lead@example.org');
  eventId = idFrom((await organiser.post('/organise/events', { title: 'Madness and citizenship', type: 'seminar' })).headers.location, '/plan');
  expect((await organiser.post(`/plan/${eventId}/members`, { email: 'lead@example.org', role: 'lead' })).statusCode).toBe(303);
  expect((await lead.post(`/plan/${eventId}/invitation`, { answer: 'yes' })).statusCode).toBe(303);
  // The event is published with a fund, and someone has applied to it.
  await organiser.post(`/plan/${eventId}/details`, {
    title: 'Madness and citizenship',
    type: 'seminar',
    format: 'online',
    startDate: '2027-03-01',
    startTime: '10:00',
    endTime: '12:00',
  });
  expect((await organiser.post(`/plan/${eventId}/publish`, { overrideReason: 'For the test' })).statusCode).toBe(303);
  const slug = (await t.db.query.events.findFirst({ where: (e, { eq }) => eq(e.id, eventId) }))!.slug;
  fundId = idFrom(
    (await organiser.post('/bursaries/funds', { eventId, name: 'Citizenship fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers
      .location,
    '/bursaries/funds',
  );
  const applicant = await t.signedIn('applicant@example.org');
  applicationId = uuid.exec((await applicant.post(`/events/${slug}/bursary`)).headers.location ?? '')![1]!;
  await applicant.post(`/bursaries/applications/${applicationId}/edit`, {
    perspective: 'carer',
    paymentMethod: 'bank_transfer',
    paymentName: 'A Carer',
    sortCode: '30-94-57',
    accountNumber: '31926819',
    note: 'My diagnosis is private',
    travelAmount: '12',
  });
  expect((await applicant.post(`/bursaries/applications/${applicationId}/submit`)).statusCode).toBe(303);
});
afterAll(async () => {
  await t.close();
});

describe('a lead cannot open the bursary panel', () => {
  it('refuses to invite anyone as bursary reviewer, and the lead and the second account read no application', async () => {
    const second = await t.signedIn('lead.second@example.org');
    const invited = await lead.post(`/plan/${eventId}/members`, { email: 'lead.second@example.org', role: 'bursary_reviewer' });
    expect(invited.statusCode).toBe(400);
    expect(invited.body).toContain('Choose their role');
    expect(invited.body).toContain('value="lead.second@example.org"');
    expect(await membership('lead.second@example.org')).toBeNull();
    expect((await lead.get(`/plan/${eventId}`)).body).not.toContain('Bursary reviewer');

    // With any role the group offers (even lead), the second account reaches no bursary data.
    expect((await lead.post(`/plan/${eventId}/members`, { email: 'lead.second@example.org', role: 'lead' })).statusCode).toBe(303);
    expect((await second.post(`/plan/${eventId}/invitation`, { answer: 'yes' })).statusCode).toBe(303);
    for (const client of [lead, second]) {
      expect((await client.get(`/bursaries/funds/${fundId}`)).statusCode).toBe(403);
      const page = await client.get(`/bursaries/funds/${fundId}/applications/${applicationId}`);
      expect(page.statusCode).toBe(403);
      expect(page.body).not.toContain('My diagnosis is private');
      expect((await client.get(`/bursaries/funds/${fundId}/report.csv`)).statusCode).toBe(403);
      expect((await client.get('/bursaries')).body).not.toContain('Citizenship fund');
    }
  });

  it('refuses a lead changing their own role, with a message on the page', async () => {
    const mine = (await membership('lead@example.org'))!;
    const changed = await lead.post(`/plan/${eventId}/members/${mine.id}/role`, { role: 'co_lead' });
    expect(changed.statusCode).toBe(303);
    const page = await lead.get(changed.headers.location!);
    expect(page.body).toContain('You cannot change your own role. Another lead or an organiser can.');
    expect((await membership('lead@example.org'))!.role).toBe('lead');
    // The overview offers no role form for one's own row.
    expect(page.body).not.toContain(`/members/${mine.id}/role`);
  });

  it('refuses an organiser changing their own planning role, and anyone inviting their own address', async () => {
    // The organiser who created the event is its first lead.
    expect((await membership('org@example.org'))!.role).toBe('lead');
    const self = await organiser.post(`/plan/${eventId}/members`, { email: 'org@example.org', role: 'co_lead' });
    expect(self.statusCode).toBe(400);
    expect(self.body).toContain('You cannot invite yourself');
    const mine = (await membership('org@example.org'))!;
    expect((await organiser.post(`/plan/${eventId}/members/${mine.id}/role`, { role: 'speaker' })).statusCode).toBe(303);
    expect((await membership('org@example.org'))!.role).toBe('lead');
    // Someone else may change it.
    expect((await lead.post(`/plan/${eventId}/members/${mine.id}/role`, { role: 'facilitator' })).statusCode).toBe(303);
    expect((await membership('org@example.org'))!.role).toBe('facilitator');
  });
});

describe('who decides who leads', () => {
  it('lets a co-lead manage the group but not demote or remove the lead, nor make anyone lead', async () => {
    const coLead = await t.signedIn('colead@example.org');
    expect((await organiser.post(`/plan/${eventId}/members`, { email: 'colead@example.org', role: 'co_lead' })).statusCode).toBe(303);
    expect((await coLead.post(`/plan/${eventId}/invitation`, { answer: 'yes' })).statusCode).toBe(303);
    const theLead = (await membership('lead@example.org'))!;
    expect(theLead.role).toBe('lead');

    // Demoting the lead: refused with a message on the group page, nothing changed.
    const demoted = await coLead.post(`/plan/${eventId}/members/${theLead.id}/role`, { role: 'speaker' });
    expect(demoted.statusCode).toBe(303);
    expect(demoted.headers['x-error-code']).toBe('leads_only');
    expect((await coLead.get(demoted.headers.location!)).body).toContain('Only the event’s lead or an organiser can decide who leads the group.');
    expect((await membership('lead@example.org'))!.role).toBe('lead');

    // Removing the lead, inviting someone as lead, or promoting a member to lead: refused too.
    const removed = await coLead.post(`/plan/${eventId}/members/${theLead.id}/remove`);
    expect(removed.headers['x-error-code']).toBe('leads_only');
    expect(await membership('lead@example.org')).not.toBeNull();
    const invited = await coLead.post(`/plan/${eventId}/members`, { email: 'newlead@example.org', role: 'lead' });
    expect(invited.headers['x-error-code']).toBe('leads_only');
    expect(await t.db.query.people.findFirst({ where: (p, { eq }) => eq(p.email, 'newlead@example.org') })).toBeUndefined();
    expect((await coLead.post(`/plan/${eventId}/members`, { email: 'speaker2@example.org', role: 'speaker' })).statusCode).toBe(303);
    const speaker = (await membership('speaker2@example.org'))!;
    expect((await coLead.post(`/plan/${eventId}/members/${speaker.id}/role`, { role: 'lead' })).headers['x-error-code']).toBe('leads_only');
    expect((await membership('speaker2@example.org'))!.role).toBe('speaker');

    // What a co-lead may do still works; the group page offers them no way to touch the lead.
    expect((await coLead.post(`/plan/${eventId}/members/${speaker.id}/role`, { role: 'facilitator' })).statusCode).toBe(303);
    expect((await membership('speaker2@example.org'))!.role).toBe('facilitator');
    const page = (await coLead.get(`/plan/${eventId}`)).body;
    expect(page).not.toContain(`/members/${theLead.id}/role`);
    expect(page).not.toContain(`/members/${theLead.id}/remove`);
    expect(page).not.toContain('<option value="lead"');

    // The lead can.
    expect((await lead.post(`/plan/${eventId}/members/${speaker.id}/role`, { role: 'lead' })).statusCode).toBe(303);
    expect((await membership('speaker2@example.org'))!.role).toBe('lead');
  });
});
