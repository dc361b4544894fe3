// Invitation-only events, such as a round table. An organiser marks the event invitation-only
// (registration's booking mode 'invitation': nobody books it from the public page) and chooses
// whether it is listed as "by invitation" or kept out of every list and public feed. They invite
// people by name and address, each with the perspective they are asked to bring; each invitee is
// emailed a private link (sealed in the outbox) to accept or decline. Accepting asks for access
// needs and makes a confirmed place through registration's API (placeForInvitee, under the event's
// lock like a booking), so acceptances never exceed the event's capacity and every list of
// attendees (check-in, reminders, certificates, surveys) includes the invitee. Declining, or the
// organisers withdrawing the invitation, ends that place. One reminder goes to those who have not
// answered (sendInvitationReminders, run by plugin.ts).
import { and, asc, eq, gt, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import {
  type BalanceTarget,
  eventInvitations,
  events,
  invitationPlans,
  type InvitationStatus,
  type InvitedPerspective,
  invitedPerspectives,
} from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { checkEmail } from '../email-address.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, type FieldError, InvalidInputError, NotFoundError } from '../errors.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { idFromSignedToken, signedIdToken } from '../mail/signed-links.ts';
import {
  endInviteePlace,
  eventFacts,
  invitationOnlyAmong,
  isInvitationOnly,
  placeForInvitee,
  placesHeld,
  setInvitationOnly,
  setInviteeNeeds,
} from '../registration/api.ts';

/** Invitees who have not answered this long after being invited get one reminder. */
export const REMIND_AFTER_DAYS = 5;
/** How many people one invite form may name (the Hub's name is not lent to bulk mail). */
export const MAX_INVITES_PER_FORM = 20;
export const ACCESS_NEEDS_MAX = 2000;

const PURPOSE = 'event-invitation';
export const invitationPath = (id: string) => `/invited/${signedIdToken(PURPOSE, id)}`;

export const perspectiveLabels: Record<InvitedPerspective, string> = {
  service_user_survivor: 'Service user or survivor',
  carer: 'Carer',
  practitioner: 'Practitioner',
  academic: 'Academic',
  policy_maker: 'Policy maker',
  other: 'Other',
};
/** Perspectives that count as lived experience in the balance. */
export const livedExperience: readonly InvitedPerspective[] = ['service_user_survivor', 'carer'];

export type EventRow = typeof events.$inferSelect;
export type InvitationRow = typeof eventInvitations.$inferSelect;

export interface InvitationPlan {
  invitationOnly: boolean;
  unlisted: boolean;
  target: BalanceTarget;
}

export async function getEventBySlug(db: Db, slug: string): Promise<EventRow> {
  const [row] = await db.select().from(events).where(eq(events.slug, slug));
  if (!row) throw new NotFoundError('We could not find that event.');
  return row;
}

export async function getPlan(db: Db, event: EventRow): Promise<InvitationPlan> {
  const [plan] = await db.select({ target: invitationPlans.livedExperienceTarget }).from(invitationPlans).where(eq(invitationPlans.eventId, event.id));
  return { invitationOnly: await isInvitationOnly(db, event.id), unlisted: event.unlisted, target: plan?.target ?? 'third' };
}

/** Saves whether the event is invitation-only, how it is listed, and the balance aimed for. */
export async function savePlan(db: Database, eventId: string, plan: InvitationPlan, actor: Me): Promise<void> {
  await db.transaction(async (tx) => {
    await setInvitationOnly(tx, eventId, plan.invitationOnly);
    // Only an invitation-only event may be kept out of the lists.
    await tx
      .update(events)
      .set({ unlisted: plan.invitationOnly && plan.unlisted, updatedAt: new Date() })
      .where(eq(events.id, eventId));
    await tx
      .insert(invitationPlans)
      .values({ eventId, livedExperienceTarget: plan.target })
      .onConflictDoUpdate({ target: invitationPlans.eventId, set: { livedExperienceTarget: plan.target, updatedAt: new Date() } });
    await recordAudit(tx, { actorId: actor.id, action: 'event.invitation_plan.saved', subjectType: 'event', subjectId: eventId, details: { ...plan } });
  });
}

export interface Invitee {
  name: string;
  email: string;
  perspective: string;
  organisation?: string;
}

const WITHDRAWN = 'The organisers have withdrawn this invitation.';

/** Whether invitations may still be sent or answered: published and not yet started. */
function closedReason(event: EventRow, now: Date): string | null {
  if (event.status === 'cancelled') return 'This event has been cancelled.';
  if (event.status !== 'published') return 'Invitations can be sent once the event is published.';
  if (event.startsAt && event.startsAt <= now) return 'This event has started or finished.';
  return null;
}

/**
 * Invites one person (the form's fields are name, email and perspective) and emails them their
 * private link, in one transaction. An address already invited to this event is refused beside
 * the email field, so nobody is written to twice by mistake.
 */
export async function invite(
  db: Database,
  eventId: string,
  invitee: Invitee,
  actor: Me,
  options: { fields?: { name: string; email: string; perspective: string }; now?: Date } = {},
): Promise<string> {
  const now = options.now ?? new Date();
  const fields = options.fields ?? { name: 'name', email: 'email', perspective: 'perspective' };
  const errors: FieldError[] = [];
  const name = invitee.name.trim();
  if (!name) errors.push({ field: fields.name, message: 'Enter the name of the person you are inviting' });
  let email = '';
  try {
    email = checkEmail(invitee.email, fields.email);
  } catch (error) {
    if (error instanceof InvalidInputError) errors.push(...error.fieldErrors);
    else throw error;
  }
  if (!(invitedPerspectives as readonly string[]).includes(invitee.perspective)) {
    errors.push({ field: fields.perspective, message: 'Select the perspective they are invited to bring' });
  }
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, eventId)).for('no key update');
    if (!event) throw new NotFoundError('We could not find that event.');
    if (!(await isInvitationOnly(tx, eventId))) {
      throw new ConflictError('not_invitation_only', 'Make the event invitation-only before inviting people: people book it from its page.');
    }
    const closed = closedReason(event, now);
    if (closed) throw new ConflictError('invitation_closed', closed);
    const [row] = await tx
      .insert(eventInvitations)
      .values({
        eventId,
        name,
        email,
        perspective: invitee.perspective as InvitedPerspective,
        organisation: (invitee.organisation ?? '').trim(),
        invitedBy: actor.id,
        invitedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: eventInvitations.id });
    if (!row) throw new InvalidInputError([{ field: fields.email, message: `${email} has already been invited to this event` }]);
    await sendInvitationEmail(tx, event, { id: row.id, name, email, perspective: invitee.perspective as InvitedPerspective }, false);
    await recordAudit(tx, { actorId: actor.id, action: 'event.invitation.sent', subjectType: 'event', subjectId: eventId, details: { invitationId: row.id } });
    return row.id;
  });
}

