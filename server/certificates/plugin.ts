// After the event: certificates of attendance (and, beside them, feedback surveys). Runs the
// job that thanks people checked in, with their certificate, in every process: the job locks rows
// with SKIP LOCKED, so several processes share the work without doing it twice.
import fp from 'fastify-plugin';
import { scheduleJob } from '../jobs.ts';
import { forgetOldAfterEvent } from './erase.ts';
import { letterRoutes } from './letter-routes.ts';
import { certificateRoutes } from './routes.ts';
import { sendDueThanks } from './thanks.ts';
import { surveyRoutes } from '../surveys/routes.ts';
import { sendDueSurveys } from '../surveys/service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    afterEventJobs: {
      /** Sends due thank-yous, survey invitations and reminders; tests call it with their own `now`. */
      runDue(now?: Date): Promise<{ thanked: number; invited: number; reminded: number }>;
    };
  }
}

export const afterEventPlugin = fp(
  async (app) => {
    const runDue = async (now = new Date()) => {
      const thanked = await sendDueThanks(app.db, app.config.baseUrl, now);
      const { invited, reminded } = await sendDueSurveys(app.db, now);
      if (thanked || invited || reminded) app.mail.nudge();
      return { thanked, invited, reminded };
    };
    app.decorate('afterEventJobs', { runDue });
    await app.register(certificateRoutes);
    await app.register(letterRoutes);
    await app.register(surveyRoutes);

    scheduleJob(app, {
      name: 'after-event retention',
      firstAfterMs: 3_600_000,
      everyMs: 3_600_000,
      run: () =>
        forgetOldAfterEvent(app.db, {
          now: new Date(),
          certificateMonths: app.config.certificateRetentionMonths,
          answerMonths: app.config.eventDataRetentionMonths,
        }),
    });

    // Off when the outbox loop is off (OUTBOX_INTERVAL_MS=0), so tests drive the job themselves.
    let timer: NodeJS.Timeout | null = null;
    const interval = Math.max(app.config.outboxIntervalMs, 60_000);
    const tick = () => {
      runDue()
        .catch((error: unknown) => app.log.error({ err: error }, 'after-event jobs failed'))
        .finally(() => {
          if (timer) timer = setTimeout(tick, interval);
        });
    };
    app.addHook('onReady', async () => {
      if (app.config.outboxIntervalMs > 0) timer = setTimeout(tick, 2_000);
    });
    app.addHook('onClose', async () => {
      if (timer) clearTimeout(timer);
      timer = null;
    });
  },
  { name: 'after-event', dependencies: ['database', 'mail', 'registration'] },
);
