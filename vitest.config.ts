import { defineConfig } from 'vitest/config';

// Tests named *.pg.test.ts need a real PostgreSQL server (several connections at once, races,
// several app instances); they run when TEST_DATABASE_URL is set, as in .ci/run.
const realPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    hookTimeout: 60_000,
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
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
