// A fresh, migrated database for one test file: in-memory PGlite by default, or a new database
// on the real server named by TEST_DATABASE_URL (so test files can run in parallel).
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { inject } from 'vitest';
import { outboxMessages } from '../../db/schema/index.ts';
import { connectPostgres, wrapPglite, type DatabaseHandle } from '../../server/db/database.ts';
import { checkCollectedCalendars, collectCalendar, isCalendarType } from './ical-check/check.ts';

export interface TestDatabase extends DatabaseHandle {
  /** The database's URL on a real server, for tests that open more connections or processes. */
  url: string | null;
}

export const usingRealPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * Closing a test database first reads every calendar attachment in its outbox, then checks every
 * calendar the test file produced (tests/support/ical-check), failing the file on any error.
 */
function checkingCalendars(database: TestDatabase): TestDatabase {
  return {
    ...database,
    async close() {
      let failure: unknown = null;
      try {
        const rows = await database.db
          .select({ to: outboxMessages.toAddress, template: outboxMessages.template, attachments: outboxMessages.attachments })
          .from(outboxMessages);
        for (const row of rows) {
          for (const a of row.attachments) {
            if (isCalendarType(a.contentType))
              collectCalendar({ source: `${row.template} email to ${row.to}: ${a.filename}`, text: a.content, contentType: a.contentType });
          }
        }
      } catch (error) {
        failure = error;
      }
      await database.close();
      if (failure) throw failure;
      checkCollectedCalendars();
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  return checkingCalendars(await openTestDatabase());
}

async function openTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const template = inject('pgliteTemplate');
    const client = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(template)]) });
    return { ...wrapPglite(client, 'test PGlite'), url: null };
  }
  const name = `convene_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  // Cloning needs the template to have no other connections; another file may be cloning the
  // same template at this moment, so try a few times.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${inject('postgresTemplate')}`);
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = connectPostgres(url.href, { max: 20 });
  return {
    ...handle,
    url: url.href,
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
