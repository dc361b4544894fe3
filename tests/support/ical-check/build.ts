// Builds the libical checker (checker.c) once per test run, in the global setup. libical is
// Debian's libical-dev (.ci/run installs it). Without it, CI fails at once; a developer's run
// says loudly that only ical.js checked the calendars.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const source = path.join(import.meta.dirname, 'checker.c');

function libicalFlags(): string[] | null {
  try {
    return execFileSync('pkg-config', ['--cflags', '--libs', 'libical'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  } catch {
    return null;
  }
}

/** The checker's path, or '' when libical is missing outside CI. */
export function buildIcalChecker(): string {
  const flags = libicalFlags();
  if (!flags) {
    const message = 'libical is not installed (apt-get install libical-dev gcc pkg-config): calendars are checked by ical.js only, not by libical.';
    if (process.env.CI) throw new Error(`${message} CI must check them with both.`);
    console.warn(`\n*** ${message} ***\n`);
    return '';
  }
  const code = fs.readFileSync(source);
  const binary = path.join(os.tmpdir(), `convene-icalcheck-${createHash('sha256').update(code).update(flags.join(' ')).digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(binary)) {
    const building = `${binary}.${process.pid}`;
    execFileSync('cc', ['-O1', '-o', building, source, ...flags], { stdio: 'inherit' });
    fs.renameSync(building, binary);
  }
  return binary;
}
