// Runs once per test run: migrates one template database, which every test file then copies.
// PGlite: a migrated data directory dumped to a file (loading it takes well under a second).
// PostgreSQL (TEST_DATABASE_URL): a template database that each file clones with CREATE DATABASE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectPostgres, wrapPglite } from '../../server/db/database.ts';
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
    const client = await PGlite.create();
    const handle = wrapPglite(client, 'template');
    await handle.migrate();
    const dump = await client.dumpDataDir('none');
    await handle.close();
    const file = path.join(os.tmpdir(), `convene-test-template-${process.pid}-${Date.now()}.tar`);
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteTemplate', file);
    project.provide('postgresTemplate', '');
    cleanups.push(async () => fs.rmSync(file, { force: true }));
  }
  return async () => {
    for (const cleanup of cleanups) await cleanup();
  };
}
