// Who sits on a fund's bursary panel: organisers and admins add and remove people from the fund's
// "Bursary panel" page; nobody adds or removes themselves; every change is audited and emailed to
// every organiser and admin (and the person), with subjects that carry nothing anyone typed. A
// panel member reads the fund's applications but never acts on their own.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, bursaryApplications, bursaryPanelMembers, outboxMessages } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, personId, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;
let colleague: TestClient;
let fundId: string;
let slug: string;
let otherFundId: string;
let member: TestClient;

const panelUrl = () => `/bursaries/funds/${fundId}/panel`;

async function panelRows() {
  return t.db.select().from(bursaryPanelMembers).where(eq(bursaryPanelMembers.fundId, fundId));
}

async function mail(template: string) {
  return t.db.select().from(outboxMessages).where(eq(outboxMessages.template, template)).orderBy(outboxMessages.createdAt);
}

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'organiser@example.org');
  colleague = await organiser(t, 'colleague@example.org');
  await t.signedIn('admin@example.org');
  await grantRole(t.db, null, await personId(t.db, 'admin@example.org'), 'admin');
  const event = await createEvent(t.db, { title: 'Hearing voices <together>' });
  slug = event.slug;
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Voices & fund', budget: '400', eligibility: '', covers: '', deadline: '' })).headers
      .location,
    uuidIn,
  );
  const other = await createEvent(t.db, { title: 'Another day' });
  otherFundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: other.id, name: 'Other fund', budget: '400', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
});
afterAll(async () => {
  await t.close();
});

