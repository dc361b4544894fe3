// Importing an older mailing list from CSV, as an organiser does it: upload, a preview naming each
// row's problem, start, progress, finish. Rows whose consent is recorded (with a date) join the
// list with it; the others get one email asking, join only by pressing its button, and hear
// nothing else; nobody is asked twice; people who left or bounced are never emailed.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listImportRows, listImports, listSubscribers, outboxMessages } from '../../db/schema/index.ts';
import { audienceOf } from '../../server/network/announcements.ts';
import { consentDate, dropStalePreviews, PREVIEW_KEEP_DAYS, REPERMISSION_WORDING, runImports } from '../../server/network/import.ts';
import { emailHash, JOIN_WORDING, leaveList, NO_INTERESTS, subscribe } from '../../server/network/list.ts';
import { postMultipart } from '../bursaries/support.ts';
import { mailTo, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'importer@example.org');
});
afterAll(async () => {
  await t?.close();
});

const upload = (client: TestClient, csv: string | Buffer, filename = 'members.csv') =>
  postMultipart(client, '/organise/list/import', {}, { field: 'file', filename, contentType: 'text/csv', data: Buffer.isBuffer(csv) ? csv : Buffer.from(csv) });

/** The figures of a summary list on a page, by their labels. */
const figures = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<dt class="govuk-summary-list__key">([^<]+)<\/dt><dd class="govuk-summary-list__value">(\d+)<\/dd>/g)].map((m) => [m[1], Number(m[2])]),
  );

const subscriberRow = async (email: string) => (await t.db.select().from(listSubscribers).where(eq(listSubscribers.email, email)))[0];

