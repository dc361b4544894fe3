// Shared set-up for the bursary tests: an event with a fund, and people in each role.
import { eq } from 'drizzle-orm';
import { bursaryPanelMembers, events, people, planningMembers, type PlanningRole } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import type { Database } from '../../server/db/database.ts';
import type { TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let counter = 0;

export async function createEvent(db: Database, values: Partial<typeof events.$inferInsert> = {}): Promise<{ id: string; slug: string }> {
  counter += 1;
  const slug = values.slug ?? `bursary-event-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const [row] = await db
    .insert(events)
    .values({
      slug,
      title: values.title ?? `Carers and survivors day ${counter}`,
      type: 'seminar',
      status: 'published',
      startsAt: new Date(Date.now() + 30 * 86_400_000),
      endsAt: new Date(Date.now() + 30 * 86_400_000 + 6 * 3_600_000),
      ...values,
    })
    .returning({ id: events.id, slug: events.slug });
  return row!;
}

export async function personId(db: Database, email: string): Promise<string> {
  const [row] = await db.select({ id: people.id }).from(people).where(eq(people.email, email.toLowerCase()));
  if (!row) throw new Error(`No person ${email}`);
  return row.id;
}

export async function organiser(t: TestApp, email: string): Promise<TestClient> {
  const client = await t.signedIn(email);
  await grantRole(t.db, null, await personId(t.db, email), 'organiser');
  return client;
}

export async function planner(t: TestApp, email: string, eventId: string, role: PlanningRole): Promise<TestClient> {
  const client = await t.signedIn(email);
  await t.db.insert(planningMembers).values({ eventId, personId: await personId(t.db, email), role, status: 'accepted' });
  return client;
}

/** Someone an organiser has added to a fund's panel (tests/bursaries/panel.test.ts adds through the page). */
export async function panelMember(t: TestApp, email: string, fundId: string): Promise<TestClient> {
  const client = await t.signedIn(email);
  await t.db.insert(bursaryPanelMembers).values({ fundId, personId: await personId(t.db, email) });
  return client;
}

/** The id at the end of a redirect such as /bursaries/applications/<id>/edit. */
export function idFrom(location: string | undefined, pattern: RegExp): string {
  const match = pattern.exec(location ?? '');
  if (!match) throw new Error(`Unexpected redirect: ${location}`);
  return match[1]!;
}

export const uuidIn = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

export interface FilePart {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Posts a multipart form as a browser would, with the page's CSRF token unless told not to. */
export async function postMultipart(
  client: TestClient,
  url: string,
  fields: Record<string, string>,
  file: FilePart | FilePart[] | null,
  options: { csrf?: boolean } = {},
) {
  const boundary = `----convene${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  const all = { ...(options.csrf === false ? {} : { _csrf: await client.csrfToken() }), ...fields };
  for (const [name, value] of Object.entries(all)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const part of [file ?? []].flat()) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.field}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType}\r\n\r\n`,
      ),
    );
    chunks.push(part.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return client.app.inject({
    method: 'POST',
    url,
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...(cookie ? { cookie } : {}) },
  });
}

/** A real 1×1 PNG. */
export const pngBytes = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** A small but well-formed PDF. */
export const pdfBytes = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
/** A web page, and a Windows program, each pretending to be a PDF by name. */
export const htmlBytes = Buffer.from('<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head><body>Receipt</body></html>');
export const exeBytes = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(58),
  Buffer.from([0x80, 0, 0, 0]),
  Buffer.alloc(64),
  Buffer.from('PE\0\0'),
  Buffer.alloc(200),
]);
