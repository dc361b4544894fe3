// Spreadsheet exports (finance CSV, attendee lists, reports), made the one way: csv-stringify with
// a UTF-8 byte-order mark (so Excel reads £ and accented names right), a header row, and every
// text cell that a spreadsheet would run as a formula (starting = + - @, tab or return) neutralised
// with a leading quote. Plain numbers ("-2.00") are left as numbers. Dates go in their own ISO
// columns (format.ts londonDay / londonClock) and statuses in words, never enum codes.
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^-?\d+(\.\d+)?$/;

/** A cell a spreadsheet shows as typed, never runs. */
export function safeCell(text: string): string {
  return formulaStart.test(text) && !plainNumber.test(text) ? `'${text}` : text;
}

export type Cell = string | number | boolean | null | undefined;

export function spreadsheetCsv(header: string[], rows: Cell[][]): string {
  return stringify([header, ...rows], {
    bom: true,
    cast: { string: safeCell, boolean: (value) => (value ? 'Yes' : 'No') },
  });
}

/** Sends a CSV as a download that is never cached. */
export function sendCsv(reply: FastifyReply, filename: string, csv: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '-')}"`)
    .header('cache-control', 'private, no-store')
    .send(csv);
}
