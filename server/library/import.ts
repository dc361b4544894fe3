// Bringing an existing archive into the library, in the way a spreadsheet user already works: fill
// in the template (one row per item), then upload it together with the files it names, chosen
// all at once. Every row is checked first and shown with its problems in words ("row 4: there is
// no file called report.pdf among those uploaded"); nothing is added until the organiser starts
// the import, and then only the rows without problems. A job (plugin.ts) adds them a few at a time
// in their own transactions, so the progress page counts them and a restart carries on.
import { parse } from 'csv-parse/sync';
import { and, asc, count, eq } from 'drizzle-orm';
import { events, type LibraryImportFields, libraryImportRows, libraryImports, libraryItems } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { spreadsheetCsv } from '../http/csv.ts';
import { acceptedFileTypes, checkItem, type FileInput, safeFilename, sniffFile } from './service.ts';

export const IMPORT_COLUMNS = ['title', 'summary', 'kind', 'topics', 'year', 'event', 'launched at', 'link', 'file'] as const;
export const MAX_IMPORT_ROWS = 300;
export const MAX_IMPORT_FILES = 50;
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;
/** Rows added per transaction by the job. */
const BATCH = 5;

/** The template organisers download: the headings, and one example row to copy. */
export function importTemplate(): string {
  return spreadsheetCsv(
    [...IMPORT_COLUMNS],
    [
      [
        'Report of the round table on crisis housing',
        'What people with lived experience, practitioners and policy makers said about housing in a crisis.',
        'report',
        'housing, crisis care',
        '2026',
        'round-table-on-crisis-housing',
        'social-perspectives-conference',
        '',
        'crisis-housing-report.pdf',
      ],
    ],
  );
}

const columnKey = (heading: string) => heading.trim().toLowerCase().replace(/[_-]+/g, ' ');

/**
 * Reads the spreadsheet and the files, checks every row, and keeps them as a preview. Problems
 * with the spreadsheet as a whole (not a CSV, missing columns, too many rows) are refused on the
 * form; problems with a row are kept with the row.
 */
