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
  const app = await buildApp({ config, database, logger: false, mailTransport: fileTransport(outboxDir) });
  await app.listen({ port, host: '127.0.0.1' });

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1024, height: 800 },
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
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
        problems.push(...loadFailures);
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
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  });
  const problems = axeResult.violations.map((v) => `axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await page.evaluate(htmlcsSource);
  const htmlcsErrors = await page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        interface Message { type: number; code: string; msg: string; element: Element }
        const htmlcs = (globalThis as unknown as { HTMLCS: { process(standard: string, root: Document, done: () => void): void; getMessages(): Message[] } }).HTMLCS;
        htmlcs.process('WCAG2AA', document, () => {
          const describe = (el: Element) => {
            const id = el.id ? `#${el.id}` : '';
            return `<${el.tagName.toLowerCase()}${id}> ${(el.textContent ?? '').trim().slice(0, 40)}`;
          };
          // Type 1 is an error; 2 and 3 are warnings and notices that need a person to judge.
          resolve(htmlcs.getMessages().filter((m) => m.type === 1).map((m) => `${m.code}: ${m.msg} at ${describe(m.element)}`));
        });
      }),
  );
  problems.push(...htmlcsErrors.map((e) => `HTML_CodeSniffer ${e}`));
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

/** Sends the mail that is due, then returns the newest .eml written to an address, parsed. */
export async function latestEmailTo(harness: BrowserHarness, address: string) {
  await harness.app.mail.deliverDue();
  const files = fs.existsSync(harness.outboxDir) ? fs.readdirSync(harness.outboxDir).sort().reverse() : [];
  for (const file of files) {
    const parsed = await simpleParser(fs.readFileSync(path.join(harness.outboxDir, file)));
    const to = Array.isArray(parsed.to) ? parsed.to.flatMap((t) => t.value) : (parsed.to?.value ?? []);
    if (to.some((t) => t.address?.toLowerCase() === address.toLowerCase())) return parsed;
  }
  throw new Error(`No email to ${address} in ${harness.outboxDir}`);
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
  const mail = await latestEmailTo(harness, email);
  const link = /https?:\/\/\S+\/sign-in\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
  if (!link) throw new Error('No sign-in link in the email');
  await page.goto(link);
  await tabTo(page, 'main button[type=submit]');
  await page.keyboard.press('Enter');
  // Done when the browser has left the sign-in link for wherever the person was going.
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in/'));
  await page.waitForLoadState('load');
}
