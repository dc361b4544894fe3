// After the event: a "you said, we did" impact note sent once to attendees and the planning
// group, and resources (PDF reports and slides, or links) shown on the public event page. Files
// are kept in the database, never under the web root, and their type is read from their
// content, not their name.
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { eventResources, impactNotes, registrations, surveyAnswers, surveyQuestions, surveyResponses, surveys } from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { eventOver } from '../event-over.ts';
import { type MailBudget, spendMailBudget } from '../mail/budget.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { planningAccess, requireLead, type EventRow } from './access.ts';
import { groupRecipients } from './events.ts';

export const MAX_RESOURCE_BYTES = 20 * 1024 * 1024;

export async function getImpactNote(db: Db, eventId: string) {
  const [row] = await db.select({ body: impactNotes.body, sentAt: impactNotes.sentAt }).from(impactNotes).where(eq(impactNotes.eventId, eventId));
  return row ?? null;
}

export interface QuotableAnswer {
  id: string;
  question: string;
  value: string;
  quoted: boolean;
}

/**
 * Written feedback that may be quoted in the note: its author agreed to be quoted, and a lead or
 * organiser has read it and cleared it. Never the planning group's own survey, which only
 * organisers read. Read from the survey tables here so that planning need not import surveys.
 */
export async function quotableAnswers(db: Db, eventId: string, options: { quotedOnly?: boolean } = {}): Promise<QuotableAnswer[]> {
  return db
    .select({ id: surveyAnswers.id, question: surveyQuestions.label, value: surveyAnswers.value, quoted: surveyAnswers.quoted })
    .from(surveyAnswers)
    .innerJoin(surveyQuestions, eq(surveyQuestions.id, surveyAnswers.questionId))
    .innerJoin(surveyResponses, eq(surveyResponses.id, surveyAnswers.responseId))
    .innerJoin(surveys, eq(surveys.id, surveyResponses.surveyId))
    .where(
      and(
        eq(surveys.eventId, eventId),
        ne(surveys.audience, 'planners'),
        eq(surveyQuestions.kind, 'text'),
        eq(surveyAnswers.approvedForPublic, true),
        eq(surveyResponses.consentToQuote, true),
        ...(options.quotedOnly ? [eq(surveyAnswers.quoted, true)] : []),
      ),
    )
    .orderBy(asc(surveyQuestions.position), asc(surveyAnswers.id));
}

/**
 * Whether the impact note can go: the event took place (finished, or published and over by
 * eventOver's rule, which reads an event without an end time by its start). The page's words and
 * the service both ask this.
 */
export function impactNoteDue(event: Pick<EventRow, 'status' | 'startsAt' | 'endsAt'>, now: Date): boolean {
  return (event.status === 'published' || event.status === 'completed') && eventOver(event, now);
}

/**
 * Saves the note, and sends it when asked; once sent it is kept as it was sent. The emails to
 * other people come out of the sender's daily budget (server/mail/budget.ts), like all mail
 * someone's action sends to others: over it, nothing is saved or sent.
 */
export async function saveImpactNote(
  db: Database,
  eventId: string,
  input: { body: string; send: boolean; quotes?: string[] },
  me: Me,
  context: { mailBudget: MailBudget; now?: Date },
): Promise<number> {
  const now = context.now ?? new Date();
  const body = input.body.trim();
  if (!body) throw new InvalidInputError([{ field: 'note', message: 'Write what people said and what was done about it' }]);
  return db.transaction(async (tx) => {
    const access = await planningAccess(tx, eventId, me, { lock: true });
    requireLead(access);
    const [existing] = await tx.select({ sentAt: impactNotes.sentAt }).from(impactNotes).where(eq(impactNotes.eventId, eventId)).for('update');
    if (existing?.sentAt) throw new ConflictError('impact_note_sent', 'The impact note has already been sent.');
    if (input.send && !impactNoteDue(access.event, now))
      throw new ConflictError('event_not_over', 'The impact note can be sent once the event has taken place.');
    const sentAt = input.send ? now : null;
    // The chosen quotes: only answers that may be quoted; anything else sent is ignored.
    const quotable = await quotableAnswers(tx, eventId);
    const chosen = new Set(input.quotes ?? []);
    const quoted = quotable.filter((q) => chosen.has(q.id));
    if (quotable.length) {
      const ids = quotable.map((q) => q.id);
      await tx.update(surveyAnswers).set({ quoted: false }).where(inArray(surveyAnswers.id, ids));
      if (quoted.length)
        await tx
          .update(surveyAnswers)
          .set({ quoted: true })
          .where(
            inArray(
              surveyAnswers.id,
              quoted.map((q) => q.id),
            ),
          );
    }
    await tx
      .insert(impactNotes)
      .values({ eventId, body, sentAt, sentBy: input.send ? me.id : null })
      .onConflictDoUpdate({ target: impactNotes.eventId, set: { body, sentAt, sentBy: input.send ? me.id : null, updatedAt: now } });
    await recordAudit(tx, {
      actorId: me.id,
      action: input.send ? 'event.impact_note.sent' : 'event.impact_note.saved',
      subjectType: 'event',
      subjectId: eventId,
    });
    if (!input.send) return 0;
    const attendees = (
      await tx
        .select({ email: registrations.email, name: registrations.name, status: registrations.status })
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), inArray(registrations.status, ['attended', 'confirmed'])))
        // Someone checked in under one booking and only booked under another is told as having come.
        .orderBy(sql`${registrations.status} = 'attended' desc`)
    ).map((r) => ({ email: r.email, name: r.name, tookPart: r.status === 'attended' }));
    const group = (await groupRecipients(tx, eventId)).map((g) => ({ email: g.email, name: g.displayName, tookPart: true }));
    const seen = new Set<string>();
    const recipients = [...group, ...attendees].filter((person) => !seen.has(person.email) && seen.add(person.email));
    await spendMailBudget(tx, { personId: me.id, emails: recipients.filter((p) => p.email !== me.email).length, budget: context.mailBudget, now });
    for (const person of recipients) {
      await enqueueEmail(tx, {
        because: 'event.impact-note-sent',
        to: person.email,
        template: 'impact-note',
        data: {
          name: person.name,
          title: access.event.title,
          note: body,
          quotes: quoted.map((q) => q.value),
          eventPath: `/events/${access.event.slug}`,
          tookPart: person.tookPart,
        },
      });
    }
    return seen.size;
  });
}

