// `npm run data-key -- new`: prints a new random key for DATA_KEY.
// `npm run data-key -- rotate`: re-encrypts every bank detail under the first key in DATA_KEY (or
// DATA_DIR/data.key), so that older keys can then be removed. See README, "Rotating DATA_KEY".
import { randomBytes } from 'node:crypto';
import { reencryptBankDetails } from '../bursaries/bank-details.ts';
import { loadConfig } from '../config.ts';
import { installDataKeys, loadDataKeys } from '../data-keys.ts';
import { openDatabase } from '../db/database.ts';

const [command] = process.argv.slice(2);
if (command === 'new') {
  console.log(randomBytes(32).toString('hex'));
} else if (command === 'rotate') {
  const config = loadConfig();
  const keys = loadDataKeys(config);
  installDataKeys(keys);
  const database = await openDatabase(config);
  try {
    const count = await reencryptBankDetails(database.db);
    console.log(
      `Re-encrypted ${count} ${count === 1 ? 'row' : 'rows'} under key "${keys[0]!.id}" in ${database.description}. Keys other than "${keys[0]!.id}" can now be removed from DATA_KEY.`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
} else {
  console.error('Usage: npm run data-key -- new | rotate');
  process.exit(2);
}
