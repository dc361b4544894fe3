// Certificates of attendance: issued to everyone checked in, with the hours of learning the
// organisers set, verifiable by anyone from the code printed on them. A certificate is valid only
// while its booking stays checked in, so undoing a check-in revokes it without another step.
import { and, asc, eq, inArray, isNull, not, sql } from 'drizzle-orm';
import { certificates, eventCpd, events, people, planningMembers, programmeSessions, registrations, sessionCpd } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { tookPlace } from '../event-over.ts';
import { formatDate } from '../format.ts';
import { ERASED_DOMAIN, isErasedAddress } from '../mail/outbox.ts';
import { groupedCode, newCode, normaliseCode } from './codes.ts';

/** Who did it, for the audit log (accounts' signed-in person has this shape; this module need not know accounts). */
interface Actor {
  id: string;
}

export const HUB_NAME = 'Social Perspectives Hub';

export interface LearningHours {
  /** 0 when the event has no hours set and no length. */
  minutes: number;
  sessions: { id: string; title: string; minutes: number | null }[];
  /** The minutes the organisers set for the whole event, if they did. */
  eventMinutes: number | null;
}

/**
 * The hours of learning: the organisers' figure for the event; else the sum of the hours they
 * gave sessions; else the event's length.
 */
export async function learningHours(db: Db, event: { id: string; startsAt: Date | null; endsAt: Date | null }): Promise<LearningHours> {
  const [setting] = await db.select({ minutes: eventCpd.minutes }).from(eventCpd).where(eq(eventCpd.eventId, event.id));
  const sessions = await db
    .select({ id: programmeSessions.id, title: programmeSessions.title, minutes: sessionCpd.minutes })
    .from(programmeSessions)
    .leftJoin(sessionCpd, eq(sessionCpd.sessionId, programmeSessions.id))
    .where(eq(programmeSessions.eventId, event.id))
    .orderBy(asc(programmeSessions.startsAt));
  const eventMinutes = setting?.minutes ?? null;
  const sessionSum = sessions.reduce((sum, s) => sum + (s.minutes ?? 0), 0);
  const length = event.startsAt && event.endsAt ? Math.max(0, Math.round((event.endsAt.getTime() - event.startsAt.getTime()) / 60_000)) : 0;
  return { minutes: eventMinutes ?? (sessionSum || length), sessions, eventMinutes };
}

/** 90 → "1.5 hours", 60 → "1 hour", 45 → "0.75 hours". */
export function hoursText(minutes: number): string {
  const hours = Math.round((minutes / 60) * 100) / 100;
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

/** "Thursday 1 May 2026", or "… to …" for an event over several days. */
export function eventDateText(startsAt: Date | null, endsAt: Date | null): string {
  if (!startsAt) return '';
  if (!endsAt || formatDate(endsAt) === formatDate(startsAt)) return formatDate(startsAt);
  return `${formatDate(startsAt)} to ${formatDate(endsAt)}`;
}

/** Hours typed by an organiser ("3", "1.5", "" for none), as minutes. */
export function parseHours(value: string, field: string): number | null {
  const text = value.trim();
  if (!text) return null;
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text) || Number(text) > 200) {
    throw new InvalidInputError([{ field, message: 'Enter hours as a number, like 3 or 1.5' }]);
  }
  return Math.round(Number(text) * 60);
}

/** Organisers set the event's hours and, optionally, each session's. */
export async function setLearningHours(
  db: Database,
  eventId: string,
  input: { eventMinutes: number | null; sessions: Map<string, number | null> },
  actor: Actor,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(eventCpd)
      .values({ eventId, minutes: input.eventMinutes })
      .onConflictDoUpdate({ target: eventCpd.eventId, set: { minutes: input.eventMinutes, updatedAt: new Date() } });
    const ids = [...input.sessions.keys()];
    // Only this event's sessions: an id from elsewhere is ignored.
    const own = ids.length
      ? await tx
          .select({ id: programmeSessions.id })
          .from(programmeSessions)
          .where(and(eq(programmeSessions.eventId, eventId), inArray(programmeSessions.id, ids)))
      : [];
    for (const { id } of own) {
      const minutes = input.sessions.get(id) ?? null;
      if (minutes === null) await tx.delete(sessionCpd).where(eq(sessionCpd.sessionId, id));
      else await tx.insert(sessionCpd).values({ sessionId: id, minutes }).onConflictDoUpdate({ target: sessionCpd.sessionId, set: { minutes } });
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'certificate.hours.set',
      subjectType: 'event',
      subjectId: eventId,
      details: { eventMinutes: input.eventMinutes },
    });
  });
}

export type CertificateRow = typeof certificates.$inferSelect;

