/// <reference lib="dom" />
// The browser harness: the real app on a real socket, Debian's Chromium driven by playwright-core,
// and three checkers over every page a test visits: axe-core and HTML_CodeSniffer (WCAG2AA errors)
// in the browser, and the Nu HTML Checker over the served HTML once per run (global-setup.ts).
// Pages are recorded as the browser receives them, so pages a test never checks itself (a form's
// error state, a redirect's target) are still checked when the harness closes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { simpleParser } from 'mailparser';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { buildApp } from '../../server/app.ts';
import type { FastifyInstance } from 'fastify';
import { fileTransport } from '../../server/mail/transport.ts';
import { testConfig } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const htmlcsSource = fs.readFileSync(require.resolve('html_codesniffer/build/HTMLCS.js'), 'utf8');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface BrowserHarness {
  app: FastifyInstance;
  database: TestDatabase;
  baseUrl: string;
  context: BrowserContext;
  page: Page;
  /** Folder the app writes .eml files to (mail goes there as it would for a newcomer). */
  outboxDir: string;
  /** Every page checked by axe and HTML_CodeSniffer so far, for the test's own report. */
  checkedPages: string[];
  /** Every HTML page the browser received, in order. */
  visited: VisitedPage[];
  /** Pages or their assets that failed to load: each fails the run when the harness closes. */
  loadFailures: string[];
  close(): Promise<void>;
}

export interface VisitedPage {
  url: string;
  status: number;
  headers: Record<string, string>;
  html: string;
  /** The HTML with its per-request tokens blanked, to recognise the same page seen twice. */
  key: string;
}

/** A port nobody is listening on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startBrowser(options: { env?: Record<string, string> } = {}): Promise<BrowserHarness> {
  const database = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // BASE_URL makes the links in emails point at this server.
  const config = testConfig({ BASE_URL: baseUrl, ...options.env });
  const outboxDir = path.join(config.dataDir, 'outbox');
  // What the server logs at error level fails the test when the browser closes, as in tests/support/app.ts.
  const serverErrors: string[] = [];
  const app = await buildApp({
    config,
    database,
    logger: { level: 'error', stream: { write: (line: string) => serverErrors.push(line) } },
    mailTransport: fileTransport(outboxDir),
  });
  await app.listen({ port, host: '127.0.0.1' });

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1024, height: 800 },
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-sandbox',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const visited: VisitedPage[] = [];
  const loadFailures: string[] = [];
  const pending: Array<Promise<void>> = [];
  const checked = new Set<string>();
  const latest = new WeakMap<object, VisitedPage>();
  context.on('response', (response) => {
    const request = response.request();
    const url = response.url();
    if (!url.startsWith(baseUrl)) return;
    const type = response.headers()['content-type'] ?? '';
    if (request.resourceType() !== 'document') {
      if (response.status() >= 400) loadFailures.push(`${response.status()} for ${request.resourceType()} ${url}`);
      return;
    }
    if (response.status() >= 500) loadFailures.push(`${response.status()} for page ${url}`);
    if (!type.startsWith('text/html') || request.frame().parentFrame()) return;
    pending.push(
      response.text().then(
        (html) => {
          const page = { url, status: response.status(), headers: response.headers(), html, key: pageKey(html) };
          visited.push(page);
          latest.set(request.frame(), page);
          saveForHtmlChecker(page);
        },
        // A page the test left before its body arrived; the page it went to is recorded instead.
        () => {},
      ),
    );
  });
  context.on('requestfailed', (request) => {
    // ERR_ABORTED is a download (a CSV export) or a navigation replaced by the next one.
    if (request.resourceType() === 'document' && !request.failure()?.errorText.includes('ERR_ABORTED')) {
      loadFailures.push(`${request.failure()?.errorText} for page ${request.url()}`);
    }
  });
  const harness: BrowserHarness = {
    app,
    database,
    baseUrl,
    context,
    page,
    outboxDir,
    checkedPages: [],
    visited,
    loadFailures,
    async close() {
      const problems: string[] = [];
      try {
        await Promise.all(pending);
        problems.push(...loadFailures, ...serverErrors.map((line) => `the server logged an error: ${line.slice(0, 600)}`));
        // Every page received but not checked by the test itself, shown again as it was served.
        const replay = await context.newPage();
        for (const seen of visited) {
          if (checked.has(seen.key)) continue;
          checked.add(seen.key);
          await replay.route(seen.url, (route) => route.fulfill({ status: seen.status, headers: seen.headers, body: seen.html }));
          await replay.goto(seen.url);
          await replay.unroute(seen.url);
          problems.push(...(await browserEngineProblems(replay)).map((p) => `${seen.url}: ${p}`));
        }
      } finally {
        await shutDown();
      }
      expect(problems, 'pages checked when the browser closed').toEqual([]);
    },
  };
  pageState.set(harness, { checked, latest, pending });
  async function shutDown() {
    await context.close();
    await app.close();
    await database.close();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
  return harness;
}

const pageState = new WeakMap<BrowserHarness, { checked: Set<string>; latest: WeakMap<object, VisitedPage>; pending: Array<Promise<void>> }>();

/** The page without what changes on every request (CSRF tokens), so a page seen twice is checked once. */
function pageKey(html: string): string {
  const stable = html.replace(/(name="_csrf" value=|name="csrf-token" content=)"[^"]*"/g, '$1""');
  return createHash('sha256').update(stable).digest('hex');
}

