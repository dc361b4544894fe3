// Builds the Convene application as a Fastify instance. main.ts listens; tests build the same
// app and call it with app.inject or over a socket.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import staticFiles from '@fastify/static';
import ajvFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import { invitationsPlugin } from './invitations/plugin.ts';
import { libraryPlugin } from './library/plugin.ts';
import { housekeepingPlugin } from './accounts/housekeeping.ts';
import { exportRoutes } from './accounts/export-routes.ts';
import { accountsRoutes } from './accounts/routes.ts';
import { sessionsPlugin } from './accounts/sessions.ts';
import { adminRoutes } from './admin/routes.ts';
import { bursariesRoutes } from './bursaries/routes.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { afterEventPlugin } from './certificates/plugin.ts';
import { announcementRoutes } from './network/announcement-routes.ts';
import { directoryRoutes } from './network/directory-routes.ts';
import { directoryContacts } from './network/directory.ts';
import { importRoutes } from './network/import-routes.ts';
import { networkRoutes } from './network/routes.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { databasePlugin } from './db/plugin.ts';
import { eventsRoutes } from './events/routes.ts';
import { healthRoutes } from './health/routes.ts';
import { homeRoutes, pageRoutes } from './home/routes.ts';
import { accessPlugin } from './http/access.ts';
import { errorsPlugin } from './http/errors.ts';
import { createPageCache, pageCachePlugin, serverWithPageCache } from './http/page-cache.ts';
import { pagesPlugin } from './http/pages.ts';
import { planningPlugin } from './planning/plugin.ts';
import { proposalsPlugin } from './proposals/plugin.ts';
import { securityPlugin } from './http/security.ts';
import { mailPlugin } from './mail/plugin.ts';
import { paymentsPlugin } from './payments/plugin.ts';
import { registrationPlugin } from './registration/plugin.ts';
import type { MailTransport } from './mail/transport.ts';

type Ajv = ReturnType<typeof ajvFormats.default>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

/** Replaces the secret part of sign-in, booking and private-feed links with a placeholder. */
export function hideSecrets(url: string): string {
  return url.replace(
    /^\/(sign-in|bookings\/confirm|bookings|calendar\/private|surveys|list\/confirm|list|proposals\/invitations|invited)\/[A-Za-z0-9_-]{20,}/,
    '/$1/[secret]',
  );
}

/**
 * TRUST_PROXY as Fastify takes it. Fastify 5 treats a bare hop count as "trust no one" (it
 * cannot tell the proxy from a client that reached the app directly), so a count becomes "the
 * nearest N hops": the socket's peer and the entries it and the hops before it appended.
 */
export function proxyTrust(trust: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  /** Close the database when the app closes (true when the app opened it). */
  ownsDatabase?: boolean;
  /** Replace the configured mail transport (tests). */
  mailTransport?: MailTransport;
  logger?: boolean | object;
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  // Made before Fastify so that the HTTP server can answer stored pages before Fastify runs.
  const pageCache = createPageCache(config.pageCacheSeconds);
  const app = Fastify({
    serverFactory: serverWithPageCache(pageCache, config),
    // The same values Fastify would give a server it made itself (serverWithPageCache sets them).
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      serializers: {
        // Secret links (sign-in, booking management, private feeds) must not end up in logs.
        req: (request: { method: string; url: string; hostname?: string; ip?: string }) => ({
          method: request.method,
          url: hideSecrets(request.url),
          host: request.hostname,
          remoteAddress: request.ip,
        }),
      },
    },
    bodyLimit: 1024 * 1024,
    trustProxy: proxyTrust(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true },
    ajv: {
      customOptions: {
        allErrors: true,
        // Form fields carry their label and message for the person filling them in.
        keywords: ['errorMessage'],
      },
      // ajv-formats' uuid also takes "urn:uuid:…", which PostgreSQL refuses: every id declared
      // `format: 'uuid'` must be one PostgreSQL can read, or a hostile id is a 500, not a 404.
      // (Passing ajv-formats here stops the compiler adding it again after, over this uuid.)
      plugins: [
        ajvFormats.default as (ajv: Ajv) => Ajv,
        (ajv: Ajv) => ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
      ],
    },
  });
  app.decorate('config', config);

  // Infrastructure, in dependency order.
  await app.register(databasePlugin, { database: options.database, closeOnShutdown: options.ownsDatabase ?? false });
  await app.register(pageCachePlugin, { pageCache });
  await app.register(securityPlugin);
  await app.register(sessionsPlugin);
  await app.register(pagesPlugin);
  await app.register(accessPlugin);
  await app.register(errorsPlugin);
  await app.register(mailPlugin, { transport: options.mailTransport });
  await app.register(housekeepingPlugin);

  await app.register(staticFiles, { root: path.join(root, 'public'), prefix: '/assets/', maxAge: '1h', decorateReply: false });
  await app.register(staticFiles, {
    root: path.join(root, 'node_modules/govuk-frontend/dist/govuk/assets'),
    prefix: '/assets/govuk/',
    maxAge: '7d',
    decorateReply: false,
  });
  // GOV.UK Frontend's own JavaScript, from 'self' as the CSP wants; public/js/convene.js starts it.
  await app.register(staticFiles, {
    root: path.join(root, 'node_modules/govuk-frontend/dist/govuk'),
    prefix: '/assets/govuk-frontend/',
    allowedPath: (pathName) => pathName === '/govuk-frontend.min.js',
    maxAge: '1h',
    decorateReply: false,
  });

  // Features, each an encapsulated plugin with its own routes.
  await app.register(healthRoutes);
  await app.register(homeRoutes);
  await app.register(pageRoutes);
  await app.register(accountsRoutes);
  await app.register(exportRoutes);
  await app.register(adminRoutes);
  await app.register(eventsRoutes);
  await app.register(paymentsPlugin);
  await app.register(registrationPlugin);
  await app.register(bursariesRoutes);
  await app.register(proposalsPlugin);
  await app.register(planningPlugin);
  await app.register(calendarRoutes);
  await app.register(afterEventPlugin);
  await app.register(networkRoutes);
  await app.register(announcementRoutes);
  await app.register(directoryRoutes);
  await app.register(importRoutes);
  // Organisers can invite an organisation's public contact from the directory.
  await app.register(invitationsPlugin, {
    directoryContacts: async (db) =>
      (await directoryContacts(db)).flatMap((o) =>
        o.contact?.email ? [{ id: o.id, organisation: o.name, name: o.contact.name || o.name, email: o.contact.email }] : [],
      ),
  });
  await app.register(libraryPlugin);

  return app;
}