export async function currentCertificate(db: Db, input: { registrationId: string }): Promise<CertificateRow | null> {
  const [row] = await db
    .select()
    .from(certificates)
    .where(and(eq(certificates.registrationId, input.registrationId), isNull(certificates.replacedAt)));
  return row ?? null;
}

/** A place whose personal details were erased: it gets no certificate, as a certificate names someone. */
export const erasedPlace = sql`${registrations.email} like ${`%@${ERASED_DOMAIN}`}`;

export interface CheckedIn {
  registrationId: string;
  /** The name on the certificate, or the booking's name while none is issued. */
  name: string;
  code: string | null;
  thankedAt: Date | null;
  /** Booked without an email address (or their booker's): nobody is emailed, the organiser prints it. */
  noEmail: boolean;
  companion: boolean;
}

/**
 * Everyone checked in at an event whose details were not erased, by name, with their
 * certificate if one is in force; and how many checked-in places were erased.
 */
export async function certificatesAt(db: Db, eventId: string): Promise<{ people: CheckedIn[]; erased: number }> {
  const rows = await db
    .select({
      registrationId: registrations.id,
      bookingName: registrations.name,
      email: registrations.email,
      companionOfId: registrations.companionOfId,
      certificateName: certificates.name,
      code: certificates.code,
      thankedAt: certificates.thankedAt,
    })
    .from(registrations)
    .leftJoin(certificates, and(eq(certificates.registrationId, registrations.id), isNull(certificates.replacedAt)))
    .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'attended'), not(erasedPlace)))
    .orderBy(asc(sql`coalesce(${certificates.name}, ${registrations.name})`));
  const erased = await db.$count(registrations, and(eq(registrations.eventId, eventId), eq(registrations.status, 'attended'), erasedPlace));
  return {
    people: rows.map((r) => ({
      registrationId: r.registrationId,
      name: r.certificateName ?? r.bookingName,
      code: r.code,
      thankedAt: r.thankedAt,
      noEmail: r.email === '',
      companion: r.companionOfId !== null,
    })),
    erased,
  };
}

/**
 * The booking's certificate, issued now if it has none; with `name`, issued again in that name
 * (the old code stops verifying). Only for a booking that is checked in.
 */
export async function issueCertificate(db: Database, input: { registrationId: string; name?: string }): Promise<CertificateRow> {
  const name = input.name?.trim();
  if (name !== undefined && (name.length === 0 || name.length > 120)) {
    throw new InvalidInputError([
      { field: 'name', message: name.length === 0 ? 'Enter your name as it should appear on the certificate' : 'Your name must be 120 characters or fewer' },
    ]);
  }
  return db.transaction((tx) => issueIn(tx, input.registrationId, name));
}

/** issueCertificate inside a transaction the caller holds. */
export async function issueIn(tx: Db, registrationId: string, name?: string, now = new Date()): Promise<CertificateRow> {
  {
    const [booking] = await tx
      .select({ id: registrations.id, eventId: registrations.eventId, name: registrations.name, email: registrations.email, status: registrations.status })
      .from(registrations)
      .where(eq(registrations.id, registrationId))
      .for('update');
    if (!booking) throw new NotFoundError('We could not find that booking.');
    if (booking.status !== 'attended') throw new ConflictError('not_attended', 'A certificate of attendance is for people checked in at the event.');
    // Check-in can open before the day; a certificate that someone attended cannot.
    const [event] = await tx
      .select({ status: events.status, startsAt: events.startsAt, endsAt: events.endsAt })
      .from(events)
      .where(eq(events.id, booking.eventId));
    if (!event || !tookPlace(event, now)) throw new ConflictError('event_not_over', 'Certificates of attendance can be issued once the event has ended.');
    // An erased place has no name to print and must not be given one back.
    if (isErasedAddress(booking.email) && booking.email !== '')
      throw new ConflictError('not_attended', 'This place’s personal details were erased, so it has no certificate.');
    const current = await currentCertificate(tx, { registrationId: booking.id });
    if (current && (name === undefined || name === current.name)) return current;
    if (current) await tx.update(certificates).set({ replacedAt: now }).where(eq(certificates.id, current.id));
    const [row] = await tx
      .insert(certificates)
      .values({
        registrationId: booking.id,
        eventId: booking.eventId,
        code: newCode(),
        name: name ?? booking.name,
        issuedAt: now,
        thankedAt: current?.thankedAt ?? null,
      })
      .returning();
    return row!;
  }
}

/** Organisers issue certificates to everyone checked in who has none yet. */
export async function issueAll(db: Database, eventId: string, actor: Actor | null): Promise<number> {
  const missing = await db
    .select({ id: registrations.id })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, eventId),
        eq(registrations.status, 'attended'),
        not(erasedPlace),
        sql`not exists (select 1 from ${certificates} c where c.registration_id = ${registrations.id} and c.replaced_at is null)`,
      ),
    );
  for (const { id } of missing) await issueCertificate(db, { registrationId: id });
  if (actor && missing.length)
    await recordAudit(db, {
      actorId: actor.id,
      action: 'certificate.issued_in_bulk',
      subjectType: 'event',
      subjectId: eventId,
      details: { count: missing.length },
    });
  return missing.length;
}

