// Features put mail in the outbox inside their own transaction, so an email exists exactly when
// the change that caused it was committed.
import { randomUUID } from 'node:crypto';
import { outboxMessages, type StoredAttachment } from '../../db/schema/index.ts';
import { subjects, type EmailCatalogue, type EmailName } from '../../emails/catalogue.ts';
import type { Db } from '../db/database.ts';

export interface OutgoingEmail<K extends EmailName> {
  to: string;
  template: K;
  data: EmailCatalogue[K];
  attachments?: StoredAttachment[];
}

export async function enqueueEmail<K extends EmailName>(db: Db, email: OutgoingEmail<K>): Promise<string> {
  const id = randomUUID();
  await db.insert(outboxMessages).values({
    id,
    template: email.template,
    toAddress: email.to,
    subject: subjects[email.template](email.data),
    data: email.data as unknown as Record<string, unknown>,
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
