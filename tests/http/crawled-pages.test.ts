// Checks over every page a signed-in admin, organiser and member can reach on the demo data:
// every textarea counts its characters (GOV.UK's character count, from the shared partial) up to
// the limit its form's body schema enforces, and no page uses the jargon an audit found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../server/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let pages: Map<string, string>;
beforeAll(async () => {
  t = await startTestApp();
  await seedDemo(t.db);
  const admin = await t.signedIn('admin@example.org');
  const organiser = await t.signedIn('organiser@example.org');
  const member = await t.signedIn('member@example.org');
  // A bursary application in draft, so its form is among the pages.
  await member.post('/events/hub-launch-and-discussion-day/bursary');
  pages = new Map([
    ...(await crawl(organiser, ['/organise', '/organise/proposals', '/bursaries/funds/new', '/events', '/bursaries', '/proposals/new'], 160)),
    ...(await crawl(admin, ['/admin'], 30)),
    ...(await crawl(member, ['/bursaries', '/account', '/events/hub-launch-and-discussion-day/book'], 30)),
  ]);
}, 120_000);
afterAll(async () => {
  await t.close();
});

const skip = /^\/(assets|sign-out|feeds|calendar\/.+\.ics)|\.(csv|ics|json)(\?|$)|\/receipts\/|\/files\//;

/** Same-site pages reachable from `start`, breadth first, at most `limit` of them. */
async function crawl(client: TestClient, start: string[], limit: number): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  const queue = [...start];
  while (queue.length && pages.size < limit) {
    const url = queue.shift()!;
    if (pages.has(url) || skip.test(url)) continue;
    const res = await client.get(url);
    if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/html')) continue;
    pages.set(url, res.body);
    for (const m of res.body.matchAll(/href="(\/[^"#?]*)/g)) if (!pages.has(m[1]!)) queue.push(m[1]!);
  }
  return pages;
}

/** The route a form posts to, and the most its body schema allows in one field. */
function limitFor(action: string, field: string): { route: string; max: number | undefined } {
  for (const route of t.app.routeAccess) {
    if (route.method !== 'POST') continue;
    const pattern = new RegExp(`^${route.url.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    if (!pattern.test(action)) continue;
    const properties = (route.bodySchema as { properties?: Record<string, { maxLength?: number }> } | undefined)?.properties;
    return { route: route.url, max: properties?.[field]?.maxLength };
  }
  return { route: action, max: undefined };
}

describe('every page reached', () => {
  it('counts characters in every textarea, up to the limit its form enforces', async () => {
    let textareas = 0;
    const wrong: string[] = [];
    for (const html of pages.values()) {
      for (const form of html.matchAll(/<form\b[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)) {
        const action = form[1]!;
        for (const area of form[2]!.matchAll(/data-maxlength="(\d+)"[\s\S]*?<textarea\b[^>]*name="([^"]+)"/g)) {
          textareas++;
          const shown = Number(area[1]);
          const enforced = limitFor(action, area[2]!);
          if (shown !== enforced.max) wrong.push(`${enforced.route} ${area[2]}: shows ${shown}, enforces ${enforced.max}`);
        }
        const bare = [...form[2]!.matchAll(/<textarea\b(?![^>]*govuk-js-character-count)[^>]*name="([^"]+)"/g)].map((m) => m[1]);
        for (const name of bare) wrong.push(`${limitFor(action, name!).route} ${name}: no character count`);
      }
    }
    expect(pages.size).toBeGreaterThan(40);
    expect(textareas).toBeGreaterThan(20);
    expect([...new Set(wrong)]).toEqual([]);
  });

  it('uses plain words, not the jargon an audit found', () => {
    const jargon = /4PI record|Where it is/;
    const found = [...pages].filter(([, html]) => jargon.test(html)).map(([url, html]) => `${url}: ${jargon.exec(html)![0]}`);
    expect(found).toEqual([]);
  });
});
