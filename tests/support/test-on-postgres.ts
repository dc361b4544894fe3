// `npm run test:pg [-- vitest arguments]`: the suite on a throwaway PostgreSQL of its own, so the
// tests that need a real server (*.pg.test.ts: races, several app instances, a restart) run in
// the developer's loop too, without a server to set up. Starts one the way .ci/run does
// (tests/support/cluster.ts), runs Vitest with TEST_DATABASE_URL pointing at it, and stops it
// however the run ends. Needs PostgreSQL's programs (apt-get install postgresql).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startCluster } from './cluster.ts';

const vitestCli = path.resolve(import.meta.dirname, '../../node_modules/vitest/vitest.mjs');
const cluster = await startCluster({ forTests: true });
console.log(`PostgreSQL for this run: ${cluster.url}`);

let stopped = false;
const stop = () => {
  if (stopped) return;
  stopped = true;
  cluster.stop();
};

process.on('exit', stop);

const vitest = spawn(process.execPath, [vitestCli, 'run', '--project', 'unit', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TEST_DATABASE_URL: cluster.url },
});
// Ctrl-C reaches Vitest too (same process group); the server is stopped once it has finished.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => vitest.kill(signal));
vitest.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});
