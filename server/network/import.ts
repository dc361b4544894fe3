// Importing an existing mailing list (the old network's members) from a CSV file. Reading the
// file makes a preview: every row with the problem that would leave it out (a bad address, a
// second copy of an address, someone already on the list or who asked never to be emailed), and
// whether its consent was recorded. Nothing is subscribed and nobody is emailed until the
// organiser starts it; then a background job works through the rows in batches, so the progress
// page can show how far it has got.
//
// Consent is handled as UK GDPR and PECR ask: a row whose consent column says when (a date) and
// how the person agreed becomes a subscriber, with that record kept as their consent, marked as
// imported. Any other row is sent one email asking whether they want to join, through the same
// confirmation link as the join form, and is not on the list (so hears nothing else) unless they
// press its button. Nobody is asked twice, across imports.
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { and, asc, count, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { listImportRows, listImports, listJoinRequests, listSubscribers, mailSuppressions, type ImportRowProblem } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formatDate } from '../format.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { emailHash, JOIN_REQUEST_DAYS, NO_INTERESTS, sha256, subscribe } from './list.ts';

export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 10_000;
/** Rows one run of the job works through. */
export const IMPORT_BATCH = 200;

/** The words a re-permission email asks people to agree to: kept with each who says yes. */
export const REPERMISSION_WORDING =
  'Yes, keep me on the Social Perspectives Hub mailing list: email me when the Hub announces events. I can leave the list at any time, from a link in every email.';

export type ImportRow = typeof listImportRows.$inferSelect;
export type ImportRecord = typeof listImports.$inferSelect;

export const problemLabels: Record<ImportRowProblem, string> = {
  bad_address: 'Not an email address',
  duplicate: 'The same address is on an earlier line',
  already_subscribed: 'Already on the mailing list',
  suppressed: 'Left the list or their email bounced: never emailed again',
  already_asked: 'Already asked by an earlier import',
};

// The shape the join form accepts (type="email" as browsers check it), without the rarities.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && ADDRESS.test(text);
}

/**
 * When the consent column says the person agreed: the first date in it (2024-03-15 or
 * 15/03/2024, UK order), at midday London time; null without one, or with one in the future.
 */
export function consentDate(text: string, now: Date): Date | null {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  const uk = /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : uk ? [uk[3], uk[2], uk[1]] : [];
  if (!year) return null;
  const date = DateTime.fromObject({ year: Number(year), month: Number(month), day: Number(day), hour: 12 }, { zone: 'Europe/London' });
  if (!date.isValid || date.toJSDate() > now) return null;
  return date.toJSDate();
}

interface ParsedRow {
  line: number;
  email: string;
  name: string;
  consent: string;
}

const fileError = (message: string) => new InvalidInputError([{ field: 'file', message }]);

/** Which column is which, by its heading: "Email" (or "Email address"), "Name", and a heading starting "Consent". */
function columnsOf(header: string[]): { email: number; name: number; consent: number } {
  const names = header.map((h) => h.trim().toLowerCase());
  const email = names.findIndex((h) => h === 'email' || h === 'email address' || h === 'e-mail');
  if (email < 0) throw fileError('The first line of the file must name the columns, one of them "Email"');
  return {
    email,
    name: names.findIndex((h) => h === 'name' || h === 'full name'),
    consent: names.findIndex((h) => h.startsWith('consent')),
  };
}

/** The rows of an uploaded file, or a message about the whole file. */
export function readListCsv(data: Buffer): ParsedRow[] {
  if (data.length === 0) throw fileError('Choose a CSV file to import');
  if (data.length > MAX_IMPORT_BYTES) throw fileError(`The file must be ${MAX_IMPORT_BYTES / 1024 / 1024} MB or smaller`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  if (text.includes('\u0000')) throw fileError('The file must be a CSV file (text), not a spreadsheet: save it as CSV first');
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, max_record_size: 10_000 });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw fileError(`The file could not be read as CSV${line ? ` (near line ${line})` : ''}. Check it opens in a spreadsheet and save it as CSV again`);
  }
  const [header, ...rest] = records;
  if (!header) throw fileError('The file is empty');
  const columns = columnsOf(header);
  if (rest.length === 0) throw fileError('The file has a heading line but no rows');
  if (rest.length > MAX_IMPORT_ROWS)
    throw fileError(`The file has ${rest.length.toLocaleString('en-GB')} rows: split it into files of ${MAX_IMPORT_ROWS.toLocaleString('en-GB')} or fewer`);
  const cell = (record: string[], i: number, max: number) => (i >= 0 ? (record[i] ?? '').replaceAll('\u0000', '').slice(0, max) : '');
  return rest.map((record, i) => ({
    // skip_empty_lines drops blank lines: the count here is of rows, the header being line 1.
    line: i + 2,
    email: cell(record, columns.email, 320).toLowerCase(),
    name: cell(record, columns.name, 120),
    consent: cell(record, columns.consent, 500),
  }));
}

