// Queries built once and run many times. Building a Drizzle query (walking the schema, naming the
// columns, writing the SQL) costs several times what running it costs our process, and the pages
// everyone gets run the same few queries on every request: measured on the bench's event page, a
// select of an event took ~500 µs of CPU built each time and ~130 µs prepared.
//
// `prepared(build)` gives a function that hands back the query built for a database or a
// transaction. It is built the first time one of each engine (postgres.js, PGlite) asks, and
// after that only pointed at the connection that asks: a transaction's own client (a booking's
// statements run inside one, and a transaction is a new object each time), or another pool's.
// Values change per call through `sql.placeholder`, so nothing about the request is ever built
// into the kept query. Values reach the driver as they are, without the column's encoding: give
// a time as an ISO string, not a Date (postgres.js refuses a Date there).
import type { Db } from './database.ts';

/**
 * What Drizzle keeps on a database, a transaction and a prepared query (drizzle-orm 0.45,
 * postgres-js and pglite drivers): the session whose `client` runs the statements, and the client
 * a prepared query was made with (the query reads `this.client` when it runs).
 */
interface WithSession {
  session: { client: unknown };
}
interface WithClient {
  client: unknown;
}

export function prepared<Q extends object>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<object, Q>();
  return (db) => {
    const session = (db as unknown as WithSession).session;
    const engine = session.constructor;
    let query = built.get(engine);
    if (!query) {
      query = build(db);
      // Only a prepared query can be pointed at another connection: a query builder kept here
      // would run every later call on the first caller's connection, whatever transaction asked.
      if (!('client' in query)) throw new Error('prepared(): finish the query with .prepare(name)');
      built.set(engine, query);
    }
    const client = session.client;
    if ((query as unknown as WithClient).client === client) return query;
    // The same built statement, run on this caller's connection.
    return Object.create(query, { client: { value: client } }) as Q;
  };
}
