// Bank details for bursaries paid by bank transfer: the name on the account, sort code and
// account number. They are checked for their form, encrypted at rest (server/data-keys.ts), shown
// in full only to panel members who may pay this application (never to the applicant's own panel
// seat, never to anyone else), every opening audited, and deleted as soon as the application is
// settled: its claim paid, or it is closed, declined or withdrawn.
import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { bursaryApplications, bursaryBankDetails, bursaryClaims } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { currentKeyId, decryptForRow, encryptForRow } from '../data-keys.ts';
import { ConflictError, type FieldError } from '../errors.ts';
import { lockForPanel } from './applications.ts';
import type { Actor } from './panel.ts';

export interface BankDetails {
  accountName: string;
  /** "12-34-56". */
  sortCode: string;
  /** Eight digits. */
  accountNumber: string;
}

/** What the form sent; empty fields mean "keep what you already have". */
export interface BankDetailsInput {
  accountName: string;
  sortCode: string;
  accountNumber: string;
}

/**
 * Checks the three fields' form (a UK sort code is six digits, an account number eight; spaces
 * and dashes are allowed as people write them). Returns the details, null when all three are
 * empty (nothing new given), or the messages for the fields that are wrong.
 */
export function readBankDetails(input: BankDetailsInput): { details: BankDetails | null; errors: FieldError[] } {
  const accountName = input.accountName.trim();
  const sortDigits = input.sortCode.replace(/[\s-]/g, '');
  const accountDigits = input.accountNumber.replace(/[\s-]/g, '');
  if (!accountName && !sortDigits && !accountDigits) return { details: null, errors: [] };
  const errors: FieldError[] = [];
  if (!accountName) errors.push({ field: 'paymentName', message: 'Enter the name on the bank account' });
  else if (accountName.length > 200) errors.push({ field: 'paymentName', message: 'The name on the account must be 200 characters or fewer' });
  if (!/^\d{6}$/.test(sortDigits)) errors.push({ field: 'sortCode', message: 'Enter a sort code of 6 digits, like 30-94-57' });
  if (!/^\d{8}$/.test(accountDigits)) errors.push({ field: 'accountNumber', message: 'Enter an account number of 8 digits, like 31926819' });
  if (errors.length) return { details: null, errors };
  return { details: { accountName, sortCode: sortDigits.replace(/(\d{2})(\d{2})(\d{2})/, '$1-$2-$3'), accountNumber: accountDigits }, errors };
}

/** Stores (replaces) the application's bank details, encrypted. Inside the caller's transaction. */
export async function storeBankDetails(tx: Db, applicationId: string, details: BankDetails): Promise<void> {
  const { keyId, sealed } = encryptForRow(applicationId, JSON.stringify(details));
  await tx
    .insert(bursaryBankDetails)
    .values({ applicationId, keyId, sealed })
    .onConflictDoUpdate({ target: bursaryBankDetails.applicationId, set: { keyId, sealed, updatedAt: new Date() } });
}

export async function eraseBankDetails(tx: Db, applicationId: string): Promise<void> {
  await tx.delete(bursaryBankDetails).where(eq(bursaryBankDetails.applicationId, applicationId));
}

async function openBankDetails(db: Db, applicationId: string): Promise<BankDetails | null> {
  const [row] = await db.select({ sealed: bursaryBankDetails.sealed }).from(bursaryBankDetails).where(eq(bursaryBankDetails.applicationId, applicationId));
  return row ? (JSON.parse(decryptForRow(applicationId, row.sealed)) as BankDetails) : null;
}

/**
 * The applicant's own details, in full, for their data export only (the caller has already
 * scoped the application to them).
 */
export async function ownBankDetailsForExport(db: Db, applicationId: string): Promise<BankDetails | null> {
  return openBankDetails(db, applicationId);
}

/** For the applicant's own pages: whether details are held, and the account number's last four digits only. */
export async function bankDetailsSummary(db: Db, applicationId: string): Promise<{ accountEnding: string } | null> {
  const details = await openBankDetails(db, applicationId);
  return details ? { accountEnding: details.accountNumber.slice(-4) } : null;
}

/**
 * The full details, for a panel member about to pay: on this fund's panel, not the applicant,
 * and only while the application is approved and not settled. Audited.
 */
export async function bankDetailsToPay(db: Database, fundId: string, applicationId: string, actor: Actor): Promise<BankDetails> {
  return db.transaction(async (tx) => {
    // The panel's lock: on this fund's panel (else refused), never one's own application.
    const app = await lockForPanel(tx, fundId, applicationId, actor);
    if (app.status !== 'approved' && app.status !== 'part_approved')
      throw new ConflictError('bursary_not_approved', 'Bank details are shown only to pay an approved application.');
    const details = await openBankDetails(tx, applicationId);
    if (!details)
      throw new ConflictError('bursary_no_bank_details', 'There are no bank details for this application: it is settled, or the applicant did not give any.');
    await recordAudit(tx, { actorId: actor.id, action: 'bursary.bank_details.viewed', subjectType: 'bursary_application', subjectId: applicationId });
    return details;
  });
}

/** Whether an application holds bank details (without opening them). */
export async function hasBankDetails(db: Db, applicationId: string): Promise<boolean> {
  return (await db.$count(bursaryBankDetails, eq(bursaryBankDetails.applicationId, applicationId))) > 0;
}

/** Bank details are needed only to pay: once an application is settled or ended, they go. */
export async function eraseSettledBankDetails(db: Db): Promise<number> {
  const over = or(
    sql`${bursaryApplications.closedAt} is not null`,
    inArray(bursaryApplications.status, ['declined', 'withdrawn']),
    sql`${bursaryApplications.erasedAt} is not null`,
    sql`exists (select 1 from ${bursaryClaims} where ${bursaryClaims.applicationId} = ${bursaryApplications.id} and ${bursaryClaims.status} = 'paid')`,
  );
  const rows = await db
    .delete(bursaryBankDetails)
    .where(inArray(bursaryBankDetails.applicationId, db.select({ id: bursaryApplications.id }).from(bursaryApplications).where(over)))
    .returning({ id: bursaryBankDetails.applicationId });
  return rows.length;
}

/**
 * Re-encrypts every row made under an older key with the current one (`npm run data-key --
 * rotate`), a batch at a time. Returns how many rows it re-encrypted.
 */
export async function reencryptBankDetails(db: Database): Promise<number> {
  const current = currentKeyId();
  let done = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ applicationId: bursaryBankDetails.applicationId, sealed: bursaryBankDetails.sealed })
        .from(bursaryBankDetails)
        .where(ne(bursaryBankDetails.keyId, current))
        .limit(100)
        .for('update', { skipLocked: true });
      for (const row of rows) {
        const { keyId, sealed } = encryptForRow(row.applicationId, decryptForRow(row.applicationId, row.sealed));
        await tx
          .update(bursaryBankDetails)
          .set({ keyId, sealed })
          .where(and(eq(bursaryBankDetails.applicationId, row.applicationId)));
      }
      return rows.length;
    });
    done += batch;
    if (batch < 100) return done;
  }
}
