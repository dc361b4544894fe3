// The retention job erases personal details, notes and receipts once the retention period after
// the last payment has passed (or after the event, whatever the application's state), from every
// copy (outbox, audit log), keeps the amounts for reporting, and touches nothing else.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryFunds, bursaryItems, bursaryMessages, bursaryLedger, bursaryReceipts, people } from '../../db/schema/index.ts';
import { decideApplication, saveDraft, startApplication, submitApplication } from '../../server/bursaries/applications.ts';
import { approveClaim, recordPayment, submitClaim, uploadReceipt } from '../../server/bursaries/claims.ts';
import { fundFigures } from '../../server/bursaries/funds.ts';
import type { BursarySettings } from '../../server/bursaries/money.ts';
import type { Actor } from '../../server/bursaries/panel.ts';
import { fundReport } from '../../server/bursaries/reporting.ts';
import { deleteStaleDrafts, eraseExpiredApplications } from '../../server/bursaries/retention.ts';
import type { Database } from '../../server/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { rowsMentioning } from '../support/scan.ts';
import { createEvent, pngBytes } from './support.ts';

const settings: BursarySettings = { mileagePencePerMile: 45, receiptThresholdPence: 1000, retentionMonths: 12 };
let database: TestDatabase;
let db: Database;
let fundId: string;
let slug: string;
let panel: Actor;

async function person(email: string): Promise<Actor> {
  const [row] = await db
    .insert(people)
    .values({ email, displayName: email.split('@')[0]! })
    .returning({ id: people.id });
  return { id: row!.id, isOrganiser: false, isAdmin: false };
}

/** An application taken as far as `until`, with its last payment on `paidOn`. */
async function application(email: string, until: 'submitted' | 'declined' | 'claim_approved' | 'paid', paidOn = '2025-01-10'): Promise<string> {
  const applicant = await person(email);
  const id = await startApplication(db, slug, applicant);
  await saveDraft(
    db,
    id,
    {
      perspective: 'carer',
      inAdvance: true,
      hubBooksTickets: false,
      paymentMethod: 'bank_transfer',
      paymentName: `Legal name of ${email}`,
      sortCode: '30-94-57',
      accountNumber: '31926819',
      paymentArrangement: '',
      note: 'My mother has dementia and I cannot leave her alone',
      items: [
        { category: 'travel', description: 'Car from my home in Otley', amount: '', miles: '30' },
        { category: 'care', description: 'Sitter for mum', amount: '60' },
      ],
    },
    applicant,
    settings,
  );
  await submitApplication(db, id, applicant);
  if (until === 'submitted') return id;
  if (until === 'declined') {
    await decideApplication(db, fundId, id, { outcome: 'decline', amounts: {}, message: 'Sorry', overrideReason: '' }, panel);
    return id;
  }
  await decideApplication(db, fundId, id, { outcome: 'approve_all', amounts: {}, message: 'Approved, see you there', overrideReason: '' }, panel);
  const items = await db.select({ id: bursaryItems.id, category: bursaryItems.category }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
  const careId = items.find((i) => i.category === 'care')!.id;
  const travelId = items.find((i) => i.category === 'travel')!.id;
  await uploadReceipt(db, id, { itemId: careId, filename: 'sitter.png', data: pngBytes }, applicant);
  await submitClaim(db, id, { [careId]: '60', [travelId]: '13.50' }, applicant, settings);
  await approveClaim(db, fundId, id, panel);
  if (until === 'paid')
    await recordPayment(db, fundId, id, { kind: 'settlement', amount: '73.50', paidOn, method: 'Bank transfer', reference: `REF ${email}` }, panel);
  return id;
}

let old: string;
let recent: string;
let unpaid: string;
let declinedOld: string;
let declinedRecent: string;
let waiting: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const event = await createEvent(db);
  slug = event.slug;
  const [fund] = await db.insert(bursaryFunds).values({ eventId: event.id, name: 'Fund', budgetPence: 100_000 }).returning({ id: bursaryFunds.id });
  fundId = fund!.id;
  panel = { ...(await person('panel@example.org')), isOrganiser: true };
  old = await application('old@example.org', 'paid', '2025-01-10');
  recent = await application('recent@example.org', 'paid', '2025-06-01');
  unpaid = await application('unpaid@example.org', 'claim_approved');
  declinedOld = await application('declined-old@example.org', 'declined');
  declinedRecent = await application('declined-recent@example.org', 'declined');
  waiting = await application('waiting@example.org', 'submitted');
  // Let some time pass for the declined one and the waiting one.
  await db
    .update(bursaryApplications)
    .set({ decidedAt: new Date('2024-12-01T12:00:00Z'), updatedAt: new Date('2024-12-01T12:00:00Z') })
    .where(eq(bursaryApplications.id, declinedOld));
  await db
    .update(bursaryApplications)
    .set({ submittedAt: new Date('2024-01-01T12:00:00Z'), updatedAt: new Date('2024-01-01T12:00:00Z') })
    .where(eq(bursaryApplications.id, waiting));
  await db
    .update(bursaryApplications)
    .set({ updatedAt: new Date('2024-01-01T12:00:00Z') })
    .where(eq(bursaryApplications.id, unpaid));
});
afterAll(async () => {
  await database.close();
});

