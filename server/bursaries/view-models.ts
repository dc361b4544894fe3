// Turning bursary rows into what the pages show: amounts as pounds, dates in London, flags for
// what the person may do next. Templates only display these.
import { bursaryCategories, type BursaryCategory } from '../../db/schema/index.ts';
import { formatDate, formatDateTime } from '../format.ts';
import type { listOwnApplications, LoadedApplication } from './applications.ts';
import { balanceOf } from './claims.ts';
import type { eventsOpenForApplications, FundFigures, FundRow } from './funds.ts';
import { categoryLabels, claimStatusLabels, perspectiveLabels, statusLabelFor, statusLabels } from './labels.ts';
import { poundsField, type BursarySettings } from './money.ts';
import { applicationReference, type fundReport } from './reporting.ts';

/** "£12.50", "£0" (bursary amounts are never "Free"). */
export function money(pence: number | null | undefined): string {
  const value = pence ?? 0;
  const sign = value < 0 ? '−' : '';
  const abs = Math.abs(value);
  const pounds = Math.floor(abs / 100).toLocaleString('en-GB');
  const rest = abs % 100;
  return `${sign}£${pounds}${rest ? `.${String(rest).padStart(2, '0')}` : ''}`;
}

function dayFromIso(day: string): string {
  return formatDate(new Date(`${day}T12:00:00Z`));
}

export function figuresView(f: FundFigures) {
  return { budget: money(f.budgetPence), approved: money(f.approvedPence), paid: money(f.paidPence), remaining: money(f.remainingPence), overspent: f.remainingPence < 0 };
}

export function fundView(fund: FundRow) {
  return {
    id: fund.id,
    name: fund.name,
    eventTitle: fund.eventTitle ?? 'Any Hub event (general fund)',
    eventUrl: fund.eventSlug ? `/events/${fund.eventSlug}` : null,
    eligibility: fund.eligibility,
    covers: fund.covers,
    deadline: fund.deadlineAt ? formatDateTime(fund.deadlineAt) : null,
    url: `/bursaries/funds/${fund.id}`,
  };
}

const DAY_MS = 86_400_000;

export function waitedFor(since: Date, now: Date): string {
  const days = Math.floor((now.getTime() - since.getTime()) / DAY_MS);
  if (days <= 0) return 'less than a day';
  return days === 1 ? '1 day' : `${days} days`;
}

export function applicationView(app: LoadedApplication, settings: BursarySettings, now = new Date()) {
  const balance = balanceOf(app);
  const approvedItems = app.items.filter((i) => (i.approvedPence ?? 0) > 0);
  const decided = ['approved', 'part_approved', 'declined'].includes(app.status);
  const approved = app.status === 'approved' || app.status === 'part_approved';
  const claimOpen = approved && (!app.claim || app.claim.status === 'submitted');
  return {
    id: app.id,
    reference: applicationReference(app.id),
    url: `/bursaries/applications/${app.id}`,
    eventTitle: app.eventTitle,
    eventUrl: `/events/${app.eventSlug}`,
    status: app.status,
    statusLabel: statusLabelFor(app.status, app.eventStatus).label,
    statusTag: statusLabelFor(app.status, app.eventStatus).tag,
    /** Said first on the page when the event was cancelled, with what that means for the money. */
    eventCancelled:
      app.eventStatus !== 'cancelled'
        ? ''
        : approved
          ? 'Cancelled — the event was cancelled. Your bursary is still in place: you can claim costs you had already paid for and cannot get back, such as a train ticket that cannot be refunded.'
          : decided || app.status === 'withdrawn'
            ? 'Cancelled — the event was cancelled. There is nothing more you need to do.'
            : 'Cancelled — the event was cancelled, so this application cannot be sent. There is nothing more you need to do.',
    applicantName: app.applicantName ?? '',
    /** How the panel sees who applied: the name they use, else their email address. */
    applicantLabel: app.applicantName ? `${app.applicantName} (${app.applicantEmail})` : (app.applicantEmail ?? 'Erased'),
    applicantEmail: app.applicantEmail ?? '',
    perspective: app.perspective ? perspectiveLabels[app.perspective] : 'Not given yet',
    inAdvance: app.inAdvance,
    hubBooksTickets: app.hubBooksTickets,
    paymentMethod: app.paymentMethod === 'bank_transfer' ? 'Bank transfer' : app.paymentMethod === 'other' ? 'Another way' : 'Not given yet',
    paymentName: app.paymentName,
    paymentArrangement: app.paymentArrangement,
    note: app.note,
    submittedOn: app.submittedAt ? formatDateTime(app.submittedAt) : null,
    waited: app.submittedAt && app.status === 'submitted' ? waitedFor(app.submittedAt, now) : null,
    overrideReason: app.overrideReason,
    closed: Boolean(app.closedAt),
    erased: Boolean(app.erasedAt),
    items: app.items.map((i) => {
      const receipts = app.receipts.filter((r) => r.itemId === i.id);
      return {
        id: i.id,
        category: i.category,
        label: categoryLabels[i.category].label,
        description: i.description,
        miles: i.miles,
        estimate: money(i.estimatePence),
        estimatePounds: poundsField(i.estimatePence),
        approved: i.approvedPence === null ? null : money(i.approvedPence),
        isApproved: (i.approvedPence ?? 0) > 0,
        claimed: i.claimedPence === null ? null : money(i.claimedPence),
        noReceiptNeeded: i.miles !== null,
        receipts: receipts.map((r) => ({ url: `/bursaries/receipts/${r.storageKey}`, filename: r.filename, size: `${Math.max(1, Math.round(r.sizeBytes / 1024))} KB` })),
      };
    }),
    askedTotal: money(app.items.reduce((s, i) => s + i.estimatePence, 0)),
    approvedTotal: decided ? money(balance.approvedPence) : null,
    claimedTotal: app.claim ? money(app.items.reduce((s, i) => s + (i.claimedPence ?? 0), 0)) : null,
    messages: app.messages.map((m) => ({ when: formatDateTime(m.createdAt), body: m.body })),
    claim: app.claim
      ? {
          status: app.claim.status,
          statusLabel: claimStatusLabels[app.claim.status] ?? app.claim.status,
          submittedOn: formatDateTime(app.claim.submittedAt),
          waited: app.claim.status === 'submitted' ? waitedFor(app.claim.submittedAt, now) : null,
          approved: app.claim.approvedPence === null ? null : money(app.claim.approvedPence),
        }
      : null,
    payments: app.payments.map((p) => ({ kind: p.kind === 'advance' ? 'Advance' : 'Payment of claim', amount: money(p.amountPence), paidOn: dayFromIso(p.paidOn), method: p.method, reference: p.reference })),
    balance: {
      due: money(balance.duePence),
      paid: money(balance.paidPence),
      amount: money(Math.abs(balance.balancePence)),
      direction: balance.balancePence > 0 ? 'hub_owes' : balance.balancePence < 0 ? 'applicant_owes' : 'settled',
    },
    receiptThreshold: money(settings.receiptThresholdPence),
    approvedItems: approvedItems.map((i) => ({ id: i.id, label: categoryLabels[i.category].label, approved: money(i.approvedPence) })),
    canEdit: app.status === 'draft',
    canWithdraw: app.status === 'draft' || app.status === 'submitted',
    canDelete: app.status === 'draft' || app.status === 'withdrawn',
    canDecide: app.status === 'submitted',
    isApproved: approved,
    canUploadReceipt: claimOpen,
    canClaim: approved && !app.claim,
    // A claim sent back by the panel leaves its amounts on the items and no claim row.
    claimReturned: approved && !app.claim && app.items.some((i) => i.claimedPence !== null),
    canApproveClaim: app.claim?.status === 'submitted',
    canRecordPayment: approved && !app.closedAt,
    canClose: approved && !app.closedAt,
  };
}

