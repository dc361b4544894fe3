// The network's pages as they see them (the directory, list imports, announcements): labels chosen, dates in UK time.
import type { ImportRowProblem } from '../../db/schema/index.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { type ChangeRequest, directoryPath, namesInWords, organisationKindLabels, publicContact, type Cohost, type OrganisationRow } from './directory.ts';
import type { AnnouncementRow } from './announcements.ts';
import { renderMarkdown } from '../markdown.ts';
import { problemLabels, type ImportRecord, type ImportRow, type ImportSummary } from './import.ts';

export function organisationCard(row: OrganisationRow) {
  return {
    id: row.id,
    url: directoryPath(row.id),
    name: row.name,
    kindLabel: organisationKindLabels[row.kind],
    region: row.region || 'UK-wide',
    website: row.website,
    description: row.description,
    contact: publicContact(row),
  };
}

export function pendingCard(row: OrganisationRow) {
  return {
    ...organisationCard(row),
    askedOn: formatDate(row.createdAt),
    decideUrl: `/organise/directory/${row.id}/decision`,
    contactPublic: row.contactPublic,
    contactName: row.contactName,
    contactEmail: row.contactEmail,
    // Cleared once the asker deleted their account: nobody is left to tell.
    requesterEmail: row.requesterEmail || 'someone whose address has since been deleted',
  };
}

/** The organiser's form for changing an entry, filled from it. */
export function organisationFormValues(row: OrganisationRow) {
  return {
    name: row.name,
    kind: row.kind,
    website: row.website,
    region: row.region,
    description: row.description,
    contactName: row.contactName,
    contactEmail: row.contactEmail,
    contactPublic: row.contactPublic,
  };
}

/** A request for a change, as the organisers' directory page shows it. */
export function changeRequestCard(r: ChangeRequest) {
  return {
    name: r.organisationName,
    entryUrl: `/directory/${r.organisationId}`,
    editUrl: `/organise/directory/${r.organisationId}/edit`,
    doneUrl: `/organise/directory/changes/${r.id}/done`,
    email: r.email,
    fromContact: r.fromContact,
    message: r.message,
    askedOn: formatDate(r.createdAt),
  };
}

/** "Hosted with the Hub and Survivor Voices": the names, linked, for the event page and cards. */
export function cohostView(cohosts: Cohost[] | undefined) {
  const list = cohosts ?? [];
  return { cohosts: list, cohostWords: namesInWords(list.map((c) => c.name)) };
}

const statusWords: Record<ImportRecord['status'], string> = {
  previewed: 'Checked, not started',
  importing: 'Importing',
  done: 'Finished',
  cancelled: 'Cancelled',
};

export function importListItem(row: ImportRecord) {
  return {
    url: `/organise/list/imports/${row.id}`,
    filename: row.filename,
    rows: row.rowCount,
    when: formatDateTime(row.createdAt),
    status: statusWords[row.status],
  };
}

export function importPage(record: ImportRecord, summary: ImportSummary, problems: ImportRow[], undated: ImportRow[]) {
  const processed = summary.total - summary.done.waiting;
  return {
    id: record.id,
    filename: record.filename,
    status: record.status,
    statusWords: statusWords[record.status],
    startUrl: `/organise/list/imports/${record.id}/start`,
    cancelUrl: `/organise/list/imports/${record.id}/cancel`,
    selfUrl: `/organise/list/imports/${record.id}`,
    summary,
    processed,
    percent: summary.total ? Math.floor((processed / summary.total) * 100) : 100,
    problemCounts: (Object.entries(summary.problems) as [ImportRowProblem, number][])
      .filter(([, n]) => n > 0)
      .map(([problem, n]) => ({ label: problemLabels[problem], n })),
    // A finished import keeps no addresses: its rows left out are shown by line and reason only.
    showAddresses: record.status === 'previewed' || record.status === 'importing',
    problems: problems.map((r) => ({ line: r.line, email: r.email || '(empty)', problem: r.problem ? problemLabels[r.problem] : '' })),
    moreProblems: Object.values(summary.problems).reduce((a, b) => a + b, 0) > problems.length,
    undated: undated.map((r) => ({ line: r.line, email: r.email, consent: r.consent })),
    finishedAt: record.finishedAt ? formatDateTime(record.finishedAt) : '',
  };
}

/** The events an organisation co-hosts, as its directory entry lists them. */
export function hostedEventRows(hosted: { slug: string; title: string; startsAt: Date | null; byInvitation: boolean }[]) {
  return hosted.map((e) => ({
    url: `/events/${e.slug}`,
    title: e.title,
    when: e.startsAt ? formatDate(e.startsAt) : 'Date to be confirmed',
    byInvitation: e.byInvitation,
  }));
}

/** The organisations a person belongs to, and whether their name is shown on each. */
export function myOrganisationRows(mine: { id: string; name: string; showPublicly: boolean }[]) {
  return mine.map((o) => ({ name: o.name, url: `/directory/${o.id}`, shown: o.showPublicly }));
}

/** The listed organisations as the co-host form's choices, the chosen ones ticked. */
export function cohostOptions(listed: OrganisationRow[], chosen: string[]) {
  return listed.map((o) => ({ value: o.id, label: o.name, checked: chosen.includes(o.id) }));
}

/** The import page's limits, in words. */
export function importLimits(maxBytes: number, maxRows: number) {
  return { maxMb: maxBytes / 1024 / 1024, maxRows: maxRows.toLocaleString('en-GB') };
}

/** "1 person", "1,200 people": who an announcement goes to. */
export function audienceWords(n: number): string {
  return n === 1 ? '1 person' : `${n.toLocaleString('en-GB')} people`;
}

/** The organiser's list of announcements: each with whether, when and to how many it was sent. */
export function announcementRows(rows: AnnouncementRow[]) {
  return rows.map((a) => ({
    url: `/organise/announcements/${a.id}`,
    subject: a.subject,
    status: a.status === 'sent' ? `Sent ${formatDateTime(a.sentAt!)} to ${audienceWords(a.audienceSize)}` : 'Draft, not sent',
  }));
}

/** When a sent announcement went, in words. */
export function sentAtText(announcement: AnnouncementRow): string {
  return formatDateTime(announcement.sentAt!);
}

/** An announcement's body as the page previews it (and as the email shows it). */
export function announcementHtml(announcement: AnnouncementRow): string {
  return renderMarkdown(announcement.body);
}