/** Writes the served HTML where the Nu HTML Checker will read it at the end of the run. */
function saveForHtmlChecker(page: VisitedPage): void {
  const dir = inject('htmlCheckDir');
  if (!dir) return;
  const name = page.key.slice(0, 32);
  if (fs.existsSync(path.join(dir, 'pages', `${name}.html`))) return;
  fs.writeFileSync(path.join(dir, 'pages', `${name}.html`), page.html);
  fs.writeFileSync(path.join(dir, 'urls', name), page.url);
}

/** axe-core (WCAG 2.x A and AA) and HTML_CodeSniffer (WCAG2AA errors) on the page as it is now. */
async function browserEngineProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's strict CSP does not block them.
  await page.evaluate(axeSource);
  const axeResult = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }>;
        };
      }
    ).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
  });
  const problems = axeResult.violations.map((v) => `axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await page.evaluate(htmlcsSource);
  const htmlcsErrors = await page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        interface Message {
          type: number;
          code: string;
          msg: string;
          element: Element;
        }
        const htmlcs = (globalThis as unknown as { HTMLCS: { process(standard: string, root: Document, done: () => void): void; getMessages(): Message[] } })
          .HTMLCS;
        htmlcs.process('WCAG2AA', document, () => {
          const describe = (el: Element) => {
            const id = el.id ? `#${el.id}` : '';
            return `<${el.tagName.toLowerCase()}${id}> ${(el.textContent ?? '').trim().slice(0, 40)}`;
          };
          // Type 1 is an error; 2 and 3 are warnings and notices that need a person to judge.
          resolve(
            htmlcs
              .getMessages()
              .filter((m) => m.type === 1)
              .map((m) => `${m.code}: ${m.msg} at ${describe(m.element)}`),
          );
        });
      }),
  );
  problems.push(...htmlcsErrors.map((e) => `HTML_CodeSniffer ${e}`));
  problems.push(...(await page.evaluate(errorPatternProblems)).map((e) => `Error pattern: ${e}`));
  return problems;
}

/**
 * What the engines do not check of GOV.UK's error pattern: a page with errors says so in its title,
 * each link in the error summary leads to a field on the page, and each message beside a field is
 * read out with it (aria-describedby).
 */
