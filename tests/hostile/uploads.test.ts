// Uploads are refused before their file is read when the sender may not upload there, or sent no
// valid CSRF token: the refusal arrives while most of a large body is still unsent, over a real
// socket, and the connection is closed so the rest is never read. Someone who may upload and
// sends too large a file gets the form back with a clear message and what they typed kept.
import net from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryItems, bursaryReceipts, eventResources } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, pdfBytes, postMultipart, uuidIn } from '../bursaries/support.ts';

let t: TestApp;
let port: number;
let carer: TestClient;
let outsider: TestClient;
let lead: TestClient;
let speaker: TestClient;
let applicationId: string;
let travelId: string;
let planningEventId: string;

beforeAll(async () => {
  t = await startTestApp();
  const boss = await organiser(t, 'panel@example.org');
  const event = await createEvent(t.db, { title: 'Survivor research day' });
  const fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Research day fund', budget: '200', eligibility: '', covers: '', deadline: '' })).headers
      .location,
    uuidIn,
  );
  carer = await t.signedIn('carer@example.org');
  applicationId = idFrom((await carer.post(`/events/${event.slug}/bursary`)).headers.location, uuidIn);
  await carer.post(`/bursaries/applications/${applicationId}/edit`, {
    perspective: 'carer',
    paymentMethod: 'other',
    paymentArrangement: 'Cash',
    travelDescription: 'Train',
    travelAmount: '60',
  });
  await carer.post(`/bursaries/applications/${applicationId}/submit`);
  [{ id: travelId }] = (await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, applicationId))) as [{ id: string }];
  const decided = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/decision`, {
    outcome: 'approve_all',
    message: 'Approved.',
    [`amount-${travelId}`]: '60',
  });
  expect(decided.statusCode).toBe(303);
  outsider = await t.signedIn('someone-else@example.org');

  planningEventId = idFrom((await boss.post('/organise/events', { title: 'Round table on housing', type: 'round_table' })).headers.location, uuidIn);
  lead = await t.signedIn('lead@example.org');
  speaker = await t.signedIn('speaker@example.org');
  await boss.post(`/plan/${planningEventId}/members`, { email: 'lead@example.org', role: 'co_lead' });
  await lead.post(`/plan/${planningEventId}/invitation`, { answer: 'yes', perspective: 'carer' });
  await boss.post(`/plan/${planningEventId}/members`, { email: 'speaker@example.org', role: 'speaker' });
  await speaker.post(`/plan/${planningEventId}/invitation`, { answer: 'yes' });

  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await t.close();
});

const DECLARED_FILE_BYTES = 15 * 1024 * 1024;
const SENT_FILE_BYTES = 64 * 1024;

interface Partial {
  /** The answer, if one came while most of the body was still unsent. */
  status: number | null;
  body: string;
  /** The server closed the connection after answering, so it will not read the rest. */
  closed: boolean;
}

/**
 * Starts a multipart post that declares a 15 MB file, sends only its first 64 kB, and waits for an
 * answer. A server that reads the whole body first never answers (the test fails on a timeout).
 */
async function postWithoutFinishing(client: TestClient, path: string, fields: Record<string, string>, fileField: string): Promise<Partial> {
  const boundary = `----convene${Math.random().toString(16).slice(2)}`;
  const head = Buffer.concat([
    ...Object.entries(fields).map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
  ]);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + DECLARED_FILE_BYTES + tail.length;
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<boolean>((resolve) => socket.on('close', () => resolve(true)));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: convene.test\r\nCookie: ${cookie}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`,
  );
  socket.write(Buffer.concat([head, pdfBytes, Buffer.alloc(SENT_FILE_BYTES - pdfBytes.length, 32)]));
  const finished = await Promise.race([closed, new Promise<false>((resolve) => setTimeout(() => resolve(false), 3_000))]);
  socket.destroy();
  const text = Buffer.concat(chunks).toString('utf8');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
  return { status: status ? Number(status) : null, body: text, closed: finished };
}

