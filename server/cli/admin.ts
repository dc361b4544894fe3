// `npm run admin -- add someone@example.org`: makes someone an admin (creating their account).
import { ensureAdmins } from '../accounts/people.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';

const [command, ...emails] = process.argv.slice(2);
if (command !== 'add' || emails.length === 0) {
  console.error('Usage: npm run admin -- add someone@example.org [another@example.org …]');
  process.exit(2);
}
const config = loadConfig();
const database = await openDatabase(config);
try {
  await ensureAdmins(database.db, emails);
  console.log(`Admin role given to ${emails.join(', ')} in ${database.description}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}