/** Reads the file into a preview. Nothing is subscribed and nobody emailed yet. */
export async function previewImport(db: Db, actorId: string, input: { filename: string; data: Buffer; now?: Date }): Promise<string> {
  const now = input.now ?? new Date();
  const parsed = readListCsv(input.data);
  const addresses = [...new Set(parsed.map((r) => r.email).filter(isEmailAddress))];
  return db.transaction(async (tx) => {
    const [subscribed, suppressed, asked] = await Promise.all([
      inChunks(addresses, (chunk) =>
        tx
          .select({ email: listSubscribers.email })
          .from(listSubscribers)
          .where(and(inArray(listSubscribers.email, chunk), eq(listSubscribers.status, 'subscribed'))),
      ),
      inChunks(
        addresses.map((a) => emailHash(a)),
        (chunk) => tx.select({ email: mailSuppressions.emailHash }).from(mailSuppressions).where(inArray(mailSuppressions.emailHash, chunk)),
      ),
      // Asked by an import still running (address kept), or by a finished one (only its hash kept).
      inChunks(addresses, async (chunk) => {
        const hashes = new Map(chunk.map((a) => [emailHash(a), a]));
        const rows = await tx
          .select({ email: listImportRows.email, hash: listImportRows.emailHash })
          .from(listImportRows)
          .where(and(or(inArray(listImportRows.email, chunk), inArray(listImportRows.emailHash, [...hashes.keys()])), eq(listImportRows.outcome, 'asked')));
        return rows.map((r) => ({ email: (r.hash && hashes.get(r.hash)) || r.email }));
      }),
    ]);
    const seen = new Set<string>();
    const rows = parsed.map((row) => {
      let problem: ImportRowProblem | null = null;
      if (!isEmailAddress(row.email)) problem = 'bad_address';
      else if (seen.has(row.email)) problem = 'duplicate';
      else if (suppressed.has(emailHash(row.email))) problem = 'suppressed';
      else if (subscribed.has(row.email)) problem = 'already_subscribed';
      else if (asked.has(row.email)) problem = 'already_asked';
      seen.add(row.email);
      return { ...row, consentedAt: row.consent ? consentDate(row.consent, now) : null, problem };
    });
    const [record] = await tx
      .insert(listImports)
      .values({ filename: input.filename.slice(0, 200) || 'list.csv', rowCount: rows.length, createdBy: actorId, createdAt: now })
      .returning({ id: listImports.id });
    for (let i = 0; i < rows.length; i += 500) await tx.insert(listImportRows).values(rows.slice(i, i + 500).map((r) => ({ ...r, importId: record!.id })));
    await recordAudit(tx, { actorId, action: 'list.import.previewed', subjectType: 'list_import', subjectId: record!.id, details: { rows: rows.length } });
    return record!.id;
  });
}

async function inChunks(values: string[], query: (chunk: string[]) => Promise<{ email: string }[]>): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < values.length; i += 1000) for (const row of await query(values.slice(i, i + 1000))) found.add(row.email);
  return found;
}

export async function getImport(db: Db, id: string): Promise<ImportRecord> {
  const [row] = await db.select().from(listImports).where(eq(listImports.id, id));
  if (!row) throw new NotFoundError('We could not find that import.');
  return row;
}

export async function listRecentImports(db: Db): Promise<ImportRecord[]> {
  return db.select().from(listImports).orderBy(desc(listImports.createdAt)).limit(20);
}