/** Without a CSRF token, and with a wrong one: refused as an expired form, the file unread. */
async function expectRefusedWithoutToken(client: TestClient, path: string, fields: Record<string, string>, fileField: string): Promise<void> {
  for (const token of [{}, { _csrf: 'not-a-token' }] as Record<string, string>[]) {
    const answer = await postWithoutFinishing(client, path, { ...token, ...fields }, fileField);
    expect(answer.status, 'no answer until the whole body was sent').toBe(403);
    expect(answer.body).toContain('This form has expired');
    expect(answer.closed).toBe(true);
  }
}

async function receiptCount(): Promise<number> {
  return (await t.db.select({ id: bursaryReceipts.id }).from(bursaryReceipts)).length;
}

describe('a receipt upload', () => {
  const url = () => `/bursaries/applications/${applicationId}/receipts`;

  it('from a member with no right to the application is refused before the file is read', async () => {
    const answer = await postWithoutFinishing(outsider, url(), { _csrf: await outsider.csrfToken(), itemId: travelId }, 'receipt');
    expect(answer.status, 'no answer until the whole body was sent').toBe(404);
    expect(answer.closed).toBe(true);
    expect(await receiptCount()).toBe(0);
  });

  it('without a CSRF token, or with a wrong one, is refused before the file is read', async () => {
    await expectRefusedWithoutToken(carer, url(), { itemId: travelId }, 'receipt');
    expect(await receiptCount()).toBe(0);
  });

  it('too large from the applicant shows the form again with a clear message and the cost chosen', async () => {
    const big = Buffer.concat([pdfBytes, Buffer.alloc(10 * 1024 * 1024 + 10, 32)]);
    const response = await postMultipart(
      carer,
      url(),
      { itemId: travelId },
      { field: 'receipt', filename: 'big.pdf', contentType: 'application/pdf', data: big },
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('The file must be smaller than 10 MB');
    expect(response.body).toMatch(new RegExp(`<option value="${travelId}" selected`));
    expect(await receiptCount()).toBe(0);
  });

  it('still accepts a real receipt from the applicant', async () => {
    const response = await postMultipart(
      carer,
      url(),
      { itemId: travelId },
      { field: 'receipt', filename: 'ticket.pdf', contentType: 'application/pdf', data: pdfBytes },
    );
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    expect(await receiptCount()).toBe(1);
  });
});

describe('a resource upload', () => {
  const url = () => `/plan/${planningEventId}/resources`;
  const resources = async () => (await t.db.select({ id: eventResources.id }).from(eventResources).where(eq(eventResources.eventId, planningEventId))).length;

  it('from a planner who is not a lead is refused before the file is read', async () => {
    const answer = await postWithoutFinishing(speaker, url(), { _csrf: await speaker.csrfToken(), title: 'Report' }, 'file');
    expect(answer.status, 'no answer until the whole body was sent').toBe(403);
    expect(answer.closed).toBe(true);
  });

  it('from a member outside the planning group is refused before the file is read', async () => {
    const answer = await postWithoutFinishing(outsider, url(), { _csrf: await outsider.csrfToken(), title: 'Report' }, 'file');
    expect(answer.status, 'no answer until the whole body was sent').toBe(403);
    expect(answer.closed).toBe(true);
  });

  it('from a lead without a valid CSRF token is refused before the file is read', async () => {
    await expectRefusedWithoutToken(lead, url(), { title: 'Report' }, 'file');
    expect(await resources()).toBe(0);
  });

  it('too large from a lead shows the form again with a clear message and the title kept', async () => {
    const big = Buffer.concat([pdfBytes, Buffer.alloc(20 * 1024 * 1024 + 10, 32)]);
    const response = await postMultipart(
      lead,
      url(),
      { title: 'Report from the round table' },
      { field: 'file', filename: 'big.pdf', contentType: 'application/pdf', data: big },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('The file must be 20 MB or smaller');
    expect(response.body).toContain('value="Report from the round table"');
    expect(await resources()).toBe(0);
  });

  it('still accepts a real PDF from a lead', async () => {
    const response = await postMultipart(
      lead,
      url(),
      { title: 'Report' },
      { field: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: pdfBytes },
    );
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    expect(await resources()).toBe(1);
  });
});
