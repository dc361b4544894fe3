// What the bench and the profiler share: a database per run, Convene started as `npm start`
// starts it, load with autocannon, and the CPU time of processes from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { freePort } from '../support/cluster.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Convene runs as `npm start` runs it, with the heap limits in package.json's start script.
const startScript = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
export const SERVER_FLAGS = startScript.split(/\s+/).filter((word) => word.startsWith('--'));
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
// What every browser and calendar app sends; cached pages are stored compressed for them.
export const BROWSER = { 'accept-encoding': 'gzip, deflate, br, zstd' };

export function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

export async function databaseFor(baseUrl: string, name: string): Promise<string> {
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.href;
}

export async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  // A minute: on a busy machine, starting (reading and type-stripping every module) is slow.
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not start`);
}

/** CPU seconds (user + system) used so far by these processes, from /proc. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // The command name may contain spaces: the fields after it start at the last ")".
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process has ended
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** The PostgreSQL server's processes when it runs on this machine (the bench's own cluster, or a local one). */
export function postgresPids(): number[] {
  try {
    return execFileSync('pgrep', ['-u', 'postgres'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return null;
  }
}

// With a database server Convene needs the key that seals links in queued email; one for the run.
export const benchOutboxKey = process.env.OUTBOX_KEY || randomBytes(32).toString('hex');
// And the key that encrypts bank details.
export const benchDataKey = process.env.DATA_KEY || randomBytes(32).toString('hex');

export async function startConvene(
  databaseUrl: string,
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...SERVER_FLAGS, path.join(root, 'server/main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      OUTBOX_KEY: benchOutboxKey,
      DATA_KEY: benchDataKey,
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_URL: url,
      DATA_DIR: dataDir,
      SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
      SMTP_URL: '',
      // The bench is one client address sending far more than any person would.
      RATE_LIMIT_PER_MINUTE: '10000000',
      FORM_RATE_LIMIT_PER_MINUTE: '10000000',
      ...extraEnv,
    },
    // The server's own log goes to a file: requests cut off when a load run ends are noise here.
    stdio: ['ignore', fs.openSync(path.join(dataDir, 'server.log'), 'a'), 'inherit'],
  });
  await waitForHttp(`${url}/healthz`, child);
  await settled(child);
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Waits until a freshly started Convene has gone quiet: its jobs' first runs (a new data set has a
 * backlog of thank-you certificates and applications past retention) would otherwise run during
 * the first measurements. Past the latest job's first run, then until a second passes with under
 * 5% of a core used, for at most two minutes.
 */
async function settled(child: ChildProcess): Promise<void> {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await pause(JOBS_FIRST_RUN_MS);
  for (let i = 0; i < 120 && child.exitCode === null; i++) {
    const before = cpuSeconds([child.pid!]);
    await pause(1000);
    if (cpuSeconds([child.pid!]) - before < 0.05) return;
  }
}
// The latest first run of a job (server/bursaries/routes.ts: the retention job, 5 s after start).
const JOBS_FIRST_RUN_MS = 6_000;

export async function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
}

/** One second of the same load first, so that every case (hello world too) is measured warm. */
export async function warm(options: autocannon.Options): Promise<void> {
  await autocannon({ connections: CONNECTIONS, ...options, duration: 1 });
}

/** Statistics as autovacuum would have gathered them on a live database, so plans are realistic. */
export async function analyze(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe('analyze');
  await sql.end();
}

export function summarise(result: autocannon.Result) {
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A GET without fetch's extras: fetch adds Cache-Control: no-cache to conditional requests. */
export function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      })
      .on('error', reject);
  });
}

/** What one request cost the machine in CPU, by process, while the load ran. */
export interface RequestCost {
  conveneMs: number;
  postgresMs: number;
  /** autocannon, in this process. */
  loadMs: number;
}

/** Measures the CPU each process used over `work`, divided by the requests it made. */
export async function costOf<T>(conveneId: number, work: () => Promise<T>, requests: (result: T) => number): Promise<{ result: T; cost: RequestCost }> {
  const pgPids = postgresPids();
  const before = { convene: cpuSeconds([conveneId]), postgres: cpuSeconds(pgPids), load: process.cpuUsage() };
  const result = await work();
  const n = Math.max(1, requests(result));
  const load = process.cpuUsage(before.load);
  return {
    result,
    cost: {
      conveneMs: ((cpuSeconds([conveneId]) - before.convene) * 1000) / n,
      postgresMs: ((cpuSeconds(pgPids) - before.postgres) * 1000) / n,
      loadMs: (load.user + load.system) / 1000 / n,
    },
  };
}

export async function measureGet(
  name: string,
  url: string,
  headers: Record<string, string> = {},
  expectStatus = 200,
  conveneId?: number,
): Promise<{ rps: number; p50: number; p99: number; p99AtHalf: number; cost: RequestCost | null }> {
  const check = await rawGet(url, headers);
  if (check.status !== expectStatus) throw new Error(`${name}: ${url} answered ${check.status}, expected ${expectStatus}`);
  await warm({ url, headers });
  const measured = conveneId
    ? await costOf(
        conveneId,
        () => load({ url, headers }),
        (r) => r.requests.total,
      )
    : { result: await load({ url, headers }), cost: null };
  const full = summarise(measured.result);
  if (full.errors > 0) log(`${name}: ${full.errors} errors`);
  const half = summarise(await load({ url, headers, overallRate: Math.max(1, Math.floor(full.rps / 2)), duration: Math.max(3, Math.floor(SECONDS / 2)) }));
  log(`${name}: ${full.rps} req/s, p50 ${full.p50} ms, p99 ${full.p99} ms; at half rate p99 ${half.p99} ms`);
  return { rps: full.rps, p50: full.p50, p99: full.p99, p99AtHalf: half.p99, cost: measured.cost };
}

/**
 * What would meet a rate target, from what a request cost in the same run: with every core busy
 * the machine has (cores × 1000 / target) ms of CPU a request, shared by Convene, PostgreSQL and
 * the load generator.
 */
export function toMeet(targetRps: number, cost: RequestCost, cores: number): string {
  const ms = (x: number) => (x < 1 ? x.toFixed(2) : x.toFixed(1));
  const budget = (cores * 1000) / targetRps;
  const others = cost.postgresMs + cost.loadMs;
  const now = `${ms(cost.conveneMs)} ms Convene, ${ms(cost.postgresMs)} ms PostgreSQL, ${ms(cost.loadMs)} ms load generator`;
  const head = `to meet ${Math.round(targetRps)}/s: ${cores} cores give ${ms(budget)} ms of CPU a request; it took ${now}`;
  if (others >= budget)
    return `${head}: PostgreSQL and the load generator alone take more than that, so it needs less PostgreSQL work a request or PostgreSQL on cores of its own, before anything in Convene`;
  if (cost.conveneMs <= budget - others)
    return `${head}, ${ms(cost.conveneMs + others)} ms in all: the work fits, so what holds the rate back is waiting, not work (the server and the load generator are a thread each, and neither core was full)`;
  return `${head}: Convene must fall to ${ms(budget - others)} ms, ${(cost.conveneMs / (budget - others)).toFixed(1)}× less`;
}

/** What a process's memory is now, from /proc: its heap and other anonymous memory, and mapped files (code). */
export function rssSplit(pid: number | undefined): string {
  if (!pid) return '';
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
    return `at the end: ${mb('RssAnon')} MB anonymous (the JavaScript heap, buffers, native memory), ${mb('RssFile')} MB mapped files (Node's code)`;
  } catch {
    return '';
  }
}
