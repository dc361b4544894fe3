// Builds the real Convene app on a fresh test database. The outbox loop is off: tests deliver
// mail when they choose, with app.mail.deliverDue().
import { expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';
import type { MailTransport } from '../../server/mail/transport.ts';
import { TestClient } from './client.ts';
import { collectCalendar, isCalendarType } from './ical-check/check.ts';
import { TEST_OUTBOX_KEY } from './outbox.ts';

export { emailData, latestSignInPath, TEST_OUTBOX_KEY } from './outbox.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  database: TestDatabase;
  config: Config;
  /** A visitor with their own cookies. */
  client(): TestClient;
  /** A visitor who has signed in through the emailed link. */
  signedIn(email: string): Promise<TestClient>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  database?: TestDatabase;
  mailTransport?: MailTransport;
  /** Collects every line the app logs at error level, for a test that reads them. */
  errorLog?: string[];
  /**
   * Why this test makes the app log errors on purpose (a database cut off, a peer refusing).
   * Without it, closing the app fails the test file if anything was logged at error level: an
   * error a person never sees (an answer sent, then a TypeError) is still a fault.
   */
  logsErrorsBecause?: string;
}

export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-test-'));
  // The page cache is off unless a test turns it on: most tests change rows directly and look at
  // the pages straight away, which a running site would show within PAGE_CACHE_SECONDS.
  return loadConfig({
    BASE_URL: 'http://convene.test',
    DATA_DIR: dataDir,
    OUTBOX_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    PAGE_CACHE_SECONDS: '0',
    OUTBOX_KEY: TEST_OUTBOX_KEY,
    ...env,
  });
}

/** The body as text, uncompressed (the page cache answers gzip or brotli when asked). */
function decoded(response: LightMyRequestResponse): string {
  const encoding = String(response.headers['content-encoding'] ?? 'identity');
  if (encoding === 'gzip') return zlib.gunzipSync(response.rawPayload).toString('utf8');
  if (encoding === 'br') return zlib.brotliDecompressSync(response.rawPayload).toString('utf8');
  return response.body;
}

/** Every calendar the app serves in a test is kept for the strict check (tests/support/ical-check). */
function collectCalendarsServed(app: FastifyInstance): void {
  const inject = app.inject.bind(app) as (options: InjectOptions) => Promise<LightMyRequestResponse>;
  const collecting = async (options: InjectOptions) => {
    const response = await inject(options);
    const contentType = String(response.headers['content-type'] ?? '');
    if (response.statusCode === 200 && isCalendarType(contentType) && response.rawPayload.length) {
      collectCalendar({ source: `${options.method ?? 'GET'} ${options.url}`, text: decoded(response), contentType });
    }
    return response;
  };
  // Only the promise form (what every test uses); the chained and callback forms pass through.
  app.inject = ((options?: InjectOptions, callback?: unknown) =>
    options === undefined || callback !== undefined || typeof options === 'string'
      ? (inject as (...a: unknown[]) => unknown)(options, callback)
      : collecting(options)) as typeof app.inject;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(options.env);
  const database = options.database ?? (await createTestDatabase());
  const errors: string[] = [];
  const app = await buildApp({
    config,
    database,
    mailTransport: options.mailTransport,
    logger: {
      level: 'error',
      stream: {
        write: (line: string) => {
          errors.push(line);
          options.errorLog?.push(line);
          if (process.env.TEST_LOG) process.stderr.write(line);
        },
      },
    },
  });
  await app.ready();
  collectCalendarsServed(app);
  const testApp: TestApp = {
    app,
    db: database.db,
    database,
    config,
    client: () => new TestClient(app),
    async signedIn(email) {
      const client = new TestClient(app);
      await client.signIn(email);
      return client;
    },
    async close() {
      await app.close();
      if (!options.database) await database.close();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
      if (errors.length && !options.logsErrorsBecause) {
        const report = process.env.TEST_ERRORS_REPORT;
        if (report) fs.appendFileSync(report, errors.map((line) => `${expect.getState().testPath}\t${line}`).join(''));
        else throw new Error(`The app logged ${errors.length} error(s) that no test expected:\n${errors.slice(0, 5).join('')}`);
      }
    },
  };
  return testApp;
}
