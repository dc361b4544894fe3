/// <reference lib="dom" />
// Invitation-only round tables and the library in Chromium, on the demo: an organiser sees the
// round table's invitations against the balance and invites someone; the invitee accepts from the
// emailed link with their access needs; a visitor finds the round table's report in the library by
// a word of its title and sees it on the conference page where it is launched; an organiser opens
// the library's add and import pages. Every page goes through the accessibility and HTML checkers.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, roleGrants } from '../../db/schema/index.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { expectAccessible, latestEmailTo, signInWithEmail, startBrowser, tabAndType, tabTo, type BrowserHarness, loadsNextPage } from './support.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowser();
  await seedDemo(h.database.db);
});
afterAll(async () => {
  await h?.close();
});

describe('round tables and the library in Chromium', () => {
  it('an organiser invites to a round table and sees the balance; the invitee accepts', async () => {
    await signInWithEmail(h, 'round-table-organiser@example.org');
    const [me] = await h.database.db.select().from(people).where(eq(people.email, 'round-table-organiser@example.org'));
    await h.database.db.insert(roleGrants).values({ personId: me!.id, role: 'organiser' });

    await h.page.goto(`${h.baseUrl}/organise/events/round-table-crisis-housing/invitations`);
    expect(await h.page.textContent('#balance')).toContain('1 more person with lived experience would reach a third');
    await expectAccessible(h);

    await tabAndType(h.page, '#name', 'Ola Survivor');
    await tabAndType(h.page, '#email', 'ola.survivor@example.org');
    await tabTo(h.page, '#perspective');
    await h.page.keyboard.press('Space');
    await loadsNextPage(h.page, () => h.page.click('button:has-text("Send the invitation")'));
    expect(await h.page.textContent('main')).toContain('Ola Survivor is invited');

    const mail = await latestEmailTo(h, 'ola.survivor@example.org');
    expect(mail.subject).toBe('You are invited to Round table: housing when you are in crisis');
    const link = new RegExp(`${h.baseUrl.replace(/[.:/]/g, '\\$&')}/invited/[A-Za-z0-9_-]+`).exec(mail.text ?? '')?.[0];
    expect(link).toBeDefined();
    await h.page.goto(link!);
    await expectAccessible(h);
    await h.page.fill('#accessNeeds', 'A quiet room, please.');
    await loadsNextPage(h.page, () => h.page.click('button:has-text("Accept: I am coming")'));
    expect(await h.page.textContent('main')).toContain('you are coming');
    await expectAccessible(h);

    await h.page.goto(`${h.baseUrl}/organise/events/round-table-crisis-housing/invitations`);
    expect(await h.page.textContent('#balance')).toContain('The aim of at least a third with lived experience is met');
  });

  it('a visitor finds the round table report in the library and on the conference page', async () => {
    await h.page.goto(`${h.baseUrl}/library`);
    await expectAccessible(h);
    await tabAndType(h.page, '#q', 'westminster');
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    expect(await h.page.textContent('#results')).toContain('1 item found');
    await loadsNextPage(h.page, () => h.page.click('a:has-text("report of the Westminster round table")'));
    // The conference is still to come in the demo: the report is to be launched there.
    expect(await h.page.textContent('main')).toContain('To be launched at');
    await expectAccessible(h);
    await h.page.goto(`${h.baseUrl}/events/social-perspectives-conference`);
    expect(await h.page.textContent('main')).toContain('To be launched at this event');
    expect(await h.page.textContent('main')).toContain('report of the Westminster round table');
  });

  it('an organiser opens the library pages', async () => {
    for (const path of ['/organise/library', '/organise/library/new', '/organise/library/import']) {
      await h.page.goto(`${h.baseUrl}${path}`);
      await expectAccessible(h);
    }
  });
});