export interface Verified {
  name: string;
  eventTitle: string;
  date: string;
}

/**
 * What a code proves, or null. Unknown, replaced and revoked codes all give null, so the page
 * says the same for each and tells nobody whether a code ever existed.
 */
export async function verifyCertificate(db: Db, input: string): Promise<Verified | null> {
  const code = normaliseCode(input);
  if (!code) return null;
  const [row] = await db
    .select({ name: certificates.name, eventId: events.id, title: events.title, startsAt: events.startsAt, endsAt: events.endsAt })
    .from(certificates)
    .innerJoin(registrations, and(eq(registrations.id, certificates.registrationId), eq(registrations.eventId, certificates.eventId)))
    .innerJoin(events, eq(events.id, certificates.eventId))
    .where(and(eq(certificates.code, code), isNull(certificates.replacedAt), eq(registrations.status, 'attended'), sql`${events.status} <> 'cancelled'`));
  if (!row) return null;
  // Only what proves attendance: the name, the event and its date (issue 16). The hours are
  // printed on the certificate itself.
  return { name: row.name, eventTitle: row.title, date: eventDateText(row.startsAt, row.endsAt) };
}

export interface CertificateFacts {
  name: string;
  eventTitle: string;
  date: string;
  hours: string;
  sessions: { title: string; hours: string }[];
  organisers: string;
  code: string;
  verifyUrl: string;
}

/** Everything printed on a certificate. */
export async function certificateFacts(db: Db, certificate: CertificateRow, baseUrl: string): Promise<CertificateFacts> {
  const [event] = await db.select().from(events).where(eq(events.id, certificate.eventId));
  if (!event) throw new NotFoundError();
  const hours = await learningHours(db, event);
  const leads = await db
    .select({ name: people.displayName })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(and(eq(planningMembers.eventId, event.id), eq(planningMembers.status, 'accepted'), inArray(planningMembers.role, ['lead', 'co_lead'])));
  const leadNames = leads.map((l) => l.name.trim()).filter(Boolean);
  return {
    name: certificate.name,
    eventTitle: event.title,
    date: eventDateText(event.startsAt, event.endsAt),
    hours: hours.minutes ? hoursText(hours.minutes) : '',
    sessions: hours.eventMinutes === null ? hours.sessions.filter((s) => s.minutes).map((s) => ({ title: s.title, hours: hoursText(s.minutes!) })) : [],
    organisers: leadNames.length ? `the ${HUB_NAME}, with ${leadNames.join(', ')}` : `the ${HUB_NAME}`,
    code: groupedCode(certificate.code),
    verifyUrl: `${baseUrl.replace(/\/$/, '')}/certificates/${groupedCode(certificate.code)}`,
  };
}

/** The checked-in place at this event, not erased, or a not-found error. */
async function placeAt(db: Db, eventId: string, registrationId: string): Promise<{ id: string; name: string }> {
  const [place] = await db
    .select({ id: registrations.id, name: registrations.name })
    .from(registrations)
    .where(and(eq(registrations.id, registrationId), eq(registrations.eventId, eventId), eq(registrations.status, 'attended'), not(erasedPlace)));
  if (!place) throw new NotFoundError('We could not find anyone checked in with that place at this event.');
  return place;
}

/** An organiser's copy of a place's certificate (issued now if it has none), to print or pass on. */
export async function certificateForOrganiser(db: Database, eventId: string, registrationId: string): Promise<CertificateRow> {
  const place = await placeAt(db, eventId, registrationId);
  return issueCertificate(db, { registrationId: place.id });
}

/**
 * An organiser corrects the name on a place's certificate (a companion's included, who has no
 * page of their own): issued again in that name, the old code stops verifying.
 */
export async function correctCertificateName(db: Database, eventId: string, registrationId: string, typed: string, actor: Actor): Promise<CertificateRow> {
  const name = typed.trim();
  if (name.length === 0 || name.length > 120) {
    throw new InvalidInputError([
      { field: 'name', message: name.length === 0 ? 'Enter the name as it should appear on the certificate' : 'The name must be 120 characters or fewer' },
    ]);
  }
  const place = await placeAt(db, eventId, registrationId);
  return db.transaction(async (tx) => {
    const certificate = await issueIn(tx, place.id, name);
    await recordAudit(tx, { actorId: actor.id, action: 'certificate.name_corrected', subjectType: 'registration', subjectId: place.id, details: {} });
    return certificate;
  });
}