describe('the bursary panel page', () => {
  it('is reached from the fund page and lists nobody else at first', async () => {
    expect((await boss.get(`/bursaries/funds/${fundId}`)).body).toContain(`href="${panelUrl()}"`);
    const page = await boss.get(panelUrl());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nobody else yet');
  });

  it('explains bad addresses beside the field, keeping what was typed, and adds nobody', async () => {
    const empty = await boss.post(panelUrl(), { email: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter the email address of the person to add');
    const bad = await boss.post(panelUrl(), { email: 'not an <address>' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an email address in the right format');
    expect(bad.body).toContain('value="not an &lt;address&gt;"');
    const self = await boss.post(panelUrl(), { email: 'Organiser@example.org' });
    expect(self.statusCode).toBe(400);
    expect(self.body).toContain('You cannot add yourself to a panel: ask another organiser');
    expect(await panelRows()).toHaveLength(0);
    expect(await mail('bursary-panel-changed')).toHaveLength(0);
  });

  it('adds someone by email: audited, every organiser and admin emailed, and they now read the fund', async () => {
    member = await t.signedIn('panel.person@example.org');
    await member.post('/account', { displayName: 'Pat <Panel>' });
    expect((await member.get(`/bursaries/funds/${fundId}`)).statusCode).toBe(403);

    const added = await boss.post(panelUrl(), { email: 'Panel.Person@example.org' });
    expect(added.statusCode).toBe(303);
    const page = await boss.get(added.headers.location!);
    expect(page.body).toContain('panel.person@example.org');
    expect(page.body).toContain('Pat &lt;Panel&gt;');

    const [row] = await panelRows();
    expect(row!.personId).toBe(await personId(t.db, 'panel.person@example.org'));
    const audit = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, fundId), eq(auditEntries.action, 'bursary.panel.member_added')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(await personId(t.db, 'organiser@example.org'));
    expect(audit[0]!.details).toEqual({ personId: row!.personId });

    const told = await mail('bursary-panel-changed');
    expect(told.map((m) => m.toAddress).sort()).toEqual(['admin@example.org', 'colleague@example.org', 'organiser@example.org']);
    for (const m of told) {
      // Names, fund names and event titles are typed by people: never in a subject.
      expect(m.subject).toBe('Someone has been added to a bursary panel');
      const rendered = renderEmail('bursary-panel-changed', m.data as never, { baseUrl: 'http://convene.test', siteName: 'Social Perspectives Hub' });
      expect(rendered.text).toContain('has added Pat <Panel> (panel.person@example.org) to the bursary panel of Voices & fund for Hearing voices <together>.');
      expect(rendered.html).toContain('Pat &lt;Panel&gt;');
      expect(rendered.text).toContain(`http://convene.test${panelUrl()}`);
    }
    const [you] = await mail('bursary-panel-you');
    expect(you!.toAddress).toBe('panel.person@example.org');
    expect(you!.subject).toBe('You have been added to a bursary panel');

    expect((await member.get(`/bursaries/funds/${fundId}`)).statusCode).toBe(200);
    expect((await member.get(`/bursaries/funds/${otherFundId}`)).statusCode).toBe(403);
    const list = await member.get('/bursaries');
    expect(list.body).toContain('Voices &amp; fund');
    expect(list.body).not.toContain('Other fund');
    // A panel member cannot change the panel.
    expect((await member.get(panelUrl())).statusCode).toBe(403);
    expect((await member.post(panelUrl(), { email: 'friend@example.org' })).statusCode).toBe(403);
    expect((await member.post(`${panelUrl()}/${row!.id}/remove`)).statusCode).toBe(403);
    expect(await panelRows()).toHaveLength(1);

    const again = await boss.post(panelUrl(), { email: 'panel.person@example.org' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('That person is already on this panel');
  });

  it('never lets a panel member act on their own application', async () => {
    const id = idFrom((await member.post(`/events/${slug}/bursary`)).headers.location, uuidIn);
    await member.post(`/bursaries/applications/${id}/edit`, {
      perspective: 'carer',
      paymentMethod: 'bank_transfer',
      paymentName: 'P Person',
      sortCode: '30-94-57',
      accountNumber: '31926819',
      travelAmount: '15',
    });
    expect((await member.post(`/bursaries/applications/${id}/submit`)).statusCode).toBe(303);
    expect((await member.get(`/bursaries/funds/${fundId}`)).body).toContain('Your own application: another panel member must decide');
    const refused = await member.post(`/bursaries/funds/${fundId}/applications/${id}/decision`, { outcome: 'approve_all', message: 'Yes' });
    expect(refused.statusCode).toBe(303);
    expect((await member.get(refused.headers.location!)).body).toContain('This is your own application, so another panel member must decide it');
    const [row] = await t.db.select({ status: bursaryApplications.status }).from(bursaryApplications).where(eq(bursaryApplications.id, id));
    expect(row!.status).toBe('submitted');
  });

  it('removes someone: audited, everyone told, and their access ends; nobody removes themselves', async () => {
    const [row] = await panelRows();
    expect((await boss.post(`/bursaries/funds/${otherFundId}/panel/${row!.id}/remove`)).statusCode).toBe(404);
    // The panel page links to a question; its button removes them.
    expect((await boss.get(panelUrl())).body).toContain(`href="${panelUrl()}/${row!.id}/remove"`);
    const ask = await boss.get(`${panelUrl()}/${row!.id}/remove`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('from the panel?');
    expect(ask.body).toContain(`action="${panelUrl()}/${row!.id}/remove"`);
    const removed = await boss.post(`${panelUrl()}/${row!.id}/remove`);
    expect(removed.statusCode).toBe(303);
    expect(await panelRows()).toHaveLength(0);
    const audit = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, fundId), eq(auditEntries.action, 'bursary.panel.member_removed')));
    expect(audit).toHaveLength(1);
    const told = (await mail('bursary-panel-changed')).filter((m) => m.subject === 'Someone has been removed from a bursary panel');
    expect(told.map((m) => m.toAddress).sort()).toEqual(['admin@example.org', 'colleague@example.org', 'organiser@example.org']);
    expect((await mail('bursary-panel-you')).map((m) => m.subject)).toContain('You are no longer on a bursary panel');
    expect((await member.get(`/bursaries/funds/${fundId}`)).statusCode).toBe(403);

    // An organiser another organiser put on the panel cannot take themselves off it.
    expect((await colleague.post(panelUrl(), { email: 'organiser@example.org' })).statusCode).toBe(303);
    const [own] = await panelRows();
    const page = await boss.get(panelUrl());
    expect(page.body).toContain('Another organiser can remove you');
    const refused = await boss.post(`${panelUrl()}/${own!.id}/remove`);
    expect(refused.statusCode).toBe(303);
    expect(refused.headers['x-error-code']).toBe('bursary_panel_own');
    expect((await boss.get(refused.headers.location!)).body).toContain('You cannot remove yourself from a panel. Another organiser can.');
    expect(await panelRows()).toHaveLength(1);
  });

  it('renders both panel emails as HTML and text for each change', () => {
    const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
    for (const change of ['added', 'removed'] as const) {
      const general = renderEmail(
        'bursary-panel-changed',
        { change, memberName: 'Sam', memberEmail: 'sam@example.org', fundName: 'General', eventTitle: '', byName: 'Ade', panelPath: '/p' },
        site,
      );
      expect(general.text).toContain(
        `${change === 'added' ? 'added Sam (sam@example.org) to' : 'removed Sam (sam@example.org) from'} the bursary panel of General (the general fund).`,
      );
      const you = renderEmail('bursary-panel-you', { change, name: '', fundName: 'F <1>', eventTitle: 'E', fundPath: '/bursaries' }, site);
      expect(you.text).toMatch(/^Hello,$/m);
      expect(you.text).toContain('F <1> for E');
      expect(you.html).toContain('F &lt;1&gt;');
      expect(you.text).toContain('https://hub.example/bursaries');
    }
  });
});
