// Events and places made straight in the database, for registration tests.
import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { bursaryApplications, bursaryFunds, events, eventQuestions, outboxMessages, people, ticketTypes, type QuestionKind } from '../../db/schema/index.ts';
import type { Me } from '../../server/me.ts';
import { londonDate, londonToUtc } from '../../server/london-time.ts';
import { holdPlace } from '../../server/registration/api.ts';
import { storeBookingRequest } from '../../server/registration/requests.ts';
import type { Database } from '../../server/db/database.ts';
import type { FormFields, TestClient } from '../support/client.ts';
import { emailData } from '../support/outbox.ts';

export async function makeEvent(db: Database, overrides: Partial<typeof events.$inferInsert> = {}) {
  const slug = overrides.slug ?? `seminar-${randomBytes(4).toString('hex')}`;
  const startsAt = overrides.startsAt ?? fortnightAtTen();
  const [event] = await db
    .insert(events)
    .values({
      slug,
      title: 'Voices in crisis care',
      type: 'seminar',
      status: 'published',
      format: 'in_person',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 3 * 3_600_000),
      venueName: 'The Old Library',
      venueAddress: '1 High Street, Leeds',
      travelInfo: 'Five minutes from the station.',
      capacity: 10,
      publishedAt: new Date(),
      ...overrides,
    })
    .returning();
  return event!;
}

export async function makeTicketType(db: Database, eventId: string, overrides: Partial<typeof ticketTypes.$inferInsert> = {}) {
  const [type] = await db
    .insert(ticketTypes)
    .values({ eventId, name: 'Standard place', pricePence: 0, ...overrides })
    .returning();
  return type!;
}

export async function makeQuestion(db: Database, eventId: string, kind: QuestionKind, label: string, extra: Partial<typeof eventQuestions.$inferInsert> = {}) {
  const [q] = await db
    .insert(eventQuestions)
    .values({ eventId, kind, label, ...extra })
    .returning();
  return q!;
}

/** Emails queued to an address, newest first, with their private links opened. */
export async function mailsTo(db: Database, email: string) {
  const rows = await db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email)).orderBy(desc(outboxMessages.createdAt));
  return rows.map((row) => ({ ...row, data: emailData(row) }));
}

/** The manage link in the newest email of a template to an address. */
export async function latestManagePath(db: Database, email: string, template?: string): Promise<string> {
  const mails = await mailsTo(db, email);
  const mail = mails.find((m) => !template || m.template === template);
  const path = mail?.data.managePath;
  if (typeof path !== 'string') throw new Error(`No ${template ?? ''} email with a manage link to ${email}`);
  return path;
}

/** A person with an approved bursary application for the event, and a place held for it. */
export async function applicantWithHeldPlace(db: Database, eventId: string, email: string) {
  const [person] = await db.insert(people).values({ email }).returning();
  const [fund] = await db.insert(bursaryFunds).values({ eventId, name: 'Fund', budgetPence: 10_000 }).returning();
  const [application] = await db.insert(bursaryApplications).values({ fundId: fund!.id, eventId, applicantId: person!.id, status: 'approved' }).returning();
  const hold = await db.transaction((tx) =>
    holdPlace(tx, {
      eventId,
      kind: 'bursary',
      reference: `bursary-application:${application!.id}`,
      personId: person!.id,
      expiresAt: new Date(Date.now() + 10 * 86_400_000),
    }),
  );
  if (!hold) throw new Error('No place could be held');
  return hold;
}

/** The "confirm your booking" link in the newest such email to an address. */
export async function latestConfirmPath(db: Database, email: string): Promise<string> {
  const mail = (await mailsTo(db, email)).find((m) => m.template === 'registration-confirm-request');
  const path = mail?.data.confirmPath;
  if (typeof path !== 'string') throw new Error(`No email with a link to confirm a booking to ${email}`);
  return path;
}

/**
 * Books as someone who has not proved the address (not signed in with it): the form only asks,
 * and the address's owner confirms from the emailed link, as a person would (opening the link,
 * then pressing the button). Returns the answer to the form and to the confirmation, which
 * redirects to the booking's page (or to payment).
 */
export async function bookAnonymously(db: Database, client: TestClient, slug: string, fields: FormFields) {
  const asked = await client.post(`/events/${slug}/book`, fields);
  if (asked.statusCode !== 303 || asked.headers.location !== `/events/${slug}/book/check-your-email`) {
    throw new Error(`The booking was not taken as a request (${asked.statusCode} ${String(asked.headers.location ?? '')})`);
  }
  const path = await latestConfirmPath(db, String(fields.email).trim().toLowerCase());
  const page = await client.get(path);
  if (page.statusCode !== 200) throw new Error(`The confirmation page answered ${page.statusCode}`);
  const confirmed = await client.post(path);
  return { asked, confirmed, location: String(confirmed.headers.location ?? '') };
}

/** A booking form's optional answers, all left empty, for calling register() directly. */
export const emptyBookingForm = {
  organisation: '',
  perspective: '',
  accessRequirements: '',
  dietaryNeeds: '',
  consentFutureEvents: false,
  answers: {},
  companion: false,
  companionName: '',
};

/**
 * Members who have proved their addresses (as if signed in), for tests that call register()
 * directly: only they book at once; anyone else's booking waits for the address to confirm it.
 */
export async function provenBookers(db: Database, emails: string[]): Promise<Me[]> {
  const rows = await db
    .insert(people)
    .values(emails.map((email) => ({ email })))
    .returning({ id: people.id, email: people.email });
  const byEmail = new Map(rows.map((r) => [r.email, r.id]));
  return emails.map((email) => ({ id: byEmail.get(email)!, email, displayName: '', roles: [], isAdmin: false, isOrganiser: false, sessionHash: '' }));
}

/**
 * Ten in the morning, London time, two weeks from today. A start taken from the clock would make
 * tests depend on the hour they run: at nine in the evening, a three-hour event ends after
 * midnight, and a form that keeps one day's start and end times refuses it.
 */
export function fortnightAtTen(now = new Date()): Date {
  return londonToUtc(londonDate(new Date(now.getTime() + 14 * 86_400_000)), '10:00')!;
}

/**
 * Booking requests as the form stores them for people not signed in, one per address, each for
 * a plain place: returns each request's token, as its emailed link carries it.
 */
export async function requestBookings(db: Database, eventId: string, ticketTypeId: string, emails: string[], now = new Date()): Promise<string[]> {
  const tokens: string[] = [];
  for (const [i, email] of emails.entries()) {
    const fields = { ...emptyBookingForm, ticketTypeId, name: `Person ${i}`, email };
    const path = await storeBookingRequest(db, { eventId, ticketTypeId, email, fields, ip: '127.0.0.1', now });
    tokens.push(path.replace('/bookings/confirm/', ''));
  }
  return tokens;
}