export async function sendInvitationEmail(
  tx: Db,
  event: EventRow,
  invitation: { id: string; name: string; email: string; perspective: InvitedPerspective },
  reminder: boolean,
): Promise<void> {
  const data = {
    ...eventFacts(event),
    name: invitation.name,
    perspective: perspectiveLabels[invitation.perspective].toLowerCase(),
    invitationPath: invitationPath(invitation.id),
    reminder,
  };
  if (reminder) await enqueueEmail(tx, { because: 'event-invitation.reminded', to: invitation.email, template: 'event-invitation', data });
  else await enqueueEmail(tx, { because: 'event-invitation.sent', to: invitation.email, template: 'event-invitation', data });
}

export interface OpenedInvitation {
  invitation: InvitationRow;
  event: EventRow;
  /** Why it can no longer be answered, or null. */
  closed: string | null;
}

/** The invitation a private link names, with its event; null for a wrong or changed link. */
export async function invitationByToken(db: Db, token: string, now = new Date()): Promise<OpenedInvitation | null> {
  const id = idFromSignedToken(PURPOSE, token);
  if (!id) return null;
  const [row] = await db
    .select({ invitation: eventInvitations, event: events })
    .from(eventInvitations)
    .innerJoin(events, eq(events.id, eventInvitations.eventId))
    .where(eq(eventInvitations.id, id));
  if (!row) return null;
  if (row.invitation.status === 'withdrawn') return { ...row, closed: WITHDRAWN };
  // An acceptance whose place was cancelled from the booking's own link: they are not coming.
  const { registrationId } = row.invitation;
  if (row.invitation.status === 'accepted' && !(registrationId && (await placesHeld(db, [registrationId])).size)) {
    return { ...row, invitation: { ...row.invitation, status: 'declined', accessNeeds: '' }, closed: closedReason(row.event, now) };
  }
  return { ...row, closed: closedReason(row.event, now) };
}

