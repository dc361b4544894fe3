// `npm run bench`: Convene under load on this machine, beside the machine's own limits.
//
// It starts a PostgreSQL (DATABASE_URL's server, or a throwaway cluster like CI's), loads a
// generated data set, starts Convene as a separate process, and drives it with autocannon over
// loopback. In the same run it measures a bare Fastify hello-world (the ceiling for reads) and
// PostgreSQL's single-row insert rate with pgbench (the ceiling for registrations), and prints
// each case's ratio to its ceiling. The table is also written as JSON under ./data/bench/.
import { execFileSync, type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { bookingRequests, registrations, ticketTypes } from '../../db/schema/index.ts';
import { hashSecret, newSecret } from '../../server/secrets.ts';
import { createSession } from '../../server/accounts/sessions.ts';
import { makePrivateFeedToken } from '../../server/calendar/private-feeds.ts';
import { connectPostgres } from '../../server/db/database.ts';
import { type Cluster, freePort, postgresBinDir, startCluster } from '../support/cluster.ts';
import { generateDataset, insertEvents } from './dataset.ts';
import { cpuSplit } from './profile.ts';
import {
  analyze,
  BROWSER,
  CONNECTIONS,
  cpuSeconds,
  databaseFor,
  load,
  log,
  measureGet,
  peakRssMb,
  type RequestCost,
  rssSplit,
  postgresPids,
  rawGet,
  root,
  SECONDS,
  startConvene,
  summarise,
  toMeet,
  waitForHttp,
  warm,
} from './harness.ts';

const CORES = os.cpus().length;

/**
 * `BENCH_CASES=bookings` (or any of pages, bookings, built, growth, comma-separated) runs only
 * those cases; the ceilings (hello world, pgbench) and the data set are measured and loaded always.
 */
const chosenCases = process.env.BENCH_CASES?.split(',').map((c) => c.trim());
const wanted = (group: 'pages' | 'bookings' | 'built' | 'growth') => !chosenCases || chosenCases.includes(group);

interface Row {
  case: string;
  rps: number;
  p50: number;
  p99: number;
  /** p99 when driven at half the measured maximum rate. */
  p99AtHalf: number | null;
  peakRssMb: number | null;
  limit: string;
  ratio: number;
  target: string;
  met: boolean | null;
  note?: string;
}

/** PostgreSQL's own single-row insert rate on this machine, by pgbench. */
async function pgbenchInserts(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe('create table if not exists bench_inserts (id bigserial primary key, v int not null, at timestamptz not null default now())');
  await sql.end();
  const script = path.join(os.tmpdir(), `convene-pgbench-${process.pid}.sql`);
  fs.writeFileSync(script, 'insert into bench_inserts (v) values (1);\n');
  try {
    const output = execFileSync(
      path.join(postgresBinDir(), 'pgbench'),
      ['-n', '-c', String(CONNECTIONS), '-j', '2', '-T', String(SECONDS), '-f', script, databaseUrl],
      {
        encoding: 'utf8',
      },
    );
    return Math.round(Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 0));
  } finally {
    fs.rmSync(script, { force: true });
  }
}