export async function stageImport(db: Database, input: { csv: FileInput | null; files: FileInput[] }, actor: Me, now = new Date()): Promise<string> {
  if (!input.csv || input.csv.data.length === 0)
    throw new InvalidInputError([{ field: 'csv', message: 'Choose the spreadsheet (CSV file) that lists the items' }]);
  let records: Record<string, string>[];
  try {
    records = parse(input.csv.data, {
      bom: true,
      columns: (headings: string[]) => headings.map(columnKey),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as Record<string, string>[];
  } catch {
    throw new InvalidInputError([
      { field: 'csv', message: 'The spreadsheet could not be read. Save it as “CSV UTF-8 (comma delimited)” from your spreadsheet program and try again' },
    ]);
  }
  const headings = records.length ? Object.keys(records[0]!) : [];
  const missing = ['title', 'kind', 'year'].filter((c) => !headings.includes(c));
  if (records.length === 0) throw new InvalidInputError([{ field: 'csv', message: 'The spreadsheet has no rows under its headings' }]);
  if (missing.length) {
    throw new InvalidInputError([
      { field: 'csv', message: `The spreadsheet needs a column headed ${missing.map((m) => `“${m}”`).join(' and ')}: start from the template` },
    ]);
  }
  if (records.length > MAX_IMPORT_ROWS) {
    throw new InvalidInputError([{ field: 'csv', message: `The spreadsheet has ${records.length} rows: import at most ${MAX_IMPORT_ROWS} at a time` }]);
  }
  if (input.files.length > MAX_IMPORT_FILES) {
    throw new InvalidInputError([{ field: 'files', message: `Choose at most ${MAX_IMPORT_FILES} files at a time, and import the rest in another go` }]);
  }
  const filesByName = new Map(input.files.map((f) => [baseName(f.filename).toLowerCase(), f]));
  const eventRows = await db.select({ id: events.id, slug: events.slug, title: events.title }).from(events);
  const findEvent = (text: string): string | null | undefined => {
    const wanted = text
      .trim()
      .toLowerCase()
      .replace(/^.*\/events\//, '')
      .replace(/\/$/, '');
    if (!wanted) return null;
    return eventRows.find((e) => e.slug === wanted || e.title.toLowerCase() === wanted)?.id;
  };

  const staged: (typeof libraryImportRows.$inferInsert)[] = [];
  const namedFiles = new Set<string>();
  for (const [index, record] of records.entries()) {
    const cell = (name: string) => record[name] ?? '';
    const problems: string[] = [];
    const eventId = findEvent(cell('event'));
    const launchEventId = findEvent(cell('launched at'));
    if (eventId === undefined) problems.push(`There is no event called “${cell('event')}” (use its title or its web address)`);
    if (launchEventId === undefined) problems.push(`There is no event called “${cell('launched at')}” for the launch`);
    const { errors, item } = checkItem({
      title: cell('title'),
      summary: cell('summary'),
      kind: cell('kind'),
      topics: cell('topics'),
      year: cell('year'),
      eventId: eventId ?? '',
      launchEventId: launchEventId ?? '',
      url: cell('link'),
    });
    problems.push(...errors.map((e) => (e.field === 'kind' ? `The kind “${cell('kind')}” is not one of: ${KIND_WORDS}` : e.message)));
    const filename = baseName(cell('file'));
    let content: Buffer | null = null;
    let contentType = '';
    if (filename) {
      const file = filesByName.get(filename.toLowerCase());
      namedFiles.add(filename.toLowerCase());
      if (!file) problems.push(`There is no file called “${filename}” among those uploaded`);
      else {
        const sniffed = await sniffFile(file.data);
        if ('problem' in sniffed) problems.push(`${filename}: ${sniffed.problem.replace('The file must', 'it must')}`);
        else {
          content = file.data;
          contentType = sniffed.mime;
        }
      }
    }
    if (!filename && !item.url) problems.push('Give a file name or a link');
    if (filename && item.url) problems.push('Give a file name or a link, not both');
    const fields: LibraryImportFields = {
      title: item.title,
      summary: item.summary,
      kind: cell('kind').trim().toLowerCase(),
      topics: item.topics,
      year: Number.isInteger(item.year) ? item.year : null,
      eventId: eventId ?? null,
      launchEventId: launchEventId ?? null,
      url: item.url,
      filename: content ? safeFilename(filename, acceptedFileTypes[contentType]?.ext ?? 'bin') : filename,
    };
    staged.push({ rowNumber: index + 2, fields, problems, state: problems.length ? 'invalid' : 'ready', content, contentType, importId: '' });
  }
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(libraryImports)
      .values({ csvFilename: baseName(input.csv!.filename), createdBy: actor.id, createdAt: now })
      .returning({ id: libraryImports.id });
    const importId = created!.id;
    for (const row of staged) await tx.insert(libraryImportRows).values({ ...row, importId });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'library.import.previewed',
      subjectType: 'library_import',
      subjectId: importId,
      details: { rows: staged.length },
    });
    return importId;
  });
}

const KIND_WORDS = 'report, briefing, slides, toolkit, recording, article, other';

function baseName(name: string): string {
  return (name.split(/[\\/]/).pop() ?? '').trim();
}

export type ImportRow = typeof libraryImports.$inferSelect;

export async function getImport(db: Db, id: string): Promise<ImportRow> {
  const [row] = await db.select().from(libraryImports).where(eq(libraryImports.id, id));
  if (!row) throw new NotFoundError('We could not find that import.');
  return row;
}

export async function importRows(db: Db, importId: string) {
  return db
    .select({
      id: libraryImportRows.id,
      rowNumber: libraryImportRows.rowNumber,
      fields: libraryImportRows.fields,
      problems: libraryImportRows.problems,
      state: libraryImportRows.state,
      itemId: libraryImportRows.itemId,
    })
    .from(libraryImportRows)
    .where(eq(libraryImportRows.importId, importId))
    .orderBy(asc(libraryImportRows.rowNumber));
}

export interface ImportProgress {
  rows: number;
  ready: number;
  invalid: number;
  imported: number;
}

export async function importProgress(db: Db, importId: string): Promise<ImportProgress> {
  const rows = await db
    .select({ state: libraryImportRows.state, n: count() })
    .from(libraryImportRows)
    .where(eq(libraryImportRows.importId, importId))
    .groupBy(libraryImportRows.state);
  const by = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) as Record<string, number>;
  const ready = by.ready ?? 0;
  const invalid = by.invalid ?? 0;
  const imported = by.imported ?? 0;
  return { rows: ready + invalid + imported, ready, invalid, imported };
}

