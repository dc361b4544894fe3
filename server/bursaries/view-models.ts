// Turning bursary rows into what the pages show: amounts as pounds, dates in London, flags for
// what the person may do next. Templates only display these.
import { bursaryCategories, type BursaryCategory } from '../../db/schema/index.ts';
import { formatDate, formatDateTime } from '../format.ts';
import {
  DECIDED_PER_PAGE,
  itemSlots,
  reviewPath,
  whyNotWithdrawable,
  type FundQueue,
  type listOwnApplications,
  type LoadedApplication,
} from './applications.ts';
import { pageLinks } from '../http/pagination.ts';
import type { eventsOpenForApplications, FundFigures, FundRow } from './funds.ts';
import { categoryLabels, claimStatusLabels, perspectiveLabels, statusLabelFor, statusLabels } from './labels.ts';
import { formatPence as money, formatRate, poundsField } from '../money.ts';
import { balancesOf, totalsOf, type Balances, type LedgerRow } from './ledger.ts';
import type { BursarySettings } from './money.ts';
import { applicationReference, type fundReport } from './reporting.ts';
import type { PlaceNow } from './places.ts';
import type { PanelMember } from './panel.ts';
import { LONDON_ZONE, londonDate } from '../london-time.ts';
import { DateTime } from 'luxon';
import type { FieldError } from '../errors.ts';

function dayFromIso(day: string): string {
  return formatDate(new Date(`${day}T12:00:00Z`));
}

/** The fund's figures, each line from the ledger; budget = still to pay + paid out − repaid + remaining. */
export function figuresView(f: FundFigures) {
  return {
    budget: money(f.budgetPence),
    approved: money(f.approvedPence),
    toPay: money(f.toPayPence),
    paid: money(f.paidPence),
    repaid: money(f.repaidPence),
    hasRepaid: f.repaidPence > 0,
    netPaid: money(f.paidPence - f.repaidPence),
    stillOwed: money(f.stillOwedPence),
    hasStillOwed: f.stillOwedPence > 0,
    writtenOff: money(f.writtenOffPence),
    hasWrittenOff: f.writtenOffPence > 0,
    remaining: money(f.remainingPence),
    overspent: f.remainingPence < 0,
  };
}

const entryLabels: Record<string, string> = {
  advance: 'Advance paid',
  settlement: 'Payment of the claim',
  repaid: 'Paid back to the Hub',
  written_off: 'Written off by the Hub',
};

/**
 * Where the money stands, in words that are true at this moment: for the applicant (kind, never
 * threatening, saying what they can do) and for the panel (what is left to do).
 */
export function moneyState(
  b: Balances,
  claim: { status: string } | null,
  closed: boolean,
  who: 'applicant' | 'panel',
): { label: string; tag: string; detail: string } {
  const owed = money(b.stillOwedPence);
  const overpaid = money(b.owedBackPence);
  if (b.stillOwedPence > 0) {
    return who === 'applicant'
      ? {
          label: `${owed} overpaid — nothing needed straight away`,
          tag: 'govuk-tag--yellow',
          detail: `The Hub paid you ${owed} more than your approved claim. That is fine and it happens often. When it suits you, you can pay it back by bank transfer (contact the Hub and we will send the details), or, if paying it back would be hard, ask us about writing it off. Small amounts are usually written off.`,
        }
      : {
          label: `${owed} overpaid — to be paid back or written off`,
          tag: 'govuk-tag--yellow',
          detail:
            b.stillOwedPence === b.owedBackPence
              ? `Paid ${overpaid} more than the claim allows. Record a repayment, or write it off with a reason.`
              : `Paid ${overpaid} more than the claim allows; ${owed} of it is still to come back. Record a repayment, or write it off with a reason.`,
        };
  }
  const claimApproved = claim !== null && claim.status !== 'submitted';
  // An overpayment paid back or written off settles a bursary only once its claim is decided (or it
  // is closed): an advance paid back in part before the receipts came is still waiting for them.
  if (b.owedBackPence > 0 && b.toPayPence === 0 && (claimApproved || closed)) {
    if (b.writtenOffPence > 0 && b.repaidPence === 0)
      return {
        label: `${overpaid} overpaid — the Hub has written this off`,
        tag: 'govuk-tag--green',
        detail: who === 'applicant' ? 'Your bursary is settled: there is nothing to pay back.' : 'Settled.',
      };
    if (b.writtenOffPence === 0)
      return {
        label: `Settled — ${overpaid} overpaid and paid back`,
        tag: 'govuk-tag--green',
        detail: who === 'applicant' ? 'Thank you. Your bursary is settled.' : 'Settled.',
      };
    return { label: `Settled — ${money(b.repaidPence)} paid back, ${money(b.writtenOffPence)} written off`, tag: 'govuk-tag--green', detail: '' };
  }
  if (closed)
    return b.releasedPence > 0
      ? { label: 'Closed', tag: 'govuk-tag--grey', detail: `${money(b.releasedPence)} approved but not claimed went back to the fund.` }
      : { label: 'Settled', tag: 'govuk-tag--green', detail: '' };
  if (claimApproved) {
    if (b.toPayPence > 0)
      return {
        label: who === 'applicant' ? `Claim approved — we will pay you ${money(b.toPayPence)}` : `Claim approved — ${money(b.toPayPence)} to pay`,
        tag: 'govuk-tag--blue',
        detail: '',
      };
    return { label: 'Settled', tag: 'govuk-tag--green', detail: who === 'applicant' ? 'Nothing is owed either way.' : '' };
  }
  if (claim)
    return b.paidOutPence > 0
      ? { label: 'Advance paid — claim waiting for approval', tag: 'govuk-tag--blue', detail: '' }
      : { label: 'Claim waiting for approval', tag: 'govuk-tag--blue', detail: '' };
  if (b.paidOutPence > 0)
    return {
      label: who === 'applicant' ? 'Advance paid — waiting for your receipts' : 'Advance paid — waiting for the receipts and claim',
      tag: 'govuk-tag--blue',
      detail: '',
    };
  return { label: who === 'applicant' ? 'Approved — waiting for your claim' : 'Approved — waiting for the claim', tag: 'govuk-tag--blue', detail: '' };
}

