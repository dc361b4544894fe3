// Reporting for the panel and finance: per fund, totals by category and by status, and a CSV
// with one anonymous row per application (a short reference, no names), since finance needs
// amounts, not people. Erased applications still count: their amounts were kept for this.
import { and, eq, ne } from 'drizzle-orm';
import { bursaryApplications, bursaryCategories, bursaryClaims, bursaryItems, events, type BursaryCategory } from '../../db/schema/index.ts';
import { spreadsheetCsv } from '../http/csv.ts';
import { recordAudit } from '../audit.ts';
import type { Db } from '../db/database.ts';
import { londonDay } from '../format.ts';
import { poundsCell } from '../money.ts';
import { categoryLabels, claimStatusLabels, statusLabels } from './labels.ts';
import { balancesOf, fundBalances, type Balances } from './ledger.ts';
import { moneyState } from './view-models.ts';

export interface CategoryTotals {
  category: BursaryCategory;
  askedPence: number;
  approvedPence: number;
  claimedPence: number;
}

export interface StatusTotals {
  status: string;
  applications: number;
  askedPence: number;
  approvedPence: number;
}

export interface ApplicationLine {
  reference: string;
  eventTitle: string;
  status: string;
  submittedOn: string;
  inAdvance: boolean;
  byCategory: Record<BursaryCategory, { asked: number; approved: number; claimed: number }>;
  claimStatus: string;
  closed: boolean;
  balances: Balances;
  paidPence: number;
}

export async function fundReport(db: Db, fundId: string) {
  // Drafts are the applicant's own until sent, so they are not reported.
  const items = await db
    .select({
      applicationId: bursaryApplications.id,
      status: bursaryApplications.status,
      category: bursaryItems.category,
      estimatePence: bursaryItems.estimatePence,
      approvedPence: bursaryItems.approvedPence,
      claimedPence: bursaryItems.claimedPence,
    })
    .from(bursaryItems)
    .innerJoin(bursaryApplications, eq(bursaryApplications.id, bursaryItems.applicationId))
    .where(and(eq(bursaryApplications.fundId, fundId), ne(bursaryApplications.status, 'draft')));
  const applications = await db
    .select({
      id: bursaryApplications.id,
      eventTitle: events.title,
      status: bursaryApplications.status,
      submittedAt: bursaryApplications.submittedAt,
      inAdvance: bursaryApplications.inAdvance,
      closedAt: bursaryApplications.closedAt,
      claimStatus: bursaryClaims.status,
    })
    .from(bursaryApplications)
    .innerJoin(events, eq(events.id, bursaryApplications.eventId))
    .leftJoin(bursaryClaims, eq(bursaryClaims.applicationId, bursaryApplications.id))
    .where(and(eq(bursaryApplications.fundId, fundId), ne(bursaryApplications.status, 'draft')))
    .orderBy(bursaryApplications.submittedAt);
  const ledger = await fundBalances(db, fundId);

  const byCategory: CategoryTotals[] = bursaryCategories.map((category) => {
    const rows = items.filter((i) => i.category === category);
    return {
      category,
      askedPence: rows.reduce((s, r) => s + r.estimatePence, 0),
      approvedPence: rows.reduce((s, r) => s + (r.approvedPence ?? 0), 0),
      claimedPence: rows.reduce((s, r) => s + (r.claimedPence ?? 0), 0),
    };
  });
  const statuses = ['submitted', 'approved', 'part_approved', 'declined', 'withdrawn'];
  const byStatus: StatusTotals[] = statuses.map((status) => {
    const rows = items.filter((i) => i.status === status);
    return {
      status,
      applications: applications.filter((a) => a.status === status).length,
      askedPence: rows.reduce((s, r) => s + r.estimatePence, 0),
      approvedPence: rows.reduce((s, r) => s + (r.approvedPence ?? 0), 0),
    };
  });
  const lines: ApplicationLine[] = applications.map((a) => {
    const cats = Object.fromEntries(bursaryCategories.map((c) => [c, { asked: 0, approved: 0, claimed: 0 }])) as ApplicationLine['byCategory'];
    // More than one item may share a category: they add up.
    for (const i of items.filter((i) => i.applicationId === a.id)) {
      const c = cats[i.category];
      cats[i.category] = { asked: c.asked + i.estimatePence, approved: c.approved + (i.approvedPence ?? 0), claimed: c.claimed + (i.claimedPence ?? 0) };
    }
    return {
      reference: applicationReference(a.id),
      eventTitle: a.eventTitle,
      status: a.status,
      submittedOn: a.submittedAt ? londonDay(a.submittedAt) : '',
      inAdvance: a.inAdvance,
      byCategory: cats,
      claimStatus: a.claimStatus ?? '',
      closed: a.closedAt !== null,
      balances: ledger.get(a.id) ?? balancesOf({}),
      paidPence: ledger.get(a.id)?.paidOutPence ?? 0,
    };
  });
  return { byCategory, byStatus, lines, paidPence: lines.reduce((s, l) => s + l.paidPence, 0) };
}

