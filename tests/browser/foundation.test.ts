/// <reference lib="dom" />
// A newcomer's first visit, by keyboard: the home page, the events, signing in with the emailed
// link, the profile and the admin pages, with axe checking every page.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people } from '../../db/schema/index.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { expectAccessible, expectReflow, signInWithEmail, startBrowser, tabAndType, tabTo, type BrowserHarness, loadsNextPage } from './support.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowser();
  await seedDemo(h.database.db);
});
afterAll(async () => {
  await h?.close();
});

describe('a first visit in Chromium', () => {
  it('shows the Hub and its next events, accessibly', async () => {
    await h.page.goto(h.baseUrl);
    await expect.poll(() => h.page.title()).toBe('Social Perspectives Hub');
    expect(await h.page.textContent('main')).toContain('launch and discussion day');
    await expectAccessible(h);
    await h.page.goto(`${h.baseUrl}/events`);
    await expectAccessible(h);
    await h.page.goto(`${h.baseUrl}/events/hub-launch-and-discussion-day`);
    expect(await h.page.textContent('main')).toContain('University of Birmingham');
    await expectAccessible(h);
  });

  it('pages through a long list of events by keyboard, accessibly', async () => {
    const start = Date.UTC(2031, 5, 1, 10);
    for (let i = 0; i < 25; i++) {
      await makeEvent(h.database.db, {
        slug: `webinar-page-${i}`,
        title: `Peer support webinar ${i}`,
        type: 'webinar',
        format: 'online',
        startsAt: new Date(start + i * 86_400_000),
        endsAt: null,
      });
    }
    await h.page.goto(`${h.baseUrl}/events?type=webinar`);
    expect(await h.page.textContent('main')).toContain('25 events found');
    await expectAccessible(h);
    await tabTo(h.page, 'a[rel="next"]', 200);
    await h.page.keyboard.press('Enter');
    await h.page.waitForURL(/page=2/);
    expect(await h.page.textContent('main')).toContain('Showing 21 to 25, page 2 of 2.');
    expect(await h.page.textContent('main')).toContain('Peer support webinar 24');
    expect(await h.page.inputValue('#type')).toBe('webinar');
    await expectAccessible(h);
  });

  it('shows a clear, accessible message for a filter in a link that cannot be used, keeping the others', async () => {
    await h.page.goto(`${h.baseUrl}/events?type=webinar&month=2031-13`);
    expect(await h.page.textContent('.govuk-error-summary')).toContain('That is not a month we can show. Choose a month from the list.');
    expect(await h.page.inputValue('#type')).toBe('webinar');
    expect(await h.page.textContent('main')).toContain('25 events found');
    await expectAccessible(h);
  });

  it('lets a keyboard user skip to the content', async () => {
    await h.page.goto(h.baseUrl);
    await h.page.keyboard.press('Tab');
    expect(await h.page.evaluate(() => document.activeElement?.textContent)).toContain('Skip to main content');
  });

  it('shows a clear error on the sign-in form and keeps what was typed', async () => {
    await h.page.goto(`${h.baseUrl}/sign-in`);
    await tabAndType(h.page, '#email', 'admin at example');
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    expect(await h.page.textContent('.govuk-error-summary')).toContain('Enter an email address in the right format');
    expect(await h.page.inputValue('#email')).toBe('admin at example');
    await expectAccessible(h);
  });

  it('signs the admin in through the emailed link and shows the admin pages', async () => {
    await signInWithEmail(h, 'admin@example.org');
    expect(await h.page.textContent('main')).toContain('You are signed in');
    for (const url of ['/account', '/admin', '/admin/people', '/admin/outbox', '/admin/audit']) {
      await h.page.goto(h.baseUrl + url);
      await expectAccessible(h);
    }
  });

  it('saves the profile by keyboard', async () => {
    await h.page.goto(`${h.baseUrl}/account`);
    await tabTo(h.page, '#pronouns');
    await h.page.keyboard.press('ControlOrMeta+A');
    await h.page.keyboard.type('they/them');
    await tabTo(h.page, '#prefersPlainText');
    await h.page.keyboard.press('Space');
    await tabTo(h.page, 'form[action^="/account"] button[type=submit]');
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    expect(await h.page.textContent('main')).toContain('Your details have been saved');
    const [admin] = await h.database.db.select().from(people).where(eq(people.email, 'admin@example.org'));
    expect(admin?.pronouns).toBe('they/them');
    expect(admin?.prefersPlainText).toBe(true);
    await expectAccessible(h);
  });

  it('reads well on a 320 pixel wide screen', async () => {
    await h.page.setViewportSize({ width: 320, height: 640 });
    await h.page.goto(`${h.baseUrl}/events/hub-launch-and-discussion-day`);
    const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await h.page.screenshot({ path: `${h.app.config.dataDir}/narrow.png`, fullPage: false });
    await h.page.setViewportSize({ width: 1024, height: 800 });
  });

  it('shows "Your data" and the delete-account page plainly, at full width and at 320 pixels', async () => {
    // Still signed in as the admin from above.
    for (const url of ['/account/your-data', '/account/delete']) {
      await h.page.goto(h.baseUrl + url);
      expect(await h.page.textContent('h1')).toBeTruthy();
      await expectAccessible(h);
      await h.page.setViewportSize({ width: 320, height: 640 });
      await expectReflow(h.page);
      await h.page.setViewportSize({ width: 1024, height: 800 });
    }
  });
});
