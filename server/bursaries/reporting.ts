// Reporting for the panel and finance: per fund, totals by category and by status, and a CSV
// with one anonymous row per application (a short reference, no names), since finance needs
// amounts, not people. Erased applications still count: their amounts were kept for this.
import { stringify } from 'csv-stringify/sync';
import { and, eq, ne, sql } from 'drizzle-orm';
import { bursaryApplications, bursaryCategories, bursaryClaims, bursaryItems, bursaryPayments, events, type BursaryCategory } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Db } from '../db/database.ts';

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
      claimStatus: bursaryClaims.status,
      paid: sql<string>`(select coalesce(sum(${bursaryPayments.amountPence}), 0)::int from ${bursaryPayments} where ${bursaryPayments.applicationId} = ${bursaryApplications.id})`,
    })
    .from(bursaryApplications)
    .innerJoin(events, eq(events.id, bursaryApplications.eventId))
    .leftJoin(bursaryClaims, eq(bursaryClaims.applicationId, bursaryApplications.id))
    .where(and(eq(bursaryApplications.fundId, fundId), ne(bursaryApplications.status, 'draft')))
    .orderBy(bursaryApplications.submittedAt);

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
    for (const i of items.filter((i) => i.applicationId === a.id)) {
      cats[i.category] = { asked: i.estimatePence, approved: i.approvedPence ?? 0, claimed: i.claimedPence ?? 0 };
    }
    return {
      reference: applicationReference(a.id),
      eventTitle: a.eventTitle,
      status: a.status,
      submittedOn: a.submittedAt ? a.submittedAt.toISOString().slice(0, 10) : '',
      inAdvance: a.inAdvance,
      byCategory: cats,
      claimStatus: a.claimStatus ?? '',
      paidPence: Number(a.paid),
    };
  });
  return { byCategory, byStatus, lines, paidPence: lines.reduce((s, l) => s + l.paidPence, 0) };
}

/** A short reference people can quote without sharing the full id. */
export function applicationReference(id: string): string {
  return `B-${id.slice(0, 8).toUpperCase()}`;
}

function pounds(pence: number): string {
  return (pence / 100).toFixed(2);
}

export function reportCsv(report: Awaited<ReturnType<typeof fundReport>>): string {
  const header = ['Reference', 'Event', 'Status', 'Submitted on', 'In advance', 'Claim'];
  for (const c of bursaryCategories) header.push(`${c} asked`, `${c} approved`, `${c} claimed`);
  header.push('Paid');
  const rows = report.lines.map((l) => {
    const row: string[] = [l.reference, safeCell(l.eventTitle), l.status, l.submittedOn, l.inAdvance ? 'yes' : 'no', l.claimStatus];
    for (const c of bursaryCategories) row.push(pounds(l.byCategory[c].asked), pounds(l.byCategory[c].approved), pounds(l.byCategory[c].claimed));
    row.push(pounds(l.paidPence));
    return row;
  });
  return stringify([header, ...rows]);
}

/** A cell a spreadsheet will not run as a formula (event titles are typed by people). */
function safeCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * Notes in the audit log that a panel member opened a fund's list of applications or its report,
 * or downloaded the report: each shows health-related data.
 */
export async function auditFundOpened(db: Db, fundId: string, what: 'queue_viewed' | 'report_viewed' | 'report_exported', actor: { id: string }): Promise<void> {
  await recordAudit(db, { actorId: actor.id, action: `bursary.fund.${what}`, subjectType: 'bursary_fund', subjectId: fundId });
}