function errorPatternProblems(): string[] {
  const problems: string[] = [];
  const text = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
  if (document.querySelector('.govuk-error-summary') && !document.title.startsWith('Error: ')) {
    problems.push(`the title "${document.title}" does not start with "Error: " though the page shows errors`);
  }
  for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('.govuk-error-summary__list a'))) {
    const target = link.hash ? document.getElementById(decodeURIComponent(link.hash.slice(1))) : null;
    if (!target) problems.push(`the summary's "${text(link)}" leads to ${link.hash || 'no field'}, which is not on the page`);
    else if (!target.matches('input, select, textarea'))
      problems.push(`the summary's "${text(link)}" leads to a <${target.tagName.toLowerCase()}>, not a field`);
  }
  for (const message of Array.from(document.querySelectorAll('.govuk-error-message'))) {
    if (!message.id || !document.querySelector(`[aria-describedby~="${CSS.escape(message.id)}"]`)) {
      problems.push(`the message "${text(message)}" is not tied to its field (aria-describedby)`);
    }
  }
  return problems;
}

/**
 * Runs axe and HTML_CodeSniffer on the page as it is now and fails the test on any WCAG 2.x A or AA
 * error; the served HTML goes to the Nu HTML Checker at the end of the run.
 */
export async function expectAccessible(harness: BrowserHarness, page: Page = harness.page): Promise<void> {
  const state = pageState.get(harness);
  await Promise.all(state?.pending ?? []);
  const problems = await browserEngineProblems(page);
  const served = state?.latest.get(page.mainFrame());
  if (served && served.url === page.url()) state?.checked.add(served.key);
  harness.checkedPages.push(page.url());
  expect(problems, `axe and HTML_CodeSniffer on ${page.url()}`).toEqual([]);
}

/**
 * Sends all the mail that is due (a batch at a time, as the server does: one batch was not enough
 * once the demo queued more than twenty emails), then returns the newest .eml written to an
 * address, parsed; with `containing`, the newest whose text has it.
 */
export async function latestEmailTo(harness: BrowserHarness, address: string, containing?: string) {
  while ((await harness.app.mail.deliverDue()).sent > 0);
  const files = fs.existsSync(harness.outboxDir) ? fs.readdirSync(harness.outboxDir).sort().reverse() : [];
  for (const file of files) {
    const parsed = await simpleParser(fs.readFileSync(path.join(harness.outboxDir, file)));
    const to = Array.isArray(parsed.to) ? parsed.to.flatMap((t) => t.value) : (parsed.to?.value ?? []);
    if (to.some((t) => t.address?.toLowerCase() === address.toLowerCase()) && (!containing || (parsed.text ?? '').includes(containing))) return parsed;
  }
  throw new Error(`No email to ${address}${containing ? ` containing ${containing}` : ''} in ${harness.outboxDir}`);
}

/**
 * Does what loads a new page (pressing a key on a link or button, a click) and waits for that new
 * page's load event. `waitForLoadState('load')` after the action would not wait: the page already
 * shown has loaded, so it returns at once and the test reads the old page (CI met this once).
 */
export async function loadsNextPage(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

/** Presses Tab until the element matching the CSS `selector` has focus, proving it is reachable by keyboard. */
export async function tabTo(page: Page, selector: string, maxPresses = 60): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
    if (focused) return;
  }
  throw new Error(`Could not reach ${selector} with the Tab key`);
}