function ledgerLines(entries: Omit<LedgerRow, 'applicationId'>[]) {
  return entries
    .filter((e) => e.kind in entryLabels)
    .map((e) => ({
      kind: entryLabels[e.kind]!,
      amount: money(e.amountPence),
      paidOn: dayFromIso(e.occurredOn),
      method: e.method,
      reference: e.reference,
      reason: e.reason,
    }));
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

/** How the panel sees who applied: the name they use, else their email address. */
function applicantLabelOf(app: Pick<LoadedApplication, 'applicantName' | 'applicantEmail'>): string {
  return app.applicantName ? `${app.applicantName} (${app.applicantEmail})` : (app.applicantEmail ?? 'Erased');
}

export function applicationView(app: LoadedApplication, settings: BursarySettings, now = new Date(), who: 'applicant' | 'panel' = 'applicant') {
  const balance = balancesOf(totalsOf(app.ledger));
  const writeOffBelow = settings.writeOffBelowPence ?? 500;
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
    applicantLabel: applicantLabelOf(app),
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
        receipts: receipts.map((r) => ({
          url: `/bursaries/receipts/${r.storageKey}`,
          filename: r.filename,
          size: `${Math.max(1, Math.round(r.sizeBytes / 1024))} KB`,
        })),
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
    payments: ledgerLines(app.ledger),
    /** Every figure from the ledger: allowed − paid + owed back = still to pay; owed back − repaid − written off = still owed. */
    balance: {
      allowedLabel: balance.claimApprovedPence !== null ? 'Claim approved' : 'Approved',
      allowed: money(balance.allowedPence),
      released: balance.releasedPence > 0 ? money(balance.releasedPence) : null,
      paid: money(balance.paidOutPence),
      repaid: balance.repaidPence > 0 ? money(balance.repaidPence) : null,
      writtenOff: balance.writtenOffPence > 0 ? money(balance.writtenOffPence) : null,
      toPay: money(balance.toPayPence),
      stillOwed: money(balance.stillOwedPence),
      stillOwedPounds: poundsField(balance.stillOwedPence),
      owesBack: balance.stillOwedPence > 0,
    },
    money: approved ? moneyState(balance, app.claim, Boolean(app.closedAt), who) : null,
    /** Small overpayments are offered for write-off first (the panel still gives a reason). */
    offerWriteOff: balance.stillOwedPence > 0 && balance.stillOwedPence < writeOffBelow,
    writeOffBelow: money(writeOffBelow),
    receiptThreshold: money(settings.receiptThresholdPence),
    // A category may have several items: they are told apart by what each is for.
    approvedItems: approvedItems.map((i) => ({
      id: i.id,
      label:
        approvedItems.filter((o) => o.category === i.category).length > 1 && i.description
          ? `${categoryLabels[i.category].label}: ${i.description.slice(0, 60)}`
          : categoryLabels[i.category].label,
      approved: money(i.approvedPence),
    })),
    canEdit: app.status === 'draft',
    canWithdraw: whyNotWithdrawable(app.status) === null,
    canDelete: app.status === 'draft' || app.status === 'withdrawn',
    canDecide: app.status === 'submitted',
    isApproved: approved,
    canUploadReceipt: claimOpen,
    canClaim: approved && !app.claim,
    // A claim sent back by the panel leaves its amounts on the items and no claim row.
    claimReturned: approved && !app.claim && app.items.some((i) => i.claimedPence !== null),
    canApproveClaim: app.claim?.status === 'submitted',
    // Once the claim is approved and paid in full there is nothing left to pay (an overpayment is settled below).
    canRecordPayment: approved && !app.closedAt && !(app.claim && app.claim.status !== 'submitted' && balance.toPayPence === 0),
    canSettleOwed: balance.stillOwedPence > 0,
    canClose: approved && !app.closedAt && balance.stillOwedPence === 0,
  };
}