async function state(id: string) {
  const [app] = await db.select().from(bursaryApplications).where(eq(bursaryApplications.id, id));
  return {
    app: app!,
    items: await db.select().from(bursaryItems).where(eq(bursaryItems.applicationId, id)),
    messages: await db.select().from(bursaryMessages).where(eq(bursaryMessages.applicationId, id)),
    receipts: await db.select({ id: bursaryReceipts.id }).from(bursaryReceipts).where(eq(bursaryReceipts.applicationId, id)),
    payments: await db
      .select()
      .from(bursaryLedger)
      .where(and(eq(bursaryLedger.applicationId, id), inArray(bursaryLedger.kind, ['advance', 'settlement']))),
  };
}

describe('the retention job', () => {
  it('erases exactly the applications past retention, keeping anonymous amounts', async () => {
    const keep = { recent: await state(recent), unpaid: await state(unpaid), declinedRecent: await state(declinedRecent), waiting: await state(waiting) };
    const figuresBefore = await fundFigures(db, fundId);
    const reportBefore = await fundReport(db, fundId);
    const peopleBefore = await db.select().from(people);

    const erased = await eraseExpiredApplications(db, { now: new Date('2026-02-01T09:00:00Z'), months: 12 });
    expect(erased.sort()).toEqual([old, declinedOld].sort());

    const gone = await state(old);
    expect(gone.app).toMatchObject({ applicantId: null, paymentName: '', paymentArrangement: '', note: '', decidedBy: null, status: 'approved' });
    expect(gone.app.erasedAt).toEqual(new Date('2026-02-01T09:00:00Z'));
    expect(gone.items.map((i) => ({ description: i.description, miles: i.miles }))).toEqual(gone.items.map(() => ({ description: '', miles: null })));
    expect(gone.items.map((i) => i.approvedPence).sort()).toEqual([1350, 6000]);
    expect(gone.messages).toHaveLength(0);
    expect(gone.receipts).toHaveLength(0);
    expect(gone.payments).toMatchObject([{ amountPence: 7350, reference: '', recordedBy: null }]);
    expect((await state(declinedOld)).app).toMatchObject({ applicantId: null, note: '', paymentName: '', perspective: null });
    expect(gone.app.perspective).toBeNull();

    // Nothing else changed: not the others, not the people, not the money.
    // Settled: its bank details went at once, the rest waits for the retention period.
    expect(await state(recent)).toEqual({ ...keep.recent, app: { ...keep.recent.app, paymentName: '' } });
    expect(await state(unpaid)).toEqual(keep.unpaid);
    expect(await state(declinedRecent)).toEqual(keep.declinedRecent);
    expect(await state(waiting)).toEqual(keep.waiting);
    expect(await db.select().from(people)).toEqual(peopleBefore);
    expect(await fundFigures(db, fundId)).toEqual(figuresBefore);
    const reportAfter = await fundReport(db, fundId);
    expect(reportAfter.byCategory).toEqual(reportBefore.byCategory);
    expect(reportAfter.paidPence).toBe(reportBefore.paidPence);

    // Running again erases nothing more; later, the recent one goes too.
    expect(await eraseExpiredApplications(db, { now: new Date('2026-02-01T10:00:00Z'), months: 12 })).toEqual([]);
    expect(await eraseExpiredApplications(db, { now: new Date('2026-06-02T10:00:00Z'), months: 12 })).toEqual([recent]);
  });

  it('honours a shorter configured period', async () => {
    const now = new Date(Date.now() + 40 * 86_400_000);
    const erased = await eraseExpiredApplications(db, { now, months: 1 });
    // The application declined today is over a month old by then; the unpaid claim never goes.
    expect(erased).toEqual([declinedRecent]);
    expect((await state(unpaid)).app.applicantId).not.toBeNull();
  });

  it('leaves no copy anywhere that ties an erased application to its applicant', async () => {
    const [applicant] = await db.select({ id: people.id }).from(people).where(eq(people.email, 'old@example.org'));
    const mentions = await rowsMentioning(db, old);
    // The application is still there (its amounts), and its emails and audit entries were made.
    expect(mentions.map((m) => m.table)).toContain('bursary_applications');
    for (const { table, row } of mentions) {
      const where = `${table}: ${row}`;
      expect(where).not.toContain(applicant!.id);
      expect(where.toLowerCase()).not.toContain('old@example.org');
      expect(where).not.toContain('Legal name of');
      expect(where).not.toContain('"carer"');
      expect(where).not.toContain('dementia');
    }
  });

  it('erases any application a retention period after its event, whatever its state', async () => {
    const past = await createEvent(db, { startsAt: new Date('2024-03-01T10:00:00Z'), endsAt: new Date('2024-03-01T16:00:00Z') });
    const [pastFund] = await db.insert(bursaryFunds).values({ eventId: past.id, name: 'Old fund', budgetPence: 50_000 }).returning({ id: bursaryFunds.id });
    const applicant = await person('never-decided@example.org');
    const id = await startApplication(db, past.slug, applicant, new Date('2024-02-01T10:00:00Z'));
    await saveDraft(
      db,
      id,
      {
        perspective: 'service_user',
        inAdvance: false,
        hubBooksTickets: false,
        paymentMethod: 'bank_transfer',
        paymentName: 'Never Decided',
        sortCode: '30-94-57',
        accountNumber: '31926819',
        paymentArrangement: '',
        note: 'I hear voices',
        items: [{ category: 'travel', description: 'Train', amount: '20' }],
      },
      applicant,
      settings,
    );
    await db
      .update(bursaryApplications)
      .set({ status: 'submitted', submittedAt: new Date('2024-02-02T10:00:00Z') })
      .where(eq(bursaryApplications.id, id));
    const draft = await startApplication(db, past.slug, await person('old-draft@example.org'), new Date('2024-02-01T10:00:00Z'));

    // Eleven months after the event it is kept; thirteen months after, it is gone.
    expect(await eraseExpiredApplications(db, { now: new Date('2025-02-01T10:00:00Z'), months: 12 })).not.toContain(id);
    expect(await eraseExpiredApplications(db, { now: new Date('2025-04-01T10:00:00Z'), months: 12 })).toContain(id);
    const { app, items } = await state(id);
    expect(app).toMatchObject({ applicantId: null, perspective: null, paymentName: '', note: '', status: 'submitted' });
    expect(items.map((i) => [i.description, i.estimatePence])).toEqual([['', 2000]]);
    expect(await rowsMentioning(db, 'never-decided@example.org')).toEqual([expect.objectContaining({ table: 'people' })]);
    expect(await rowsMentioning(db, 'I hear voices')).toEqual([]);
    // A draft for an event that long past goes as well, however recently it was touched.
    await deleteStaleDrafts(db, { now: new Date('2025-04-01T10:00:00Z'), months: 12 });
    expect(await db.select().from(bursaryApplications).where(eq(bursaryApplications.id, draft))).toHaveLength(0);
    expect(pastFund).toBeDefined();
  });

  it('removes drafts left untouched for the retention period', async () => {
    const applicant = await person('drafter@example.org');
    const id = await startApplication(db, slug, applicant);
    expect(await deleteStaleDrafts(db, { now: new Date(), months: 12 })).toBe(0);
    await db
      .update(bursaryApplications)
      .set({ updatedAt: new Date('2024-01-01T00:00:00Z') })
      .where(eq(bursaryApplications.id, id));
    expect(await deleteStaleDrafts(db, { now: new Date(), months: 12 })).toBe(1);
    expect(await db.select().from(bursaryApplications).where(eq(bursaryApplications.id, id))).toHaveLength(0);
  });
});