/** The invitation a link names, locked for an answer, with its event; refused once answers close. */
async function invitationToAnswer(tx: Db, token: string, now: Date): Promise<{ invitation: InvitationRow; event: EventRow }> {
  const id = idFromSignedToken(PURPOSE, token);
  const [invitation] = id ? await tx.select().from(eventInvitations).where(eq(eventInvitations.id, id)).for('update') : [];
  if (!invitation) throw new NotFoundError('This link does not work. Check you copied all of it from the email.');
  const [event] = await tx.select().from(events).where(eq(events.id, invitation.eventId));
  if (invitation.status === 'withdrawn') throw new ConflictError('invitation_withdrawn', WITHDRAWN);
  const closed = closedReason(event!, now);
  if (closed) throw new ConflictError('invitation_closed', closed);
  return { invitation, event: event! };
}

/** Records an invitee's answer in the audit log (no actor: the private link is the proof). */
function auditAnswer(tx: Db, invitation: InvitationRow, action: 'event.invitation.accepted' | 'event.invitation.declined') {
  return recordAudit(tx, { actorId: null, action, subjectType: 'event', subjectId: invitation.eventId, details: { invitationId: invitation.id } });
}

/** Perspectives asked of an invitee, in the words of a booking's (self-described) perspective. */
export const bookingPerspective: Record<InvitedPerspective, string> = {
  service_user_survivor: 'lived_experience',
  carer: 'carer',
  practitioner: 'practitioner',
  academic: 'academic',
  policy_maker: 'other',
  other: 'other',
};

/**
 * The invitee accepts, with any access needs: takes a confirmed place under the event's lock
 * (refused when every place is taken) and emails them one confirmation. Accepting again only
 * updates their needs, on the invitation and on their place.
 */
export async function acceptInvitation(db: Database, token: string, input: { accessNeeds: string }, now = new Date()): Promise<void> {
  const accessNeeds = input.accessNeeds.trim();
  if (accessNeeds.length > ACCESS_NEEDS_MAX) {
    throw new InvalidInputError([{ field: 'accessNeeds', message: `What you need must be ${ACCESS_NEEDS_MAX.toLocaleString('en-GB')} characters or fewer` }]);
  }
  await db.transaction(async (tx) => {
    const { invitation, event } = await invitationToAnswer(tx, token, now);
    // Still holding the place it made (not cancelled from a booking link meanwhile): only the needs change.
    if (invitation.status === 'accepted' && invitation.registrationId && (await placesHeld(tx, [invitation.registrationId])).size) {
      await tx.update(eventInvitations).set({ accessNeeds }).where(eq(eventInvitations.id, invitation.id));
      await setInviteeNeeds(tx, { eventId: invitation.eventId, registrationId: invitation.registrationId, accessRequirements: accessNeeds });
      return;
    }
    const registrationId = await placeForInvitee(
      tx,
      {
        eventId: invitation.eventId,
        name: invitation.name,
        email: invitation.email,
        organisation: invitation.organisation,
        perspective: bookingPerspective[invitation.perspective],
        accessRequirements: accessNeeds,
      },
      now,
    );
    if (!registrationId) {
      throw new ConflictError(
        'invitation_full',
        'Every place at this event has been taken, so we cannot accept your answer. Please contact the organisers: they may be able to make room.',
      );
    }
    await tx.update(eventInvitations).set({ status: 'accepted', accessNeeds, registrationId, answeredAt: now }).where(eq(eventInvitations.id, invitation.id));
    await auditAnswer(tx, invitation, 'event.invitation.accepted');
    await enqueueEmail(tx, {
      because: 'event-invitation.accepted',
      to: invitation.email,
      template: 'event-invitation-accepted',
      data: { ...eventFacts(event), name: invitation.name, invitationPath: invitationPath(invitation.id), accessNeedsGiven: accessNeeds !== '' },
    });
  });
}

/**
 * The event was cancelled, or changed in a way people would act on: everyone invited who has not
 * answered is told, in the caller's transaction. One who accepted holds a confirmed place, so the
 * attendees' email speaks for it (and at an event in person and online says only what concerns
 * that place: never the joining link to a place in the room); one whose acceptance's place has
 * been cancelled is not coming, like one who declined. Neither is told here. Addresses in
 * `alreadyTold` (told as attendees) are skipped, and those told here are added to it. A cancelled
 * event's places, invitees' included, are closed with its other bookings (registration's
 * closePlacesForCancelledEvent).
 */