export interface ImportSummary {
  total: number;
  /** Rows with recorded consent and no problem: they join the list. */
  toSubscribe: number;
  /** Rows without recorded consent and no problem: they are asked once. */
  toAsk: number;
  problems: Record<ImportRowProblem, number>;
  /** What has happened so far. */
  done: { subscribed: number; asked: number; skipped: number; waiting: number };
}

export async function importSummary(db: Db, importId: string): Promise<ImportSummary> {
  const rows = await db
    .select({
      problem: listImportRows.problem,
      outcome: listImportRows.outcome,
      recorded: sql<boolean>`${listImportRows.consentedAt} is not null`,
      n: count(),
    })
    .from(listImportRows)
    .where(eq(listImportRows.importId, importId))
    .groupBy(listImportRows.problem, listImportRows.outcome, sql`${listImportRows.consentedAt} is not null`);
  const summary: ImportSummary = {
    total: 0,
    toSubscribe: 0,
    toAsk: 0,
    problems: { bad_address: 0, duplicate: 0, already_subscribed: 0, suppressed: 0, already_asked: 0 },
    done: { subscribed: 0, asked: 0, skipped: 0, waiting: 0 },
  };
  for (const r of rows) {
    const n = Number(r.n);
    summary.total += n;
    if (r.problem) summary.problems[r.problem] += n;
    else if (r.recorded) summary.toSubscribe += n;
    else summary.toAsk += n;
    summary.done[r.outcome] += n;
  }
  return summary;
}

/** Rows with a problem, in file order (the first `limit`), for the preview and progress pages. */
export async function rowsWithProblems(db: Db, importId: string, limit = 200): Promise<ImportRow[]> {
  return db
    .select()
    .from(listImportRows)
    .where(and(eq(listImportRows.importId, importId), sql`${listImportRows.problem} is not null`))
    .orderBy(asc(listImportRows.line))
    .limit(limit);
}

/** Rows that will be (or were) asked to confirm: those with a consent column the import could not date. */
export async function undatedConsentRows(db: Db, importId: string, limit = 50): Promise<ImportRow[]> {
  return db
    .select()
    .from(listImportRows)
    .where(
      and(
        eq(listImportRows.importId, importId),
        sql`${listImportRows.problem} is null and ${listImportRows.consentedAt} is null and ${listImportRows.consent} <> ''`,
      ),
    )
    .orderBy(asc(listImportRows.line))
    .limit(limit);
}

async function changeStatus(db: Db, id: string, actorId: string, to: 'importing' | 'cancelled', now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const changed = await tx
      .update(listImports)
      .set(to === 'importing' ? { status: to, startedAt: now } : { status: to, finishedAt: now })
      .where(and(eq(listImports.id, id), eq(listImports.status, 'previewed')))
      .returning({ id: listImports.id });
    if (changed.length === 0) {
      await getImport(tx, id);
      throw new ConflictError('import_started', 'This import has already been started or cancelled.');
    }
    await recordAudit(tx, { actorId, action: to === 'importing' ? 'list.import.started' : 'list.import.cancelled', subjectType: 'list_import', subjectId: id });
  });
}

/** The organiser has checked the preview: the job may work through the rows now. */
export async function startImport(db: Db, id: string, actorId: string, now = new Date()): Promise<void> {
  await changeStatus(db, id, actorId, 'importing', now);
}

/**
 * Once an import has finished, its rows keep only their line, problem and outcome: the counts and
 * the reasons rows were left out stay to be read, the addresses, names and consent text go. A row
 * that was asked to join keeps its address's hash (set as it was asked), so nobody is asked twice.
 */
async function eraseRowDetails(tx: Db, importId: string): Promise<void> {
  await tx.update(listImportRows).set({ email: '', name: '', consent: '' }).where(eq(listImportRows.importId, importId));
}

/** A preview nobody started is not kept: after this many days it is cancelled and its rows deleted. */
export const PREVIEW_KEEP_DAYS = 3;

/** Cancels previews left unstarted for PREVIEW_KEEP_DAYS, deleting their rows. Returns how many. */
export async function dropStalePreviews(db: Db, now = new Date()): Promise<number> {
  const stale = await db
    .update(listImports)
    .set({ status: 'cancelled', finishedAt: now })
    .where(and(eq(listImports.status, 'previewed'), lt(listImports.createdAt, new Date(now.getTime() - PREVIEW_KEEP_DAYS * 86_400_000))))
    .returning({ id: listImports.id });
  if (stale.length)
    await db.delete(listImportRows).where(
      inArray(
        listImportRows.importId,
        stale.map((r) => r.id),
      ),
    );
  return stale.length;
}

