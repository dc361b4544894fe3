// Background jobs: the one way a process runs work on a timer (the outbox sender, registration's
// holds, offers and reminders, bursary retention and digests, housekeeping). Every job is safe in
// several processes at once (each takes its rows with SKIP LOCKED or is idempotent), so every
// process runs them all.
import type { FastifyInstance } from 'fastify';

/** How soon a nudged job runs. */
const NUDGE_MS = 50;

export interface JobOptions {
  /** Named in the log when a run fails. */
  name: string;
  /** How long after the app is ready the first run starts. */
  firstAfterMs: number;
  /** The pause between the end of one run and the start of the next. */
  everyMs: number;
  run: () => Promise<unknown>;
}

export interface Job {
  /** Asks for a run soon (straight after the current one, if one is going); nothing when jobs are off. */
  nudge(): void;
}

/**
 * Runs a job in the background while the app is up: first `firstAfterMs` after it is ready, then
 * `everyMs` after each run ends, never two runs at once. Off when OUTBOX_INTERVAL_MS is 0: tests
 * call the jobs themselves, with the time they choose. Closing the app stops the timer and waits
 * for a run in progress.
 */
export function scheduleJob(app: FastifyInstance, options: JobOptions): Job {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let on = false;
  let again = false;

  const schedule = (ms: number) => {
    if (!on) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(start, ms);
    timer.unref();
  };
  const start = () => {
    timer = null;
    running = options
      .run()
      .then(
        () => {},
        (error: unknown) => app.log.error({ err: error }, `${options.name} failed`),
      )
      .finally(() => {
        running = null;
        const wait = again ? NUDGE_MS : options.everyMs;
        again = false;
        schedule(wait);
      });
  };

  app.addHook('onReady', async () => {
    on = app.config.outboxIntervalMs > 0;
    schedule(options.firstAfterMs);
  });
  app.addHook('onClose', async () => {
    on = false;
    if (timer) clearTimeout(timer);
    timer = null;
    await running;
  });
  return {
    nudge() {
      if (!on) return;
      if (running !== null) again = true;
      else schedule(NUDGE_MS);
    },
  };
}