/**
 * The panel's view of an application: what it may do next, except on the viewer's own
 * application, where another panel member must act (the services refuse it too).
 */
export function panelApplicationView(app: LoadedApplication, settings: BursarySettings, viewerId: string, now = new Date()) {
  const view = applicationView(app, settings, now, 'panel');
  if (app.applicantId !== viewerId) return { ...view, ownApplication: false };
  return { ...view, ownApplication: true, canDecide: false, canApproveClaim: false, canRecordPayment: false, canSettleOwed: false, canClose: false };
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
  const seen = new Map<BursaryCategory, number>();
  for (const item of app.items) {
    const n = seen.get(item.category) ?? 0;
    seen.set(item.category, n + 1);
    const slot = itemSlots[n] ?? '';
    values[`${item.category}Description${slot}`] = item.description;
    // With mileage the stored amount includes miles × rate, so only what is on top is shown.
    const extra = item.miles ? Math.max(0, item.estimatePence - item.miles * settings.mileagePencePerMile) : item.estimatePence;
    values[`${item.category}Amount${slot}`] = extra ? poundsField(extra) : '';
    if (item.miles) values[`${item.category}Miles${slot}`] = String(item.miles);
  }
  return values;
}

/**
 * The form's categories. Each has its first item, then further items (another train, a second
 * night) behind "Another … cost", open when one is filled in: no JavaScript needed.
 */
export function categoryRows(settings: BursarySettings, values: Record<string, unknown> = {}) {
  const filled = (key: string) => typeof values[key] === 'string' && (values[key] as string).trim() !== '';
  return bursaryCategories.map((c: BursaryCategory) => ({
    category: c,
    label: categoryLabels[c].label,
    hint: categoryLabels[c].hint,
    hasMiles: c === 'travel',
    mileageRate: mileageRate(settings),
    // The extra items filled in so far, open, and one more closed (up to the limit).
    more: itemSlots
      .slice(1)
      .map((slot, i) => ({
        slot,
        heading: `${i === 0 ? 'Another' : 'One more'} ${categoryLabels[c].one}`,
        open: filled(`${c}Description${slot}`) || filled(`${c}Amount${slot}`),
      }))
      .filter((m, i, all) => i === 0 || m.open || all[i - 1]!.open),
  }));
}

/** "45p" rather than "£0.45": plainer for a rate per mile. */
export function mileageRate(settings: BursarySettings): string {
  return formatRate(settings.mileagePencePerMile);
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
    byCategory: report.byCategory.map((c) => ({
      label: rows.find((r) => r.category === c.category)!.label,
      asked: money(c.askedPence),
      approved: money(c.approvedPence),
      claimed: money(c.claimedPence),
    })),
    byStatus: report.byStatus.map((s) => ({
      label: statusLabels[s.status as keyof typeof statusLabels].label,
      applications: s.applications,
      asked: money(s.askedPence),
      approved: money(s.approvedPence),
    })),
    paid: money(report.paidPence),
  };
}

/** A fund's queue for its panel: new applications, claims to check, and those already decided. */
/**
 * One row of a fund's queue: only what its tables show (the whole application view, built for
 * each of hundreds of rows, was most of the page's cost). The same figures and labels as the
 * application's own page, from the same ledger and the same label functions.
 */
