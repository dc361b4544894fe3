// postgres.js 3.4.9 could write a transaction's BEGIN on a connection it never reserved
// (porsager/postgres #823, #1189, #1210): the BEGIN failed with UNSAFE_TRANSACTION (or a
// TypeError with max: 1), the transaction stayed open on the server, and the connection went
// back to the pool, so unrelated queries ran inside it. patches/postgres+3.4.9.patch fixes it;
// these tests fail on the unpatched driver.
//
// Each case drives the driver into one such path on purpose. Queries are dispatched in one
// synchronous burst, so which connection each lands on, and in what order, follows from the
// pool's code and fixed counts, not from timing. Every statement reports its transaction id
// (pg_current_xact_id() gives each autocommit statement a new one), so "no query ran inside
// another's transaction" is checked directly: no two units of work share an id.
import net from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let admin: postgres.Sql;
beforeAll(async () => {
  database = await createTestDatabase();
  admin = postgres(database.url!, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await admin?.end();
  await database?.close();
});

const xidQuery = 'select pg_current_xact_id()::text as xid';
type Row = { xid: string };

/** Options postgres.js reads that its type definitions leave out. */
interface DriverOptions {
  max: number;
  max_pipeline?: number;
  socket?: (options: { host: string[]; port: number[] }) => net.Socket;
}

function pool(options: DriverOptions): postgres.Sql {
  return postgres(database.url!, {
    onnotice: () => {},
    connection: { application_name: 'driver-test' },
    ...(options as postgres.Options<Record<string, postgres.PostgresType>>),
  });
}

/** Opens every connection of the pool, so a burst afterwards meets idle connections in the pool's queue. */
async function warm(sql: postgres.Sql, max: number): Promise<void> {
  await Promise.all(Array.from({ length: max }, () => sql`select pg_sleep(0.05)`.execute()));
}

function plain(sql: postgres.Sql): Promise<string> {
  return sql`select pg_current_xact_id()::text as xid`.execute().then((rows) => (rows[0] as Row).xid);
}

function transaction(sql: postgres.Sql): Promise<string> {
  return sql.begin(async (tx) => ((await tx`select pg_current_xact_id()::text as xid`)[0] as Row).xid) as Promise<string>;
}

/** Every unit of work succeeded, each in a transaction of its own, and none was left open. */
async function expectSeparateTransactions(work: Promise<string>[]): Promise<void> {
  const settled = await Promise.allSettled(work);
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [`${(s.reason as { code?: string }).code ?? ''} ${(s.reason as Error).message}`] : []));
  const xids = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  expect({ failures, sharingATransaction: xids.length - new Set(xids).size }).toEqual({ failures: [], sharingATransaction: 0 });
  await expectNothingLeftOpen();
}

/** No backend of ours stays idle in a transaction (one whose connection was just closed may take a moment to exit). */
async function expectNothingLeftOpen(): Promise<void> {
  const leftOpen = async () =>
    (
      await admin`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'driver-test' and state like 'idle in transaction%'`
    )[0]!.n;
  await expect.poll(leftOpen, { timeout: 5_000, interval: 100 }).toBe(0);
}