/** Types into a field reached by keyboard. */
export async function tabAndType(page: Page, selector: string, text: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/** Signs in as a person the way they would: the form, the emailed link, the button, by keyboard. */
export async function signInWithEmail(harness: BrowserHarness, email: string): Promise<void> {
  const { page } = harness;
  await page.goto(`${harness.baseUrl}/sign-in`);
  await tabAndType(page, '#email', email);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/sign-in/check-your-email');
  // The newest email with a sign-in link: an organiser may be sent others (panel notices) meanwhile.
  const mail = await latestEmailTo(harness, email, '/sign-in/');
  const link = /https?:\/\/\S+\/sign-in\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
  if (!link) throw new Error('No sign-in link in the email');
  await page.goto(link);
  await tabTo(page, 'main button[type=submit]');
  await page.keyboard.press('Enter');
  // Done when the browser has left the sign-in link for wherever the person was going.
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in/'));
}

/**
 * Walks the page with the Tab key alone, from the top: focus must move forward through the page
 * in reading order, reach every link, button and field, show where it is, and leave at the end
 * (no trap). Radio buttons count once per group, as the browser tabs to the group.
 */
export async function expectKeyboardUsable(page: Page): Promise<void> {
  await page.evaluate(() => {
    // Focusing the body makes it the starting point, as after a page loads.
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  const expected = await page.evaluate(() => {
    // Inside a closed <details> (but not its summary) nothing takes focus, though Chromium still gives it boxes.
    const folded = (el: Element) => el.closest('details:not([open])') !== null && el.closest('summary') === null;
    const visible = (el: Element) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !folded(el);
    const all = Array.from(
      document.querySelectorAll<HTMLElement>(
        'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])',
      ),
    );
    const radioGroups = new Set<string>();
    const names: string[] = [];
    for (const el of all) {
      const isRadio = el instanceof HTMLInputElement && el.type === 'radio';
      // GOV.UK hides radios and checkboxes under their drawn box: the label shows them.
      if (!isRadio && !(el instanceof HTMLInputElement && el.type === 'checkbox') && !visible(el)) continue;
      if (isRadio) {
        const name = (el as HTMLInputElement).name;
        if (radioGroups.has(name)) continue;
        radioGroups.add(name);
        // Tab stops on the chosen radio of a group, or on the first when none is chosen.
        for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>(`input[type=radio][name="${CSS.escape(name)}"]`)))
          radio.dataset.tabCheck = String(names.length);
      }
      el.dataset.tabCheck = String(names.length);
      names.push(`<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}> ${(el.textContent ?? '').trim().slice(0, 30)}`);
    }
    return names;
  });
  const reached: number[] = [];
  const problems: string[] = [];
  for (let press = 0; press < expected.length * 4 + 5; press++) {
    await page.keyboard.press('Tab');
    const now = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const isBox = el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox');
      const shows = isBox || (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { index: Number(el.dataset.tabCheck ?? -1), name: `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}>`, shows };
    });
    if (!now) break;
    if (now.index < 0) continue; // A control the page added itself (GOV.UK Frontend's), in its place.
    // Date and time fields take a Tab for each part (day, month, year; hours, minutes).
    if (now.index === reached[reached.length - 1]) continue;
    if (reached.length && now.index < reached[reached.length - 1]!) {
      if (now.index === 0) break; // Came round to the start again: not a trap.
      problems.push(`focus went back from ${expected[reached[reached.length - 1]!]} to ${now.name}`);
      break;
    }
    if (!now.shows) problems.push(`${now.name} shows no focus`);
    reached.push(now.index);
  }
  if (reached.length && reached[reached.length - 1] !== expected.length - 1 && !problems.length) {
    problems.push(`focus stopped at ${expected[reached[reached.length - 1]!]} and never reached the end of the page`);
  }
  const missed = expected.filter((_, i) => !reached.includes(i));
  if (missed.length) problems.push(`never reached by Tab: ${missed.join(', ')}`);
  expect(problems, `keyboard walk of ${page.url()}`).toEqual([]);
}

/** After a form comes back with errors, focus is on the error summary (GOV.UK Frontend moves it there). */
export async function expectErrorSummaryFocused(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false), {
      message: `error summary focused on ${page.url()}`,
    })
    .toBe(true);
}

/**
 * At 320 CSS pixels wide (a phone, or 1280 pixels at 400% zoom) the page reflows: no sideways
 * scrolling of the page; a table wider than the screen scrolls in its own focusable container.
 */
export async function expectReflow(page: Page): Promise<void> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  try {
    const problems = await page.evaluate(() => {
      const found: string[] = [];
      const over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
      if (over > 0) {
        const wide = Array.from(document.querySelectorAll('main *')).filter(
          (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !el.closest('.convene-table-scroll'),
        );
        found.push(
          `the page scrolls sideways by ${over}px (${wide
            .slice(0, 3)
            .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`)
            .join(', ')})`,
        );
      }
      for (const box of Array.from(document.querySelectorAll<HTMLElement>('.convene-table-scroll'))) {
        const style = getComputedStyle(box);
        if (style.overflowX !== 'auto' || style.position !== 'relative' || box.tabIndex !== 0)
          found.push(`a table's scroll container is not a focusable, positioned scroll box`);
      }
      for (const table of Array.from(document.querySelectorAll('main table'))) {
        if (table.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !table.closest('.convene-table-scroll')) {
          found.push(`the table "${(table.querySelector('caption')?.textContent ?? '').trim()}" is wider than the screen and not in a scroll container`);
        }
      }
      return found;
    });
    expect(problems, `320 px reflow of ${page.url()}`).toEqual([]);
  } finally {
    if (size) await page.setViewportSize(size);
  }
}