export async function tellInvitees(
  tx: Db,
  event: EventRow,
  news: { kind: 'changed'; changes: { what: string; before: string; after: string; part: string }[] } | { kind: 'cancelled'; reason: string },
  alreadyTold: Set<string>,
): Promise<number> {
  // Only those who have not answered: an acceptance is a booking (or, cancelled, no longer one).
  const rows = await tx
    .select({ id: eventInvitations.id, name: eventInvitations.name, email: eventInvitations.email })
    .from(eventInvitations)
    .where(and(eq(eventInvitations.eventId, event.id), eq(eventInvitations.status, 'invited')));
  let told = 0;
  for (const invitee of rows) {
    const address = invitee.email.toLowerCase();
    if (alreadyTold.has(address)) continue;
    alreadyTold.add(address);
    told += 1;
    await enqueueEmail(tx, {
      because: news.kind === 'cancelled' ? 'event.cancelled' : 'event.changed',
      to: invitee.email,
      template: 'event-invitation-changed',
      data: {
        ...eventFacts(event),
        name: invitee.name,
        kind: news.kind,
        accepted: false,
        reason: news.kind === 'cancelled' ? news.reason : '',
        // A new joining link is given only to those who hold a place (as attendees): nobody here.
        changes:
          news.kind === 'changed'
            ? news.changes.map(({ what, before, after, part }) =>
                part === 'joinUrl' ? { what, before: 'the previous link', after: 'a new link, sent once you accept' } : { what, before, after },
              )
            : [],
        invitationPath: invitationPath(invitee.id),
      },
    });
  }
  return told;
}

/** The invitee declines (or changes their mind after accepting): their place, if any, ends. */
export async function declineInvitation(db: Database, token: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const { invitation } = await invitationToAnswer(tx, token, now);
    if (invitation.status === 'declined') return;
    if (invitation.registrationId) await endInviteePlace(tx, { eventId: invitation.eventId, registrationId: invitation.registrationId }, now);
    // Access needs are health information: not kept for someone who is not coming.
    await tx
      .update(eventInvitations)
      .set({ status: 'declined', accessNeeds: '', registrationId: null, answeredAt: now })
      .where(eq(eventInvitations.id, invitation.id));
    await auditAnswer(tx, invitation, 'event.invitation.declined');
  });
}

/**
 * The organisers take an invitation back (sent to the wrong person, say): a place it made ends
 * and goes to whoever is waiting, its access needs are cleared, its link then says it was
 * withdrawn, and the invitee is told. Until the event starts; a withdrawn invitation stays listed.
 */
export async function withdrawInvitation(
  db: Database,
  input: { eventId: string; invitationId: string },
  actor: Me,
  now = new Date(),
): Promise<{ name: string }> {
  return db.transaction(async (tx) => {
    const [invitation] = await tx
      .select()
      .from(eventInvitations)
      .where(and(eq(eventInvitations.id, input.invitationId), eq(eventInvitations.eventId, input.eventId)))
      .for('update');
    if (!invitation) throw new NotFoundError('We could not find that invitation for this event.');
    const [event] = await tx.select().from(events).where(eq(events.id, input.eventId));
    if (invitation.status === 'withdrawn') return { name: invitation.name };
    if (event!.startsAt && event!.startsAt <= now) throw new ConflictError('invitation_closed', 'This event has started or finished.');
    const hadPlace = invitation.registrationId
      ? await endInviteePlace(tx, { eventId: invitation.eventId, registrationId: invitation.registrationId }, now)
      : false;
    await tx.update(eventInvitations).set({ status: 'withdrawn', accessNeeds: '', registrationId: null }).where(eq(eventInvitations.id, invitation.id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'event.invitation.withdrawn',
      subjectType: 'event',
      subjectId: invitation.eventId,
      details: { invitationId: invitation.id, placeEnded: hadPlace },
    });
    // Someone who declined has nothing to be told.
    if (invitation.status !== 'declined' && event!.status === 'published') {
      await enqueueEmail(tx, {
        because: 'event-invitation.withdrawn',
        to: invitation.email,
        template: 'event-invitation-withdrawn',
        data: { ...eventFacts(event!), name: invitation.name, hadPlace },
      });
    }
    return { name: invitation.name };
  });
}

/**
 * One reminder to each invitee who has not answered REMIND_AFTER_DAYS after being invited, while
 * the event is still to come. Safe in several processes at once: rows are taken with SKIP LOCKED
 * and marked reminded in the same transaction as the email.
 */
