// Starts Convene: reads the configuration, opens and migrates the database, seeds the demo on a
// fresh embedded database, listens, and closes cleanly on SIGINT/SIGTERM.
import { ensureAdmins } from './accounts/people.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { seedDemoIfEmpty } from './demo/seed.ts';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Convene cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }

  const database = await openDatabase(config);
  const app = await buildApp({ config, database, ownsDatabase: true });
  app.log.info(`database: ${database.description}`);

  if (config.seedDemo && (database.kind === 'pglite' || process.env.SEED_DEMO === '1')) {
    const seeded = await seedDemoIfEmpty(database.db);
    if (seeded) app.log.info('demo data added: sign in as admin@example.org or organiser@example.org');
  }
  if (config.adminEmails.length) await ensureAdmins(database.db, config.adminEmails);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal} received: finishing requests and closing`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(`Convene is running at ${config.baseUrl}`);
}

main().catch((error: unknown) => {
  console.error('Convene could not start:', error);
  process.exit(1);
});