describe('importing a mailing list', () => {
  it('previews each row, then imports with consent handled lawfully, showing progress', async () => {
    await subscribe(t.db, { email: 'already@example.org', method: 'web_form', wording: JOIN_WORDING, now: new Date() });
    await leaveList(t.db, await subscribe(t.db, { email: 'left@example.org', method: 'web_form', wording: JOIN_WORDING, now: new Date() }));
    const csv = [
      'Email,Name,Consent given',
      'Ana@Example.org,Ana,"2024-03-15, signed up at the launch day"',
      'bo@example.org,Bo,',
      'not-an-address,Cy,2024-01-01',
      'ana@example.org,Ana again,2024-01-01',
      'already@example.org,Already,2023-05-01',
      'left@example.org,Left,2023-05-01',
      'dee@example.org,Dee,ticked a box once',
      'eve@example.org,Eve,15/06/2022 paper form at the conference',
    ].join('\r\n');
    const uploaded = await upload(organiser, `\uFEFF${csv}`);
    expect(uploaded.statusCode, uploaded.body.slice(0, 300)).toBe(303);
    const url = String(uploaded.headers.location);

    const preview = await organiser.get(url);
    expect(preview.statusCode).toBe(200);
    expect(figures(preview.body)).toEqual({
      'Will join the list (consent recorded with a date)': 2,
      'Will be emailed once, asking if they want to join': 2,
      'Left out (problems below)': 4,
    });
    for (const [line, email, why] of [
      [4, 'not-an-address', 'Not an email address'],
      [5, 'ana@example.org', 'The same address is on an earlier line'],
      [6, 'already@example.org', 'Already on the mailing list'],
      [7, 'left@example.org', 'Left the list or their email bounced: never emailed again'],
    ])
      expect(preview.body).toContain(
        `<td class="govuk-table__cell">${line}</td><td class="govuk-table__cell">${email}</td><td class="govuk-table__cell">${why}</td>`,
      );
    expect(preview.body).toContain('Line 8, dee@example.org: “ticked a box once”');
    // Nothing has happened yet.
    expect(await subscriberRow('ana@example.org')).toBeUndefined();
    expect(await t.db.select().from(outboxMessages).where(eq(outboxMessages.template, 'list-import-ask'))).toHaveLength(0);

    expect((await organiser.post(`${url}/start`)).statusCode).toBe(303);
    // Starting twice does nothing more.
    const again = await organiser.post(`${url}/start`);
    expect(again.headers['x-error-code']).toBe('import_started');

    // The job works through a batch at a time; the page says how far it has got.
    expect(await runImports(t.db, { batch: 3 })).toBe(3);
    const during = await organiser.get(url);
    expect(during.body).toContain('3 of 8 rows done (37%)');
    expect(during.body).toContain('Look again to see how far it has got');
    expect(figures(during.body)['Still to do']).toBe(5);
    while ((await runImports(t.db, { batch: 3 })) > 0);
    const after = await organiser.get(url);
    expect(after.body).toContain('8 of 8 rows done (100%)');
    expect(after.body).not.toContain('Look again');
    expect(figures(after.body)).toEqual({ 'Joined the list': 2, 'Emailed, asking if they want to join': 2, 'Left out': 4, 'Still to do': 0 });
    // Finished, the import keeps its counts and why each row was left out, by line, but no address,
    // name or consent note; a row that was asked keeps only its address's hash.
    const importId = url.split('/').pop()!;
    const kept = await t.db.select().from(listImportRows).where(eq(listImportRows.importId, importId));
    expect(kept).toHaveLength(8);
    for (const row of kept) expect(row).toMatchObject({ email: '', name: '', consent: '' });
    expect(
      kept
        .filter((r) => r.emailHash)
        .map((r) => r.emailHash)
        .sort(),
    ).toEqual([emailHash('bo@example.org'), emailHash('dee@example.org')].sort());
    for (const address of ['not-an-address', 'ana@example.org', 'left@example.org', 'ticked a box once']) expect(after.body).not.toContain(address);
    expect(after.body).toContain('<td class="govuk-table__cell">4</td><td class="govuk-table__cell">Not an email address</td>');

    // Recorded consent: on the list, with that record kept as imported consent.
    const ana = await subscriberRow('ana@example.org');
    expect(ana).toMatchObject({ status: 'subscribed', name: 'Ana', consentMethod: 'imported' });
    expect(ana!.consentedAt.toISOString()).toBe('2024-03-15T12:00:00.000Z');
    expect(ana!.consentWording).toContain('signed up at the launch day');
    expect(ana!.consentWording).toContain('members.csv');
    expect((await subscriberRow('eve@example.org'))!.consentedAt.toISOString()).toBe('2022-06-15T11:00:00.000Z');

    // No recorded consent: one email each, not on the list, so not in any announcement's audience.
    const asked = await t.db.select({ to: outboxMessages.toAddress }).from(outboxMessages).where(eq(outboxMessages.template, 'list-import-ask'));
    expect(asked.map((r) => r.to).sort()).toEqual(['bo@example.org', 'dee@example.org']);
    expect(await subscriberRow('bo@example.org')).toBeUndefined();
    const audience = (await audienceOf(t.db, NO_INTERESTS)).map((p) => p.email).sort();
    expect(audience).toEqual(['already@example.org', 'ana@example.org', 'eve@example.org']);
    // Nobody who left is emailed.
    expect(await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'left@example.org'))).toHaveLength(0);

    // Bo says yes from the email (opening the link changes nothing; the button does).
    const [ask] = await mailTo(t.db, 'bo@example.org', 'list-import-ask');
    const link = String(ask!.data.confirmPath);
    const visitor = t.client();
    expect((await visitor.get(link)).statusCode).toBe(200);
    expect(await subscriberRow('bo@example.org')).toBeUndefined();
    expect((await visitor.post(link)).statusCode).toBe(303);
    expect(await subscriberRow('bo@example.org')).toMatchObject({ status: 'subscribed', consentWording: REPERMISSION_WORDING, consentMethod: 'web_form' });

    // The same people in a later file: Bo is on the list now, Dee was asked once already.
    const second = await upload(organiser, 'email,name\nbo@example.org,Bo\ndee@example.org,Dee\n', 'again.csv');
    const secondPreview = await organiser.get(String(second.headers.location));
    expect(secondPreview.body).toContain('Already on the mailing list');
    expect(secondPreview.body).toContain('Already asked by an earlier import');
    expect(figures(secondPreview.body)['Will be emailed once, asking if they want to join']).toBe(0);
  });

  it('says what is wrong with a file that cannot be imported, on the upload page', async () => {
    const cases: [string | Buffer, string][] = [
      ['', 'Choose a CSV file to import'],
      ['Name,Consent\nAna,yes\n', 'The first line of the file must name the columns, one of them &quot;Email&quot;'],
      ['Email\n', 'The file has a heading line but no rows'],
      ['Email,Name\n"unclosed,Ana\n', 'The file could not be read as CSV'],
      [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'not a spreadsheet'],
    ];
    for (const [csv, message] of cases) {
      const response = await upload(organiser, csv);
      expect(response.statusCode, message).toBe(400);
      expect(response.body).toContain(message);
      expect(response.body).toContain('<title>Error: Import a mailing list –');
    }
    // Only organisers may import.
    const member = await t.signedIn('just-a-member@example.org');
    expect((await upload(member, 'Email\na@example.org\n')).statusCode).toBe(403);
  });

  it('does not keep a preview nobody starts: after a few days it is cancelled and its rows deleted', async () => {
    const uploaded = await upload(organiser, 'email,name\nforgotten@example.org,Forgotten\n', 'forgotten.csv');
    const id = String(uploaded.headers.location).split('/').pop()!;
    const fresh = await upload(organiser, 'email,name\nrecent@example.org,Recent\n', 'recent.csv');
    const freshId = String(fresh.headers.location).split('/').pop()!;
    await t.db
      .update(listImports)
      .set({ createdAt: new Date(Date.now() - (PREVIEW_KEEP_DAYS + 1) * 86_400_000) })
      .where(eq(listImports.id, id));
    expect(await dropStalePreviews(t.db)).toBe(1);
    expect(await t.db.select().from(listImportRows).where(eq(listImportRows.importId, id))).toHaveLength(0);
    expect((await t.db.select().from(listImports).where(eq(listImports.id, id)))[0]!.status).toBe('cancelled');
    expect(await t.db.select().from(listImportRows).where(eq(listImportRows.importId, freshId))).toHaveLength(1);
    await organiser.post(`/organise/list/imports/${freshId}/cancel`);
  });

  it('can be cancelled from the preview, which deletes its addresses', async () => {
    const uploaded = await upload(organiser, 'Email\nnever@example.org\n');
    const url = String(uploaded.headers.location);
    const id = url.split('/').pop()!;
    expect((await organiser.post(`${url}/cancel`)).statusCode).toBe(303);
    expect(
      await t.db
        .select()
        .from(listImportRows)
        .where(and(eq(listImportRows.importId, id))),
    ).toHaveLength(0);
    expect(await runImports(t.db)).toBe(0);
    expect(await subscriberRow('never@example.org')).toBeUndefined();
  });

  it('reads the date of consent in either order, and not a date still to come', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    expect(consentDate('2024-03-15 web form', now)?.toISOString()).toBe('2024-03-15T12:00:00.000Z');
    expect(consentDate('signed 1/7/2023', now)?.toISOString()).toBe('2023-07-01T11:00:00.000Z');
    expect(consentDate('2024-02-30', now)).toBeNull();
    expect(consentDate('2027-01-01', now)).toBeNull();
    expect(consentDate('yes', now)).toBeNull();
  });
});
