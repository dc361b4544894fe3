// Gap-free document numbers. Each number comes from its counter row, locked FOR UPDATE in the
// caller's transaction: a booking that rolls back releases the lock with the number unused, so
// the next booking gets it. (A database sequence would not do: it never gives a number back.)
// Bookings that invoice at once queue on the one row for the moment their transaction lasts.
import { eq, sql } from 'drizzle-orm';
import { documentCounters } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

export type DocumentKind = 'invoice' | 'credit_note';

export async function nextNumber(tx: Db, kind: DocumentKind): Promise<number> {
  await tx.insert(documentCounters).values({ name: kind, last: 0 }).onConflictDoNothing();
  const [row] = await tx.select({ last: documentCounters.last }).from(documentCounters).where(eq(documentCounters.name, kind)).for('update');
  const next = row!.last + 1;
  await tx
    .update(documentCounters)
    .set({ last: sql`${next}` })
    .where(eq(documentCounters.name, kind));
  return next;
}

/** 7 → "INV-00007" */
export function invoiceNumberText(number: number): string {
  return `INV-${String(number).padStart(5, '0')}`;
}

/** 7 → "CN-00007" */
export function creditNoteNumberText(number: number): string {
  return `CN-${String(number).padStart(5, '0')}`;
}

/** "INV-00007" → 7, or null when it is not an invoice number. */
export function parseInvoiceNumber(text: string): number | null {
  const m = /^INV-(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** "CN-00007" → 7, or null. */
export function parseCreditNoteNumber(text: string): number | null {
  const m = /^CN-(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}
