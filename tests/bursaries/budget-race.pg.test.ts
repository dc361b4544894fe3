// Two panel members approving at the same moment must not both spend the same money. On real
// PostgreSQL, with separate connections, many approvals race for a budget that fits only some.
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryFunds, people } from '../../db/schema/index.ts';
import { decideApplication, saveDraft, startApplication, submitApplication } from '../../server/bursaries/applications.ts';
import { fundFigures } from '../../server/bursaries/funds.ts';
import type { Actor } from '../../server/bursaries/panel.ts';
import { connectPostgres, type DatabaseHandle } from '../../server/db/database.ts';
import { InvalidInputError } from '../../server/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createEvent } from './support.ts';

const settings = { mileagePencePerMile: 45, receiptThresholdPence: 1000, retentionMonths: 12 };
let database: TestDatabase;
let second: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  // A second pool, as a second Convene process would have.
  second = connectPostgres(database.url!, { max: 10 });
});
afterAll(async () => {
  await second.close();
  await database.close();
});

async function person(email: string, isOrganiser = false): Promise<Actor> {
  const [row] = await database.db.insert(people).values({ email }).returning({ id: people.id });
  return { id: row!.id, isOrganiser, isAdmin: false };
}

async function submitted(slug: string, email: string, pounds: string): Promise<string> {
  const applicant = await person(email);
  const id = await startApplication(database.db, slug, applicant);
  await saveDraft(
    database.db,
    id,
    {
      perspective: 'service_user',
      inAdvance: false,
      hubBooksTickets: false,
      paymentMethod: 'bank_transfer',
      paymentName: 'X',
      sortCode: '30-94-57',
      accountNumber: '31926819',
      paymentArrangement: '',
      note: '',
      items: [{ category: 'travel', description: '', amount: pounds }],
    },
    applicant,
    settings,
  );
  await submitApplication(database.db, id, applicant);
  return id;
}

// Hundreds of bookings at once take minutes on a loaded machine; a timeout here would say nothing
// about the race, so only a wrong count fails these tests.
describe('approving against one budget at the same time', { timeout: 300_000 }, () => {
  it('two panel members cannot both spend the last £70 of a £100 budget', async () => {
    const event = await createEvent(database.db);
    const [fund] = await database.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Race', budgetPence: 10_000 }).returning({ id: bursaryFunds.id });
    const a = await submitted(event.slug, 'a@example.org', '70');
    const b = await submitted(event.slug, 'b@example.org', '70');
    const panelA = await person('panel-a@example.org', true);
    const panelB = await person('panel-b@example.org', true);
    const decision = { outcome: 'approve_all' as const, amounts: {}, message: 'Yes', overrideReason: '' };

    const results = await Promise.allSettled([
      decideApplication(database.db, fund!.id, a, decision, panelA),
      decideApplication(second.db, fund!.id, b, decision, panelB),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(InvalidInputError);
    expect((refused.reason as Error).message).toContain('remaining budget');

    const rows = await database.db
      .select({ status: bursaryApplications.status })
      .from(bursaryApplications)
      .where(inArray(bursaryApplications.id, [a, b]));
    expect(rows.map((r) => r.status).sort()).toEqual(['approved', 'submitted']);
    expect(await fundFigures(database.db, fund!.id)).toMatchObject({ approvedPence: 7000, remainingPence: 3000 });
  });

  it('many approvals at once never go over the budget', async () => {
    const event = await createEvent(database.db);
    const [fund] = await database.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Crowd', budgetPence: 10_000 }).returning({ id: bursaryFunds.id });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await submitted(event.slug, `crowd-${i}@example.org`, '30'));
    const panel = await person('crowd-panel@example.org', true);
    const decision = { outcome: 'approve_all' as const, amounts: {}, message: 'Yes', overrideReason: '' };
    const results = await Promise.allSettled(ids.map((id, i) => decideApplication(i % 2 ? second.db : database.db, fund!.id, id, decision, panel)));
    // £100 fits three £30 approvals, never four.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const figures = await fundFigures(database.db, fund!.id);
    expect(figures).toMatchObject({ approvedPence: 9000, remainingPence: 1000 });
    const approved = await database.db.select({ id: bursaryApplications.id }).from(bursaryApplications).where(eq(bursaryApplications.status, 'approved'));
    expect(approved.filter((r) => ids.includes(r.id))).toHaveLength(3);
  });
});
