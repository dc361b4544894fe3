// `npm run bench:profile -- [case ...]`: where Convene's CPU goes when it builds a page.
//
// Loads the bench's data set (or reuses PROFILE_DATABASE_URL, printed by an earlier run), starts
// Convene with the page cache off under `--cpu-prof`, drives each chosen page with autocannon,
// then reads the V8 profile and prints the functions and packages with the most self time.
// Measure with this before changing anything for speed, and again after.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '../../server/accounts/sessions.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { startCluster } from '../support/cluster.ts';
import { generateDataset } from './dataset.ts';
import { analyze, BROWSER, cpuSeconds, databaseFor, load, log, root, startConvene, summarise, warm } from './harness.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
}

/** Self time per function and per package (or "convene:<file>" for our own code). */
export function summariseProfile(
  profile: CpuProfile,
  lastMs: number,
  top = 25,
): { functions: [string, number][]; packages: [string, number][]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Only the samples of the measured load: starting up (loading modules) is not a page's cost.
  const selfMs = new Map<number, number>();
  const at: number[] = [];
  let time = profile.endTime;
  for (let i = profile.samples.length - 1; i >= 0; i--) {
    at[i] = time;
    time -= profile.timeDeltas[i] ?? 0;
  }
  const from = profile.endTime - lastMs * 1000;
  profile.samples.forEach((id, i) => {
    if (at[i]! >= from) selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    totalMs += ms;
    const where = placeOf(frame.url);
    const name = `${(frame.functionName || '(anonymous)').slice(0, 60)} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    packages.set(where, (packages.get(where) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { functions: sorted(functions), packages: sorted(packages), totalMs };
}

function placeOf(url: string): string {
  if (!url) return '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1]!;
  if (url.startsWith('node:')) return url;
  const local = url.replace(/^file:\/\//, '');
  return local.startsWith(root) ? `convene:${path.relative(root, local)}` : local;
}

/**
 * The CPU split of one page under load, as a line for the bench's table: built each time (the
 * page cache off), or `cached` as anonymous visitors get it.
 */
export async function cpuSplit(
  databaseUrl: string,
  dataDir: string,
  pagePath: string,
  headers: Record<string, string>,
  options: { seconds?: number; cached?: boolean } = {},
): Promise<string> {
  const profileDir = fs.mkdtempSync(path.join(dataDir, 'split-'));
  const cache: Record<string, string> = options.cached ? {} : { PAGE_CACHE_SECONDS: '0' };
  const app = await startConvene(databaseUrl, dataDir, { ...cache, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` });
  await warm({ url: `${app.url}${pagePath}`, headers });
  const started = Date.now();
  const cpuBefore = cpuSeconds([app.child.pid!]);
  const result = await load({ url: `${app.url}${pagePath}`, headers, duration: options.seconds ?? 4 });
  const cpuMs = (cpuSeconds([app.child.pid!]) - cpuBefore) * 1000;
  const measuredMs = Date.now() - started;
  await app.stop();
  // What a request costs in CPU does not depend on how busy the rest of the machine is.
  const perRequest = `${(cpuMs / Math.max(1, result.requests.total)).toFixed(1)} ms of CPU a request (profiler running)`;
  const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return `${perRequest}; no CPU profile written`;
  const summary = summariseProfile(JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile, measuredMs, 6);
  const share = (ms: number) => `${Math.round((100 * ms) / summary.totalMs)}%`;
  const gc = summary.functions.find(([fn]) => fn.startsWith('(garbage collector)'));
  return `${perRequest}; CPU: ${summary.packages.map(([where, ms]) => `${where} ${share(ms)}`).join(', ')}${gc ? ` (garbage collection ${share(gc[1])})` : ''}`;
}

