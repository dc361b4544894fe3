// Invitation-only events (a round table): organisers invite people, each with the perspective
// they are asked to bring, and see who is coming against the balance they aim for; invitees
// accept or decline from a private link. Also runs the job that sends the one reminder to those
// who have not answered, in every process (it takes its rows with SKIP LOCKED).
import fp from 'fastify-plugin';
import { scheduleJob } from '../jobs.ts';
import { invitationRoutes, type InvitationRoutesOptions } from './routes.ts';
import { sendInvitationReminders } from './service.ts';

export type { DirectoryContact, DirectoryContacts } from './routes.ts';

export const invitationsPlugin = fp<InvitationRoutesOptions>(
  async (app, options) => {
    await app.register(invitationRoutes, options);
    scheduleJob(app, {
      name: 'invitation reminders',
      firstAfterMs: 5_000,
      everyMs: Math.max(app.config.outboxIntervalMs, 60 * 60_000),
      run: async () => {
        if (await sendInvitationReminders(app.db)) app.mail.nudge();
      },
    });
  },
  { name: 'invitations', dependencies: ['database', 'mail', 'registration'] },
);
