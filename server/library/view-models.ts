// What the library's pages show: items as cards (with the event each came from and where it is
// launched), the search form's choices, pages of results, and an import's preview and progress.
import { Type } from 'typebox';
import { type LibraryImportFields, type LibraryKind, libraryKinds } from '../../db/schema/index.ts';
import { formatDate } from '../format.ts';
import type { ImportProgress } from './import.ts';
import { acceptedFileTypes, ITEMS_PER_PAGE, kindLabels, type LibraryItemRow } from './service.ts';

export const LibraryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  topic: Type.Optional(Type.String({ maxLength: 60 })),
  kind: Type.Optional(Type.Union([Type.Literal(''), ...libraryKinds.map((k) => Type.Literal(k))])),
  year: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: '^\\d{4}$' })])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});

export const kindChoices = libraryKinds.map((value) => ({ value, label: kindLabels[value] }));

type EventNames = Map<string, { title: string; slug: string; public: boolean; toCome: boolean }>;

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function itemCard(item: LibraryItemRow, names: EventNames) {
  const link = (id: string | null) => {
    const e = id ? names.get(id) : undefined;
    return e ? { title: e.title, url: e.public ? `/events/${e.slug}` : '' } : null;
  };
  const file = item.filename
    ? { url: `/library/${item.id}/file`, text: `Download (${acceptedFileTypes[item.contentType]?.label ?? 'file'}, ${sizeText(item.sizeBytes)})` }
    : null;
  return {
    id: item.id,
    url: `/library/${item.id}`,
    title: item.title,
    summary: item.summary,
    kind: kindLabels[item.kind as LibraryKind] ?? item.kind,
    year: item.year,
    topics: item.topics.map((t) => ({ text: t, url: `/library?topic=${encodeURIComponent(t)}` })),
    from: link(item.eventId),
    launched: link(item.launchEventId),
    // Until the launch event has begun, the item is to be launched there, not launched.
    launchedLabel: item.launchEventId && names.get(item.launchEventId)?.toCome ? 'To be launched at' : 'Launched at',
    file,
    link: item.url ? { url: item.url, host: safeHost(item.url) } : null,
    editUrl: `/organise/library/${item.id}/edit`,
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function resultPages(query: { q?: string; topic?: string; kind?: string; year?: string }, total: number, current: number) {
  const count = Math.max(1, Math.ceil(total / ITEMS_PER_PAGE));
  const href = (page: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    if (page > 1) params.set('page', String(page));
    const text = params.toString();
    return `/library${text ? `?${text}` : ''}`;
  };
  return {
    current: Math.min(current, count),
    count,
    previous: current > 1 ? href(current - 1) : '',
    next: current < count ? href(current + 1) : '',
  };
}

export function importRowView(row: { rowNumber: number; fields: LibraryImportFields; problems: string[]; state: string; itemId: string | null }) {
  return {
    rowNumber: row.rowNumber,
    title: row.fields.title || '(no title)',
    what: [kindLabels[row.fields.kind as LibraryKind] ?? '', row.fields.year ?? '', row.fields.filename || row.fields.url].filter(Boolean).join(', '),
    problems: row.problems,
    state: row.state === 'imported' ? 'Added' : row.state === 'invalid' ? 'Has problems: not added' : 'Ready',
    stateClass: row.state === 'imported' ? 'govuk-tag--green' : row.state === 'invalid' ? 'govuk-tag--red' : 'govuk-tag--blue',
    itemUrl: row.itemId ? `/library/${row.itemId}` : '',
  };
}

export function progressWords(status: string, p: ImportProgress, startedAt: Date | null): string {
  if (status === 'previewed') return `${p.ready} of ${p.rows} rows can be added; ${p.invalid} ${p.invalid === 1 ? 'has' : 'have'} problems.`;
  if (status === 'importing') return `Adding: ${p.imported} of ${p.imported + p.ready} added so far${startedAt ? ` (started ${formatDate(startedAt)})` : ''}.`;
  if (status === 'discarded') return 'This import was discarded: nothing was added.';
  return `Finished: ${p.imported} ${p.imported === 1 ? 'item' : 'items'} added; ${p.invalid} ${p.invalid === 1 ? 'row' : 'rows'} with problems not added.`;
}

/** A file or link shared on an event's page after it (planning's public resources). */
export interface SharedResource {
  title: string;
  description: string;
  eventTitle: string;
}

/**
 * The resources shared on events' pages, for the library's own list of them: all when nothing
 * is searched for, those whose words include every word searched for otherwise, and none when
 * the search is by topic, kind or year (which they do not have).
 */
export function eventResourcesMatching<T extends SharedResource>(resources: T[], input: { q?: string; filteredOtherwise: boolean }): T[] {
  if (input.filteredOtherwise) return [];
  const words = (input.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return resources;
  return resources.filter((r) => {
    const text = `${r.title} ${r.description} ${r.eventTitle}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The events an item can belong to, as the item form's choices: each titled with its date. */
export function eventOptions(events: { id: string; title: string; startsAt: Date | null }[]) {
  return events.map((e) => ({ value: e.id, label: `${e.title}${e.startsAt ? ` (${formatDate(e.startsAt)})` : ''}` }));
}