/** The organiser starts the import: the job adds the rows without problems. */
export async function startImport(db: Database, importId: string, actor: Me, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(libraryImports).where(eq(libraryImports.id, importId)).for('update');
    if (!row) throw new NotFoundError('We could not find that import.');
    if (row.status !== 'previewed') throw new ConflictError('library_import_started', 'This import has already been started.');
    await tx.update(libraryImports).set({ status: 'importing', startedAt: now }).where(eq(libraryImports.id, importId));
    await recordAudit(tx, { actorId: actor.id, action: 'library.import.started', subjectType: 'library_import', subjectId: importId });
  });
}

/**
 * The job: adds up to BATCH rows of one import that is under way, in one transaction, taking the
 * import with SKIP LOCKED so several processes share the work. Returns how many rows it added;
 * call it again until it returns 0. Marks the import done when no ready rows are left.
 */
export async function importSomeRows(db: Database, now = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const [job] = await tx
      .select({ id: libraryImports.id, createdBy: libraryImports.createdBy })
      .from(libraryImports)
      .where(eq(libraryImports.status, 'importing'))
      .orderBy(asc(libraryImports.startedAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!job) return 0;
    const rows = await tx
      .select()
      .from(libraryImportRows)
      .where(and(eq(libraryImportRows.importId, job.id), eq(libraryImportRows.state, 'ready')))
      .orderBy(asc(libraryImportRows.rowNumber))
      .limit(BATCH);
    for (const row of rows) {
      const f = row.fields;
      const [item] = await tx
        .insert(libraryItems)
        .values({
          title: f.title,
          summary: f.summary,
          kind: f.kind as (typeof libraryItems.$inferInsert)['kind'],
          topics: f.topics,
          year: f.year ?? now.getUTCFullYear(),
          eventId: f.eventId,
          launchEventId: f.launchEventId,
          url: f.url,
          filename: row.content ? f.filename : '',
          contentType: row.contentType,
          sizeBytes: row.content?.length ?? 0,
          content: row.content,
          addedBy: job.createdBy,
        })
        .returning({ id: libraryItems.id });
      // The file now lives in the library: the import's copy goes.
      await tx.update(libraryImportRows).set({ state: 'imported', itemId: item!.id, content: null }).where(eq(libraryImportRows.id, row.id));
    }
    if (rows.length < BATCH) {
      const [left] = await tx
        .select({ n: count() })
        .from(libraryImportRows)
        .where(and(eq(libraryImportRows.importId, job.id), eq(libraryImportRows.state, 'ready')));
      if (Number(left?.n ?? 0) === 0) {
        await tx.update(libraryImports).set({ status: 'done', finishedAt: now }).where(eq(libraryImports.id, job.id));
        await recordAudit(tx, { actorId: null, action: 'library.import.finished', subjectType: 'library_import', subjectId: job.id });
      }
    }
    return rows.length;
  });
}

/** Runs importSomeRows until nothing is left or `budgetMs` has passed (the job's share of a round). */
export async function runImports(db: Database, budgetMs = 5_000): Promise<number> {
  const until = Date.now() + budgetMs;
  let added = 0;
  for (;;) {
    const n = await importSomeRows(db);
    added += n;
    if (n === 0 || Date.now() > until) return added;
  }
}

/** Files of rows never imported are not kept: a discarded preview forgets them. */
export async function discardImport(db: Database, importId: string, actor: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(libraryImports).where(eq(libraryImports.id, importId)).for('update');
    if (!row) throw new NotFoundError('We could not find that import.');
    if (row.status !== 'previewed') throw new ConflictError('library_import_started', 'This import has already been started.');
    await tx.update(libraryImports).set({ status: 'discarded', finishedAt: new Date() }).where(eq(libraryImports.id, importId));
    await tx.update(libraryImportRows).set({ content: null }).where(eq(libraryImportRows.importId, importId));
    await recordAudit(tx, { actorId: actor.id, action: 'library.import.discarded', subjectType: 'library_import', subjectId: importId });
  });
}