function queueRowView(app: LoadedApplication, fundId: string, viewerId: string, now: Date) {
  const balance = balancesOf(totalsOf(app.ledger));
  const decided = ['approved', 'part_approved', 'declined'].includes(app.status);
  const approved = app.status === 'approved' || app.status === 'part_approved';
  const status = statusLabelFor(app.status, app.eventStatus);
  return {
    reference: applicationReference(app.id),
    url: `/bursaries/applications/${app.id}`,
    reviewUrl: reviewPath(fundId, app.id),
    ownApplication: app.applicantId === viewerId,
    applicantLabel: applicantLabelOf(app),
    erased: Boolean(app.erasedAt),
    status: app.status,
    statusLabel: status.label,
    statusTag: status.tag,
    money: approved ? { label: moneyState(balance, app.claim, Boolean(app.closedAt), 'panel').label } : null,
    waited: app.submittedAt && app.status === 'submitted' ? waitedFor(app.submittedAt, now) : null,
    inAdvance: app.inAdvance,
    askedTotal: money(app.items.reduce((s, i) => s + i.estimatePence, 0)),
    approvedTotal: decided ? money(balance.approvedPence) : null,
    claimWaited: app.claim?.status === 'submitted' ? waitedFor(app.claim.submittedAt, now) : null,
    claimedTotal: app.claim ? money(app.items.reduce((s, i) => s + (i.claimedPence ?? 0), 0)) : null,
    paid: money(balance.paidOutPence),
  };
}

export function fundQueueView(input: {
  fund: FundRow;
  figures: FundFigures;
  queue: FundQueue;
  viewer: { id: string; isOrganiser: boolean };
  now: Date;
  page: number;
}) {
  const { fund, queue, viewer, now } = input;
  const row = (a: LoadedApplication) => queueRowView(a, fund.id, viewer.id, now);
  const pages = pageLinks({
    path: `/bursaries/funds/${fund.id}`,
    params: {},
    anchor: 'decided',
    total: queue.decidedCount,
    perPage: DECIDED_PER_PAGE,
    requested: input.page,
  });
  return {
    title: pages.current > 1 && pages.current <= pages.count ? `Bursaries: ${fund.name} (page ${pages.current} of ${pages.count})` : `Bursaries: ${fund.name}`,
    fund: fundView(fund),
    figures: figuresView(input.figures),
    waiting: queue.waiting.map(row),
    claims: queue.claims.map(row),
    decided: queue.decided.map(row),
    decidedCount: queue.decidedCount,
    pages,
    canEdit: viewer.isOrganiser,
  };
}

/** Where the applicant's place at the event stands, as their page says it (null: nothing to say). */
export function placeView(place: PlaceNow, eventSlug: string) {
  return place && { kind: place.kind, bookBy: place.kind === 'held' ? formatDateTime(place.bookBy) : '', bookUrl: `/events/${eventSlug}/book` };
}

/** The claim form as it starts: each cost's amount already claimed, in pounds. */
export function claimFormValues(app: LoadedApplication): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const item of app.items) if (item.claimedPence !== null) values[`claim-${item.id}`] = poundsField(item.claimedPence);
  return values;
}

/** The panel's decision form as it starts: no outcome yet, each cost's amount as asked for. */
export function decisionFormValues(app: LoadedApplication): Record<string, unknown> {
  const values: Record<string, unknown> = { outcome: '' };
  for (const item of app.items) values[`amount-${item.id}`] = poundsField(item.estimatePence);
  return values;
}

/**
 * What the change form says under the deadline. A deadline at a day's end (as the form sets one)
 * needs only the day; one at another time (the demo's is 10am) is named, with what keeping or
 * changing the day does, so that the form never claims the day's end for it.
 */
export function fundDeadlineHint(deadlineAt: Date | null): string {
  const dayEnd = 'Applications are open until the end of this day (UK time).';
  if (!deadlineAt) return dayEnd;
  const london = DateTime.fromJSDate(deadlineAt, { zone: LONDON_ZONE });
  if (london.hour === 23 && london.minute === 59) return dayEnd;
  return `Applications are open until ${formatDateTime(deadlineAt)} (UK time). Keep this date to keep that time; a new date means the end of that day.`;
}

/** A fund as its change form starts: the budget in pounds, the deadline as a London date. */
export function fundFormValues(fund: FundRow) {
  const deadline = fund.deadlineAt ? londonDate(fund.deadlineAt) : '';
  return { name: fund.name, budget: poundsField(fund.budgetPence), eligibility: fund.eligibility, covers: fund.covers, deadline };
}

/** A fund's panel, marking the viewer (who cannot remove themselves). */
export function panelMembers(members: PanelMember[], viewerId: string) {
  return members.map((m) => ({ ...m, isMe: m.personId === viewerId }));
}

/** A refused receipt's messages, each on its field: every problem but the file's own is about which cost it is for. */
export function receiptFormErrors(errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ ...e, field: e.field === 'receipt' ? 'receipt' : 'itemId' }));
}
