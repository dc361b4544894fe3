// The library: reports and resources from every event, found with PostgreSQL full-text search
// and filtered by topic, kind and year. Each item names the event it came from and, optionally, a
// later event where it is launched (a round table's report at the conference); both event pages
// show it. Files are kept in the database, their type read from their content (file-type), never
// from their name, and always served as downloads. Organisers add and edit items, or bring in an
// existing archive (import.ts).
import { and, asc, count, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { events, type LibraryKind, libraryItems, libraryKinds } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { type FieldError, InvalidInputError, NotFoundError } from '../errors.ts';

export const MAX_LIBRARY_FILE_BYTES = 20 * 1024 * 1024;
export const ITEMS_PER_PAGE = 20;
export const FIRST_YEAR = 1990;

export const kindLabels: Record<LibraryKind, string> = {
  report: 'Report',
  briefing: 'Briefing',
  slides: 'Slides',
  toolkit: 'Toolkit or guide',
  recording: 'Recording',
  article: 'Article or paper',
  other: 'Other',
};

/** The file types the library keeps, by what their content is; everything else is refused. */
export const acceptedFileTypes: Record<string, { ext: string; label: string }> = {
  'application/pdf': { ext: 'pdf', label: 'PDF' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { ext: 'docx', label: 'Word document' },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { ext: 'pptx', label: 'PowerPoint slides' },
  'application/vnd.oasis.opendocument.text': { ext: 'odt', label: 'OpenDocument text' },
  'application/vnd.oasis.opendocument.presentation': { ext: 'odp', label: 'OpenDocument slides' },
  'image/png': { ext: 'png', label: 'PNG image' },
  'image/jpeg': { ext: 'jpg', label: 'JPEG image' },
  'audio/mpeg': { ext: 'mp3', label: 'MP3 audio' },
  'video/mp4': { ext: 'mp4', label: 'MP4 video' },
};
export const ACCEPTED_TYPES_WORDS = 'a PDF, Word or PowerPoint file, OpenDocument text or slides, a PNG or JPEG image, MP3 audio or MP4 video';

export type LibraryItemRow = Omit<typeof libraryItems.$inferSelect, 'content' | 'search'>;

const itemColumns = {
  id: libraryItems.id,
  title: libraryItems.title,
  summary: libraryItems.summary,
  kind: libraryItems.kind,
  topics: libraryItems.topics,
  year: libraryItems.year,
  eventId: libraryItems.eventId,
  launchEventId: libraryItems.launchEventId,
  url: libraryItems.url,
  filename: libraryItems.filename,
  contentType: libraryItems.contentType,
  sizeBytes: libraryItems.sizeBytes,
  addedBy: libraryItems.addedBy,
  createdAt: libraryItems.createdAt,
  updatedAt: libraryItems.updatedAt,
};

/** What an organiser typed for an item (from the form or a spreadsheet row), as text. */
export interface ItemInput {
  title: string;
  summary: string;
  kind: string;
  /** Comma-separated. */
  topics: string;
  year: string;
  eventId: string;
  launchEventId: string;
  url: string;
}

export interface CheckedItem {
  title: string;
  summary: string;
  kind: LibraryKind;
  topics: string[];
  year: number;
  eventId: string | null;
  launchEventId: string | null;
  url: string;
}

export function topicsFrom(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/[,;]/)) {
    const topic = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    if (topic && topic.length <= 60) seen.add(topic);
  }
  return [...seen].slice(0, 12);
}

/** Checks an item's fields; the events named must exist (checked by the caller, who has the list). */
export function checkItem(input: ItemInput, now = new Date()): { errors: FieldError[]; item: CheckedItem } {
  const errors: FieldError[] = [];
  const title = input.title.trim();
  if (!title) errors.push({ field: 'title', message: 'Enter a title, for example “Report of the round table on crisis housing”' });
  if (title.length > 200) errors.push({ field: 'title', message: 'The title must be 200 characters or fewer' });
  const summary = input.summary.trim();
  if (summary.length > 2000) errors.push({ field: 'summary', message: 'The summary must be 2,000 characters or fewer' });
  const kind = input.kind.trim().toLowerCase();
  if (!(libraryKinds as readonly string[]).includes(kind)) errors.push({ field: 'kind', message: 'Select what kind of item it is' });
  const yearText = input.year.trim();
  const year = Number(yearText);
  const lastYear = now.getUTCFullYear() + 1;
  if (!/^\d{4}$/.test(yearText) || year < FIRST_YEAR || year > lastYear) {
    errors.push({ field: 'year', message: `Enter the year it was published, from ${FIRST_YEAR} to ${lastYear}, like 2026` });
  }
  let url = '';
  if (input.url.trim()) {
    try {
      const parsed = new URL(input.url.trim());
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not web');
      url = parsed.href;
    } catch {
      errors.push({ field: 'url', message: 'Enter the full web address, starting with https://' });
    }
  }
  const eventId = input.eventId.trim() || null;
  const launchEventId = input.launchEventId.trim() || null;
  if (eventId && launchEventId && eventId === launchEventId) {
    errors.push({ field: 'launchEventId', message: 'Choose a later event for the launch, or leave it empty' });
  }
  return { errors, item: { title, summary, kind: kind as LibraryKind, topics: topicsFrom(input.topics), year, eventId, launchEventId, url } };
}