/** A short reference people can quote without sharing the full id. */
export function applicationReference(id: string): string {
  return `B-${id.slice(0, 8).toUpperCase()}`;
}

/**
 * The finance CSV: one anonymous row per application, amounts as plain numbers a spreadsheet adds
 * up, the date in its own ISO column, statuses in words. Every money column comes from the ledger,
 * so each row keeps: allowed − paid out + owed back = still to pay, and owed back − repaid −
 * written off = still owed.
 */
export function reportCsv(report: Awaited<ReturnType<typeof fundReport>>): string {
  const header = ['Reference', 'Event', 'Status', 'Submitted on', 'Money in advance', 'Claim'];
  for (const c of bursaryCategories)
    header.push(`${categoryLabels[c].label}: asked`, `${categoryLabels[c].label}: approved`, `${categoryLabels[c].label}: claimed`);
  header.push(
    'Approved',
    'Claim approved',
    'Paid out',
    'Owed back',
    'Repaid',
    'Written off',
    'Returned to the fund',
    'Still to pay',
    'Still owed to the Hub',
    'Money',
  );
  const rows = report.lines.map((l) => {
    const b = l.balances;
    const decided = l.status === 'approved' || l.status === 'part_approved';
    const row: string[] = [
      l.reference,
      l.eventTitle,
      statusLabels[l.status as keyof typeof statusLabels]?.label ?? l.status,
      l.submittedOn,
      l.inAdvance ? 'Yes' : 'No',
      l.claimStatus ? (claimStatusLabels[l.claimStatus] ?? l.claimStatus) : 'No claim yet',
    ];
    for (const c of bursaryCategories) row.push(poundsCell(l.byCategory[c].asked), poundsCell(l.byCategory[c].approved), poundsCell(l.byCategory[c].claimed));
    row.push(
      poundsCell(b.approvedPence),
      b.claimApprovedPence === null ? '' : poundsCell(b.claimApprovedPence),
      poundsCell(b.paidOutPence),
      poundsCell(b.owedBackPence),
      poundsCell(b.repaidPence),
      poundsCell(b.writtenOffPence),
      poundsCell(b.releasedPence),
      poundsCell(b.toPayPence),
      poundsCell(b.stillOwedPence),
      decided ? moneyState(b, l.claimStatus ? { status: l.claimStatus } : null, l.closed, 'panel').label : '',
    );
    return row;
  });
  return spreadsheetCsv(header, rows);
}

/**
 * Notes in the audit log that a panel member opened a fund's list of applications or its report,
 * or downloaded the report: each shows health-related data.
 */
export async function auditFundOpened(
  db: Db,
  fundId: string,
  what: 'queue_viewed' | 'report_viewed' | 'report_exported',
  actor: { id: string },
): Promise<void> {
  await recordAudit(db, { actorId: actor.id, action: `bursary.fund.${what}`, subjectType: 'bursary_fund', subjectId: fundId });
}