/** Not wanted after all: nothing was done, and its rows (addresses included) are deleted. */
export async function cancelImport(db: Database, id: string, actorId: string, now = new Date()): Promise<void> {
  await changeStatus(db, id, actorId, 'cancelled', now);
  await db.delete(listImportRows).where(eq(listImportRows.importId, id));
}

/**
 * One run of the import job: up to `batch` waiting rows of the oldest running import, in one
 * transaction (so a row is done once, whatever restarts). Each row is checked again as it is
 * done: someone may have joined or left since the preview. Returns the rows done.
 */
export async function runImports(db: Db, options: { batch?: number; now?: Date } = {}): Promise<number> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const [running] = await tx
      .select()
      .from(listImports)
      .where(eq(listImports.status, 'importing'))
      .orderBy(asc(listImports.startedAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!running) return 0;
    const rows = await tx
      .select()
      .from(listImportRows)
      .where(and(eq(listImportRows.importId, running.id), eq(listImportRows.outcome, 'waiting')))
      .orderBy(asc(listImportRows.line))
      .limit(options.batch ?? IMPORT_BATCH);
    for (const row of rows) await importRow(tx, running, row, now);
    if (rows.length < (options.batch ?? IMPORT_BATCH)) {
      await tx.update(listImports).set({ status: 'done', finishedAt: now }).where(eq(listImports.id, running.id));
      await eraseRowDetails(tx, running.id);
      await recordAudit(tx, { actorId: null, action: 'list.import.finished', subjectType: 'list_import', subjectId: running.id });
    }
    return rows.length;
  });
}

async function importRow(tx: Db, record: ImportRecord, row: ImportRow, now: Date): Promise<void> {
  const finish = async (outcome: 'subscribed' | 'asked' | 'skipped', problem: ImportRowProblem | null = row.problem): Promise<void> => {
    await tx
      .update(listImportRows)
      .set({ outcome, problem, doneAt: now, emailHash: outcome === 'asked' ? emailHash(row.email) : null })
      .where(eq(listImportRows.id, row.id));
  };
  if (row.problem) return finish('skipped');
  const [suppressed] = await tx
    .select({ hash: mailSuppressions.emailHash })
    .from(mailSuppressions)
    .where(eq(mailSuppressions.emailHash, emailHash(row.email)));
  if (suppressed) return finish('skipped', 'suppressed');
  const [subscriber] = await tx.select({ status: listSubscribers.status }).from(listSubscribers).where(eq(listSubscribers.email, row.email));
  if (subscriber?.status === 'subscribed') return finish('skipped', 'already_subscribed');
  if (row.consentedAt) {
    await subscribe(tx, {
      email: row.email,
      name: row.name,
      interests: NO_INTERESTS,
      method: 'imported',
      wording: `Imported from the list "${record.filename}" on ${formatDate(now)}. Their consent, as that list recorded it: ${row.consent}`,
      consentedAt: row.consentedAt,
      now,
    });
    return finish('subscribed');
  }
  const [asked] = await tx
    .select({ id: listImportRows.id })
    .from(listImportRows)
    .where(and(or(eq(listImportRows.email, row.email), eq(listImportRows.emailHash, emailHash(row.email))), eq(listImportRows.outcome, 'asked')))
    .limit(1);
  if (asked) return finish('skipped', 'already_asked');
  // The join form's own confirmation: a request whose link adds the address, and only that.
  const token = randomBytes(32).toString('base64url');
  await tx.insert(listJoinRequests).values({
    email: row.email,
    name: row.name,
    interests: NO_INTERESTS,
    consentWording: REPERMISSION_WORDING,
    tokenHash: sha256(token),
    requestedIp: 'list-import',
    createdAt: now,
    expiresAt: new Date(now.getTime() + JOIN_REQUEST_DAYS * 86_400_000),
  });
  await enqueueEmail(tx, {
    because: 'list-import.run',
    to: row.email,
    template: 'list-import-ask',
    data: { confirmPath: `/list/confirm/${token}`, days: JOIN_REQUEST_DAYS },
  });
  return finish('asked');
}
