// Delivers queued outbox messages. Safe with several server processes: each claims a batch with
// FOR UPDATE SKIP LOCKED and leases it by pushing next_attempt_at forward, so no two processes
// send the same message, and a process that dies mid-send only delays it until the lease ends.
import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { announcements, listSubscribers, mailSuppressions, outboxMessages, people, type StoredAttachment } from '../../db/schema/index.ts';
import type { EmailCatalogue, EmailName } from '../../emails/catalogue.ts';
import { renderEmail, type EmailSite } from '../../emails/render.ts';
import type { Db } from '../db/database.ts';
import { openSecrets, SECRET_FIELDS } from './sealing.ts';
import type { MailTransport } from './transport.ts';

export const MAX_ATTEMPTS = 8;
const LEASE_MS = 5 * 60_000;

/** 30 s, 1 min, 2 min … up to an hour between attempts. */
export function backoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export interface DeliveryOptions {
  transport: MailTransport;
  site: EmailSite;
  from: string;
  now?: Date;
  batchSize?: number;
  /** The key private links were sealed with (the process's installed key if not given). */
  key?: Buffer;
  /** Where people can write to leave a mailing list (the mailto: of List-Unsubscribe). */
  contactEmail?: string;
}

export interface DeliveryResult {
  sent: number;
  retrying: number;
  failed: number;
}

export async function deliverDueMessages(db: Db, options: DeliveryOptions): Promise<DeliveryResult> {
  const now = options.now ?? new Date();
  const due = db
    .select({ id: outboxMessages.id })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.status, 'queued'), lte(outboxMessages.nextAttemptAt, now)))
    .orderBy(asc(outboxMessages.nextAttemptAt))
    .limit(options.batchSize ?? 20)
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(outboxMessages)
    .set({ nextAttemptAt: new Date(now.getTime() + LEASE_MS), attempts: sql`${outboxMessages.attempts} + 1` })
    .where(inArray(outboxMessages.id, due))
    .returning();

  const result: DeliveryResult = { sent: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return result;

  const addresses = [...new Set(claimed.map((m) => m.toAddress))];
  const plainTextReaders = new Set(
    (
      await db
        .select({ email: people.email })
        .from(people)
        .where(and(inArray(people.email, addresses), eq(people.prefersPlainText, true)))
    ).map((p) => p.email),
  );

  // UPDATE … RETURNING gives rows in no set order: send them in the order they were written, so
  // that a person's emails arrive in the order things happened to them.
  claimed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  const stillListed = await addressesStillListed(db, claimed);
  for (const message of claimed) {
    try {
      // A copy of an announcement to someone who left the list after it was queued is not sent.
      if (message.announcementId && !stillListed.has(message.toAddress)) {
        await db
          .update(outboxMessages)
          .set({ status: 'failed', lastError: 'Left the mailing list before this was sent', ...forgetLinks(message) })
          .where(eq(outboxMessages.id, message.id));
        await countFor(db, message.announcementId, 'skipped');
        continue;
      }
      const data = message.sealed ? { ...message.data, ...openSecrets(message.id, message.sealed, options.key) } : message.data;
      const rendered = renderEmail(message.template as EmailName, data as unknown as EmailCatalogue[EmailName], options.site);
      await options.transport.send({
        from: options.from,
        to: message.toAddress,
        subject: rendered.subject,
        text: rendered.text,
        html: plainTextReaders.has(message.toAddress) ? undefined : rendered.html,
        messageId: `<${message.messageId}>`,
        headers: { 'Auto-Submitted': 'auto-generated', ...listHeaders(data, options) },
        ...attachmentsOf(message.attachments),
      });
      await db
        .update(outboxMessages)
        .set({ status: 'sent', sentAt: new Date(), lastError: null, ...forgetLinks(message) })
        .where(eq(outboxMessages.id, message.id));
      if (message.announcementId) await countFor(db, message.announcementId, 'delivered');
      result.sent++;
    } catch (error) {
      if (isPermanentRejection(error)) {
        await bounced(db, message, error, now);
        result.failed++;
        continue;
      }
      const exhausted = message.attempts >= MAX_ATTEMPTS;
      await db
        .update(outboxMessages)
        .set({
          status: exhausted ? 'failed' : 'queued',
          nextAttemptAt: new Date(now.getTime() + backoffMs(message.attempts)),
          lastError: error instanceof Error ? error.message.slice(0, 1000) : String(error),
          // Given up: its links will never be sent, so they are not kept either.
          ...(exhausted ? forgetLinks(message) : {}),
        })
        .where(eq(outboxMessages.id, message.id));
      if (exhausted && message.announcementId) await countFor(db, message.announcementId, 'failed');
      if (exhausted) result.failed++;
      else result.retrying++;
    }
  }
  return result;
}

