// Announcements to the mailing list. An organiser writes one (markdown, sanitised when shown),
// chooses who it is for by interests, previews it, sends a test to themselves, then sends it.
// Sending writes one outbox message per subscriber in the audience, in the same transaction that
// marks the announcement sent, so it is sent once whatever happens next; the messages are spaced
// to LIST_SEND_PER_MINUTE, so the outbox sender (several processes, restarts and all) delivers
// them at that pace. Each copy carries the subscriber's own preferences and leave links, and the
// sender adds the one-click unsubscribe headers (RFC 8058) and skips anyone who left meanwhile.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { announcements, events, listSubscribers, mailSuppressions, outboxMessages, type ListInterests } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { formatDate } from '../format.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { sealSecrets } from '../mail/sealing.ts';
import { renderMarkdown } from '../markdown.ts';
import { assertListed } from '../notify/who-is-told.ts';
import { leavePath, NO_INTERESTS, preferencesPath } from './list.ts';

export type AnnouncementRow = typeof announcements.$inferSelect;

export interface AnnouncementInput {
  subject: string;
  body: string;
  audience: ListInterests;
}

export const SUBJECT_MAX = 150;
export const BODY_MAX = 20_000;

function check(input: AnnouncementInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!input.subject.trim()) errors.push({ field: 'subject', message: 'Enter a subject line' });
  if (!input.body.trim()) errors.push({ field: 'body', message: 'Enter the announcement' });
  return errors;
}

/** Whether a subscriber's interests meet an audience: each kind of choice either open on one side or shared. */
export function interestsMeet(audience: ListInterests, interests: ListInterests): boolean {
  const meets = (wanted: string[], has: string[]) => wanted.length === 0 || has.length === 0 || wanted.some((w) => has.includes(w));
  return meets(audience.types, interests.types) && meets(audience.formats, interests.formats) && meets(audience.regions, interests.regions);
}

/** The subscribers an announcement would go to now: subscribed, not suppressed, interests met. */
export async function audienceOf(db: Db, audience: ListInterests): Promise<{ id: string; email: string; name: string }[]> {
  const rows = await db
    .select({ id: listSubscribers.id, email: listSubscribers.email, name: listSubscribers.name, interests: listSubscribers.interests })
    .from(listSubscribers)
    .where(
      and(
        eq(listSubscribers.status, 'subscribed'),
        sql`not exists (select 1 from ${mailSuppressions} where ${mailSuppressions.emailHash} = encode(sha256(convert_to(lower(${listSubscribers.email}), 'UTF8')), 'hex'))`,
      ),
    )
    .orderBy(listSubscribers.createdAt, listSubscribers.id);
  return rows.filter((r) => interestsMeet(audience, r.interests)).map(({ id, email, name }) => ({ id, email, name }));
}

/** A ready-made announcement for an event: its title, when and where, its summary and link. */
export async function draftForEvent(db: Db, slug: string): Promise<AnnouncementInput> {
  const [event] = await db.select().from(events).where(eq(events.slug, slug));
  if (event?.status !== 'published') throw new NotFoundError('Only a published event can be announced.');
  const where = event.format === 'online' ? 'Online' : event.venueName + (event.format === 'hybrid' ? ', and online' : '');
  return {
    subject: `New event: ${event.title}`.slice(0, SUBJECT_MAX),
    body: [
      `**${event.title}**`,
      '',
      `${event.startsAt ? formatDate(event.startsAt) : 'Date to be confirmed'}. ${where}.`,
      '',
      event.summary,
      '',
      `[Read more and book](/events/${event.slug})`,
    ].join('\n'),
    audience: { types: [event.type], formats: event.format === 'hybrid' ? [] : [event.format], regions: [] },
  };
}

export async function createAnnouncement(db: Database, actorId: string, input: AnnouncementInput & { eventSlug?: string | null }): Promise<string> {
  const errors = check(input);
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    // Only a published event is announced from; any other (typed, or gone) is not kept.
    const [event] = input.eventSlug
      ? await tx
          .select({ id: events.id })
          .from(events)
          .where(and(eq(events.slug, input.eventSlug), eq(events.status, 'published')))
      : [];
    const [row] = await tx
      .insert(announcements)
      .values({ subject: input.subject.trim(), body: input.body, audience: input.audience, eventId: event?.id ?? null, createdBy: actorId })
      .returning({ id: announcements.id });
    await recordAudit(tx, { actorId, action: 'announcement.drafted', subjectType: 'announcement', subjectId: row!.id });
    return row!.id;
  });
}

export async function getAnnouncement(db: Db, id: string): Promise<AnnouncementRow> {
  const [row] = await db.select().from(announcements).where(eq(announcements.id, id));
  if (!row) throw new NotFoundError('We could not find that announcement.');
  return row;
}

export async function listAnnouncements(db: Db): Promise<AnnouncementRow[]> {
  return db.select().from(announcements).orderBy(desc(announcements.createdAt)).limit(100);
}

