// When an event is cancelled, its bursary applications are settled in the same transaction:
//
// - Applications with no decision yet (draft or submitted) are closed, so the panel no longer
//   sees them as waiting and a draft can no longer be sent. They become `withdrawn`, the state
//   for "ended before a decision", which frees no budget and records no decision about the
//   person; a message on the application says why, and pages call it closed because the event
//   was cancelled rather than withdrawn (see statusLabelFor).
// - Approved and part-approved applications stay as they are: people may already have spent
//   money they cannot get back (non-refundable travel, care booked), and can still claim it.
// - Declined and withdrawn ones are left alone.
//
// Places held for pending applications were already released by registration's
// closePlacesForCancelledEvent, which runs first; releasing them here would offer the place to a
// waiting list that no longer exists.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { bursaryApplications, bursaryClaims, bursaryItems, bursaryLedger, bursaryMessages, events, people } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Db } from '../db/database.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { applicationPath } from './applications.ts';

/** What is written on each application closed this way, for the applicant and the panel. */
export const EVENT_CANCELLED_REASON = 'The event was cancelled, so this application was closed before any decision. You do not need to do anything.';

export interface SettledBursaries {
  /** Drafts closed (their owners are emailed only if they had started filling them in). */
  draftsClosed: number;
  /** Sent applications that were waiting for a decision and are now closed. */
  submittedClosed: number;
  /** Approved or part-approved applications kept open for claims. */
  approvedKept: number;
  /** Of those, ones where an advance had already been paid. */
  approvedWithAdvance: number;
  /** Emails written to applicants. */
  applicantsEmailed: number;
}

/**
 * Locks the event's live bursary applications, in id order. Cancelling calls this before it locks
 * the event: sending, withdrawing or deciding an application locks the application first and
 * then the event (to hold or release its place), so taking them in the same order means the two
 * cannot deadlock.
 */
export async function lockBursaryApplicationsOf(tx: Db, eventId: string): Promise<void> {
  await tx
    .select({ id: bursaryApplications.id })
    .from(bursaryApplications)
    .where(eq(bursaryApplications.eventId, eventId))
    .orderBy(bursaryApplications.id)
    .for('update');
}

/** A draft the applicant has started to fill in: closing it is worth telling them about. */
function draftHasContent(app: {
  perspective: string | null;
  paymentMethod: string | null;
  paymentName: string;
  paymentArrangement: string;
  note: string;
  items: number;
}): boolean {
  return app.items > 0 || app.perspective !== null || app.paymentMethod !== null || app.paymentName !== '' || app.paymentArrangement !== '' || app.note !== '';
}

/**
 * Settles the bursary applications of an event being cancelled, in the caller's transaction
 * (which must already hold the event's lock), emails the applicants concerned and records one
 * audit entry with the counts and application ids.
 */