/**
 * WCAG 1.4.12: with line height 1.5, paragraph spacing 2em, letter spacing 0.12em and word spacing
 * 0.16em, no label, hint, button or field cuts its text off.
 */
export async function expectTextSpacingFits(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    // A constructed style sheet, which the page's CSP allows where a <style> element is refused.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }',
    );
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    const found: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>(
      'main label, main legend, main .govuk-hint, main .govuk-button, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file]), main select, main textarea, main .govuk-error-message',
    );
    for (const el of Array.from(controls)) {
      // Text hidden on purpose for screen readers (GOV.UK's visually hidden class) is 1 pixel by design.
      if (!el.getClientRects().length || el.closest('.govuk-visually-hidden')) continue;
      const style = getComputedStyle(el);
      const clips = style.overflowX !== 'visible' || el instanceof HTMLInputElement || el instanceof HTMLSelectElement;
      const name = `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}> ${(el.textContent || (el as HTMLInputElement).value || '').trim().slice(0, 30)}`;
      if (clips && el.scrollWidth > el.clientWidth + 1) found.push(`${name} is cut off at the side`);
      if (style.overflowY !== 'visible' && !(el instanceof HTMLTextAreaElement) && el.scrollHeight > el.clientHeight + 1)
        found.push(`${name} is cut off below`);
    }
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
    return found;
  });
  expect(problems, `text spacing on ${page.url()}`).toEqual([]);
}

/**
 * What a screen reader is given (Playwright's accessibility snapshot of the main content): every
 * field, radio, checkbox and button has a name, each of `fields` is there by its label, and when
 * the page shows errors, the error summary is an alert headed "There is a problem" whose links say
 * each error. Returns the snapshot, for a test's own checks.
 */
export async function expectScreenReaderForm(page: Page, fields: string[]): Promise<string> {
  const snapshot = await page.locator('main').ariaSnapshot();
  const lines = snapshot.split('\n');
  const problems: string[] = [];
  for (const line of lines) {
    // A name with a colon in it is quoted YAML-style: - 'radio "Accept: create the event"'.
    const control = /^\s*- '?(textbox|radio|checkbox|combobox|spinbutton|button|link)\b(?: "([^"]*)")?/.exec(line);
    if (control && !control[2]?.trim()) problems.push(`an unnamed ${control[1]}: ${line.trim()}`);
  }
  for (const name of fields) {
    if (!lines.some((l) => /^\s*- '?(textbox|radio|checkbox|combobox|spinbutton|group)\b/.test(l) && l.includes(`"${name}`)))
      problems.push(`no field or group named "${name}"`);
  }
  const errors = (await page.locator('.govuk-error-summary__list a').allTextContents()).map((e) => e.replace(/\s+/g, ' ').trim());
  if (errors.length) {
    // The alert's own lines: those indented under "- alert".
    const start = lines.findIndex((l) => /^\s*- alert\b/.test(l));
    const indent = start < 0 ? 0 : lines[start]!.search(/\S/);
    let end = lines.findIndex((l, i) => i > start && l.search(/\S/) <= indent);
    if (end < 0) end = lines.length;
    const alert = start < 0 ? [] : lines.slice(start + 1, end);
    if (start < 0) problems.push('the error summary is not announced as an alert');
    else if (!alert.some((l) => l.includes('heading "There is a problem"'))) problems.push('the alert is not headed "There is a problem"');
    for (const error of errors) if (start >= 0 && !alert.some((l) => l.includes(`link "${error}"`))) problems.push(`the alert does not say "${error}"`);
  }
  expect(problems, `what a screen reader hears on ${page.url()}:\n${snapshot}`).toEqual([]);
  return snapshot;
}