export async function updateAnnouncement(db: Database, id: string, input: AnnouncementInput): Promise<void> {
  const errors = check(input);
  if (errors.length) throw new InvalidInputError(errors);
  const updated = await db
    .update(announcements)
    .set({ subject: input.subject.trim(), body: input.body, audience: input.audience, updatedAt: new Date() })
    .where(and(eq(announcements.id, id), eq(announcements.status, 'draft')))
    .returning({ id: announcements.id });
  if (updated.length === 0) throw new ConflictError('announcement_sent', 'This announcement has been sent, so it cannot be changed.');
}

function emailData(announcement: AnnouncementRow, subscriberId: string | null) {
  return {
    subject: announcement.subject,
    bodyHtml: renderMarkdown(announcement.body),
    bodyText: announcement.body,
    // A test copy has no subscriber behind it: its links go to the join page.
    preferencesPath: subscriberId ? preferencesPath(subscriberId) : '/list/join',
    leavePath: subscriberId ? leavePath(subscriberId) : '/list/join',
    test: subscriberId === null,
  };
}

/** A copy to the organiser themselves, marked as a test. */
export async function sendTest(db: Database, id: string, me: { id: string; email: string }): Promise<void> {
  const announcement = await getAnnouncement(db, id);
  await db.transaction(async (tx) => {
    await enqueueEmail(tx, { because: 'announcement.test-sent', to: me.email, template: 'list-announcement', data: emailData(announcement, null) });
    await recordAudit(tx, { actorId: me.id, action: 'announcement.tested', subjectType: 'announcement', subjectId: id });
  });
}

/**
 * Sends it: one outbox message per subscriber in the audience, written with the announcement's
 * change to "sent" in one transaction, so it can be sent only once. Copy i is due i / perMinute
 * minutes from now.
 */
export async function sendAnnouncement(db: Database, id: string, actorId: string, options: { perMinute: number; now?: Date }): Promise<number> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const [announcement] = await tx.select().from(announcements).where(eq(announcements.id, id)).for('update');
    if (!announcement) throw new NotFoundError('We could not find that announcement.');
    if (announcement.status !== 'draft') throw new ConflictError('announcement_sent', 'This announcement has already been sent.');
    const audience = await audienceOf(tx, announcement.audience);
    if (audience.length === 0)
      throw new ConflictError(
        'announcement_no_audience',
        'Nobody on the list wants this kind of event yet, so there is no one to send it to. Choose fewer interests.',
      );
    const html = renderMarkdown(announcement.body);
    const rows = audience.map((person, i) => {
      const messageId = randomUUID();
      const { open, sealed } = sealSecrets(messageId, { ...emailData(announcement, person.id), bodyHtml: html });
      return {
        id: messageId,
        template: 'list-announcement',
        toAddress: person.email,
        subject: announcement.subject,
        data: open,
        sealed,
        messageId: `${messageId}@convene`,
        nextAttemptAt: new Date(now.getTime() + Math.floor(i / options.perMinute) * 60_000),
        announcementId: id,
      };
    });
    // Checked by the table, as enqueueEmail would: this change may send this template.
    assertSendable();
    for (let i = 0; i < rows.length; i += 500) await tx.insert(outboxMessages).values(rows.slice(i, i + 500));
    await tx
      .update(announcements)
      .set({ status: 'sent', sentAt: now, sentBy: actorId, audienceSize: audience.length, updatedAt: now })
      .where(eq(announcements.id, id));
    await recordAudit(tx, { actorId, action: 'announcement.sent', subjectType: 'announcement', subjectId: id, details: { audience: audience.length } });
    return audience.length;
  });
}

function assertSendable(): void {
  assertListed('announcement.sent', 'list-announcement');
}

export interface SendProgress {
  audience: number;
  queued: number;
  delivered: number;
  failed: number;
  skipped: number;
  /** Copies refused for good by the receiving server: those addresses are off the list now. */
  bounced: number;
  /** People who have left the list since it was sent (anyone on it, not only this audience). */
  leftSince: number;
}

export async function progressOf(db: Db, announcement: AnnouncementRow): Promise<SendProgress> {
  const [queued] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.announcementId, announcement.id), eq(outboxMessages.status, 'queued')));
  // Whoever left since it was sent. Nothing but a hash is kept of someone who leaves, so this
  // counts every leaver, not only this announcement's audience.
  const [left] = announcement.sentAt
    ? await db
        .select({ n: sql<number>`count(*)::int` })
        .from(mailSuppressions)
        .where(and(eq(mailSuppressions.reason, 'unsubscribed'), sql`${mailSuppressions.createdAt} >= ${announcement.sentAt.toISOString()}`))
    : [{ n: 0 }];
  return {
    audience: announcement.audienceSize,
    queued: queued?.n ?? 0,
    delivered: announcement.deliveredCount,
    failed: announcement.failedCount,
    skipped: announcement.skippedCount,
    bounced: announcement.bouncedCount,
    leftSince: left?.n ?? 0,
  };
}

/** The subscriber counts an organiser sees beside the audience choices. */
export async function audienceSize(db: Db, audience: ListInterests = NO_INTERESTS): Promise<number> {
  return (await audienceOf(db, audience)).length;
}
