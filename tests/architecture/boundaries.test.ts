// Feature folders under server/ must not import each other in a circle: a feature uses another
// through a small public API, never both ways. Reads every import in server/ and fails on any
// pair of folders that import each other, unless the pair is on the allow-list below, which only
// shrinks: a pair that no longer imports both ways must be taken off it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../server');

/**
 * Pairs allowed to import each other: none (issue 19 broke the last eight). A shared piece goes to
 * server/http/ or a top-level module, or one feature uses the other through its API (api.ts) or
 * its app decoration (app.payments); never both ways.
 */
const ALLOWED_CYCLES = new Set<string>([]);

/** Each feature folder and the other feature folders its files import. */
function featureImports(): Map<string, Set<string>> {
  const features = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const graph = new Map<string, Set<string>>(features.map((f) => [f, new Set<string>()]));
  for (const feature of features) {
    for (const file of fs.readdirSync(path.join(root, feature), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const full = path.join(root, feature, file);
      const source = fs.readFileSync(full, 'utf8');
      for (const match of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = path.relative(root, path.resolve(path.dirname(full), match[1]!));
        const [first] = target.split(path.sep);
        if (first && first !== feature && graph.has(first) && !target.startsWith('..')) graph.get(feature)!.add(first);
      }
    }
  }
  return graph;
}

function cycles(graph: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  for (const [a, targets] of graph) {
    for (const b of targets) if (a < b && graph.get(b)?.has(a)) found.push(`${a} ↔ ${b}`);
  }
  return found.sort();
}

describe('feature boundaries', () => {
  it('no two feature folders import each other, beyond the shrinking allow-list', () => {
    const found = cycles(featureImports());
    expect(
      found.filter((c) => !ALLOWED_CYCLES.has(c)),
      'new pairs of features importing each other',
    ).toEqual([]);
    expect(
      [...ALLOWED_CYCLES].filter((c) => !found.includes(c)),
      'pairs no longer importing each other: take them off ALLOWED_CYCLES',
    ).toEqual([]);
  });
});
