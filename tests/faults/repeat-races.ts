// Runs the race tests on a real PostgreSQL again and again, each run a fresh Vitest process, and
// stops at the first failure with its output. A race that fails one run in a hundred needs this.
//   TEST_DATABASE_URL=postgres://… npm run test:races -- --times 200 [test files…]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const races = [
  'tests/faults/driver-transactions.pg.test.ts',
  'tests/faults/capacity-race.pg.test.ts',
  'tests/registration/race.pg.test.ts',
  'tests/planning/races.pg.test.ts',
  'tests/bursaries/budget-race.pg.test.ts',
];

const { values, positionals } = parseArgs({ options: { times: { type: 'string', default: '20' } }, allowPositionals: true });
const times = Number(values.times);
if (!Number.isInteger(times) || times < 1) {
  console.error('--times needs a whole number of runs, 1 or more.');
  process.exit(2);
}
if (!process.env.TEST_DATABASE_URL) {
  console.error('Set TEST_DATABASE_URL: the race tests run only on a real PostgreSQL.');
  process.exit(2);
}
const files = positionals.length > 0 ? positionals : races;

const began = performance.now();
for (let run = 1; run <= times; run++) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    process.stdout.write(result.stdout + result.stderr);
    console.error(`Run ${run} of ${times} failed after ${seconds} s (${run - 1} passed before it).`);
    process.exit(1);
  }
  console.log(`Run ${run} of ${times} passed in ${seconds} s.`);
}
console.log(`All ${times} runs passed in ${((performance.now() - began) / 60_000).toFixed(1)} min: ${files.join(', ')}`);
