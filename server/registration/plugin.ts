// Registration: people book places at events (free, concession or paid), join waiting lists,
// and manage their booking through a private link; organisers manage places and questions, see
// attendees, message them and check them in. Also runs the background jobs that end expired
// holds (passing places to the waiting list) and send reminders, in every process: the jobs
// lock rows with SKIP LOCKED, so several processes share the work without doing it twice.
import fp from 'fastify-plugin';
import { scheduleJob } from '../jobs.ts';
import { forgetOldLinkRequests } from './links.ts';
import { forgetOldBookingRequests } from './requests.ts';
import { expireDueHolds, offerWaitingPlaces } from './offers.ts';
import { organiserBookingRoutes } from './organiser-booking-routes.ts';
import { organiserRoutes } from './organiser-routes.ts';
import { sendDueReminders } from './reminders.ts';
import { registrationRoutes } from './routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    registrationJobs: {
      /** Ends expired holds, sends due reminders and forgets old link and booking requests; tests call it with their own `now`. */
      runDue(now?: Date): Promise<{ expiredHolds: number; offersMade: number; remindersSent: number }>;
    };
  }
}

export const registrationPlugin = fp(
  async (app) => {
    const runDue = async (now = new Date()) => {
      const expiry = await expireDueHolds(app.db, now);
      const offersMade = expiry.offersMade + (await offerWaitingPlaces(app.db, now));
      const remindersSent = await sendDueReminders(app.db, now);
      await forgetOldLinkRequests(app.db, now);
      await forgetOldBookingRequests(app.db, now);
      if (offersMade || remindersSent) app.mail.nudge();
      return { ...expiry, offersMade, remindersSent };
    };
    app.decorate('registrationJobs', { runDue });

    await app.register(registrationRoutes);
    await app.register(organiserRoutes);
    await app.register(organiserBookingRoutes);

    scheduleJob(app, { name: 'registration jobs', firstAfterMs: 1_000, everyMs: Math.max(app.config.outboxIntervalMs, 30_000), run: () => runDue() });
  },
  { name: 'registration', dependencies: ['database', 'mail', 'payments'] },
);
