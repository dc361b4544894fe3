// One Drizzle database over either engine: postgres.js when DATABASE_URL names a server, or
// embedded PGlite in a folder (the default, so a newcomer needs no database server).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from '../../db/schema/index.ts';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** What every query function takes: the database or a transaction inside it. */
export type Db = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Where it lives, for the start-up log (no password). */
  description: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

// Any constant works; it only has to be the same in every Convene process.
const MIGRATION_LOCK = 7_340_211;

export interface PostgresOptions {
  max?: number;
  /** Called with every statement sent and its parameters (the query-plan test collects them). */
  onQuery?: (text: string, parameters: unknown[]) => void;
}

/**
 * The client Drizzle sees, with every statement sent as a named prepared statement. Drizzle asks
 * postgres.js for unnamed statements unless a query is prepared by hand, and postgres.js then
 * needs two round trips per statement (describe, then execute) and PostgreSQL parses and plans
 * it every time. Prepared, a statement is described once per connection, then each use is a
 * single round trip with a cached plan: a booking's twenty statements cost half the trips.
 * Transactions and savepoints hand Drizzle a new client, which is wrapped in turn.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: unknown[], options?: object) => target.unsafe(query, parameters as never, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const body = args.pop() as (inner: postgres.Sql) => unknown;
          return (Reflect.get(target, property) as (...a: unknown[]) => unknown)(...args, (inner: postgres.Sql) => body(preparing(inner)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * No fetch_types: with it, postgres.js asks pg_type for the array types on every new connection
 * and drops that query's promise (porsager/postgres #1192, #1205, #1223, open). A connection cut
 * during it, as in a database restart, leaves an unhandled rejection, which ends the process, and
 * hands the old error to the next query. Nothing here needs the list: Drizzle reads and writes
 * array columns (programme sessions' speakers) as PostgreSQL's text form itself.
 * tests/faults/driver-startup.pg.test.ts cuts a new connection that way.
 */
const driverOptions = { onnotice: () => {}, fetch_types: false } as const;

export function connectPostgres(url: string, options: PostgresOptions = {}): DatabaseHandle {
  const { onQuery } = options;
  const client = postgres(url, {
    max: options.max ?? 10,
    ...driverOptions,
    ...(onQuery ? { debug: (_connection: number, text: string, parameters: unknown[]) => onQuery(text, parameters) } : {}),
  });
  const db = drizzlePostgres(preparing(client), { schema }) as unknown as Database;
  const parsed = new URL(url);
  return {
    db,
    kind: 'postgres',
    description: `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`,
    async migrate() {
      // Several processes may start at once: one migrates while the others wait. A session lock
      // needs one connection throughout, hence a client of its own with a single connection.
      const single = postgres(url, { max: 1, ...driverOptions });
      try {
        await single`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres(single, { schema }), { migrationsFolder });
        await single`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

export function wrapPglite(client: PGlite, description: string): DatabaseHandle {
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    description,
    async migrate() {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

export async function openPglite(dataDir: string | null): Promise<DatabaseHandle> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true }); // PGlite cannot create nested folders
  const client = await PGlite.create(dataDir ?? undefined);
  return wrapPglite(client, dataDir ? `embedded PGlite in ${dataDir}` : 'embedded PGlite in memory');
}

/** Opens the database the configuration names and brings its schema up to date. */
export async function openDatabase(config: { databaseUrl: string | null; dataDir: string }): Promise<DatabaseHandle> {
  const handle = config.databaseUrl ? connectPostgres(config.databaseUrl) : await openPglite(path.join(config.dataDir, 'pglite'));
  await handle.migrate();
  return handle;
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