export async function addFileResource(
  db: Database,
  eventId: string,
  input: { title: string; description: string; filename: string; data: Buffer },
  me: Me,
): Promise<void> {
  const errors = [];
  if (!input.title.trim()) errors.push({ field: 'title', message: 'Enter a title for the file, for example “Report from the round table”' });
  if (input.data.length === 0) errors.push({ field: 'file', message: 'Choose a PDF file to upload' });
  else if (input.data.length > MAX_RESOURCE_BYTES) errors.push({ field: 'file', message: 'The file must be 20 MB or smaller' });
  else {
    const type = await fileTypeFromBuffer(input.data);
    if (type?.mime !== 'application/pdf') errors.push({ field: 'file', message: 'The file must be a PDF' });
  }
  if (errors.length) throw new InvalidInputError(errors);
  const filename = input.filename.replace(/[^A-Za-z0-9 ._()-]/g, '_').slice(-120) || 'resource.pdf';
  await db.transaction(async (tx) => {
    requireLead(await planningAccess(tx, eventId, me));
    const [row] = await tx
      .insert(eventResources)
      .values({
        eventId,
        kind: 'file',
        title: input.title.trim(),
        description: input.description.trim(),
        filename: filename.toLowerCase().endsWith('.pdf') ? filename : `${filename}.pdf`,
        contentType: 'application/pdf',
        sizeBytes: input.data.length,
        content: input.data,
        addedBy: me.id,
      })
      .returning({ id: eventResources.id });
    await recordAudit(tx, {
      actorId: me.id,
      action: 'event.resource.added',
      subjectType: 'event',
      subjectId: eventId,
      details: { resourceId: row!.id, kind: 'file', sizeBytes: input.data.length },
    });
  });
}

export async function addLinkResource(db: Database, eventId: string, input: { title: string; description: string; url: string }, me: Me): Promise<void> {
  const errors = [];
  if (!input.title.trim()) errors.push({ field: 'linkTitle', message: 'Enter a title for the link' });
  let url: URL | null = null;
  try {
    url = new URL(input.url.trim());
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    errors.push({ field: 'url', message: 'Enter the full web address, starting with https://' });
  if (errors.length) throw new InvalidInputError(errors);
  await db.transaction(async (tx) => {
    requireLead(await planningAccess(tx, eventId, me));
    const [row] = await tx
      .insert(eventResources)
      .values({ eventId, kind: 'link', title: input.title.trim(), description: input.description.trim(), url: url!.href, addedBy: me.id })
      .returning({ id: eventResources.id });
    await recordAudit(tx, {
      actorId: me.id,
      action: 'event.resource.added',
      subjectType: 'event',
      subjectId: eventId,
      details: { resourceId: row!.id, kind: 'link' },
    });
  });
}

export async function removeResource(db: Database, eventId: string, resourceId: string, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    requireLead(await planningAccess(tx, eventId, me));
    const removed = await tx
      .delete(eventResources)
      .where(and(eq(eventResources.id, resourceId), eq(eventResources.eventId, eventId)))
      .returning({ id: eventResources.id });
    if (!removed.length) throw new NotFoundError('We could not find that resource.');
    await recordAudit(tx, { actorId: me.id, action: 'event.resource.removed', subjectType: 'event', subjectId: eventId, details: { resourceId } });
  });
}
