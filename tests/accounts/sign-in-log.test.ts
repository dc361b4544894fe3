// Without SMTP_URL the sign-in link is written to the log for a developer on their own machine;
// on any other address the log never holds a link, since anyone reading it could sign in.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { TestClient } from '../support/client.ts';
import { testConfig } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function logOfSignIn(baseUrl: string, email: string): Promise<string> {
  let log = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      log += String(chunk);
      done();
    },
  });
  const app = await buildApp({ config: testConfig({ BASE_URL: baseUrl, SMTP_URL: '' }), database, logger: { level: 'info', stream } });
  await app.ready();
  try {
    const asked = await new TestClient(app).post('/sign-in', { email });
    expect(asked.statusCode).toBe(303);
  } finally {
    await app.close();
  }
  return log;
}

describe('the sign-in link in the log', () => {
  it('is logged for a site on this machine', async () => {
    expect(await logOfSignIn('http://localhost:3000', 'dev@example.org')).toMatch(/sign in at http:\/\/localhost:3000\/sign-in\/\S+/);
  });

  it('is never logged for a site on another address', async () => {
    const log = await logOfSignIn('https://hub.example.org', 'live@example.org');
    // The log did record the request, so its silence about the link means something.
    expect(log).toContain('/sign-in');
    expect(log).not.toMatch(/\/sign-in\/[A-Za-z0-9_-]{16,}/);
    expect(log).not.toContain('sign in at');
  });
});