/** A promise's value, or a clear failure if it has not settled in 20 s (rather than the test's timeout). */
async function settlesWithin<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after 20 s`)), 20_000);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A real connection whose socket reports a full buffer on every write; the bytes still go. */
function backedUpSocket(host: string, port: number): net.Socket {
  // After connect(): it resets a replaced write().
  const socket = new net.Socket().connect(port, host);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    write(...args);
    return false;
  }) as typeof socket.write;
  return socket;
}

describe('postgres.js never lets a query run inside another caller’s transaction', () => {
  it('reserves a connection whose pipeline a BEGIN fills (max_pipeline 100, two busy connections)', async () => {
    const sql = pool({ max: 2 });
    try {
      await warm(sql, 2);
      const work: Promise<string>[] = [];
      // 200 plain queries go alternately to the two connections: on each, one runs and 99 wait.
      // The next two are BEGINs, each the 100th waiting query on its connection (the boundary).
      // Then transactions and plain queries interleave, queued for whichever connection frees.
      for (let i = 0; i < 200; i++) work.push(plain(sql));
      work.push(transaction(sql), transaction(sql));
      for (let i = 0; i < 40; i++) work.push(i % 4 === 0 ? transaction(sql) : plain(sql));
      await expectSeparateTransactions(work);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('reserves the only connection when a BEGIN fills its pipeline (max 1, porsager/postgres#1189)', async () => {
    // With max: 1 postgres.js lets a raw BEGIN through, so nothing but the reservation keeps the
    // next caller out of the transaction: unpatched, sql.begin() failed with a TypeError and the
    // following queries ran inside the transaction it had left open.
    const sql = pool({ max: 1 });
    try {
      await warm(sql, 1);
      const work: Promise<string>[] = [];
      // One runs and 99 wait; BEGIN is the 100th waiting query: the boundary.
      for (let i = 0; i < 100; i++) work.push(plain(sql));
      work.push(transaction(sql));
      for (let i = 0; i < 20; i++) work.push(i % 4 === 0 ? transaction(sql) : plain(sql));
      await expectSeparateTransactions(work);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('sql.begin works with pipelining off (max_pipeline 0, porsager/postgres#1210)', async () => {
    const sql = pool({ max: 2, max_pipeline: 0 });
    try {
      await warm(sql, 2);
      const work: Promise<string>[] = [];
      for (let i = 0; i < 30; i++) work.push(i % 3 === 0 ? transaction(sql) : plain(sql));
      await expectSeparateTransactions(work);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('reserves a connection when the socket is backed up as BEGIN is written', async () => {
    // Under load a socket's buffer fills and write() answers false ("wait for 'drain'"). The
    // socket here is real but answers every write that way, so a write that reaches it is one
    // that meets a full buffer. postgres.js gathers writes under 1,024 bytes and hands them to
    // the socket together, so a 1,016-byte query followed by BEGIN's 12 bytes on the same
    // connection puts BEGIN in the write that gets false.
    const sql = pool({ max: 2, socket: ({ host, port }) => backedUpSocket(host[0]!, port[0]!) });
    try {
      await warm(sql, 2);
      const pad = 'x'.repeat(1010 - Buffer.byteLength(`${xidQuery}, '' as pad`));
      const filler = `${xidQuery}, '${pad}' as pad`;
      expect(1 + 4 + Buffer.byteLength(filler) + 1).toBe(1016);
      const big = () =>
        sql
          .unsafe<Row[]>(filler)
          .execute()
          .then((rows) => rows[0]!.xid);
      const work: Promise<string>[] = [big(), big(), transaction(sql), transaction(sql)];
      for (let i = 0; i < 20; i++) work.push(i % 4 === 0 ? transaction(sql) : plain(sql));
      await expectSeparateTransactions(work);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('keeps a transaction’s connection out of the pool when its socket drains mid-transaction', async () => {
    // Node emits 'drain' when a write that met a full buffer has gone; postgres.js took that as
    // "this connection is free" even while a transaction held it between two statements.
    let socket: net.Socket | undefined;
    const sql = pool({
      max: 1,
      socket: ({ host, port }) => (socket = new net.Socket().connect(port[0]!, host[0]!)),
    });
    try {
      await warm(sql, 1);
      let outside: Promise<string> | undefined;
      const held = sql.begin(async (tx) => {
        const [row] = (await tx`select pg_current_xact_id()::text as xid`) as unknown as Row[];
        socket!.emit('drain');
        outside = plain(sql);
        await tx`select 1`;
        return row!.xid;
      }) as Promise<string>;
      await held.catch(() => {});
      await expectSeparateTransactions([held, outside!]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('closes a pooled connection that a raw BEGIN left inside a transaction, instead of reusing it', async () => {
    // postgres.js refuses BEGIN outside sql.begin() when max > 1, but used to leave the server's
    // transaction open and put the connection back in the pool. Whatever sends the BEGIN, a
    // connection nobody reserved must never serve queries from inside a transaction.
    const sql = pool({ max: 2 });
    try {
      await warm(sql, 2);
      await expect(sql`begin`.execute()).rejects.toMatchObject({ code: 'UNSAFE_TRANSACTION' });
      const work: Promise<string>[] = [];
      for (let i = 0; i < 10; i++) work.push(plain(sql));
      await expectSeparateTransactions(work);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('gives a waiting sql.reserve() the connection that replaces a closed one (porsager/postgres#1195)', async () => {
    // The patch closes a connection found inside a leaked transaction. 3.4.9 then handed a
    // reserve() waiting in the pool's queue to that connection's reconnect, which dropped it: the
    // reserve() never settled. Here one connection is busy for good and the other leaks.
    const sql = pool({ max: 2 });
    try {
      await warm(sql, 2);
      const busy = sql`select pg_sleep(60)`.execute();
      busy.catch(() => {}); // cancelled at the end
      const leaked = sql`begin`.execute().catch((error: { code?: string }) => error.code);
      await new Promise((resolve) => setImmediate(resolve)); // both dispatched: no idle connection left
      const reserving = sql.reserve();
      expect(await leaked).toBe('UNSAFE_TRANSACTION');
      const reserved = await settlesWithin(reserving, 'sql.reserve() after its connection was replaced');
      try {
        await expectSeparateTransactions([plain(reserved), plain(reserved)]);
      } finally {
        reserved.release();
        await busy.cancel();
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('never hands sql.reserve() a connection that a raw BEGIN left inside a transaction', async () => {
    // sql.reserve() takes an idle connection from the pool: it must not be one still inside a
    // transaction, or everything the holder runs (each statement meant to commit on its own)
    // would be rolled back or committed with a stranger's work.
    const sql = pool({ max: 2 });
    try {
      await warm(sql, 2);
      await expect(sql`begin`.execute()).rejects.toMatchObject({ code: 'UNSAFE_TRANSACTION' });
      const held = await settlesWithin(Promise.all([sql.reserve(), sql.reserve()]), 'two sql.reserve() calls');
      try {
        const work: Promise<string>[] = [];
        for (const reserved of held) for (let i = 0; i < 3; i++) work.push(plain(reserved));
        await expectSeparateTransactions(work);
      } finally {
        for (const reserved of held) reserved.release();
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