/**
 * The panel's view of an application: what it may do next, except on the viewer's own
 * application, where another panel member must act (the services refuse it too).
 */
export function panelApplicationView(app: LoadedApplication, settings: BursarySettings, viewerId: string, now = new Date()) {
  const view = applicationView(app, settings, now);
  if (app.applicantId !== viewerId) return { ...view, ownApplication: false };
  return { ...view, ownApplication: true, canDecide: false, canApproveClaim: false, canRecordPayment: false, canClose: false };
}

/** Values for the draft form: one row per category, amounts as pounds. */
export function draftFormValues(app: LoadedApplication, settings: BursarySettings): Record<string, unknown> {
  const values: Record<string, unknown> = {
    perspective: app.perspective ?? '',
    inAdvance: app.inAdvance,
    hubBooksTickets: app.hubBooksTickets,
    paymentMethod: app.paymentMethod ?? '',
    paymentName: app.paymentName,
    paymentArrangement: app.paymentArrangement,
    note: app.note,
  };
  for (const item of app.items) {
    values[`${item.category}Description`] = item.description;
    // With mileage the stored amount includes miles × rate, so only what is on top is shown.
    const extra = item.miles ? Math.max(0, item.estimatePence - item.miles * settings.mileagePencePerMile) : item.estimatePence;
    values[`${item.category}Amount`] = extra ? poundsField(extra) : '';
    if (item.miles) values[`${item.category}Miles`] = String(item.miles);
  }
  return values;
}

export function categoryRows(settings: BursarySettings) {
  return bursaryCategories.map((c: BursaryCategory) => ({
    category: c,
    label: categoryLabels[c].label,
    hint: categoryLabels[c].hint,
    hasMiles: c === 'travel',
    mileageRate: mileageRate(settings),
  }));
}

/** "45p" rather than "£0.45": plainer for a rate per mile. */
export function mileageRate(settings: BursarySettings): string {
  return settings.mileagePencePerMile < 100 ? `${settings.mileagePencePerMile}p` : money(settings.mileagePencePerMile);
}

/** One of the applicant's own applications on the bursaries page. */
export function ownApplicationItem(a: Awaited<ReturnType<typeof listOwnApplications>>[number]) {
  const status = statusLabelFor(a.status, a.eventStatus);
  return { url: `/bursaries/applications/${a.id}`, eventTitle: a.eventTitle, statusLabel: status.label, statusTag: status.tag };
}

/** An event whose fund takes applications now. */
export function openFundItem(f: Awaited<ReturnType<typeof eventsOpenForApplications>>[number]) {
  return { title: f.title, url: `/events/${f.slug}/bursary`, deadline: f.deadlineAt ? formatDateTime(f.deadlineAt) : null };
}

/** A fund's report: what was asked, approved and claimed, by category and by status. */
export function reportView(report: Awaited<ReturnType<typeof fundReport>>, settings: BursarySettings) {
  const rows = categoryRows(settings);
  return {
    byCategory: report.byCategory.map((c) => ({ label: rows.find((r) => r.category === c.category)!.label, asked: money(c.askedPence), approved: money(c.approvedPence), claimed: money(c.claimedPence) })),
    byStatus: report.byStatus.map((s) => ({ label: statusLabels[s.status as keyof typeof statusLabels].label, applications: s.applications, asked: money(s.askedPence), approved: money(s.approvedPence) })),
    paid: money(report.paidPence),
  };
}
