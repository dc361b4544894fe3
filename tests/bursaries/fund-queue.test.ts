// A fund's page for its panel: everything waiting for a decision and every claim waiting for
// approval on every page, and the decided and withdrawn applications a page at a time, with how
// many there are. The page once built the whole application view for every application a fund
// ever had (the bench's slowest page, with 200); the figures above the tables still cover them all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryClaims, bursaryFunds, bursaryItems, people } from '../../db/schema/index.ts';
import { DECIDED_PER_PAGE, loadApplication } from '../../server/bursaries/applications.ts';
import { bursarySettings } from '../../server/bursaries/money.ts';
import { applicationView } from '../../server/bursaries/view-models.ts';
import { addEntry } from '../../server/bursaries/ledger.ts';
import { applicationReference } from '../../server/bursaries/reporting.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, organiser } from './support.ts';

let t: TestApp;
let boss: TestClient;
let fundId: string;
/** Application ids in the order the page lists them (oldest first). */
let waiting: string[];
let decided: string[];
let withClaim: string;

const DECIDED = DECIDED_PER_PAGE * 2 + 7;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'organiser@example.org');
  const event = await createEvent(t.db, { title: 'Queue day' });
  const [fund] = await t.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Queue fund', budgetPence: 10_000_000 }).returning();
  fundId = fund!.id;
  const applicants = await t.db
    .insert(people)
    .values(Array.from({ length: DECIDED + 5 }, (_, i) => ({ email: `applicant${i}@example.org`, displayName: `Applicant ${i}` })))
    .returning({ id: people.id });
  const start = Date.UTC(2026, 0, 1);
  const rows = await t.db
    .insert(bursaryApplications)
    .values(
      applicants.map((a, i) => ({
        fundId,
        eventId: event.id,
        applicantId: a.id,
        // Five waiting, spread among the decided, so that paging has to leave them out of its count.
        status: i % 22 === 3 ? ('submitted' as const) : i % 3 === 0 ? ('declined' as const) : ('approved' as const),
        perspective: 'carer' as const,
        paymentMethod: 'bank_transfer' as const,
        paymentName: `Payee ${i}`,
        submittedAt: new Date(start + i * 60_000),
      })),
    )
    .returning({ id: bursaryApplications.id, status: bursaryApplications.status });
  await t.db.insert(bursaryItems).values(
    rows.map((r, i) => ({
      applicationId: r.id,
      category: 'travel' as const,
      description: 'Train',
      estimatePence: 1_000 + i,
      approvedPence: r.status === 'approved' ? 1_000 + i : null,
    })),
  );
  waiting = rows.filter((r) => r.status === 'submitted').map((r) => r.id);
  decided = rows.filter((r) => r.status !== 'submitted').map((r) => r.id);
  expect(waiting).toHaveLength(5);
  expect(decided).toHaveLength(DECIDED);
  // The last approved application (on the last page) has a claim waiting and an advance paid.
  withClaim = rows.filter((r) => r.status === 'approved').at(-1)!.id;
  expect(decided.indexOf(withClaim)).toBeGreaterThanOrEqual(DECIDED_PER_PAGE * 2);
  await t.db.insert(bursaryClaims).values({ applicationId: withClaim, status: 'submitted' });
  const [admin] = await t.db.select({ id: people.id }).from(people).limit(1);
  await addEntry(t.db, { fundId, applicationId: withClaim, kind: 'advance', amountPence: 1_234, recordedBy: admin!.id });
});
afterAll(async () => {
  await t.close();
});

const referencesIn = (html: string, ids: string[]) => ids.filter((id) => html.includes(applicationReference(id)));
const section = (html: string, heading: string, next?: string) => {
  const from = html.indexOf(`>${heading}</h2>`);
  const to = next ? html.indexOf(`>${next}</h2>`) : html.length;
  expect(from, heading).toBeGreaterThan(0);
  return html.slice(from, to);
};

describe('a fund’s queue, a page at a time', () => {
  it('shows all the waiting work on every page and the decided ones a page at a time, oldest first', async () => {
    const first = await boss.get(`/bursaries/funds/${fundId}`);
    expect(first.statusCode).toBe(200);
    expect(referencesIn(section(first.body, 'Waiting for a decision', 'Claims waiting for approval'), waiting)).toEqual(waiting);
    expect(referencesIn(section(first.body, 'Claims waiting for approval', 'Decided'), decided)).toEqual([withClaim]);
    const decidedPart = section(first.body, 'Decided');
    expect(referencesIn(decidedPart, decided)).toEqual(decided.slice(0, DECIDED_PER_PAGE));
    expect(decidedPart).toContain(`Showing 1 to ${DECIDED_PER_PAGE} of ${DECIDED} decided or withdrawn applications, oldest first.`);
    expect(decidedPart).toContain(`href="/bursaries/funds/${fundId}?page=2#decided"`);
    expect(decidedPart).toContain(`href="/bursaries/funds/${fundId}?page=3#decided"`);

    const last = await boss.get(`/bursaries/funds/${fundId}?page=3`);
    expect(last.body).toContain('<title>Bursaries: Queue fund (page 3 of 3)');
    expect(referencesIn(section(last.body, 'Waiting for a decision', 'Claims waiting for approval'), waiting)).toEqual(waiting);
    const lastDecided = section(last.body, 'Decided');
    expect(referencesIn(lastDecided, decided)).toEqual(decided.slice(DECIDED_PER_PAGE * 2));
    expect(lastDecided).toContain(`Showing ${DECIDED_PER_PAGE * 2 + 1} to ${DECIDED} of ${DECIDED}`);
  });

  it('gives each row the same words and figures as the application’s own view', async () => {
    const last = await boss.get(`/bursaries/funds/${fundId}?page=3`);
    const rowOf = (html: string) => {
      const at = html.indexOf(applicationReference(withClaim));
      return html.slice(html.lastIndexOf('<tr', at), html.indexOf('</tr>', at));
    };
    const full = applicationView((await loadApplication(t.db, withClaim))!, bursarySettings(t.app.config), new Date(), 'panel');
    const row = rowOf(section(last.body, 'Decided'));
    for (const figure of [full.statusLabel, full.approvedTotal!, full.balance.paid, full.money!.label]) expect(row).toContain(figure.replaceAll('&', '&amp;'));
    expect(full.balance.paid).toBe('£12.34');
    const claimRow = rowOf(section(last.body, 'Claims waiting for approval', 'Decided'));
    expect(claimRow).toContain(full.claimedTotal!);
  });

  it('says plainly when a page is past the last, and refuses a page that is not a number', async () => {
    const past = await boss.get(`/bursaries/funds/${fundId}?page=9`);
    expect(past.statusCode).toBe(200);
    expect(past.body).toContain(`There is no page 9: <a class="govuk-link" href="/bursaries/funds/${fundId}#decided">go to the first page</a> of ${DECIDED}`);
    expect(past.body).not.toContain('Nothing decided yet');
    expect(past.body).not.toContain('page 9 of');
    for (const page of ['0', 'two', '-1']) expect((await boss.get(`/bursaries/funds/${fundId}?page=${page}`)).statusCode, page).toBe(400);
  });

  it('says when nothing is decided yet, with no pages', async () => {
    const event = await createEvent(t.db, { title: 'Empty day' });
    const [fund] = await t.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Empty fund', budgetPence: 1_000 }).returning();
    const page = await boss.get(`/bursaries/funds/${fund!.id}`);
    expect(page.body).toContain('Nothing decided yet.');
    expect(page.body).not.toContain('govuk-pagination');
  });
});
