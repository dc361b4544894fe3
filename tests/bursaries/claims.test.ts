// Claims with receipts, advances and payments, the balance either way, and the report.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, bursaryClaims, bursaryItems, bursaryReceipts, outboxMessages } from '../../db/schema/index.ts';
import { fundFigures } from '../../server/bursaries/funds.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, exeBytes, htmlBytes, idFrom, organiser, pdfBytes, personId, pngBytes, postMultipart, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;
let carer: TestClient;
let fundId: string;
let applicationId: string;
let travelId: string;
let careId: string;
let subsistenceId: string;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'panel@example.org');
  const event = await createEvent(t.db, { title: 'Survivor research day' });
  const made = await boss.post('/bursaries/funds', { eventId: event.id, name: 'Research day fund', budget: '200', eligibility: '', covers: '', deadline: '' });
  fundId = idFrom(made.headers.location, uuidIn);
  carer = await t.signedIn('carer@example.org');
  const started = await carer.post(`/events/${event.slug}/bursary`);
  applicationId = idFrom(started.headers.location, uuidIn);
  await carer.post(`/bursaries/applications/${applicationId}/edit`, {
    perspective: 'carer',
    inAdvance: 'yes',
    paymentMethod: 'other',
    paymentArrangement: 'Cash on the day please',
    travelDescription: 'Train from York',
    travelAmount: '60',
    careDescription: 'Sitter',
    careAmount: '80',
    subsistenceAmount: '8',
  });
  await carer.post(`/bursaries/applications/${applicationId}/submit`);
  const items = await t.db
    .select({ id: bursaryItems.id, category: bursaryItems.category })
    .from(bursaryItems)
    .where(eq(bursaryItems.applicationId, applicationId));
  travelId = items.find((i) => i.category === 'travel')!.id;
  careId = items.find((i) => i.category === 'care')!.id;
  subsistenceId = items.find((i) => i.category === 'subsistence')!.id;
  const decided = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/decision`, {
    outcome: 'approve_part',
    message: 'Approved travel and care; food is not covered.',
    [`amount-${travelId}`]: '60',
    [`amount-${careId}`]: '70',
    [`amount-${subsistenceId}`]: '8',
  });
  expect(decided.statusCode).toBe(303);
});
afterAll(async () => {
  await t.close();
});

describe('receipts', () => {
  it('refuses an upload without the CSRF field', async () => {
    const response = await postMultipart(
      carer,
      `/bursaries/applications/${applicationId}/receipts`,
      { itemId: travelId },
      { field: 'receipt', filename: 'ticket.png', contentType: 'image/png', data: pngBytes },
      { csrf: false },
    );
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired');
    expect(await t.db.select({ id: bursaryReceipts.id }).from(bursaryReceipts)).toHaveLength(0);
  });

  it('refuses a web page or a program named .pdf, judging by the content', async () => {
    for (const data of [htmlBytes, exeBytes]) {
      const response = await postMultipart(
        carer,
        `/bursaries/applications/${applicationId}/receipts`,
        { itemId: travelId },
        { field: 'receipt', filename: 'receipt.pdf', contentType: 'application/pdf', data },
      );
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('The receipt must be a PDF, JPEG, PNG or HEIC file');
    }
    expect(await t.db.select({ id: bursaryReceipts.id }).from(bursaryReceipts)).toHaveLength(0);
  });

  it('refuses a file over 10 MB', async () => {
    const big = Buffer.concat([pdfBytes, Buffer.alloc(10 * 1024 * 1024 + 10, 32)]);
    const response = await postMultipart(
      carer,
      `/bursaries/applications/${applicationId}/receipts`,
      { itemId: travelId },
      { field: 'receipt', filename: 'big.pdf', contentType: 'application/pdf', data: big },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('The file must be smaller than 10 MB');
    expect(await t.db.select({ id: bursaryReceipts.id }).from(bursaryReceipts)).toHaveLength(0);
  });

  it('asks for a file when none was chosen', async () => {
    const response = await postMultipart(
      carer,
      `/bursaries/applications/${applicationId}/receipts`,
      { itemId: travelId },
      { field: 'receipt', filename: '', contentType: 'application/octet-stream', data: Buffer.alloc(0) },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Choose a receipt file to upload');
  });

  it('stores a real PDF under a random key and serves it only as a download', async () => {
    const response = await postMultipart(
      carer,
      `/bursaries/applications/${applicationId}/receipts`,
      { itemId: travelId },
      { field: 'receipt', filename: 'train <ticket>.PDF', contentType: 'text/html', data: pdfBytes },
    );
    expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
    const [receipt] = await t.db.select().from(bursaryReceipts).where(eq(bursaryReceipts.applicationId, applicationId));
    expect(receipt!.contentType).toBe('application/pdf');
    expect(receipt!.filename).toBe('train ticket.pdf');
    expect(receipt!.storageKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.compare(receipt!.content, pdfBytes)).toBe(0);

    for (const client of [carer, boss]) {
      const download = await client.get(`/bursaries/receipts/${receipt!.storageKey}`);
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('application/pdf');
      expect(download.headers['content-disposition']).toBe('attachment; filename="train ticket.pdf"');
      expect(download.headers['x-content-type-options']).toBe('nosniff');
      expect(download.rawPayload.equals(pdfBytes)).toBe(true);
    }
    const downloads = await t.db
      .select({ actorId: auditEntries.actorId })
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, applicationId), eq(auditEntries.action, 'bursary.receipt.downloaded')));
    expect(downloads).toHaveLength(2);
  });
});

describe('photos of receipts', () => {
  it('accepts JPEG and HEIC (as phones take them), whatever they are called', async () => {
    const box = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(8 + body.length, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, body]);
    };
    const heic = Buffer.concat([box('ftyp', Buffer.concat([Buffer.from('heic'), Buffer.alloc(4), Buffer.from('mif1heic')])), Buffer.alloc(200)]);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(200)]);
    for (const [data, name] of [
      [heic, 'IMG_0001.HEIC'],
      [jpeg, 'photo'],
    ] as const) {
      const response = await postMultipart(
        carer,
        `/bursaries/applications/${applicationId}/receipts`,
        { itemId: travelId },
        { field: 'receipt', filename: name, contentType: 'application/octet-stream', data },
      );
      expect(response.statusCode).toBe(303);
    }
    const stored = await t.db
      .select({ contentType: bursaryReceipts.contentType, filename: bursaryReceipts.filename })
      .from(bursaryReceipts)
      .where(eq(bursaryReceipts.applicationId, applicationId));
    expect(stored).toEqual(
      expect.arrayContaining([
        { contentType: 'image/heic', filename: 'IMG_0001.heic' },
        { contentType: 'image/jpeg', filename: 'photo.jpg' },
      ]),
    );
  });
});

describe('claiming and paying', () => {
  it('records an advance before the claim, shown as a balance', async () => {
    const settlementTooEarly = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/payments`, {
      kind: 'settlement',
      amount: '10',
      paidOn: '2026-11-20',
      method: 'Bank transfer',
    });
    expect(settlementTooEarly.statusCode).toBe(400);
    expect(settlementTooEarly.body).toContain('Approve the claim before paying it');
    // A day the month does not have is refused, not rolled over into March.
    const impossible = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/payments`, {
      kind: 'advance',
      amount: '10',
      paidOn: '2026-02-30',
      method: 'Cash',
    });
    expect(impossible.statusCode).toBe(400);
    expect(impossible.body).toContain('Enter the date it was paid');
    const bad = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/payments`, {
      kind: 'advance',
      amount: 'x',
      paidOn: 'soon',
      method: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter the amount paid in pounds');
    expect(bad.body).toContain('Enter the date it was paid');
    const advance = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/payments`, {
      kind: 'advance',
      amount: '100',
      paidOn: '2026-11-20',
      method: 'Cash',
      reference: 'ADV-1',
    });
    expect(advance.statusCode).toBe(303);
    const page = await carer.get(`/bursaries/applications/${applicationId}`);
    // An advance is not a settlement: the page says what is true now (issue 14).
    expect(page.body).toContain('Advance paid — waiting for your receipts');
    expect(page.body).not.toContain('Settled');
    expect(page.body).toMatch(/id="balance-to-pay">£38</);
    expect(await fundFigures(t.db, fundId)).toMatchObject({ approvedPence: 13800, paidPence: 10000, remainingPence: 6200 });
    const mail = await t.db.select({ data: outboxMessages.data }).from(outboxMessages).where(eq(outboxMessages.template, 'bursary-paid'));
    expect(mail).toHaveLength(1);
    // No amount, method or reference in the email; its link (a random id) is checked on its own,
    // since an id may contain "100" by chance.
    const { applicationPath, ...told } = mail[0]!.data as { applicationPath: string };
    expect(applicationPath).toBe(`/bursaries/applications/${applicationId}`);
    expect(JSON.stringify(told)).not.toMatch(/100|Cash|ADV/);
  });

  it('needs a receipt for costs over the threshold, but not for small ones', async () => {
    const noReceipt = await carer.post(`/bursaries/applications/${applicationId}/claim`, {
      [`claim-${travelId}`]: '55',
      [`claim-${careId}`]: '70',
      [`claim-${subsistenceId}`]: '6.50',
    });
    expect(noReceipt.statusCode).toBe(400);
    expect(noReceipt.body).toContain('Upload a receipt for this cost first');
    // Travel has its receipt; care does not; food is under £10 and needs none.
    expect(noReceipt.body).toMatch(new RegExp(`id="claim-${careId}-error"`));
    expect(noReceipt.body).not.toMatch(new RegExp(`id="claim-${travelId}-error"`));
    expect(noReceipt.body).not.toMatch(new RegExp(`id="claim-${subsistenceId}-error"`));
    expect(await t.db.select().from(bursaryClaims)).toHaveLength(0);
  });

  it('claims with receipts; the panel approves the claim and unclaimed money returns to the budget', async () => {
    const upload = await postMultipart(
      carer,
      `/bursaries/applications/${applicationId}/receipts`,
      { itemId: careId },
      { field: 'receipt', filename: 'sitter.png', contentType: 'image/png', data: pngBytes },
    );
    expect(upload.statusCode).toBe(303);
    const claim = await carer.post(`/bursaries/applications/${applicationId}/claim`, {
      [`claim-${travelId}`]: '55',
      [`claim-${careId}`]: '75',
      [`claim-${subsistenceId}`]: '6.50',
    });
    expect(claim.statusCode).toBe(303);
    const queue = await boss.get(`/bursaries/funds/${fundId}`);
    expect(queue.body).toContain('Claims waiting for approval');
    expect(queue.body).toContain('less than a day');

    const approve = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/claim/approve`);
    expect(approve.statusCode).toBe(303);
    const [row] = await t.db.select().from(bursaryClaims).where(eq(bursaryClaims.applicationId, applicationId));
    // Care is capped at the £70 approved: 55 + 70 + 6.50.
    expect(row).toMatchObject({ status: 'approved', approvedPence: 13150 });
    expect(await fundFigures(t.db, fundId)).toMatchObject({ approvedPence: 13150, paidPence: 10000, remainingPence: 20000 - 13150 });

    const page = await boss.get(`/bursaries/funds/${fundId}/applications/${applicationId}`);
    expect(page.body).toContain('Claim approved — £31.50 to pay');
    expect(page.body).toMatch(/id="balance-to-pay">£31.50</);

    const settle = await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/payments`, {
      kind: 'settlement',
      amount: '31.50',
      paidOn: '2026-11-22',
      method: 'Cash',
    });
    expect(settle.statusCode).toBe(303);
    const [paid] = await t.db.select({ status: bursaryClaims.status }).from(bursaryClaims).where(eq(bursaryClaims.applicationId, applicationId));
    expect(paid!.status).toBe('paid');
    const mine = await carer.get(`/bursaries/applications/${applicationId}`);
    expect(mine.body).toContain('>Settled<');
    expect(mine.body).toContain('Nothing is owed either way.');

    const late = await postMultipart(
      carer,
      `/bursaries/applications/${applicationId}/receipts`,
      { itemId: careId },
      { field: 'receipt', filename: 'late.png', contentType: 'image/png', data: pngBytes },
    );
    expect(late.statusCode).toBe(303);
    expect(await t.db.select({ id: bursaryReceipts.id }).from(bursaryReceipts)).toHaveLength(4);
  });

  it('closing an application returns what was not paid', async () => {
    const person = await t.signedIn('closer@example.org');
    const before = await fundFigures(t.db, fundId);
    const other = await createEvent(t.db);
    const made = await boss.post('/bursaries/funds', { eventId: other.id, name: 'Other fund', budget: '50', eligibility: '', covers: '', deadline: '' });
    const otherFund = idFrom(made.headers.location, uuidIn);
    const started = await person.post(`/events/${other.slug}/bursary`);
    const id = idFrom(started.headers.location, uuidIn);
    await person.post(`/bursaries/applications/${id}/edit`, {
      perspective: 'service_user',
      paymentMethod: 'bank_transfer',
      paymentName: 'A Person',
      sortCode: '30-94-57',
      accountNumber: '31926819',
      otherDescription: 'Phone',
      otherAmount: '40',
    });
    await person.post(`/bursaries/applications/${id}/submit`);
    await boss.post(`/bursaries/funds/${otherFund}/applications/${id}/decision`, { outcome: 'approve_all', message: 'Yes' });
    await boss.post(`/bursaries/funds/${otherFund}/applications/${id}/payments`, {
      kind: 'advance',
      amount: '15',
      paidOn: '2026-11-21',
      method: 'Bank transfer',
    });
    expect(await fundFigures(t.db, otherFund)).toMatchObject({ approvedPence: 4000, remainingPence: 1000 });
    // Closing asks first; opening that page changes nothing.
    const ask = await boss.get(`/bursaries/funds/${otherFund}/applications/${id}/close`);
    expect(ask.body).toContain('Are you sure you want to close this application?');
    expect(await fundFigures(t.db, otherFund)).toMatchObject({ approvedPence: 4000 });
    expect((await boss.post(`/bursaries/funds/${otherFund}/applications/${id}/close`)).statusCode).toBe(303);
    expect(await fundFigures(t.db, otherFund)).toMatchObject({ approvedPence: 1500, paidPence: 1500, remainingPence: 3500 });
    expect(await fundFigures(t.db, fundId)).toEqual(before);
  });
});

describe('reporting', () => {
  it('totals by category and status, and a CSV for finance without names', async () => {
    const report = await boss.get(`/bursaries/funds/${fundId}/report`);
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('Replacement care or childcare');
    const csv = await boss.get(`/bursaries/funds/${fundId}/report.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('attachment');
    // Excel reads UTF-8 only with a byte-order mark; rows end CRLF or LF.
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toContain('Reference,Event,Status,Submitted on');
    expect(lines[1]).toContain('Survivor research day');
    expect(lines).toHaveLength(2);
    // Statuses in words, the date as an ISO date in its own column, amounts from the ledger.
    expect(lines[1]).toContain('Partly approved');
    expect(lines[1]).not.toContain('part_approved');
    expect(lines[1]).toMatch(/,\d{4}-\d{2}-\d{2},/);
    expect(lines[1]).toContain(',Settled');
    expect(lines[1]).toContain('60.00,60.00,55.00');
    expect(lines[1]).toContain('131.50');
    expect(csv.body).not.toContain('carer@example.org');
    expect(csv.body).not.toContain('Cash on the day');
    const bossId = await personId(t.db, 'panel@example.org');
    const exported = await t.db
      .select({ id: auditEntries.id })
      .from(auditEntries)
      .where(and(eq(auditEntries.actorId, bossId), eq(auditEntries.action, 'bursary.fund.report_exported')));
    expect(exported).toHaveLength(1);
  });
});
