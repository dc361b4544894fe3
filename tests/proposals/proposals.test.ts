// Proposals from draft to decision: the proposers' side, the review, the emails, and who may see what.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, planningMembers, proposals } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { acceptInvitation, completeProposal, idFrom, mailTo, personId, signedInOrganiser } from './support.ts';

let t: TestApp;
let author: TestClient;
let stranger: TestClient;
let organiser: TestClient;
let secondReviewer: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  author = await t.signedIn('author@example.org');
  stranger = await t.signedIn('stranger@example.org');
  organiser = await signedInOrganiser(t, 'reviewer@example.org');
  secondReviewer = await signedInOrganiser(t, 'reviewer2@example.org');
});
afterAll(async () => {
  await t.close();
});

async function draft(client: TestClient, fields: Record<string, string> = completeProposal): Promise<string> {
  const res = await client.post('/proposals', fields);
  expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
  return idFrom(res.headers.location, '/proposals');
}

describe('proposing an event', () => {
  it('shows the form with real labels and the error summary when the title is missing', async () => {
    const page = await author.get('/proposals/new');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<label class="govuk-label" for="title">Title</label>');
    const res = await author.post('/proposals', { ...completeProposal, title: '', expectedNumbers: 'lots' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain('href="#title"');
    expect(res.body).toContain('Expected number of people must be a whole number');
    // What was typed is kept.
    expect(res.body).toContain('Leeds Community Centre');
    const noTime = await author.post('/proposals', { ...completeProposal, option1Start: '' });
    expect(noTime.statusCode).toBe(400);
    expect(noTime.body).toContain('Enter the start time of date option 1');
    expect(noTime.body).toContain('href="#option1Start"');
  });

  it('saves a draft, stores dates as UTC from London wall-clock, and invites co-proposers by email', async () => {
    const id = await draft(author, {
      ...completeProposal,
      option1Date: '2027-07-01',
      option1Start: '10:00',
      option1End: '12:00',
      coProposerEmails: 'co@example.org',
    });
    const [row] = await t.db.select().from(proposals).where(eq(proposals.id, id));
    expect(row!.status).toBe('draft');
    expect(row!.bursaryBudgetPence).toBe(30000);
    const options = await t.db.query.proposalDateOptions.findMany({ where: (d, { eq }) => eq(d.proposalId, id) });
    // 10:00 in London in July is 09:00 UTC (British Summer Time).
    expect(options[0]!.startsAt.toISOString()).toBe('2027-07-01T09:00:00.000Z');
    const invites = await mailTo(t.db, 'co@example.org', 'proposal-co-proposer');
    expect(invites).toHaveLength(1);
    expect(invites[0]!.data.invitationPath).toMatch(/^\/proposals\/invitations\/[A-Za-z0-9_-]{43}$/);
    // The co-proposer sees it once they accept the invitation, signed in with that address.
    const co = await acceptInvitation(t, 'co@example.org');
    expect((await co.get(`/proposals/${id}`)).statusCode).toBe(200);
    expect((await co.get('/proposals')).body).toContain(completeProposal.title);
  });

  it('refuses to send an incomplete proposal and shows what is missing beside the fields', async () => {
    const id = await draft(author, { title: 'Half an idea', type: 'webinar', format: 'online' });
    const res = await author.post(`/proposals/${id}/submit`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Enter a co-production plan');
    expect(res.body).toContain('Enter date option 1');
    // The form it lands on can send it, not only save a draft.
    expect(res.body).toContain('name="send" value="yes"');
    const [row] = await t.db.select({ status: proposals.status }).from(proposals).where(eq(proposals.id, id));
    expect(row!.status).toBe('draft');
  });

  it('reports every missing answer in one round when an empty proposal is sent from the form', async () => {
    const res = await author.post('/proposals', { title: '', type: 'seminar', format: 'in_person', summary: 'x'.repeat(5001), send: 'yes' });
    expect(res.statusCode).toBe(400);
    const summary = /<ul class="govuk-list govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(res.body)![1]!;
    const links = [...summary.matchAll(/href="#([A-Za-z0-9]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['summary', 'title', 'purpose', 'audience', 'option1Date', 'accessibilityPlan', 'coproductionPlan']);
    expect(summary).toContain('Summary must be 5,000 characters or fewer');
    expect(summary).toContain('Enter a title');
    expect(summary).toContain('Enter the purpose and aims');
    expect(summary).toContain('Enter an accessibility plan');
    // Saving a draft needs only the title.
    const draftOnly = await author.post('/proposals', { title: '', type: 'seminar', format: 'in_person' });
    expect([...draftOnly.body.matchAll(/<li><a href="#/g)]).toHaveLength(1);
  });

  it('saves and sends a complete proposal from the form in one step', async () => {
    const id = await draft(author, { title: 'Half an idea', type: 'webinar', format: 'online' });
    const missing = await author.post(`/proposals/${id}/edit`, { title: 'Half an idea', type: 'webinar', format: 'online', send: 'yes' });
    expect(missing.statusCode).toBe(400);
    const res = await author.post(`/proposals/${id}/edit`, { ...completeProposal, send: 'yes' });
    expect(res.statusCode).toBe(303);
    expect((await author.get(res.headers.location as string)).body).toContain('Your proposal has been sent to the steering group.');
    const [row] = await t.db.select({ status: proposals.status }).from(proposals).where(eq(proposals.id, id));
    expect(row!.status).toBe('submitted');
  });

  it('keeps proposals private to their proposers', async () => {
    const id = await draft(author);
    expect((await stranger.get(`/proposals/${id}`)).statusCode).toBe(403);
    expect((await stranger.post(`/proposals/${id}/edit`, completeProposal)).statusCode).toBe(403);
    expect((await stranger.post(`/proposals/${id}/submit`)).statusCode).toBe(403);
    expect((await stranger.post(`/proposals/${id}/withdraw`)).statusCode).toBe(403);
    expect((await stranger.post(`/proposals/${id}/messages`, { message: 'hi' })).statusCode).toBe(403);
    const anonymous = t.client();
    expect((await anonymous.get(`/proposals/${id}`)).headers.location).toMatch(/^\/sign-in/);
    // Drafts are not in the review queue.
    expect((await organiser.get(`/organise/proposals/${id}`)).statusCode).toBe(404);
  });

  it('lets a proposer withdraw, after which it cannot be sent', async () => {
    const id = await draft(author);
    expect((await author.post(`/proposals/${id}/withdraw`)).statusCode).toBe(303);
    const submitted = await author.post(`/proposals/${id}/submit`);
    expect(submitted.statusCode).toBe(409);
    expect(submitted.headers['x-error-code']).toBe('proposal_not_submittable');
    expect((await author.get(`/proposals/${id}`)).body).toContain('Withdrawn');
  });
});

describe('review and decisions', () => {
  it('goes draft → submitted → changes requested → submitted → accepted, emailing every proposer', async () => {
    const id = await draft(author, { ...completeProposal, coProposerEmails: 'cop@example.org' });
    await acceptInvitation(t, 'cop@example.org');
    expect((await author.post(`/proposals/${id}/submit`)).statusCode).toBe(303);
    expect(await mailTo(t.db, 'author@example.org', 'proposal-received')).not.toHaveLength(0);
    const toReview = (await mailTo(t.db, 'reviewer2@example.org', 'proposal-to-review')).at(-1)!;
    expect(toReview.data).toMatchObject({ reviewPath: `/organise/proposals/${id}`, resubmission: false });

    // In the queue, filterable.
    const queue = await organiser.get('/organise/proposals?status=open&type=seminar');
    expect(queue.body).toContain(`/organise/proposals/${id}`);
    expect((await organiser.get('/organise/proposals?status=open&type=webinar')).body).not.toContain(`/organise/proposals/${id}`);

    // Asking for changes needs a message.
    expect((await organiser.post(`/organise/proposals/${id}/decision`, { decision: 'request_changes', decisionMessage: '' })).statusCode).toBe(400);
    expect(
      (await organiser.post(`/organise/proposals/${id}/decision`, { decision: 'request_changes', decisionMessage: 'Please add who will chair.' })).statusCode,
    ).toBe(303);
    const changes = await mailTo(t.db, 'cop@example.org', 'proposal-decision');
    expect(changes.at(-1)!.data.decision).toBe('changes_requested');
    expect(changes.at(-1)!.data.message).toBe('Please add who will chair.');

    // The proposer sees the message, edits and resubmits.
    const mine = await author.get(`/proposals/${id}`);
    expect(mine.body).toContain('Please add who will chair.');
    expect((await author.post(`/proposals/${id}/edit`, { ...completeProposal, coproductionPlan: 'Two survivor researchers co-chair.' })).statusCode).toBe(303);
    expect((await author.post(`/proposals/${id}/submit`)).statusCode).toBe(303);
    expect((await author.get(`/proposals/${id}`)).body).toContain('sent the changed proposal back');

    // Accepting creates the event in planning, with the proposers as its planning group.
    const accepted = await organiser.post(`/organise/proposals/${id}/decision`, { decision: 'accept', decisionMessage: 'Wonderful.' });
    expect(accepted.statusCode).toBe(303);
    const eventId = idFrom(accepted.headers.location, '/plan');
    const [event] = await t.db.select().from(events).where(eq(events.id, eventId));
    expect(event!.status).toBe('planning');
    expect(event!.title).toBe(completeProposal.title);
    expect(event!.startsAt!.toISOString()).toBe('2027-03-10T13:00:00.000Z');
    // The venue and the accessibility plan come with it, so nobody has to type them again.
    expect(event!.venueName).toBe('Leeds Community Centre');
    expect(event!.accessInfo).toBe(completeProposal.accessibilityPlan);
    const group = await t.db.select().from(planningMembers).where(eq(planningMembers.eventId, eventId));
    expect(group.map((g) => [g.personId, g.role, g.status]).sort()).toEqual(
      [
        [await personId(t.db, 'author@example.org'), 'lead', 'accepted'],
        [await personId(t.db, 'cop@example.org'), 'co_lead', 'accepted'],
      ].sort(),
    );
    const decisionMail = (await mailTo(t.db, 'author@example.org', 'proposal-decision')).at(-1)!;
    expect(decisionMail.data.decision).toBe('accepted');
    expect(decisionMail.data.planningPath).toBe(`/plan/${eventId}`);
    // The author can now open the workspace.
    expect((await author.get(`/plan/${eventId}`)).statusCode).toBe(200);
    // A decided proposal cannot be decided again.
    const again = await organiser.post(`/organise/proposals/${id}/decision`, { decision: 'decline', decisionMessage: 'No' });
    expect(again.statusCode).toBe(409);
    expect(again.headers['x-error-code']).toBe('proposal_not_awaiting_decision');
  });

  it('declines with a reason, and the proposers are emailed it', async () => {
    const id = await draft(author);
    await author.post(`/proposals/${id}/submit`);
    expect((await organiser.post(`/organise/proposals/${id}/decision`, { decision: 'decline', decisionMessage: '' })).statusCode).toBe(400);
    expect((await organiser.post(`/organise/proposals/${id}/decision`, { decision: 'decline', decisionMessage: 'We ran one last month.' })).statusCode).toBe(
      303,
    );
    const mail = (await mailTo(t.db, 'author@example.org', 'proposal-decision')).at(-1)!;
    expect(mail.data).toMatchObject({ decision: 'declined', message: 'We ran one last month.' });
    expect(mail.subject).toBe('A decision on your event proposal');
  });

  it('emails proposers a reviewer’s message, but never shows private notes to them', async () => {
    const id = await draft(author);
    await author.post(`/proposals/${id}/submit`);
    expect((await organiser.post(`/organise/proposals/${id}/messages`, { message: 'Could it be online too?' })).statusCode).toBe(303);
    expect((await mailTo(t.db, 'author@example.org', 'proposal-comment')).at(-1)!.data.message).toBe('Could it be online too?');
    expect((await organiser.post(`/organise/proposals/${id}/notes`, { note: 'SECRET-NOTE: budget looks thin' })).statusCode).toBe(303);
    expect((await organiser.get(`/organise/proposals/${id}`)).body).toContain('SECRET-NOTE');
    expect((await secondReviewer.get(`/organise/proposals/${id}`)).body).toContain('SECRET-NOTE');
    const proposerView = await author.get(`/proposals/${id}`);
    expect(proposerView.body).toContain('Could it be online too?');
    expect(proposerView.body).not.toContain('SECRET-NOTE');
    // No email carries the note either.
    const all = await t.db.query.outboxMessages.findMany();
    expect(JSON.stringify(all.map((m) => m.data))).not.toContain('SECRET-NOTE');
    // Members cannot reach the review page or its actions.
    expect((await author.get(`/organise/proposals/${id}`)).statusCode).toBe(403);
    expect((await author.post(`/organise/proposals/${id}/notes`, { note: 'x' })).statusCode).toBe(403);
    expect((await author.post(`/organise/proposals/${id}/decision`, { decision: 'accept' })).statusCode).toBe(403);
    expect((await author.post(`/organise/proposals/${id}/score`, { purpose: '5', coproduction: '5', accessibility: '5', feasibility: '5' })).statusCode).toBe(
      403,
    );
  });

  it('shows a reviewer others’ scores only after they give their own', async () => {
    const id = await draft(author);
    await author.post(`/proposals/${id}/submit`);
    const scored = await organiser.post(`/organise/proposals/${id}/score`, { purpose: '4', coproduction: '2', accessibility: '3', feasibility: '5' });
    expect(scored.statusCode).toBe(303);
    const before = await secondReviewer.get(`/organise/proposals/${id}`);
    expect(before.body).toContain('1 other reviewer has scored it');
    expect(before.body).not.toContain('reviewer@example.org</th>');
    expect((await secondReviewer.post(`/organise/proposals/${id}/score`, { purpose: '9' })).statusCode).toBe(400);
    await secondReviewer.post(`/organise/proposals/${id}/score`, { purpose: '3', coproduction: '3', accessibility: '3', feasibility: '3' });
    const after = await secondReviewer.get(`/organise/proposals/${id}`);
    expect(after.body).toMatch(
      /reviewer@example.org<\/th>\s*<td class="govuk-table__cell govuk-table__cell--numeric">4<\/td>\s*<td class="govuk-table__cell govuk-table__cell--numeric">2<\/td>/,
    );
    // Scores never reach the proposers.
    expect((await author.get(`/proposals/${id}`)).body).not.toContain('Scores');
  });

  it('renders every email of these flows in HTML and plain text', async () => {
    for (;;) {
      const result = await t.app.mail.deliverDue();
      expect(result.retrying + result.failed).toBe(0);
      if (result.sent === 0) break;
    }
    const failed = await t.db.query.outboxMessages.findMany({ where: (m, { eq }) => eq(m.status, 'failed') });
    expect(failed).toEqual([]);
    const sent = await t.db.query.outboxMessages.findMany({ where: (m, { eq }) => eq(m.status, 'sent') });
    const templates = new Set(sent.map((m) => m.template));
    for (const name of ['proposal-co-proposer', 'proposal-received', 'proposal-to-review', 'proposal-comment', 'proposal-decision'])
      expect(templates).toContain(name);
  });

  it('refuses anonymous people, members and planners of an event on every review route', async () => {
    const id = await draft(author);
    await author.post(`/proposals/${id}/submit`);
    // The author leads an accepted event's planning group by now: a planner, not an organiser.
    const planner = author;
    const routes = t.app.routeAccess.filter((r) => r.url.startsWith('/organise') && (r.method === 'GET' || r.method === 'POST'));
    expect(routes.length).toBeGreaterThan(8);
    const anonymous = t.client();
    for (const r of routes) {
      const url = r.url.replace(':proposalId', id);
      const anon = r.method === 'GET' ? await anonymous.get(url) : await anonymous.post(url, {});
      expect(anon.statusCode, `${r.method} ${r.url}`).toBe(303);
      expect(anon.headers.location).toMatch(/^\/sign-in/);
      for (const client of [stranger, planner]) {
        const res =
          r.method === 'GET'
            ? await client.get(url)
            : await client.post(url, { decision: 'accept', decisionMessage: 'x', message: 'x', note: 'x', purpose: '5' });
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      }
    }
    const [row] = await t.db.select({ status: proposals.status }).from(proposals).where(eq(proposals.id, id));
    expect(row!.status).toBe('submitted');
  });
});