/**
 * The receiving server refused the address for good: a 5xx answer to RCPT TO (no such mailbox,
 * mailbox disabled, bad domain). Policy refusals (5.7.x: relaying denied, spam suspected) say
 * nothing about the address, and a refusal of the whole message or connection nothing about one
 * person, so they are retried as any other failure.
 */
export function isPermanentRejection(error: unknown): boolean {
  const e = error as { responseCode?: unknown; command?: unknown; response?: unknown } | null;
  if (!e || typeof e.responseCode !== 'number' || e.responseCode < 500 || e.responseCode > 599) return false;
  if (e.command !== 'RCPT TO') return false;
  return !/\b5\.7\.\d{1,3}\b/.test(typeof e.response === 'string' ? e.response : '');
}

/**
 * A bounce: the message is given up at once (trying again would be refused again), the address
 * goes on the mailing list's suppression list (as a hash, like every suppression) and its
 * subscription ends, whatever the message was; an announcement's copy is counted as bounced.
 */
async function bounced(db: Db, message: typeof outboxMessages.$inferSelect, error: unknown, now: Date): Promise<void> {
  const address = message.toAddress.trim().toLowerCase();
  await db.transaction(async (tx) => {
    await tx
      .update(outboxMessages)
      .set({
        status: 'failed',
        lastError: `Refused by the receiving mail server: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000),
        ...forgetLinks(message),
      })
      .where(eq(outboxMessages.id, message.id));
    await tx
      .insert(mailSuppressions)
      .values({ emailHash: createHash('sha256').update(address).digest('hex'), reason: 'bounced', createdAt: now })
      .onConflictDoNothing();
    await tx.delete(listSubscribers).where(eq(listSubscribers.email, address));
    if (message.announcementId) await countFor(tx, message.announcementId, 'bounced');
  });
}

/** Of the announcement copies claimed, the addresses still subscribed and not suppressed. */
async function addressesStillListed(db: Db, claimed: { announcementId: string | null; toAddress: string }[]): Promise<Set<string>> {
  const addresses = [...new Set(claimed.filter((m) => m.announcementId).map((m) => m.toAddress))];
  if (addresses.length === 0) return new Set();
  const rows = await db
    .select({ email: listSubscribers.email })
    .from(listSubscribers)
    .where(
      and(
        inArray(listSubscribers.email, addresses),
        eq(listSubscribers.status, 'subscribed'),
        sql`not exists (select 1 from ${mailSuppressions} where ${mailSuppressions.emailHash} = encode(sha256(convert_to(lower(${listSubscribers.email}), 'UTF8')), 'hex'))`,
      ),
    );
  return new Set(rows.map((r) => r.email));
}

async function countFor(db: Db, announcementId: string, outcome: 'delivered' | 'failed' | 'skipped' | 'bounced'): Promise<void> {
  const column = {
    delivered: announcements.deliveredCount,
    failed: announcements.failedCount,
    skipped: announcements.skippedCount,
    bounced: announcements.bouncedCount,
  }[outcome];
  const key = { delivered: 'deliveredCount', failed: 'failedCount', skipped: 'skippedCount', bounced: 'bouncedCount' }[outcome];
  await db
    .update(announcements)
    .set({ [key]: sql`${column} + 1` })
    .where(eq(announcements.id, announcementId));
}

/**
 * A mailing-list message (one that carries its subscriber's leave link) says how to leave in its
 * headers, as mail programs show it: List-Unsubscribe with the HTTPS link and a mailto:, and
 * List-Unsubscribe-Post for one-click unsubscribe without a visit (RFC 8058), plus List-Id.
 */
function listHeaders(data: Record<string, unknown>, options: DeliveryOptions): Record<string, string> {
  if (typeof data.leavePath !== 'string' || data.test === true) return {};
  const base = new URL(options.site.baseUrl);
  const links = [`<${new URL(data.leavePath, base).href}>`];
  if (options.contactEmail) links.push(`<mailto:${options.contactEmail}?subject=${encodeURIComponent('Please take me off the mailing list')}>`);
  return {
    'List-Unsubscribe': links.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': `Social Perspectives Hub announcements <announcements.${base.hostname}>`,
    Precedence: 'bulk',
  };
}

// A calendar invitation (METHOD:REQUEST or CANCEL) goes inline, as a text/calendar alternative
// with its method, which is what calendar clients act on, and attached as well (nodemailer's
// icalEvent does both). Anything else is an ordinary attachment.
const INVITATION = /;\s*method=(REQUEST|CANCEL)\b/i;

function attachmentsOf(stored: StoredAttachment[]): Pick<Mail.Options, 'attachments' | 'icalEvent'> {
  const invitation = stored.find((a) => INVITATION.test(a.contentType));
  return {
    attachments: stored
      .filter((a) => a !== invitation)
      .map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, encoding: a.encoding })),
    ...(invitation ? { icalEvent: { method: INVITATION.exec(invitation.contentType)![1]!, filename: invitation.filename, content: invitation.content } } : {}),
  };
}

/** Once an email is sent or given up, the private links it carried are removed from its row. */
function forgetLinks(message: { sealed: string | null; data: Record<string, unknown> }): {
  sealed: null;
  data?: Record<string, unknown>;
  secretsRemovedAt?: Date;
} {
  // A message queued before links were sealed may still hold one in its data.
  const raw = SECRET_FIELDS.filter((field) => field in message.data);
  if (!message.sealed && raw.length === 0) return { sealed: null };
  const data = Object.fromEntries(Object.entries(message.data).filter(([field]) => !SECRET_FIELDS.includes(field)));
  return { sealed: null, data, secretsRemovedAt: new Date() };
}

/**
 * Puts a failed message back in the queue (an admin's "try again"). One whose private link was
 * removed when it was given up cannot be sent again: the person asks for a new link instead.
 */
export async function requeueMessage(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(outboxMessages)
    .set({ status: 'queued', attempts: 0, nextAttemptAt: new Date() })
    .where(and(eq(outboxMessages.id, id), eq(outboxMessages.status, 'failed'), isNull(outboxMessages.secretsRemovedAt)))
    .returning({ id: outboxMessages.id });
  return rows.length > 0;
}

/**
 * Sent emails, and those given up, are deleted `days` after they were queued: the outbox is a
 * queue and a short record for admins, not an archive of what people were told.
 */
export async function deleteOldMessages(db: Db, options: { now: Date; days: number }): Promise<number> {
  const cutoff = new Date(options.now.getTime() - options.days * 86_400_000);
  const rows = await db
    .delete(outboxMessages)
    .where(
      and(
        inArray(outboxMessages.status, ['sent', 'failed']),
        sql`coalesce(${outboxMessages.sentAt}, ${outboxMessages.createdAt}) < ${cutoff.toISOString()}::timestamptz`,
      ),
    )
    .returning({ id: outboxMessages.id });
  return rows.length;
}
