// The files under server/ that register a route, for the architecture tests that read them.
import fs from 'node:fs';
import path from 'node:path';

export const serverRoot = path.resolve(import.meta.dirname, '../../server');

const registersRoute = /\.(?:get|post|put|patch|delete)\(\s*['`]\//;

/** Paths under server/, with forward slashes, sorted. */
export function routeFiles(): string[] {
  return fs
    .readdirSync(serverRoot, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && registersRoute.test(fs.readFileSync(path.join(serverRoot, file), 'utf8')))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}
