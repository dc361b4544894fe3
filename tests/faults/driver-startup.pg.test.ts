// postgres.js 3.4.9 runs a query of its own on every new connection (the array types in
// pg_type, when fetch_types is on, its default) and drops that query's promise
// (porsager/postgres #1192, #1205, #1223, all open). If the connection is cut while that query is
// out, as when PostgreSQL restarts while the pool is opening connections, the rejection is
// unhandled, and an unhandled rejection ends a Node process: one database restart could take the
// whole server down. CI met it once, in tests/faults/database-restart.pg.test.ts. And when a
// socket closed mid-query, the query and the server's error stayed on the connection, and the
// first query after the reconnect failed with the old backend's error (#1223).
//
// Convene's clients do not fetch types (server/db/database.ts says why that is safe), and
// patches/postgres+3.4.9.patch clears the old backend's query and error when a socket closes.
// Here a TCP proxy in front of the real server cuts the first connection at its first query,
// whatever that query is, as PostgreSQL does when it shuts down (a FATAL 57P01, then the socket
// closes), so the test is exact rather than a matter of timing. The first thing asked is a
// transaction, as in a booking. The test fails with either fix taken away.
import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../server/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

interface Proxy {
  url: string;
  /** How many connections were cut at their first query. */
  cut: number;
  /** Whether any query through the proxy was the driver's own look-up of array types. */
  askedForTypes: boolean;
  close(): Promise<void>;
}

/**
 * What PostgreSQL sends each backend's client as it shuts down: an ErrorResponse, severity FATAL,
 * SQLSTATE 57P01, before it closes the connection.
 */
function terminating(): Buffer {
  const fields = [
    ['S', 'FATAL'],
    ['V', 'FATAL'],
    ['C', '57P01'],
    ['M', 'terminating connection due to administrator command'],
  ];
  const body = Buffer.concat([...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** A proxy to the test database that cuts the first connection through it at its first query. */
async function cuttingProxy(target: URL): Promise<Proxy> {
  const proxy: Proxy = { url: '', cut: 0, askedForTypes: false, close: async () => {} };
  let connections = 0;
  const server = net.createServer((client) => {
    const first = connections++ === 0;
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.on('data', (chunk: Buffer) => {
      if (chunk.includes('pg_catalog.pg_type')) proxy.askedForTypes = true;
      // A simple query ('Q') or the Parse ('P') of an extended one: the first query of any kind.
      // The startup message and password messages come before it and pass through.
      if (first && (chunk[0] === 0x51 || chunk[0] === 0x50)) {
        proxy.cut++;
        client.end(terminating());
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  proxy.url = url.toString();
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}

describe('a connection cut while it starts', () => {
  it('fails only the transaction that was waiting, leaves no unhandled rejection, and the next query works', async () => {
    const proxy = await cuttingProxy(new URL(database.url!));
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    const handle = connectPostgres(proxy.url, { max: 1 });
    try {
      // A transaction first, as a booking's is: the driver reserves the new connection for it, and
      // that is the path on which the dropped query's failure escapes.
      const first = await handle.db
        .transaction((tx) => tx.execute(sql`select 1 as one`))
        .then(
          () => 'answered',
          (error: { code?: string }) => error.code ?? 'failed',
        );
      // The driver fails the transaction cleanly (or retries it on a new connection).
      expect(['answered', '57P01', 'CONNECTION_CLOSED']).toContain(first);
      const rows = await handle.db.execute(sql`select 2 as two`);
      expect(rows).toEqual([{ two: 2 }]);
      // A rejection counts as unhandled once the microtasks after it have run; give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(proxy.cut).toBe(1);
      expect(proxy.askedForTypes).toBe(false);
      expect(unhandled.map((r) => String(r))).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
      await handle.close();
      await proxy.close();
    }
  });
});
