// `node tests/bench/statements.ts`: the statements each bench page sends, once warm (PROFILE_DATABASE_URL).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { casesFor } from './profile.ts';

const url = process.env.PROFILE_DATABASE_URL!;
const sent: string[] = [];
let counting = false;
const handle = connectPostgres(url, { onQuery: (text) => counting && sent.push(text.replace(/\s+/g, ' ').slice(0, 160)) });
const config = loadConfig({
  ...process.env,
  DATABASE_URL: url,
  BASE_URL: 'http://x.test',
  DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 's-')),
  PAGE_CACHE_SECONDS: '0',
  LOG_LEVEL: 'silent',
  OUTBOX_INTERVAL_MS: '0',
  SEED_DEMO: '0',
  OUTBOX_KEY: 'a'.repeat(64),
  DATA_KEY: 'b'.repeat(64),
});
const app = await buildApp({ config, database: handle } as never);
const cases = await casesFor(handle.db);
for (const c of cases.filter((c) => process.argv.length < 3 || process.argv.includes(c.name))) {
  const headers = c.cookie ? { cookie: c.cookie } : {};
  await app.inject({ url: c.path, headers });
  sent.length = 0;
  counting = true;
  const r = await app.inject({ url: c.path, headers });
  counting = false;
  console.log(`${c.name}: ${r.statusCode}, ${sent.length} statements, ${r.body.length} chars`);
  if (process.env.SHOW) for (const s of sent) console.log(`   ${s}`);
}
await app.close();
await handle.close();
