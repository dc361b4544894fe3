/// <reference lib="dom" />
// Calendar feeds by keyboard: from the footer to the subscribe page, the "add to calendar" links
// on an event page, and making a private feed link, with axe checking every page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../db/schema/index.ts';
import { expectAccessible, signInWithEmail, startBrowser, tabTo, type BrowserHarness, loadsNextPage } from './support.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowser();
  await h.database.db.insert(events).values({
    slug: 'calendar-walk-seminar',
    title: 'Calendar walk seminar',
    type: 'seminar',
    status: 'published',
    venueName: 'Hub rooms',
    startsAt: new Date(Date.now() + 10 * 86_400_000),
    endsAt: new Date(Date.now() + 10 * 86_400_000 + 2 * 3_600_000),
    publishedAt: new Date(),
  });
});
afterAll(async () => {
  await h?.close();
});

describe('calendar feeds in Chromium', () => {
  it('reaches the subscribe page from the footer, by keyboard', async () => {
    await h.page.goto(`${h.baseUrl}/events`);
    await tabTo(h.page, 'footer a[href="/calendar"]', 80);
    await h.page.keyboard.press('Enter');
    await h.page.waitForURL('**/calendar');
    expect(await h.page.textContent('h1')).toBe('Calendar feeds');
    await tabTo(h.page, 'a[href^="webcal://"]');
    await tabTo(h.page, '#feed-all');
    expect(await h.page.inputValue('#feed-all')).toBe(`${h.baseUrl}/calendar.ics`);
    await expectAccessible(h);
  });

  it('offers add-to-calendar links on an event page, reachable by keyboard', async () => {
    await h.page.goto(`${h.baseUrl}/events/calendar-walk-seminar`);
    await tabTo(h.page, 'a[href^="https://calendar.google.com/"]');
    await tabTo(h.page, 'a[href="/events/calendar-walk-seminar/calendar.ics"]');
    await expectAccessible(h);
  });

  it('makes a private feed link by keyboard and shows it once', async () => {
    await signInWithEmail(h, 'keyboard@example.org');
    // The sign-in post may still be on its way: wait until it has landed before moving on.
    await h.page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    await h.page.goto(`${h.baseUrl}/calendar/private`);
    await expectAccessible(h);
    await tabTo(h.page, 'main form[action="/calendar/private"] button[type=submit]');
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    expect(await h.page.textContent('main')).toContain('Your link is ready');
    const link = await h.page.inputValue('#private-feed-link');
    expect(link).toMatch(new RegExp(`^${h.baseUrl}/calendar/private/[A-Za-z0-9_-]{43}\\.ics$`));
    await expectAccessible(h);
    const feed = await fetch(link);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  });

  it('reads well on a 320 pixel wide screen', async () => {
    await h.page.setViewportSize({ width: 320, height: 640 });
    for (const url of ['/calendar', '/calendar/private', '/events/calendar-walk-seminar']) {
      await h.page.goto(h.baseUrl + url);
      const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
    await h.page.setViewportSize({ width: 1024, height: 800 });
  });
});
