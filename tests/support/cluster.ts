// A throwaway PostgreSQL cluster, started the way .ci/run starts one: initdb into a temporary
// folder (as the postgres user when run as root) and pg_ctl on a free loopback port. Used by the
// bench, by the fault test that restarts the database under load, and by `npm run test:pg`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Cluster {
  url: string;
  binDir: string;
  /** Stops the server (dropping every connection) and starts it again on the same port. */
  restart(): void;
  stop(): void;
}

export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL is not installed: apt-get install postgresql (or set DATABASE_URL)');
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ClusterOptions {
  /**
   * For a test run: nothing is kept after a crash (fsync off), as in .ci/run, and room for the
   * connections of test files running in parallel. Otherwise durable, as a real server would be.
   */
  forTests?: boolean;
}

export async function startCluster(clusterOptions: ClusterOptions = {}): Promise<Cluster> {
  const binDir = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(binDir, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(binDir, cmd), args, { stdio: 'pipe' });
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const port = await freePort();
  run('initdb', ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  // Durable settings as a real server would have them (fsync on), sized for this machine.
  const settings = clusterOptions.forTests
    ? '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300'
    : '-c max_connections=200 -c shared_buffers=256MB';
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} ${settings}`;
  run('pg_ctl', ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', 'start', '-o', options]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    binDir,
    restart() {
      run('pg_ctl', ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-m', 'fast', 'restart', '-o', options]);
    },
    stop() {
      try {
        run('pg_ctl', ['-D', `${dir}/data`, '-m', 'fast', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
