// Runs once per test run: a migrated template database, which every test file then copies.
// PGlite: a migrated data directory dumped to a file (loading it takes about a second). Making
// one means starting PGlite from nothing (initdb) and migrating, 10-20 s, so the file is kept in
// the temporary folder under a hash of the migrations and the packages that read them: most runs
// reuse it, and a new or changed migration makes a new one.
// PostgreSQL (TEST_DATABASE_URL): a template database that each file clones with CREATE DATABASE.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectPostgres, migrationsFolder, wrapPglite } from '../../server/db/database.ts';
import { buildIcalChecker } from './ical-check/build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const cleanups: Array<() => Promise<void>> = [];
  // Every calendar the suite produces is checked with libical (tests/support/ical-check).
  project.provide('icalChecker', buildIcalChecker());
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `convene_template_${process.pid}_${Date.now()}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const templateUrl = new URL(serverUrl);
    templateUrl.pathname = `/${name}`;
    const handle = connectPostgres(templateUrl.href, { max: 1 });
    await handle.migrate();
    await handle.close();
    project.provide('postgresTemplate', name);
    project.provide('pgliteTemplate', '');
    cleanups.push(async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
  } else {
    project.provide('pgliteTemplate', await pgliteTemplate());
    project.provide('postgresTemplate', '');
  }
  return async () => {
    for (const cleanup of cleanups) await cleanup();
  };
}

/** Every migration file, and the versions of PGlite and of Drizzle's migrator. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const name of ['@electric-sql/pglite', 'drizzle-orm']) {
    hash.update(fs.readFileSync(path.resolve(import.meta.dirname, '../../node_modules', name, 'package.json')));
  }
  const files = fs.readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const full = path.join(migrationsFolder, file);
    if (fs.statSync(full).isFile()) hash.update(`${file}\n`).update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The migrated PGlite template's path, made if no run has made it for these migrations yet. */
async function pgliteTemplate(): Promise<string> {
  const prefix = 'convene-pglite-template-';
  const file = path.join(os.tmpdir(), `${prefix}${migrationsHash()}.tar`);
  if (fs.existsSync(file)) {
    const now = new Date();
    fs.utimesSync(file, now, now);
    return file;
  }
  // Templates of other migrations unused for a week go (another checkout may still use a newer one).
  for (const name of fs.readdirSync(os.tmpdir())) {
    const old = path.join(os.tmpdir(), name);
    if (name.startsWith(prefix) && Date.now() - fs.statSync(old).mtimeMs > 7 * 86_400_000) fs.rmSync(old, { force: true });
  }
  const client = await PGlite.create();
  const handle = wrapPglite(client, 'template');
  await handle.migrate();
  const dump = await client.dumpDataDir('none');
  await handle.close();
  // Written beside and renamed, so that a run started meanwhile never reads half a file.
  const building = `${file}.${process.pid}`;
  fs.writeFileSync(building, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(building, file);
  return file;
}
