// Runs once per test run: a migrated template database, which every test file then copies.
// PGlite: a migrated data directory dumped to a file (loading it takes about a second). Making
// one means starting PGlite from nothing (initdb, 10 s of CPU here) and migrating, so the dumps
// are kept in the temporary folder under a hash of the migrations and the packages that read
// them: most runs reuse them, and a new or changed migration makes a new one.
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
    /** A PGlite dump with no tables, for tests that migrate step by step (cheaper than starting one from nothing). */
    pgliteEmpty: string;
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const cleanups: Array<() => Promise<void>> = [];
  // Every calendar the suite produces is checked with libical (tests/support/ical-check).
  project.provide('icalChecker', buildIcalChecker());
  project.provide('pgliteEmpty', await pgliteEmpty());
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

function packageJson(name: string): Buffer {
  return fs.readFileSync(path.resolve(import.meta.dirname, '../../node_modules', name, 'package.json'));
}

/** PGlite's version, every migration file, and the version of Drizzle's migrator. */
function migrationsHash(): string {
  const hash = createHash('sha256').update(packageJson('@electric-sql/pglite')).update(packageJson('drizzle-orm'));
  const files = fs.readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const full = path.join(migrationsFolder, file);
    if (fs.statSync(full).isFile()) hash.update(`${file}\n`).update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 16);
}

const PREFIX = 'convene-pglite-';

/**
 * The path of a PGlite data directory dumped to a file kept under `key`: made by `prepare` on a
 * new PGlite (or one loaded from the dump `from`) if no run has made it yet.
 */
async function keptDump(key: string, prepare: (client: PGlite) => Promise<void>, from?: string): Promise<string> {
  const file = path.join(os.tmpdir(), `${PREFIX}${key}.tar`);
  if (fs.existsSync(file)) {
    const now = new Date();
    fs.utimesSync(file, now, now);
    return file;
  }
  // Dumps unused for a week go (another checkout may still use one of other migrations).
  for (const name of fs.readdirSync(os.tmpdir())) {
    const old = path.join(os.tmpdir(), name);
    if (name.startsWith(PREFIX) && Date.now() - fs.statSync(old).mtimeMs > 7 * 86_400_000) fs.rmSync(old, { force: true });
  }
  const client = from ? await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(from)]) }) : await PGlite.create();
  await prepare(client);
  const dump = await client.dumpDataDir('none');
  await client.close();
  // Written beside and renamed, so that a run started meanwhile never reads half a file.
  const building = `${file}.${process.pid}`;
  fs.writeFileSync(building, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(building, file);
  return file;
}

/** A new PGlite database with nothing in it (initdb's work, the costly part of starting one). */
function pgliteEmpty(): Promise<string> {
  const key = `empty-${createHash('sha256').update(packageJson('@electric-sql/pglite')).digest('hex').slice(0, 16)}`;
  return keptDump(key, async () => {});
}

/** The migrated template every test file loads. */
async function pgliteTemplate(): Promise<string> {
  return keptDump(`template-${migrationsHash()}`, (client) => wrapPglite(client, 'template').migrate(), await pgliteEmpty());
}