/** The file's type, read from its content, or a message saying why it is refused. */
export async function sniffFile(data: Buffer): Promise<{ mime: string; ext: string } | { problem: string }> {
  if (data.length > MAX_LIBRARY_FILE_BYTES) return { problem: 'The file must be 20 MB or smaller' };
  const type = await fileTypeFromBuffer(data);
  const accepted = type ? acceptedFileTypes[type.mime] : undefined;
  if (!type || !accepted) return { problem: `The file must be ${ACCEPTED_TYPES_WORDS}` };
  return { mime: type.mime, ext: accepted.ext };
}

/** A file name safe to send in a header, ending in the extension its content has. */
export function safeFilename(name: string, ext: string): string {
  const base =
    (name.split(/[\\/]/).pop() ?? '')
      .replace(/\.[A-Za-z0-9]{1,5}$/, '')
      .replace(/[^A-Za-z0-9 ._()-]/g, '_')
      .slice(-100) || 'item';
  return `${base}.${ext}`;
}

export interface FileInput {
  filename: string;
  data: Buffer;
}

/** Events an item may name: any event that is or was public, newest first. */
export async function eventChoices(db: Db): Promise<{ id: string; title: string; startsAt: Date | null }[]> {
  return db
    .select({ id: events.id, title: events.title, startsAt: events.startsAt })
    .from(events)
    .where(inArray(events.status, ['published', 'completed', 'cancelled']))
    .orderBy(desc(events.startsAt), asc(events.title));
}

async function checkEvents(db: Db, item: CheckedItem): Promise<FieldError[]> {
  const wanted = [item.eventId, item.launchEventId].filter((id): id is string => id !== null);
  if (wanted.length === 0) return [];
  const found = new Set((await db.select({ id: events.id }).from(events).where(inArray(events.id, wanted))).map((r) => r.id));
  const errors: FieldError[] = [];
  if (item.eventId && !found.has(item.eventId)) errors.push({ field: 'eventId', message: 'Select the event it came from, or leave it empty' });
  if (item.launchEventId && !found.has(item.launchEventId))
    errors.push({ field: 'launchEventId', message: 'Select the event where it is launched, or leave it empty' });
  return errors;
}

/**
 * Adds an item or (with `id`) changes one. A new item needs a file or a link; on an edit a new
 * file replaces the old one, and no file keeps it.
 */
export async function saveItem(db: Database, input: { id?: string; fields: ItemInput; file: FileInput | null }, actor: Me): Promise<string> {
  const { errors, item } = checkItem(input.fields);
  errors.push(...(await checkEvents(db, item)));
  let file: { filename: string; contentType: string; sizeBytes: number; content: Buffer } | null = null;
  if (input.file && input.file.data.length > 0) {
    const sniffed = await sniffFile(input.file.data);
    if ('problem' in sniffed) errors.push({ field: 'file', message: sniffed.problem });
    else
      file = {
        filename: safeFilename(input.file.filename, sniffed.ext),
        contentType: sniffed.mime,
        sizeBytes: input.file.data.length,
        content: input.file.data,
      };
  }
  const existing = input.id ? await getItem(db, input.id) : null;
  const hasFile = Boolean(file) || Boolean(existing?.filename && !item.url);
  if (!item.url && !hasFile && !errors.some((e) => e.field === 'file')) errors.push({ field: 'file', message: 'Choose a file to upload, or enter a link' });
  if (errors.length) throw new InvalidInputError(errors);
  const values = {
    ...item,
    ...(file ?? {}),
    // A link replaces a kept file, and a file a link: an item is one or the other.
    ...(item.url ? { filename: '', contentType: '', sizeBytes: 0, content: null } : {}),
  };
  return db.transaction(async (tx) => {
    if (existing) {
      await tx
        .update(libraryItems)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(libraryItems.id, existing.id));
      await recordAudit(tx, { actorId: actor.id, action: 'library.item.changed', subjectType: 'library_item', subjectId: existing.id });
      return existing.id;
    }
    const [row] = await tx
      .insert(libraryItems)
      .values({ ...values, addedBy: actor.id })
      .returning({ id: libraryItems.id });
    await recordAudit(tx, { actorId: actor.id, action: 'library.item.added', subjectType: 'library_item', subjectId: row!.id });
    return row!.id;
  });
}

export async function getItem(db: Db, id: string): Promise<LibraryItemRow> {
  const [row] = await db.select(itemColumns).from(libraryItems).where(eq(libraryItems.id, id));
  if (!row) throw new NotFoundError('We could not find that item in the library. It may have been removed.');
  return row;
}

