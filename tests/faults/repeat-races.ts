// Runs the race tests on a real PostgreSQL again and again and stops at the first failure with its
// output. A race that fails one run in a hundred needs this.
//   TEST_DATABASE_URL=postgres://… npm run test:races -- --times 200 [test files…]
//
// One Vitest process runs them all: starting Vitest, loading the app's modules and migrating the
// template database happen once, not once a run. Every run is still independent: each test file
// clones a fresh database from the template and builds its app on it (tests/support), exactly as
// in `npm test`. The control runs (a test named "… (the control run[s])", which switches the
// event lock off to show the race it guards against is real) prove the test, not the code: they
// run in the first run only.
import { parseArgs } from 'node:util';
import { createVitest } from 'vitest/node';

const races = [
  'tests/faults/driver-transactions.pg.test.ts',
  'tests/faults/driver-startup.pg.test.ts',
  'tests/faults/capacity-race.pg.test.ts',
  'tests/faults/places-race.pg.test.ts',
  'tests/registration/race.pg.test.ts',
  'tests/planning/races.pg.test.ts',
  'tests/bursaries/budget-race.pg.test.ts',
  'tests/invitations/accept-race.pg.test.ts',
  'tests/payments/invoice-numbers.pg.test.ts',
];
const withoutControls = /^(?!.*\(the control runs?\)).*$/;

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

// The dot reporter keeps a passing run to one line and still prints every failure in full.
const vitest = await createVitest('test', { watch: false, project: ['unit'], reporters: ['dot'] });
await vitest.standalone();
const specifications = await vitest.globTestSpecifications(files);
if (specifications.length !== files.length) {
  console.error(`Found ${specifications.length} of the ${files.length} test files: ${files.join(', ')}`);
  process.exit(2);
}

const began = performance.now();
let failed = false;
for (let run = 1; run <= times && !failed; run++) {
  const started = performance.now();
  if (run === 2) vitest.setGlobalTestNamePattern(withoutControls);
  const result = await vitest.runTestSpecifications(specifications);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const ran = result.testModules.flatMap((m) => [...m.children.allTests()]).filter((t) => t.result().state !== 'skipped').length;
  failed = result.unhandledErrors.length > 0 || result.testModules.some((m) => !m.ok());
  if (failed) console.error(`Run ${run} of ${times} failed after ${seconds} s (${run - 1} passed before it): details above.`);
  else console.log(`Run ${run} of ${times} passed in ${seconds} s (${ran} tests).`);
  if (!failed && run === times) console.log(`All ${times} runs passed in ${((performance.now() - began) / 60_000).toFixed(1)} min: ${files.join(', ')}`);
}
await vitest.close();
process.exit(failed ? 1 : 0);
