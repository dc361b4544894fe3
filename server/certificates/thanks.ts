// The "thank you" email after an event, with the certificate of attendance attached: a timed job,
// once per person checked in. A place booked without an email address gets its certificate issued
// (the organisers' page offers it to print) and no email; an erased place gets neither. Safe with several processes: each booking is taken with FOR UPDATE
// SKIP LOCKED, and its certificate marked thanked in the same transaction as the email.
import { and, eq, inArray, isNull, ne, not, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { certificates, events, registrations } from '../../db/schema/index.ts';
import type { Database } from '../db/database.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { mintManagePath } from '../registration/links.ts';
import { groupedCode } from './codes.ts';
import { certificatePdf } from './pdf.ts';
import { certificateFacts, erasedPlace, issueIn } from './service.ts';

/** How long after its end an event's thank-yous go, and how late they may still go. */
export const THANK_AFTER_MS = 3_600_000;
export const THANK_WITHIN_MS = 30 * 86_400_000;

export async function sendDueThanks(db: Database, baseUrl: string, now: Date = new Date()): Promise<number> {
  const eventEnd = sql`coalesce(${events.endsAt}, ${events.startsAt})`;
  // A companion's booking has their booker's address: the email is written to the booker.
  const booker = alias(registrations, 'booker');
  let sent = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const due = await tx
        .select({
          id: registrations.id,
          email: registrations.email,
          companionOfId: registrations.companionOfId,
          bookerName: booker.name,
        })
        .from(registrations)
        .innerJoin(events, eq(events.id, registrations.eventId))
        .leftJoin(booker, eq(booker.id, registrations.companionOfId))
        .where(
          and(
            eq(registrations.status, 'attended'),
            inArray(events.status, ['published', 'completed']),
            sql`${eventEnd} <= ${new Date(now.getTime() - THANK_AFTER_MS).toISOString()}::timestamptz`,
            sql`${eventEnd} > ${new Date(now.getTime() - THANK_WITHIN_MS).toISOString()}::timestamptz`,
            not(erasedPlace),
            or(
              and(
                ne(registrations.email, ''),
                sql`not exists (select 1 from ${certificates} c where c.registration_id = ${registrations.id} and c.thanked_at is not null)`,
              ),
              // Nowhere to write: the certificate is made ready to print, once.
              and(
                eq(registrations.email, ''),
                sql`not exists (select 1 from ${certificates} c where c.registration_id = ${registrations.id} and c.replaced_at is null)`,
              ),
            ),
          ),
        )
        .limit(20)
        .for('update', { of: registrations, skipLocked: true });
      for (const r of due) {
        const certificate = await issueIn(tx, r.id, undefined, now);
        if (r.email === '') continue;
        await tx
          .update(certificates)
          .set({ thankedAt: now })
          .where(and(eq(certificates.id, certificate.id), isNull(certificates.replacedAt)));
        const facts = await certificateFacts(tx, certificate, baseUrl);
        const pdf = await certificatePdf(facts);
        // A companion's manage link is their booker's booking.
        const managePath = await mintManagePath(tx, r.companionOfId ?? r.id);
        await enqueueEmail(tx, {
          because: 'event.thank-you-due',
          to: r.email,
          template: 'certificate-thank-you',
          data: {
            name: r.companionOfId ? (r.bookerName ?? '') : certificate.name,
            companionName: r.companionOfId ? certificate.name : null,
            eventTitle: facts.eventTitle,
            date: facts.date,
            code: facts.code,
            verifyPath: `/certificates/${groupedCode(certificate.code)}`,
            managePath,
          },
          attachments: [{ filename: 'certificate-of-attendance.pdf', contentType: 'application/pdf', content: pdf.toString('base64'), encoding: 'base64' }],
        });
        sent++;
      }
      return due.length;
    });
    if (batch < 20) return sent;
  }
}