export async function removeItem(db: Database, id: string, actor: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const removed = await tx.delete(libraryItems).where(eq(libraryItems.id, id)).returning({ id: libraryItems.id });
    if (removed.length === 0) throw new NotFoundError('We could not find that item in the library. It may have been removed.');
    await recordAudit(tx, { actorId: actor.id, action: 'library.item.removed', subjectType: 'library_item', subjectId: id });
  });
}

export async function libraryFile(db: Db, id: string): Promise<{ filename: string; contentType: string; content: Buffer } | null> {
  const [row] = await db
    .select({ filename: libraryItems.filename, contentType: libraryItems.contentType, content: libraryItems.content })
    .from(libraryItems)
    .where(eq(libraryItems.id, id));
  if (!row?.content) return null;
  return { filename: row.filename, contentType: row.contentType, content: row.content };
}

export interface LibrarySearch {
  q?: string;
  topic?: string;
  kind?: string;
  year?: number;
  page?: number;
}

/** One page of items matching the words and filters, best match first (newest first with no words). */
export async function searchLibrary(db: Db, search: LibrarySearch): Promise<{ items: LibraryItemRow[]; total: number }> {
  const conditions: SQL[] = [];
  const q = search.q?.trim();
  // websearch_to_tsquery reads what people type into a search box ("crisis housing", "peer -support",
  // quoted phrases) and never fails on stray punctuation.
  const query = q ? sql`websearch_to_tsquery('english', ${q})` : null;
  if (query) conditions.push(sql`${libraryItems.search} @@ ${query}`);
  if (search.topic) conditions.push(sql`${libraryItems.topics} @> ${JSON.stringify([search.topic.toLowerCase()])}::jsonb`);
  if (search.kind && (libraryKinds as readonly string[]).includes(search.kind)) conditions.push(eq(libraryItems.kind, search.kind as LibraryKind));
  if (search.year) conditions.push(eq(libraryItems.year, search.year));
  const where = conditions.length ? and(...conditions) : undefined;
  const page = Math.max(1, search.page ?? 1);
  const order = query
    ? [desc(sql`ts_rank(${libraryItems.search}, ${query})`), desc(libraryItems.year), asc(libraryItems.id)]
    : [desc(libraryItems.year), asc(libraryItems.title), asc(libraryItems.id)];
  const [items, [counted]] = await Promise.all([
    db
      .select(itemColumns)
      .from(libraryItems)
      .where(where)
      .orderBy(...order)
      .limit(ITEMS_PER_PAGE)
      .offset((page - 1) * ITEMS_PER_PAGE),
    db.select({ n: count() }).from(libraryItems).where(where),
  ]);
  return { items, total: Number(counted?.n ?? 0) };
}

/** The topics and years people can filter by: those some item has. */
export async function libraryFacets(db: Db): Promise<{ topics: string[]; years: number[] }> {
  const [topics, years] = await Promise.all([
    db.execute<{ topic: string }>(sql`select distinct jsonb_array_elements_text(${libraryItems.topics}) as topic from ${libraryItems} order by 1`),
    db.selectDistinct({ year: libraryItems.year }).from(libraryItems).orderBy(desc(libraryItems.year)),
  ]);
  const topicRows = (Array.isArray(topics) ? topics : (topics as { rows: { topic: string }[] }).rows) as { topic: string }[];
  return { topics: topicRows.map((r) => r.topic), years: years.map((r) => r.year) };
}

/** For an event's page: items that came from it, and items launched at it. */
export async function eventLibrary(db: Db, eventId: string): Promise<{ from: LibraryItemRow[]; launched: LibraryItemRow[] }> {
  const rows = await db
    .select(itemColumns)
    .from(libraryItems)
    .where(or(eq(libraryItems.eventId, eventId), eq(libraryItems.launchEventId, eventId)))
    .orderBy(desc(libraryItems.year), asc(libraryItems.title));
  return { from: rows.filter((r) => r.eventId === eventId), launched: rows.filter((r) => r.launchEventId === eventId) };
}

/**
 * Event titles and addresses by id, for showing where items came from. On public pages
 * (`publicFor`) an event still being planned or kept unlisted (an invitation-only round table) is
 * not named at all, except the event whose own page it is (`publicFor.except`).
 */
export async function eventsNamed(
  db: Db,
  ids: string[],
  publicFor?: { except?: string },
): Promise<Map<string, { title: string; slug: string; public: boolean; toCome: boolean }>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: events.id, title: events.title, slug: events.slug, status: events.status, unlisted: events.unlisted, startsAt: events.startsAt })
    .from(events)
    .where(inArray(events.id, unique));
  const shown = publicFor ? rows.filter((r) => r.id === publicFor.except || (r.status !== 'planning' && !r.unlisted)) : rows;
  const now = new Date();
  // toCome: the event has not started (or has no date yet), so nothing has been launched there yet.
  return new Map(shown.map((r) => [r.id, { title: r.title, slug: r.slug, public: r.status !== 'planning', toCome: !r.startsAt || r.startsAt > now }]));
}
