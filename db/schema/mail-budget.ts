// How many emails to other people each person's actions have sent each day (Europe/London
// days), so that no account can use the Hub's name to send more than the daily budget
// (server/mail/budget.ts). A count per person per day, checked and raised in one statement.
import { date, integer, pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core';
import { people } from './accounts.ts';

export const mailBudgetDays = pgTable(
  'mail_budget_days',
  {
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    sent: integer('sent').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.personId, t.day] })],
);
