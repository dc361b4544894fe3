/// <reference lib="dom" />
// Joining the mailing list as a newcomer would, by keyboard: from the home page, with a mistake
// on the way, the emailed link, the preferences page, and leaving. Every page goes through the
// three accessibility and HTML checkers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  expectErrorSummaryFocused,
  expectReflow,
  latestEmailTo,
  startBrowser,
  tabAndType,
  tabTo,
  type BrowserHarness,
  loadsNextPage,
} from './support.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowser();
});
afterAll(async () => {
  await h?.close();
});

/** The first link in an email's plain text that starts with `prefix` on this site. */
function linkIn(text: string, prefix: string): string {
  const match = new RegExp(`${h.baseUrl.replace(/[.:/]/g, '\\$&')}${prefix}[A-Za-z0-9_/-]+`).exec(text);
  if (!match) throw new Error(`No ${prefix} link in:\n${text}`);
  return match[0];
}

describe('the mailing list in Chromium, by keyboard', () => {
  it('a newcomer joins from the home page, confirms from the email, chooses, and leaves', async () => {
    await h.page.goto(h.baseUrl);
    await tabTo(h.page, 'a[href="/list/join"]', 80);
    await h.page.keyboard.press('Enter');
    await h.page.waitForURL(/\/list\/join$/);
    await expectAccessible(h);
    await expectReflow(h.page);

    await tabAndType(h.page, '#email', 'river at example');
    await tabAndType(h.page, '#name', 'River');
    await tabTo(h.page, '#types-1');
    await h.page.keyboard.press('Space');
    await tabTo(h.page, 'button[type="submit"]', 80);
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    await expectErrorSummaryFocused(h.page);
    expect(await h.page.textContent('.govuk-error-summary')).toContain('Enter an email address in the right format');
    expect(await h.page.inputValue('#name')).toBe('River');
    expect(await h.page.isChecked('#types-1')).toBe(true);
    await expectAccessible(h);

    await h.page.fill('#email', 'river@example.org');
    await tabTo(h.page, 'button[type="submit"]', 80);
    await h.page.keyboard.press('Enter');
    await h.page.waitForURL(/check-your-email/);
    expect(await h.page.textContent('h1')).toBe('Check your email');
    await expectAccessible(h);

    const email = await latestEmailTo(h, 'river@example.org');
    expect(email.subject).toBe('Please confirm you want emails from the Social Perspectives Hub');
    // A name typed on a public form is not sent to the address (THREATS 7): the greeting is plain.
    expect(email.text).toContain('Hello,');
    expect(email.text).not.toContain('River');
    await h.page.goto(linkIn(email.text ?? '', '/list/confirm/'));
    await expectAccessible(h);
    await tabTo(h.page, 'button[type="submit"]');
    await h.page.keyboard.press('Enter');
    await h.page.waitForURL(/\/list\/[A-Za-z0-9_-]{43}$/);
    expect(await h.page.textContent('main')).toContain('You are on the mailing list');
    expect(await h.page.isChecked('#types-1')).toBe(true);
    await expectAccessible(h);

    await tabTo(h.page, '#regions-6');
    await h.page.keyboard.press('Space');
    await tabTo(h.page, 'button[type="submit"]', 80);
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    expect(await h.page.textContent('main')).toContain('Your choices are saved.');
    expect(await h.page.isChecked('#regions-6')).toBe(true);

    await tabTo(h.page, 'a[href$="/leave"]', 80);
    await h.page.keyboard.press('Enter');
    await h.page.waitForURL(/\/leave$/);
    await expectAccessible(h);
    await tabTo(h.page, 'button[type="submit"]');
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    expect(await h.page.textContent('h1')).toContain('You have left the mailing list');
    await expectAccessible(h);
  });
});
