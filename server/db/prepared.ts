// Queries built once and run many times. Building a Drizzle query (walking the schema, naming the
// columns, writing the SQL) costs several times what running it costs our process, and the pages
// everyone gets run the same few queries on every request: measured on the bench's event page, a
// select of an event took ~500 µs of CPU built each time and ~130 µs prepared.
//
// `prepared(build)` gives a function that hands back the query built for a database, building it
// the first time that database (or transaction) asks. Values change per call through
// `sql.placeholder`, so nothing about the request is ever built into the kept query. Values reach
// the driver as they are, without the column's encoding: give a time as an ISO string, not a Date
// (postgres.js refuses a Date there).
import type { Db } from './database.ts';

export function prepared<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<Db, Q>();
  return (db) => {
    let query = built.get(db);
    if (!query) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}