async function main() {
  const wanted = process.argv.slice(2);
  const cluster = process.env.PROFILE_DATABASE_URL || process.env.DATABASE_URL ? null : await startCluster();
  let databaseUrl = process.env.PROFILE_DATABASE_URL ?? '';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-profile-'));
  let convene: Awaited<ReturnType<typeof startConvene>> | null = null;
  try {
    if (!databaseUrl) {
      databaseUrl = await databaseFor(process.env.DATABASE_URL || cluster!.url, `convene_profile_${Date.now()}`);
      log('loading the bench data set');
      const handle = connectPostgres(databaseUrl);
      await handle.migrate();
      await generateDataset(handle.db, { events: 300, registrations: 30_000, applications: 2_000 });
      await handle.close();
      await analyze(databaseUrl);
      log(`loaded; to reuse it: PROFILE_DATABASE_URL=${databaseUrl}`);
    }
    const handle = connectPostgres(databaseUrl);
    const cases = await casesFor(handle.db);
    await handle.close();
    const chosen = wanted.length ? cases.filter((c) => wanted.includes(c.name)) : cases;
    if (chosen.length === 0) throw new Error(`No such case; choose from ${cases.map((c) => c.name).join(', ')}`);

    const profileDir = path.join(dataDir, 'profiles');
    let loadStarted = 0;
    let requests = 0;
    convene = await startConvene(databaseUrl, dataDir, { PAGE_CACHE_SECONDS: '0', NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` });
    for (const c of chosen) {
      const headers = { ...BROWSER, ...(c.cookie ? { cookie: c.cookie } : {}) };
      const check = await fetch(`${convene.url}${c.path}`, { headers, redirect: 'manual' });
      if (check.status !== 200) throw new Error(`${c.name}: ${c.path} answered ${check.status}`);
      await warm({ url: `${convene.url}${c.path}`, headers });
      // From the first measured load: starting up and warming are not a page's cost. (With several
      // cases the later ones' warm-up seconds are counted; profile one page at a time to compare.)
      loadStarted ||= Date.now();
      const cpuBefore = cpuSeconds([convene.child.pid!]);
      const raw = await load({ url: `${convene.url}${c.path}`, headers });
      const cpuMs = (cpuSeconds([convene.child.pid!]) - cpuBefore) * 1000;
      const result = summarise(raw);
      requests += raw.requests.total;
      // On a shared machine the rate depends on the neighbours; the CPU a request costs does not.
      log(
        `${c.name}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms; ${(cpuMs / Math.max(1, raw.requests.total)).toFixed(2)} ms of CPU a request (profiler running)`,
      );
    }
    const measuredMs = Date.now() - loadStarted;
    await convene.stop();
    convene = null;
    const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('Convene wrote no CPU profile');
    const kept = path.join(root, 'data/bench', `profile-${chosen.map((c) => c.name).join('-')}.cpuprofile`);
    fs.mkdirSync(path.dirname(kept), { recursive: true });
    fs.copyFileSync(path.join(profileDir, file), kept);
    const summary = summariseProfile(JSON.parse(fs.readFileSync(kept, 'utf8')) as CpuProfile, measuredMs);
    const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1)}%`;
    console.log(
      `\nBusy ${Math.round(summary.totalMs)} ms of ${measuredMs} ms under load, ${(summary.totalMs / Math.max(1, requests)).toFixed(2)} ms a request. Self time by package:`,
    );
    console.table(summary.packages.map(([where, ms]) => ({ where, share: pct(ms) })));
    console.log('Self time by function:');
    console.table(summary.functions.map(([fn, ms]) => ({ function: fn, share: pct(ms) })));
    console.log(`Profile kept in ${path.relative(root, kept)} (open it in Chromium's DevTools).`);
  } finally {
    await convene?.stop();
    cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The pages the issue names, with sessions for the organiser and the member the data set made. */
export async function casesFor(db: ReturnType<typeof connectPostgres>['db']): Promise<{ name: string; path: string; cookie?: string }[]> {
  const { events, bursaryFunds, people } = await import('../../db/schema/index.ts');
  const { eq } = await import('drizzle-orm');
  const [big] = await db.select({ id: events.id, slug: events.slug }).from(events).where(eq(events.slug, 'annual-conference'));
  const [fund] = await db.select({ id: bursaryFunds.id }).from(bursaryFunds).where(eq(bursaryFunds.eventId, big!.id));
  const [organiser] = await db.select({ id: people.id }).from(people).where(eq(people.email, 'organiser@bench.example.org'));
  const [member] = await db.select({ id: people.id }).from(people).where(eq(people.email, 'person0@bench.example.org'));
  const cookieFor = async (personId: string) => `convene_session=${await createSession(db, personId, 'bench', 90)}`;
  const organiserCookie = await cookieFor(organiser!.id);
  return [
    { name: 'home', path: '/' },
    { name: 'list', path: '/events' },
    { name: 'event', path: `/events/${big!.slug}` },
    { name: 'bookings', path: '/account/bookings', cookie: await cookieFor(member!.id) },
    { name: 'attendees', path: `/organise/events/${big!.slug}/attendees`, cookie: organiserCookie },
    { name: 'planning', path: `/plan/${big!.id}`, cookie: organiserCookie },
    { name: 'fund', path: `/bursaries/funds/${fund!.id}`, cookie: organiserCookie },
  ];
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
