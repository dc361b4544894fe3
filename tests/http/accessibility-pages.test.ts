// Issue 17's page-level findings, over real HTTP: a contact route that exists, a true accessibility
// statement that leads to it, "current page" marking only the page itself, and the title of a form
// shown with errors starting "Error:" whichever form it is.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, proposalProposers, proposals } from '../../db/schema/index.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { CONTACT_EMAIL: 'hello@hub.example.org' } });
  await seedDemo(t.db);
});
afterAll(async () => {
  await t.close();
});

const currentLinks = (html: string) => [...html.matchAll(/<a href="([^"]+)" aria-current="page"/g)].map((m) => m[1]);

describe('pages for everyone', () => {
  it('has a contact page with an address someone reads, linked from every page and the statement', async () => {
    const contact = await t.client().get('/contact');
    expect(contact.statusCode).toBe(200);
    expect(contact.body).toContain('href="mailto:hello@hub.example.org"');
    expect((await t.client().get('/')).body).toContain('href="/contact"');
    const statement = await t.client().get('/accessibility');
    expect(statement.body).toContain('<title>Accessibility statement');
    expect(statement.body).toContain('href="mailto:hello@hub.example.org"');
    expect(statement.body).toContain('href="/contact"');
    // What was tested, with what, when, and what is known not to work.
    for (const words of ['axe-core', 'HTML_CodeSniffer', 'Nu HTML Checker', 'November 2026', 'What we know is not yet right'])
      expect(statement.body).toContain(words);
    // What a screen reader is given is tested now; gaps fixed since are no longer listed.
    expect(statement.body).toContain('accessibility tree');
    for (const fixed of ['no step to confirm', 'do not use the same words as the label']) expect(statement.body).not.toContain(fixed);
  });

  it('marks a menu link as the current page only on that page, not on every page of its section', async () => {
    expect(currentLinks((await t.client().get('/events')).body)).toEqual(['/events']);
    expect(currentLinks((await t.client().get('/events/hub-launch-and-discussion-day')).body)).toEqual([]);
  });

  it('says "UK time" with the times of a public event', async () => {
    expect((await t.client().get('/events/hub-launch-and-discussion-day')).body).toMatch(/10am to 4pm \(UK time\)/);
    expect((await t.client().get('/events')).body).toContain('(UK time)');
    // And on the booking form, where a person decides whether they can come.
    expect((await t.client().get('/events/social-perspectives-seminar-1/book')).body).toMatch(/7:30pm \(UK time\)/);
  });

  it('starts the title of any page showing an error summary with "Error:"', async () => {
    const client = await t.signedIn('organiser@example.org');
    const [event] = await t.db.select({ id: events.id }).from(events).where(eq(events.slug, 'training-day-co-production-in-practice'));
    // The planning pages pass their errors under their own names, not the layout's `form`.
    const page = await client.post(`/plan/${event!.id}/tasks`, { taskTitle: 'Book the room', dueOn: 'next Tuesday' });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('govuk-error-summary');
    expect(page.body).toMatch(/<title>Error: Tasks/);
  });

  it('asks before withdrawing a proposal, which cannot be undone, and withdraws only on "Yes"', async () => {
    const client = await t.signedIn('proposer@example.org');
    const [me] = await t.db.select({ id: people.id }).from(people).where(eq(people.email, 'proposer@example.org'));
    const [proposal] = await t.db
      .insert(proposals)
      .values({ authorId: me!.id, title: 'A peer support walk', type: 'seminar', status: 'submitted' })
      .returning({ id: proposals.id });
    await t.db.insert(proposalProposers).values({ proposalId: proposal!.id, personId: me!.id, isAuthor: true });
    const show = await client.get(`/proposals/${proposal!.id}`);
    // The proposal page only links to the question; nothing there withdraws in one click.
    expect(show.body).toContain(`href="/proposals/${proposal!.id}/withdraw"`);
    expect(show.body).not.toContain(`action="/proposals/${proposal!.id}/withdraw"`);
    const confirm = await client.get(`/proposals/${proposal!.id}/withdraw`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Are you sure you want to withdraw the proposal?');
    expect(confirm.body).toContain(`href="/proposals/${proposal!.id}">No, keep it</a>`);
    const [still] = await t.db.select({ status: proposals.status }).from(proposals).where(eq(proposals.id, proposal!.id));
    expect(still!.status).toBe('submitted');
    expect((await client.post(`/proposals/${proposal!.id}/withdraw`)).statusCode).toBe(303);
    const [after] = await t.db.select({ status: proposals.status }).from(proposals).where(eq(proposals.id, proposal!.id));
    expect(after!.status).toBe('withdrawn');
    // Someone else's proposal: no question page for them either.
    expect((await (await t.signedIn('stranger@example.org')).get(`/proposals/${proposal!.id}/withdraw`)).statusCode).toBe(403);
  });
});
