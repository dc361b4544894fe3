// The background-job timer (server/jobs.ts) on a real Fastify instance: one run at a time, a
// nudge during a run gives one more run soon after (not a second loop), and closing the app
// ends the loop for good.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scheduleJob } from '../server/jobs.ts';
import { londonDate, londonHour, londonToday } from '../server/london-time.ts';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/** A job whose runs each take `runMs`, counting runs and the most ever going at once. */
async function appWithJob(options: { intervalMs: number; everyMs: number; runMs: number }) {
  app = Fastify();
  app.decorate('config', { outboxIntervalMs: options.intervalMs } as never);
  const seen = { runs: 0, going: 0, mostAtOnce: 0 };
  const job = scheduleJob(app, {
    name: 'test job',
    firstAfterMs: 10,
    everyMs: options.everyMs,
    run: async () => {
      seen.runs++;
      seen.going++;
      seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.going);
      await wait(options.runMs);
      seen.going--;
    },
  });
  await app.ready();
  return { job, seen };
}

describe('background jobs', () => {
  it('run one at a time; nudges during a run give one more run, not another loop', async () => {
    const { job, seen } = await appWithJob({ intervalMs: 1, everyMs: 5_000, runMs: 200 });
    await vi.waitFor(() => expect(seen.going).toBe(1)); // the first run is going
    for (let i = 0; i < 5; i++) job.nudge();
    // It ends, and the nudged run follows at once.
    await vi.waitFor(() => expect(seen.runs).toBe(2), { timeout: 3_000 });
    await vi.waitFor(() => expect(seen.going).toBe(0), { timeout: 3_000 });
    await wait(500); // well within everyMs of the second run's end: nothing more
    expect(seen.runs).toBe(2);
    expect(seen.mostAtOnce).toBe(1);
  });

  it('stop when the app closes, a run in progress finishing first', async () => {
    const { job, seen } = await appWithJob({ intervalMs: 1, everyMs: 30, runMs: 40 });
    await vi.waitFor(() => expect(seen.going).toBe(1));
    job.nudge();
    await app!.close();
    app = null;
    expect(seen.going).toBe(0);
    const runs = seen.runs;
    job.nudge();
    await wait(200);
    expect(seen.runs).toBe(runs);
  });

  it('do not run when OUTBOX_INTERVAL_MS is 0 (tests run the jobs themselves)', async () => {
    const { job, seen } = await appWithJob({ intervalMs: 0, everyMs: 10, runMs: 1 });
    job.nudge();
    await wait(100);
    expect(seen.runs).toBe(0);
  });
});

describe('London time', () => {
  it('gives the London date and hour either side of the clock change and of midnight', () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time; in winter London is UTC.
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonHour(new Date('2026-06-30T23:30:00Z'))).toBe(0);
    expect(londonDate(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
    expect(londonHour(new Date('2026-12-31T23:30:00Z'))).toBe(23);
    expect(londonToday(new Date('2026-03-29T00:30:00Z'))).toBe('2026-03-29');
  });
});
