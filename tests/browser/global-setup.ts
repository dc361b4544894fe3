// Runs once per browser test run: a folder where the harness saves every HTML page the browser
// received, and at the end the Nu HTML Checker over all of them in one batch (the JVM takes
// seconds to start, so never once per page). Any error fails the run.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    htmlCheckDir: string;
  }
}

const require = createRequire(import.meta.url);

interface VnuMessage {
  type: string;
  subType?: string;
  url: string;
  lastLine?: number;
  message: string;
  extract?: string;
}

export default function setup(project: TestProject) {
  // pages/ holds the HTML (all the checker reads), urls/ the address each came from.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convene-html-check-'));
  fs.mkdirSync(path.join(dir, 'pages'));
  fs.mkdirSync(path.join(dir, 'urls'));
  project.provide('htmlCheckDir', dir);
  return async () => {
    try {
      const pages = fs.readdirSync(path.join(dir, 'pages'));
      if (pages.length === 0) return;
      const messages = await runVnu(path.join(dir, 'pages'));
      const errors = messages.filter((m) => m.type === 'error' || m.subType === 'fatal');
      if (errors.length) {
        const lines = errors.map((m) => {
          const file = path.join(dir, 'urls', path.basename(decodeURIComponent(new URL(m.url).pathname), '.html'));
          const url = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : m.url;
          return `${url} line ${m.lastLine ?? '?'}: ${m.message}${m.extract ? ` in ${JSON.stringify(m.extract.trim())}` : ''}`;
        });
        throw new Error(`The Nu HTML Checker found ${errors.length} error(s) in ${pages.length} pages:\n${lines.join('\n')}`);
      }
      console.log(`Nu HTML Checker: ${pages.length} pages, no errors`);
    } finally {
      if (!process.env.KEEP_HTML_CHECK) fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

function runVnu(dir: string): Promise<VnuMessage[]> {
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  return new Promise((resolve, reject) => {
    execFile('java', ['-jar', jar, '--errors-only', '--format', 'json', dir], { maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      // vnu writes its report to stderr and exits 1 when it found errors.
      try {
        resolve((JSON.parse(stderr) as { messages: VnuMessage[] }).messages);
      } catch {
        reject(new Error(`The Nu HTML Checker did not run (is Java installed? apt-get install default-jre-headless): ${error?.message ?? ''}\n${stderr}`));
      }
    });
  });
}
