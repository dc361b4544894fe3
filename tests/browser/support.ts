/// <reference lib="dom" />
// The browser harness: the real app on a real socket, Debian's Chromium driven by playwright-core,
// and axe-core checking every page a test visits against WCAG 2.x A and AA.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { simpleParser } from 'mailparser';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp } from '../../server/app.ts';
import type { FastifyInstance } from 'fastify';
import { fileTransport } from '../../server/mail/transport.ts';
import { testConfig } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface BrowserHarness {
  app: FastifyInstance;
  database: TestDatabase;
  baseUrl: string;
  context: BrowserContext;
  page: Page;
  /** Folder the app writes .eml files to (mail goes there as it would for a newcomer). */
  outboxDir: string;
  /** Every page checked by axe so far, for the test's own report. */
  checkedPages: string[];
  close(): Promise<void>;
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
  const harness: BrowserHarness = {
    app,
    database,
    baseUrl,
    context,
    page,
    outboxDir,
    checkedPages: [],
    async close() {
      await context.close();
      await app.close();
      await database.close();
      fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Runs axe on the page as it is now and fails the test on any WCAG 2.x A or AA violation. */
export async function expectAccessible(harness: BrowserHarness, page: Page = harness.page): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  });
  const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  harness.checkedPages.push(page.url());
  expect(problems, `axe on ${page.url()}`).toEqual([]);
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
