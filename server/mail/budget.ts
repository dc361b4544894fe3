// A daily budget of emails that each person's actions may send to other people (invitations,
// notifications), so that no account can use the Hub's name to send spam. Counted in
// PostgreSQL per person per Europe/London day, and spent inside the transaction that enqueues
// the mail: over budget, the whole action is undone and the person told why.
import { sql } from 'drizzle-orm';
import { mailBudgetDays } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { TooManyRequestsError } from '../errors.ts';

export interface MailBudget {
  /** Emails to other people one person's actions may send in a day (MAIL_BUDGET_PER_DAY). */
  perDay: number;
}

export const mailBudgetMessage = (perDay: number) =>
  `This would send more emails to other people than one account may send in a day (${perDay}). Nothing has been saved. Try again tomorrow, or ask the Hub's organisers for help.`;

/**
 * Spends `emails` from the person's budget for today, or throws TooManyRequestsError (and
 * spends nothing) when that would go over it. One statement: concurrent actions by the same
 * person wait on the row's lock, so they cannot pass the budget together.
 */
export async function spendMailBudget(tx: Db, input: { personId: string; emails: number; budget: MailBudget; now?: Date }): Promise<void> {
  if (input.emails <= 0) return;
  if (input.emails > input.budget.perDay) throw new TooManyRequestsError(mailBudgetMessage(input.budget.perDay));
  const now = input.now ?? new Date();
  const day = sql`(${now.toISOString()}::timestamptz at time zone 'Europe/London')::date`;
  const spent = await tx
    .insert(mailBudgetDays)
    .values({ personId: input.personId, day: sql`${day}`, sent: input.emails })
    .onConflictDoUpdate({
      target: [mailBudgetDays.personId, mailBudgetDays.day],
      set: { sent: sql`${mailBudgetDays.sent} + excluded.sent` },
      setWhere: sql`${mailBudgetDays.sent} + excluded.sent <= ${input.budget.perDay}`,
    })
    .returning({ sent: mailBudgetDays.sent });
  if (spent.length === 0) throw new TooManyRequestsError(mailBudgetMessage(input.budget.perDay));
}
