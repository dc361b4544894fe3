// `npm run seed`: adds the demo data to the configured database (skipping what is already there).
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { seedDemo } from '../demo/seed.ts';

const config = loadConfig();
const database = await openDatabase(config);
try {
  await seedDemo(database.db);
  console.log(`Demo data added to ${database.description}. Sign in as admin@example.org or organiser@example.org.`);
} finally {
  await database.close();
}