export async function sendInvitationReminders(db: Database, now = new Date()): Promise<number> {
  const due = new Date(now.getTime() - REMIND_AFTER_DAYS * 86_400_000);
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ invitation: eventInvitations, event: events })
      .from(eventInvitations)
      .innerJoin(events, eq(events.id, eventInvitations.eventId))
      .where(
        and(
          eq(eventInvitations.status, 'invited'),
          isNull(eventInvitations.remindedAt),
          lte(eventInvitations.invitedAt, due),
          eq(events.status, 'published'),
          gt(events.startsAt, now),
        ),
      )
      .orderBy(asc(eventInvitations.invitedAt))
      .limit(100)
      .for('update', { of: eventInvitations, skipLocked: true });
    for (const { invitation, event } of rows) {
      await sendInvitationEmail(tx, event, invitation, true);
      await tx.update(eventInvitations).set({ remindedAt: now }).where(eq(eventInvitations.id, invitation.id));
    }
    return rows.length;
  });
}

export interface InvitationListRow {
  id: string;
  name: string;
  email: string;
  organisation: string;
  perspective: InvitedPerspective;
  status: InvitationStatus;
  accessNeeds: string;
  invitedAt: Date;
  answeredAt: Date | null;
  remindedAt: Date | null;
}

/**
 * The event's invitations, each with its answer. An acceptance whose place was cancelled from the
 * booking's own link counts as declined: the invitee is no longer coming.
 */
export async function listInvitations(db: Db, eventId: string): Promise<InvitationListRow[]> {
  const rows = await db
    .select({
      id: eventInvitations.id,
      name: eventInvitations.name,
      email: eventInvitations.email,
      organisation: eventInvitations.organisation,
      perspective: eventInvitations.perspective,
      status: eventInvitations.status,
      accessNeeds: eventInvitations.accessNeeds,
      invitedAt: eventInvitations.invitedAt,
      answeredAt: eventInvitations.answeredAt,
      remindedAt: eventInvitations.remindedAt,
      registrationId: eventInvitations.registrationId,
    })
    .from(eventInvitations)
    .where(eq(eventInvitations.eventId, eventId))
    .orderBy(asc(eventInvitations.name), asc(eventInvitations.id));
  const held = await placesHeld(
    db,
    rows.flatMap((r) => (r.registrationId ? [r.registrationId] : [])),
  );
  return rows.map(({ registrationId, ...row }) =>
    row.status === 'accepted' && !(registrationId && held.has(registrationId)) ? { ...row, status: 'declined' as const, accessNeeds: '' } : row,
  );
}

/** The invitations sent to an address, for the invitee's own data export. */
export async function invitationsOf(db: Db, email: string) {
  return db
    .select({
      eventTitle: events.title,
      name: eventInvitations.name,
      perspective: eventInvitations.perspective,
      organisation: eventInvitations.organisation,
      status: eventInvitations.status,
      accessNeeds: eventInvitations.accessNeeds,
      invitedAt: eventInvitations.invitedAt,
      answeredAt: eventInvitations.answeredAt,
    })
    .from(eventInvitations)
    .innerJoin(events, eq(events.id, eventInvitations.eventId))
    .where(eq(eventInvitations.email, email))
    .orderBy(asc(eventInvitations.invitedAt));
}

/**
 * Erasure, in the caller's transaction: every invitation sent to the address goes (name,
 * perspective, access needs), and a place an acceptance made ends (registration's own erasure then
 * removes the booking itself).
 */
export async function forgetInvitationsOf(tx: Db, email: string): Promise<void> {
  const rows = await tx
    .select({ id: eventInvitations.id, eventId: eventInvitations.eventId, registrationId: eventInvitations.registrationId })
    .from(eventInvitations)
    .where(eq(eventInvitations.email, email))
    .for('update');
  for (const row of rows) if (row.registrationId) await endInviteePlace(tx, { eventId: row.eventId, registrationId: row.registrationId });
  if (rows.length)
    await tx.delete(eventInvitations).where(
      inArray(
        eventInvitations.id,
        rows.map((r) => r.id),
      ),
    );
}

/**
 * Access needs given with an acceptance are health information, kept like a booking's answers:
 * erased `months` after the event ends (the housekeeping job). Returns how many were erased.
 */
export async function eraseOldInvitationNeeds(db: Db, options: { now: Date; months: number }): Promise<number> {
  const cutoff = DateTime.fromJSDate(options.now).minus({ months: options.months }).toJSDate();
  const longPast = sql`(select ${events.id} from ${events} where coalesce(${events.endsAt}, ${events.startsAt}) <= ${cutoff.toISOString()}::timestamptz)`;
  const rows = await db
    .update(eventInvitations)
    .set({ accessNeeds: '' })
    .where(and(ne(eventInvitations.accessNeeds, ''), inArray(eventInvitations.eventId, longPast)))
    .returning({ id: eventInvitations.id });
  return rows.length;
}

export { invitationOnlyAmong };
