// The library of reports and resources from every event: public search, organisers' editing,
// and importing an existing archive. Runs the job that adds an import's rows a few at a time,
// in every process (it takes each import with SKIP LOCKED).
import fp from 'fastify-plugin';
import { scheduleJob } from '../jobs.ts';
import { runImports } from './import.ts';
import { libraryRoutes } from './routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    libraryJobs: {
      /** Asks the import job to run soon. */
      nudge(): void;
      /** Adds every ready row of imports under way (tests call it). */
      runDue(): Promise<number>;
    };
  }
}

export const libraryPlugin = fp(
  async (app) => {
    const job = scheduleJob(app, {
      name: 'library imports',
      firstAfterMs: 2_000,
      everyMs: Math.max(app.config.outboxIntervalMs, 10_000),
      run: () => runImports(app.db),
    });
    app.decorate('libraryJobs', { nudge: () => job.nudge(), runDue: () => runImports(app.db, Number.POSITIVE_INFINITY) });
    await app.register(libraryRoutes);
  },
  { name: 'library', dependencies: ['database'] },
);