export async function settleBursariesForCancelledEvent(tx: Db, eventId: string, actorId: string | null, now: Date = new Date()): Promise<SettledBursaries> {
  const [event] = await tx.select({ title: events.title }).from(events).where(eq(events.id, eventId));
  if (!event) return { draftsClosed: 0, submittedClosed: 0, approvedKept: 0, approvedWithAdvance: 0, applicantsEmailed: 0 };

  // Locked so that an applicant sending a draft, or the panel deciding, at this moment either
  // finishes first (and is settled here) or waits and then finds the application closed.
  const apps = await tx
    .select({
      id: bursaryApplications.id,
      status: bursaryApplications.status,
      applicantId: bursaryApplications.applicantId,
      perspective: bursaryApplications.perspective,
      paymentMethod: bursaryApplications.paymentMethod,
      paymentName: bursaryApplications.paymentName,
      paymentArrangement: bursaryApplications.paymentArrangement,
      note: bursaryApplications.note,
      closedAt: bursaryApplications.closedAt,
    })
    .from(bursaryApplications)
    .where(
      and(
        eq(bursaryApplications.eventId, eventId),
        inArray(bursaryApplications.status, ['draft', 'submitted', 'approved', 'part_approved']),
        isNull(bursaryApplications.erasedAt),
      ),
    )
    .orderBy(bursaryApplications.id)
    .for('update');

  const ids = apps.map((a) => a.id);
  const itemCounts = new Map<string, number>();
  const advances = new Set<string>();
  const claims = new Set<string>();
  if (ids.length) {
    const items = await tx
      .select({ applicationId: bursaryItems.applicationId, count: sql<number>`count(*)::int` })
      .from(bursaryItems)
      .where(inArray(bursaryItems.applicationId, ids))
      .groupBy(bursaryItems.applicationId);
    for (const row of items) itemCounts.set(row.applicationId, Number(row.count));
    const paid = await tx
      .selectDistinct({ applicationId: bursaryLedger.applicationId })
      .from(bursaryLedger)
      .where(and(inArray(bursaryLedger.applicationId, ids), eq(bursaryLedger.kind, 'advance')));
    for (const row of paid) advances.add(row.applicationId);
    const sent = await tx.select({ applicationId: bursaryClaims.applicationId }).from(bursaryClaims).where(inArray(bursaryClaims.applicationId, ids));
    for (const row of sent) claims.add(row.applicationId);
  }

  const undecided = apps.filter((a) => a.status === 'draft' || a.status === 'submitted');
  // An approved application the panel has already closed (settled, or lapsed unclaimed) has
  // nothing left to claim, so it is neither counted as kept open nor written to.
  const approved = apps.filter((a) => (a.status === 'approved' || a.status === 'part_approved') && a.closedAt === null);

  if (undecided.length) {
    await tx
      .update(bursaryApplications)
      .set({ status: 'withdrawn', updatedAt: now })
      .where(
        inArray(
          bursaryApplications.id,
          undecided.map((a) => a.id),
        ),
      );
    await tx.insert(bursaryMessages).values(undecided.map((a) => ({ applicationId: a.id, authorId: actorId, body: EVENT_CANCELLED_REASON, createdAt: now })));
  }

  const applicantIds = [...new Set(apps.flatMap((a) => (a.applicantId ? [a.applicantId] : [])))];
  const recipients = new Map(
    applicantIds.length
      ? (await tx.select({ id: people.id, email: people.email, displayName: people.displayName }).from(people).where(inArray(people.id, applicantIds))).map(
          (p) => [p.id, p],
        )
      : [],
  );

  let applicantsEmailed = 0;
  for (const app of undecided) {
    const person = app.applicantId ? recipients.get(app.applicantId) : undefined;
    if (!person) continue;
    // An empty draft is not something the person will miss; a message about it would only worry them.
    if (app.status === 'draft' && !draftHasContent({ ...app, items: itemCounts.get(app.id) ?? 0 })) continue;
    await enqueueEmail(tx, {
      because: 'event.cancelled',
      to: person.email,
      template: 'bursary-event-cancelled-closed',
      data: { name: person.displayName, eventTitle: event.title, applicationPath: applicationPath(app.id), wasDraft: app.status === 'draft' },
    });
    applicantsEmailed += 1;
  }
  for (const app of approved) {
    const person = app.applicantId ? recipients.get(app.applicantId) : undefined;
    if (!person) continue;
    await enqueueEmail(tx, {
      because: 'event.cancelled',
      to: person.email,
      template: 'bursary-event-cancelled-approved',
      data: {
        name: person.displayName,
        eventTitle: event.title,
        applicationPath: applicationPath(app.id),
        claimSent: claims.has(app.id),
        hadAdvance: advances.has(app.id),
      },
    });
    applicantsEmailed += 1;
  }

  const settled: SettledBursaries = {
    draftsClosed: undecided.filter((a) => a.status === 'draft').length,
    submittedClosed: undecided.filter((a) => a.status === 'submitted').length,
    approvedKept: approved.length,
    approvedWithAdvance: approved.filter((a) => advances.has(a.id)).length,
    applicantsEmailed,
  };
  // Ids and counts only: which applications were closed, and which kept ones had an advance
  // (the team will want to talk those through with the applicant).
  await recordAudit(tx, {
    actorId,
    action: 'bursary.event_cancelled.applications_settled',
    subjectType: 'event',
    subjectId: eventId,
    details: {
      ...settled,
      closedApplicationIds: undecided.map((a) => a.id),
      keptApplicationIds: approved.map((a) => a.id),
      advancePaidApplicationIds: approved.filter((a) => advances.has(a.id)).map((a) => a.id),
    },
  });
  return settled;
}
