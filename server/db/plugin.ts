// Makes the database available as `app.db`. The app does not open the database itself: main.ts
// (or a test) opens and migrates it, so tests can hand in a fresh one.
import fp from 'fastify-plugin';
import type { Database, DatabaseHandle } from './database.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    database: DatabaseHandle;
  }
}

export const databasePlugin = fp<{ database: DatabaseHandle; closeOnShutdown: boolean }>(
  async (app, { database, closeOnShutdown }) => {
    app.decorate('database', database);
    app.decorate('db', database.db);
    if (closeOnShutdown) app.addHook('onClose', () => database.close());
  },
  { name: 'database' },
);
