// Helpers for the co-production tests: people with roles, a submitted proposal, the outbox.
import { emailData } from '../support/outbox.ts';
import { and, asc, eq } from 'drizzle-orm';
import { outboxMessages, people } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import type { Database } from '../../server/db/database.ts';
import type { TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

export async function personId(db: Database, email: string): Promise<string> {
  const [row] = await db.select({ id: people.id }).from(people).where(eq(people.email, email));
  if (!row) throw new Error(`No person ${email}`);
  return row.id;
}

export async function signedInOrganiser(t: TestApp, email: string): Promise<TestClient> {
  const client = await t.signedIn(email);
  await grantRole(t.db, null, await personId(t.db, email), 'organiser');
  return client;
}

/** Emails of one template queued to an address, oldest first, with their private links opened. */
export async function mailTo(db: Database, email: string, template: string) {
  const rows = await db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.toAddress, email), eq(outboxMessages.template, template)))
    .orderBy(asc(outboxMessages.createdAt));
  return rows.map((row) => ({ ...row, data: emailData(row) }));
}

export const completeProposal = {
  title: 'Social causes of distress: a seminar',
  type: 'seminar',
  summary: 'An afternoon on how poverty and housing shape mental distress.',
  purpose: 'To bring survivors and practitioners together to plan local action.',
  audience: 'Service users, carers and practitioners in Leeds.',
  format: 'in_person',
  place: 'Leeds Community Centre',
  expectedNumbers: '40',
  option1Date: '2027-03-10',
  option1Start: '13:00',
  option1End: '16:30',
  accessibilityPlan: 'Step-free venue, hearing loop, quiet room, papers a week ahead.',
  coproductionPlan: 'Two survivor researchers co-lead and co-chair.',
  budgetNeeds: 'Room hire and lunch.',
  bursaryBudget: '300',
};

/** The id in a redirect such as /proposals/<id>. */
export function idFrom(location: string | string[] | undefined, prefix: string): string {
  const m = new RegExp(`^${prefix}/([0-9a-f-]{36})`).exec(String(location));
  if (!m) throw new Error(`No id in ${String(location)}`);
  return m[1]!;
}

/**
 * The invitee opens the newest invitation emailed to them and accepts it, signed in as
 * themselves (signing in first when `client` is not given). Returns their signed-in client.
 */
export async function acceptInvitation(t: TestApp, email: string, client?: TestClient): Promise<TestClient> {
  const [invitation] = (await mailTo(t.db, email, 'proposal-co-proposer')).slice(-1);
  const path = invitation?.data.invitationPath;
  if (typeof path !== 'string') throw new Error(`No invitation to ${email}`);
  const invitee = client ?? (await t.signedIn(email));
  const accepted = await invitee.post(`${path}/accept`);
  if (accepted.statusCode !== 303) throw new Error(`Accepting answered ${accepted.statusCode}`);
  return invitee;
}
