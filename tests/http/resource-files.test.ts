// Resource files (PDFs a planning group uploads) are served from the site's own origin, so they
// must never be rendered here as a document, and must stop being served the moment they are
// removed, by this process, by another, and by any cache in between.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventResources, events } from '../../db/schema/index.ts';
import { pdfBytes, postMultipart } from '../bursaries/support.ts';
import { idFrom, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;
let eventId: string;

beforeAll(async () => {
  // The page cache on, as on a running site, for long enough that a stored copy would show.
  t = await startTestApp({ env: { PAGE_CACHE_SECONDS: '300' } });
  organiser = await signedInOrganiser(t, 'files-org@example.org');
  eventId = idFrom((await organiser.post('/organise/events', { title: 'Seminar on peer support', type: 'seminar' })).headers.location, '/plan');
  await t.db
    .update(events)
    .set({ status: 'published', startsAt: new Date('2026-01-10T10:00:00Z'), endsAt: new Date('2026-01-10T15:00:00Z') })
    .where(eq(events.id, eventId));
});
afterAll(async () => {
  await t.close();
});

async function upload(title: string): Promise<string> {
  const added = await postMultipart(
    organiser,
    `/plan/${eventId}/resources`,
    { title },
    { field: 'file', filename: 'report <x>.pdf', contentType: 'application/pdf', data: pdfBytes },
  );
  expect(added.statusCode, added.body.slice(0, 300)).toBe(303);
  const [row] = await t.db.select({ id: eventResources.id }).from(eventResources).where(eq(eventResources.title, title));
  return `/resources/${row!.id}`;
}

describe('resource files', () => {
  it('are served as a sandboxed download, never inline', async () => {
    const url = await upload('Seminar report');
    const file = await t.client().get(url);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(pdfBytes)).toBe(true);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe('attachment; filename="report _x_.pdf"');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(file.headers['content-security-policy']);
    expect(csp).toMatch(/(^|;\s*)sandbox(;|$)/);
    expect(csp).toContain("default-src 'none'");
  });

  it('are never kept by shared caches or the page cache, so a removed file is gone at once', async () => {
    const url = await upload('Slides to remove');
    const first = await t.client().get(url);
    expect(first.statusCode).toBe(200);
    const cacheControl = String(first.headers['cache-control']);
    expect(cacheControl).not.toMatch(/public|max-age=[1-9]/);
    expect(cacheControl).toMatch(/private/);
    expect(cacheControl).toMatch(/no-cache|no-store/);
    expect((await t.client().get(url)).headers['x-page-cache']).toBeUndefined();

    // Removed by another process: nothing this process keeps may still serve it.
    const [row] = await t.db.select({ id: eventResources.id }).from(eventResources).where(eq(eventResources.title, 'Slides to remove'));
    await t.db.delete(eventResources).where(eq(eventResources.id, row!.id));
    const gone = await t.client().get(url);
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toMatch(/text\/html/);

    // Removed here, through the planning page.
    const other = await upload('Handout to remove');
    expect((await t.client().get(other)).statusCode).toBe(200);
    const otherId = other.split('/').pop()!;
    expect((await organiser.post(`/plan/${eventId}/resources/${otherId}/remove`)).statusCode).toBe(303);
    expect((await t.client().get(other)).statusCode).toBe(404);
    expect((await t.client().get('/library')).body).not.toContain('Handout to remove');
  });
});
