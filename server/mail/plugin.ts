// The mail plugin: chooses the transport and runs the outbox sender loop in this process.
import path from 'node:path';
import fp from 'fastify-plugin';
import { scheduleJob } from '../jobs.ts';
import { installOutboxKey, loadOutboxKey } from './sealing.ts';
import { deliverDueMessages, type DeliveryResult } from './sender.ts';
import { fileTransport, smtpTransport, type MailTransport } from './transport.ts';

declare module 'fastify' {
  interface FastifyInstance {
    mail: {
      transport: MailTransport;
      /** Sends whatever is due now; the loop calls it, and so may tests and routes. */
      deliverDue(now?: Date): Promise<DeliveryResult>;
      /** Asks the loop to run soon, e.g. right after a sign-in link was queued. */
      nudge(): void;
    };
  }
}

export interface MailPluginOptions {
  transport?: MailTransport;
}

export const mailPlugin = fp<MailPluginOptions>(
  async (app, options) => {
    const { config } = app;
    const transport = options.transport ?? (config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'outbox')));
    const site = { baseUrl: config.baseUrl, siteName: 'Social Perspectives Hub', contactEmail: config.contactEmail };
    const key = loadOutboxKey(config);
    installOutboxKey(key);

    let running: Promise<DeliveryResult> | null = null;
    const deliverDue = (now?: Date) => {
      // One run at a time in this process; other processes are kept apart by row locks.
      running ??= deliverDueMessages(app.db, { transport, site, from: config.mailFrom, now, key, contactEmail: config.contactEmail }).finally(() => {
        running = null;
      });
      return running;
    };

    const sender = scheduleJob(app, { name: 'outbox delivery', firstAfterMs: 100, everyMs: config.outboxIntervalMs, run: () => deliverDue() });

    app.decorate('mail', { transport, deliverDue, nudge: sender.nudge });
    app.addHook('onReady', async () => {
      app.log.info(`mail: ${transport.description}`);
    });
    app.addHook('onClose', async () => {
      await running?.catch(() => {});
      transport.close();
    });
  },
  { name: 'mail', dependencies: ['database'] },
);
