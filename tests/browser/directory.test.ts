/// <reference lib="dom" />
// The directory, co-hosted events and importing an older mailing list, in Chromium: asking to be
// listed (with a mistake first), an organiser approving it, the public directory with a filter,
// naming an event's co-hosts, and an import from upload to preview to progress to done. Every
// page goes through axe, HTML_CodeSniffer and the Nu checker.
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { runImports } from '../../server/network/import.ts';
import { makeEvent } from '../registration/fixtures.ts';
import {
  expectAccessible,
  expectErrorSummaryFocused,
  expectReflow,
  signInWithEmail,
  startBrowser,
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

const shots = process.env.SCREENSHOTS;
async function shot(name: string) {
  if (shots) await h.page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

describe('the directory in Chromium', () => {
  it('an organisation asks to be listed, an organiser approves it, and it co-hosts an event', async () => {
    await h.page.goto(`${h.baseUrl}/directory/ask`);
    await expectAccessible(h);
    await h.page.getByLabel('Name of the organisation').fill('Hearing Voices Group');
    await tabTo(h.page, 'form[action="/directory/ask"] button[type="submit"]', 120);
    await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
    await expectErrorSummaryFocused(h.page);
    expect(await h.page.textContent('.govuk-error-summary')).toContain('Select what kind of organisation it is');
    expect(await h.page.inputValue('#name')).toBe('Hearing Voices Group');
    await expectAccessible(h);
    await shot('directory-ask-error');

    await h.page.getByLabel('Service-user-led organisation').check();
    await h.page.selectOption('#region', 'Yorkshire and the Humber');
    await h.page.getByLabel('What it does').fill('Peer support groups for people who hear voices.');
    await h.page.getByLabel('Your email address').fill('voices@example.org');
    await h.page.getByRole('button', { name: 'Send it to the Hub' }).click();
    await h.page.waitForURL('**/directory/ask/sent');
    await expectAccessible(h);

    await signInWithEmail(h, 'directory-organiser@example.org');
    const [me] = await h.database.db.select().from(people).where(eq(people.email, 'directory-organiser@example.org'));
    await grantRole(h.database.db, null, me!.id, 'organiser');
    await h.page.goto(`${h.baseUrl}/organise/directory`);
    await expectAccessible(h);
    await shot('directory-organise');
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Approve Hearing Voices Group' }).click());
    expect(await h.page.textContent('main')).toContain('Hearing Voices Group is listed in the directory');

    await h.page.goto(`${h.baseUrl}/directory`);
    await expectAccessible(h);
    await expectReflow(h.page);
    await h.page.selectOption('#kind', 'service_user_led');
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Show organisations' }).click());
    expect(await h.page.textContent('#results')).toBe('1 organisation found');
    await expectAccessible(h);
    await shot('directory');
    await loadsNextPage(h.page, () => h.page.getByRole('link', { name: 'Hearing Voices Group' }).click());
    await expectAccessible(h);
    await shot('directory-entry');

    await makeEvent(h.database.db, { slug: 'voices-seminar', title: 'Hearing voices: a seminar' });
    await h.page.goto(`${h.baseUrl}/organise/events/voices-seminar/co-hosts`);
    await expectAccessible(h);
    await h.page.getByLabel('Hearing Voices Group').check();
    await h.page.getByRole('button', { name: 'Save co-hosts' }).click();
    await h.page.waitForURL('**/events/voices-seminar');
    expect(await h.page.textContent('main')).toContain('Co-hosted by');
    await expectAccessible(h);
    await shot('event-cohosted');
    await h.page.goto(`${h.baseUrl}/events`);
    await expectAccessible(h);
    expect(await h.page.textContent('#organisation')).toContain('Hearing Voices Group');
  });

  it('its contact asks for a change (a mistake first), and an organiser changes or removes the entry', async () => {
    await h.page.goto(`${h.baseUrl}/directory`);
    await loadsNextPage(h.page, () => h.page.getByRole('link', { name: 'Hearing Voices Group' }).click());
    await loadsNextPage(h.page, () => h.page.getByRole('link', { name: 'Ask for a change to this entry' }).click());
    await expectAccessible(h);
    await h.page.fill('#message', 'Our website has moved.');
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Send it to the Hub' }).click());
    await expectErrorSummaryFocused(h.page);
    expect(await h.page.inputValue('#message')).toBe('Our website has moved.');
    await expectAccessible(h);
    await h.page.fill('#email', 'hello@voices.example.org');
    await h.page.getByRole('button', { name: 'Send it to the Hub' }).click();
    await h.page.waitForURL('**/change/sent');
    await expectAccessible(h);
    await h.page.goto(`${h.baseUrl}/organise/directory`);
    expect(await h.page.textContent('main')).toContain('Our website has moved.');
    await expectAccessible(h);
    await loadsNextPage(h.page, () => h.page.getByRole('link', { name: 'Change Hearing Voices Group’s entry' }).click());
    await expectAccessible(h);
    await shot('directory-edit');
    await loadsNextPage(h.page, () => h.page.getByRole('link', { name: 'Remove Hearing Voices Group from the directory' }).click());
    await expectAccessible(h);
    await h.page.goBack();
    // Changed because its contact asked: back to the requests, to mark theirs done.
    await h.page.getByRole('button', { name: 'Save the changes' }).click();
    await h.page.waitForURL('**/organise/directory');
    expect(await h.page.textContent('main')).toContain('entry is changed');
    expect(await h.page.textContent('main')).toContain('mark it done');
  });

  it('an organiser imports a list: preview with its problems, progress, and done', async () => {
    const file = path.join(h.app.config.dataDir, 'members.csv');
    fs.writeFileSync(
      file,
      'Email,Name,Consent\nkept@example.org,Kept,"2023-02-01, sign-up form"\nask-me@example.org,Ask,\nnot an address,Bad,\nkept@example.org,Again,\n',
    );
    await h.page.goto(`${h.baseUrl}/organise/list/import`);
    await expectAccessible(h);
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Check the file' }).click());
    await expectErrorSummaryFocused(h.page);
    expect(await h.page.textContent('.govuk-error-summary')).toContain('Choose a CSV file to import');
    await expectAccessible(h);

    await h.page.setInputFiles('#file', file);
    await h.page.getByRole('button', { name: 'Check the file' }).click();
    await h.page.waitForURL('**/organise/list/imports/*');
    expect(await h.page.textContent('main')).toContain('Not an email address');
    expect(await h.page.textContent('main')).toContain('The same address is on an earlier line');
    await expectAccessible(h);
    await shot('import-preview');
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Start the import' }).click());
    expect(await h.page.textContent('main')).toContain('0 of 4 rows done');
    await expectAccessible(h);
    // The job runs (the test app's timer is off); looking again shows it done.
    await runImports(h.database.db);
    await loadsNextPage(h.page, () => h.page.getByRole('link', { name: 'Look again to see how far it has got' }).click());
    expect(await h.page.textContent('main')).toContain('4 of 4 rows done (100%)');
    await expectAccessible(h);
    await shot('import-done');
  });
});
