// Writes the who-is-told table into README.md, or with --check fails if README.md differs.
import fs from 'node:fs';
import path from 'node:path';
import { withWhoIsTold } from '../notify/readme.ts';

const file = path.join(import.meta.dirname, '..', '..', 'README.md');
const readme = fs.readFileSync(file, 'utf8');
const wanted = withWhoIsTold(readme);
if (process.argv.includes('--check')) {
  if (wanted !== readme) {
    console.error('README.md’s "Who is told" section differs from server/notify/who-is-told.ts: run npm run who-is-told');
    process.exit(1);
  }
} else if (wanted !== readme) {
  fs.writeFileSync(file, wanted);
  console.log('README.md: "Who is told" section updated');
}
