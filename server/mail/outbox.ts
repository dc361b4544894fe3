// Features put mail in the outbox inside their own transaction, so an email exists exactly when
// the change that caused it was committed.
import { randomUUID } from 'node:crypto';
import { and, eq, ne, or, sql, type SQL } from 'drizzle-orm';
import { outboxMessages, type StoredAttachment } from '../../db/schema/index.ts';
import { subjects, type EmailCatalogue, type EmailName } from '../../emails/catalogue.ts';
import type { Db } from '../db/database.ts';
import { assertListed, type ChangeName, type TemplateFor } from '../notify/who-is-told.ts';
import { sealSecrets } from './sealing.ts';

/** Addresses of erased people and bookings end here (a reserved domain that never receives mail). */
export const ERASED_DOMAIN = 'erased.invalid';

export function isErasedAddress(address: string): boolean {
  return address === '' || address.toLowerCase().endsWith(`@${ERASED_DOMAIN}`);
}

export interface OutgoingEmail<C extends ChangeName, K extends EmailName> {
  /** The change this email tells of: its row in the who-is-told table must list the template. */
  because: C;
  to: string;
  template: K;
  data: EmailCatalogue[K];
  attachments?: StoredAttachment[];
}

/**
 * Queues an email; its private links are sealed. Returns its id, or null for an erased address.
 * The template must be one the change's row in the who-is-told table lists.
 */
export async function enqueueEmail<C extends ChangeName, K extends TemplateFor<C> & EmailName>(db: Db, email: OutgoingEmail<C, K>): Promise<string | null> {
  assertListed(email.because, email.template);
  // Someone erased is written to no more (an old booking may still be on a list of attendees).
  if (isErasedAddress(email.to)) return null;
  const id = randomUUID();
  const { open, sealed } = sealSecrets(id, email.data as unknown as Record<string, unknown>);
  await db.insert(outboxMessages).values({
    id,
    template: email.template,
    toAddress: email.to,
    subject: subjects[email.template](email.data),
    data: open,
    sealed,
    attachments: email.attachments ?? [],
    messageId: `${id}@convene`,
  });
  return id;
}

/** An .ics file as an outbox attachment. */
export function calendarAttachment(filename: string, ics: string, method?: 'PUBLISH' | 'REQUEST' | 'CANCEL'): StoredAttachment {
  return {
    filename,
    contentType: method ? `text/calendar; charset=utf-8; method=${method}` : 'text/calendar; charset=utf-8',
    content: ics,
    encoding: 'utf8',
  };
}

/**
 * Erasure reaches the outbox too: deletes the emails to an address, the emails whose data or
 * subject mention any of `mentions` (an address, an application's id), and sent emails that
 * carry any of `names` as a value (a name in "invited by …"). Returns how many were deleted.
 */
export async function forgetEmails(db: Db, input: { to?: string; mentions?: string[]; names?: string[] }): Promise<number> {
  const conditions: SQL[] = [];
  if (input.to) conditions.push(eq(outboxMessages.toAddress, input.to));
  for (const text of input.mentions ?? []) {
    if (!text) continue;
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`(${outboxMessages.data}::text ilike ${pattern} or ${outboxMessages.subject} ilike ${pattern})`);
  }
  for (const name of input.names ?? []) {
    if (!name.trim()) continue;
    // Only sent ones: a queued email to someone else still has to go.
    conditions.push(
      and(ne(outboxMessages.status, 'queued'), sql`exists (select 1 from jsonb_each_text(${outboxMessages.data}) as f where f.value = ${name})`)!,
    );
  }
  if (conditions.length === 0) return 0;
  const rows = await db
    .delete(outboxMessages)
    .where(or(...conditions))
    .returning({ id: outboxMessages.id });
  return rows.length;
}
