import { defineConfig } from 'vitest/config';

// Tests named *.pg.test.ts need a real PostgreSQL server (several connections at once, races,
// several app instances); they run when TEST_DATABASE_URL is set, as in .ci/run.
const realPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    // Generous: on a shared 2-core machine under load, building an app on a fresh database (about
    // 3 s of CPU) has taken over a minute of wall time.
    hookTimeout: 120_000,
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Every file builds its own app on its own database, so files can share a worker and the
          // modules it has loaded: isolate: false saves importing the app again for each file (six
          // small files took 31 s of CPU instead of 71 s). One worker per core (Vitest's default is
          // one fewer, so one at a time on two cores): PGlite is WebAssembly inside the worker, so
          // a file keeps a core busy. Forks, not threads: with pool 'threads' every file's
          // beforeAll hung until its timeout.
          isolate: false,
          maxWorkers: '100%',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/browser/**', 'tests/bench/**', ...(realPostgres ? [] : ['tests/**/*.pg.test.ts'])],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          // Added to the shared setup: the Nu HTML Checker over every page visited, once per run.
          globalSetup: ['tests/browser/global-setup.ts'],
          include: ['tests/browser/**/*.test.ts'],
          // One Chromium at a time on a 2-core machine.
          fileParallelism: false,
          testTimeout: 90_000,
          // Closing the harness checks every page a test did not check itself: many on a busy machine.
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