async function main() {
  const cluster: Cluster | null = process.env.DATABASE_URL ? null : await startCluster();
  const serverUrl = process.env.DATABASE_URL || cluster!.url;
  log(`PostgreSQL: ${new URL(serverUrl).host}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-bench-'));
  const rows: Row[] = [];
  const growth: { events: number; listRps: number; listP50: number; feedRps: number; feedP50: number; feedBytes: number }[] = [];
  let convene: Awaited<ReturnType<typeof startConvene>> | null = null;
  let hello: ChildProcess | null = null;
  try {
    // The ceilings first, on a quiet machine.
    const helloPort = await freePort();
    hello = spawn(process.execPath, [path.join(root, 'tests/bench/hello.ts')], { env: { ...process.env, PORT: String(helloPort) }, stdio: 'inherit' });
    await waitForHttp(`http://127.0.0.1:${helloPort}/`, hello);
    await warm({ url: `http://127.0.0.1:${helloPort}/`, headers: BROWSER });
    const helloWorld = summarise(await load({ url: `http://127.0.0.1:${helloPort}/`, headers: BROWSER }));
    const helloRss = peakRssMb(hello.pid);
    hello.kill('SIGTERM');
    hello = null;
    log(`hello world: ${helloWorld.rps} req/s`);

    const benchDb = await databaseFor(serverUrl, `convene_bench_${Date.now()}`);
    const inserts = await pgbenchInserts(benchDb);
    log(`pgbench single-row inserts: ${inserts} per second`);

    log('loading the data set (300 events, 30,000 registrations, 2,000 bursary applications)');
    const handle = connectPostgres(benchDb);
    await handle.migrate();
    const data = await generateDataset(handle.db, { events: 300, registrations: 30_000, applications: 2_000 });
    const { token } = await makePrivateFeedToken(handle.db, {
      id: data.peopleIds[0]!,
      email: 'person0@bench.example.org',
      displayName: 'Person 0',
      roles: [],
      isAdmin: false,
      isOrganiser: false,
      sessionHash: '',
    });
    await analyze(benchDb);

    convene = await startConvene(benchDb, dataDir);
    const base = convene.url;
    const read = (name: string, r: Awaited<ReturnType<typeof measureGet>>, target: number, p99Ms = 100) => {
      const ratio = helloWorld.rps ? r.rps / helloWorld.rps : 0;
      const { cost, ...figures } = r;
      rows.push({
        case: name,
        ...figures,
        peakRssMb: null,
        limit: 'hello world',
        ratio,
        target: target ? `≥ ${target}, p99 ≤ ${p99Ms} ms at ½` : `p99 ≤ ${p99Ms} ms at ½`,
        met: ratio >= target && r.p99AtHalf <= p99Ms,
        // A rate missed: what a request cost, and what it would have to cost.
        ...(ratio < target && cost ? { note: toMeet(target * helloWorld.rps, cost, CORES) } : {}),
      });
    };
    const upcomingSlug = data.slugs[Math.floor(data.slugs.length * 0.8)]!;
    // Pages anonymous visitors get from the page cache: [case, path, headers, target ratio].
    const cachedPages: [string, string, Record<string, string>, number][] = [];
    if (wanted('pages')) {
      const etag = String((await rawGet(`${base}/calendar.ics`, BROWSER)).headers.etag ?? '');
      cachedPages.push(
        ['home page', '/', BROWSER, 0.4],
        ['event list, filtered', '/events?type=seminar', BROWSER, 0.4],
        ['event page (anonymous)', `/events/${upcomingSlug}`, BROWSER, 0.5],
        ['/calendar.ics in full', '/calendar.ics', BROWSER, 0.1],
        ['/calendar.ics, 304', '/calendar.ics', { ...BROWSER, 'if-none-match': etag }, 0.8],
      );
      for (const [name, pagePath, headers, target] of cachedPages) {
        read(name, await measureGet(name, `${base}${pagePath}`, headers, name.endsWith('304') ? 304 : 200, convene.child.pid), target);
      }
      // Personal, so never cached: the bar for it is the p99 at half its maximum rate.
      read('private feed', await measureGet('private feed', `${base}/calendar/private/${token}.ics`, BROWSER), 0);
    }

    if (wanted('bookings')) {
      // Registrations: real form posts with a CSRF token, each a different person, on one event.
      // A booking without a signed-in address is made when its address confirms it from the
      // emailed link, so the bench confirms booking requests made beforehand (as many as the run
      // can use), one per post: that is where the place is decided and the booking written.
      const page = await fetch(`${base}/events/${data.hotEvent.slug}/book`);
      const html = await page.text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
      if (!csrf || !cookie) throw new Error('No CSRF token on the booking page');
      const [type] = await handle.db.select({ id: ticketTypes.id }).from(ticketTypes).where(eq(ticketTypes.eventId, data.hotEvent.id));
      const tokens: string[] = [];
      const expiresAt = new Date(Date.now() + 86_400_000);
      for (let batch = 0; batch < Number(process.env.BENCH_BOOKING_REQUESTS ?? 20_000) / 1000; batch++) {
        const rows = Array.from({ length: 1000 }, () => {
          const token = newSecret();
          const i = tokens.push(token);
          const email = `bench${i}-${process.pid}@example.org`;
          const fields = {
            ticketTypeId: type!.id,
            name: `Bench person ${i}`,
            email,
            companion: false,
            companionName: '',
            organisation: '',
            perspective: '',
            accessRequirements: '',
            dietaryNeeds: '',
            consentFutureEvents: false,
            answers: {},
          };
          return { eventId: data.hotEvent.id, ticketTypeId: type!.id, email, fields, tokenHash: hashSecret(token), requestedIp: '127.0.0.1', expiresAt };
        });
        await handle.db.insert(bookingRequests).values(rows);
      }
      let n = 0;
      const before = Date.now();
      const cpuBefore = { convene: cpuSeconds([convene.child.pid!]), postgres: cpuSeconds(postgresPids()), load: process.cpuUsage() };
      const result = await load({
        url: base,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
            setupRequest: (request) => {
              // Past the tokens made beforehand, a used link answers 410 (counted as non-2xx).
              const token = tokens[n++ % tokens.length]!;
              const body = new URLSearchParams({ _csrf: csrf });
              return { ...request, path: `/bookings/confirm/${token}`, body: body.toString() };
            },
          },
        ],
      });
      const seconds = (Date.now() - before) / 1000;
      const cpuAfter = { convene: cpuSeconds([convene.child.pid!]), postgres: cpuSeconds(postgresPids()), load: process.cpuUsage(cpuBefore.load) };
      const booked = await handle.db.select({ status: registrations.status }).from(registrations).where(eq(registrations.eventId, data.hotEvent.id));
      const confirmed = booked.filter((b) => b.status === 'confirmed').length;
      const waitlisted = booked.filter((b) => b.status === 'waitlisted').length;
      const committed = Math.round(booked.length / seconds);
      const regSummary = summarise(result);
      log(
        `registrations: ${booked.length} committed in ${seconds.toFixed(1)} s (${confirmed} confirmed, ${waitlisted} waiting list), ${regSummary.non2xx} non-2xx (303 expected)`,
      );
      // What one booking costs the machine: with two cores, 2 s of CPU per second is the ceiling.
      const perBooking: RequestCost = {
        conveneMs: ((cpuAfter.convene - cpuBefore.convene) * 1000) / Math.max(1, booked.length),
        postgresMs: ((cpuAfter.postgres - cpuBefore.postgres) * 1000) / Math.max(1, booked.length),
        loadMs: (cpuAfter.load.user + cpuAfter.load.system) / 1000 / Math.max(1, booked.length),
      };
      log(
        `CPU per booking: Convene ${perBooking.conveneMs.toFixed(2)} ms, PostgreSQL ${perBooking.postgresMs.toFixed(2)} ms (confirmation emails sent meanwhile included)`,
      );
      rows.push({
        case: 'registrations on one hot event (committed/s)',
        rps: committed,
        p50: regSummary.p50,
        p99: regSummary.p99,
        p99AtHalf: null,
        peakRssMb: null,
        limit: 'pgbench inserts',
        ratio: inserts ? committed / inserts : 0,
        target: '≥ 500/s',
        met: committed >= 500,
        note: [
          `${confirmed} confirmed, then ${waitlisted} on the waiting list; CPU per booking: Convene ${perBooking.conveneMs.toFixed(2)} ms, PostgreSQL ${perBooking.postgresMs.toFixed(2)} ms`,
          ...(committed < 500 ? [toMeet(500, perBooking, CORES)] : []),
        ].join('; '),
      });
    }

    const rss = peakRssMb(convene.child.pid);
    rows.push({
      case: 'server peak RSS (MB)',
      rps: 0,
      p50: 0,
      p99: 0,
      p99AtHalf: null,
      peakRssMb: rss,
      limit: 'hello world RSS',
      ratio: helloRss && rss ? rss / helloRss : 0,
      target: '≤ 200 MB',
      met: rss !== null && rss <= 200,
      note: rssSplit(convene.child.pid),
    });
    await convene.stop();
    convene = null;

    // Pages built each time (the page cache off), as every signed-in person gets them.
    const cookieFor = async (personId: string) => ({ ...BROWSER, cookie: `convene_session=${await createSession(handle.db, personId, 'bench', 90)}` });
    const [member, organiser] = [await cookieFor(data.memberId), await cookieFor(data.organiserId)];
    convene = await startConvene(benchDb, dataDir, { PAGE_CACHE_SECONDS: '0' });
    const big = data.bigEvent;
    const builtPages: [string, string, Record<string, string>][] = !wanted('built')
      ? []
      : [
          ['built: home page', '/', BROWSER],
          ['built: event list', '/events', BROWSER],
          ['built: event page', `/events/${big.slug}`, BROWSER],
          ['built: "Your bookings"', '/account/bookings', member],
          ['built: attendee list, 1,000 booked', `/organise/events/${big.slug}/attendees`, organiser],
          ['built: planning overview', `/plan/${big.id}`, organiser],
          ['built: bursary fund, 200 applications', `/bursaries/funds/${big.fundId}`, organiser],
        ];
    let builtRss = 0;
    let builtRssNote = '';
    for (const [name, pagePath, headers] of builtPages) {
      try {
        read(name, await measureGet(name, `${convene.url}${pagePath}`, headers, 200, convene.child.pid), 0.05, 50);
      } catch (error) {
        // A page that stops the server (out of its capped heap) is a result, not the end of the run.
        const stopped = convene.child.exitCode !== null || convene.child.signalCode !== null;
        log(`${name}: ${stopped ? 'the server stopped (see server.log)' : String(error)}`);
        rows.push({
          case: name,
          rps: 0,
          p50: 0,
          p99: 0,
          p99AtHalf: null,
          peakRssMb: null,
          limit: 'hello world',
          ratio: 0,
          target: '≥ 0.05, p99 ≤ 50 ms at ½',
          met: false,
          note: stopped ? 'the server stopped under this load (out of its capped heap: see server.log)' : `failed: ${String(error)}`,
        });
      }
      const peak = peakRssMb(convene.child.pid) ?? 0;
      if (peak > builtRss) [builtRss, builtRssNote] = [peak, rssSplit(convene.child.pid)];
      if (convene.child.exitCode !== null || convene.child.signalCode !== null) {
        convene = await startConvene(benchDb, dataDir, { PAGE_CACHE_SECONDS: '0' });
      }
    }
    if (builtPages.length)
      rows.push({
        case: 'built pages: server peak RSS (MB)',
        rps: 0,
        p50: 0,
        p99: 0,
        p99AtHalf: null,
        peakRssMb: builtRss,
        limit: 'hello world RSS',
        ratio: helloRss && builtRss ? builtRss / helloRss : 0,
        target: '≤ 200 MB',
        met: builtRss > 0 && builtRss <= 200,
        note: builtRssNote,
      });
    await convene.stop();
    convene = null;
    // Where a page that misses its target spends its time, from a CPU profile of the same load.
    const splits: [string, string, Record<string, string>, boolean][] = [
      ...cachedPages.map(([name, pagePath, headers]) => [name, pagePath, headers, true] as [string, string, Record<string, string>, boolean]),
      ...builtPages.map(([name, pagePath, headers]) => [name, pagePath, headers, false] as [string, string, Record<string, string>, boolean]),
    ];
    for (const [name, pagePath, headers, cached] of splits) {
      const row = rows.find((r) => r.case === name)!;
      if (!row.met)
        row.note = [row.note, await cpuSplit(benchDb, dataDir, pagePath, headers, { cached }).catch((e: unknown) => `no CPU split: ${String(e)}`)]
          .filter(Boolean)
          .join('; ');
    }
    await handle.close();

    // Cost growth: the list (paginated) should stay flat, the full feed grow at most linearly.
    for (const count of wanted('growth') ? [100, 1000, 10000] : []) {
      const url = await databaseFor(serverUrl, `convene_growth_${count}_${Date.now()}`);
      const db = connectPostgres(url);
      await db.migrate();
      await insertEvents(db.db, count);
      await db.close();
      await analyze(url);
      // The page cache off: this measures what building the list and the feed costs.
      const app = await startConvene(url, dataDir, { PAGE_CACHE_SECONDS: '0' });
      await warm({ url: `${app.url}/events` });
      const list = summarise(await load({ url: `${app.url}/events`, duration: Math.max(3, Math.floor(SECONDS / 2)) }));
      let feedBytes = 0;
      let feed = { rps: 0, p50: 0 };
      try {
        feedBytes = (await (await fetch(`${app.url}/calendar.ics`)).text()).length;
        await warm({ url: `${app.url}/calendar.ics` });
        feed = summarise(await load({ url: `${app.url}/calendar.ics`, duration: Math.max(3, Math.floor(SECONDS / 2)) }));
      } catch (error) {
        // A feed that stops the server (out of its capped heap) is a result, not the end of the run.
        log(`${count} events: the full feed failed (${app.child.exitCode !== null || app.child.signalCode !== null ? 'the server stopped' : String(error)})`);
      }
      if (app.child.exitCode !== null || app.child.signalCode !== null) feed = { rps: 0, p50: 0 };
      await app.stop();
      growth.push({ events: count, listRps: list.rps, listP50: list.p50, feedRps: feed.rps, feedP50: feed.p50, feedBytes });
      log(`${count} events: list ${list.rps} req/s, full feed ${feed.rps} req/s (${feedBytes} bytes)`);
    }

    const report = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
      seconds: SECONDS,
      connections: CONNECTIONS,
      helloWorld,
      pgbenchInsertsPerSecond: inserts,
      rows,
      growth,
    };
    const outDir = path.join(root, 'data/bench');
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `bench-${report.at.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2));

    const isRss = (r: Row) => r.peakRssMb !== null;
    const table = rows.map((r) => ({
      case: r.case,
      'req/s': isRss(r) ? '' : r.rps,
      'p50 ms': isRss(r) ? '' : r.p50,
      'p99 ms': isRss(r) ? '' : r.p99,
      'p99 at ½ rate': r.p99AtHalf ?? '',
      'peak RSS MB': r.peakRssMb ?? '',
      'ratio to limit': r.ratio ? `${r.ratio.toFixed(2)} of ${r.limit}` : '',
      target: r.target,
      met: r.met === null ? '' : r.met ? 'yes' : 'NO',
    }));
    console.log(`\nConvene bench, ${report.at}: ${SECONDS} s per case, ${CONNECTIONS} connections, ${report.machine.cpus} cores`);
    console.log(`Limits measured in this run: hello world ${helloWorld.rps} req/s; pgbench ${inserts} single-row inserts/s\n`);
    console.table(table);
    for (const r of rows) if (r.note) console.log(`${r.case}: ${r.note}`);
    console.log('\nCost growth, page cache off (the event list is paginated; the full feed covers upcoming events and the last 12 months):');
    console.table(
      growth.map((g) => ({
        events: g.events,
        'list req/s': g.listRps,
        'list p50 ms': g.listP50,
        'feed req/s': g.feedRps,
        'feed p50 ms': g.feedP50,
        'feed bytes': g.feedBytes,
      })),
    );
    console.log(`\nWritten to ${path.relative(root, file)}`);
  } finally {
    hello?.kill('SIGTERM');
    await convene?.stop();
    cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
