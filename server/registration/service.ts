// Registration's use cases: booking a place at an event (free, concession or paid), joining the
// waiting list when it is full, accepting an offer, changing answers and cancelling. Someone not
// signed in with the address they type only asks: the address is emailed a link, and the booking
// is made when its owner confirms it (confirmBookingRequest). Each use case is one transaction
// that makes every place decision under the event's lock (db/event-lock.ts): a booking usually
// counts and writes first and then locks and counts again (book(), holds.ts' checkPlaces), so an
// event is never oversold however many people book at once. Emails and audit entries are written
// in the same transaction.
import { and, eq, inArray, isNull, notInArray, or, sql, type SQLWrapper } from 'drizzle-orm';
import { TransactionRollbackError } from 'drizzle-orm/errors';
import {
  type Attendance,
  attendanceModes,
  type BookingMode,
  events,
  payments,
  people,
  perspectives,
  placeHolds,
  registrationAnswers,
  registrations,
  registrationSettings,
  type RegistrationStatus,
} from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { isOwnBooking } from './own-booking.ts';
import { checkEmail, normaliseEmail } from '../email-address.ts';
import { eventOver } from '../event-over.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { lockEvent } from '../db/event-lock.ts';
import { ConflictError, DomainError, InvalidInputError, NotFoundError, TooManyRequestsError, type FieldError } from '../errors.ts';
import { formatDate, formatPence } from '../format.ts';
import { calendarAttachment, enqueueEmail } from '../mail/outbox.ts';
import { checkPayer, creditInvoice, DEFAULT_TERMS, type InvoiceTerms, issueInvoice, type PayerInput } from '../invoices/service.ts';
import {
  availability,
  checkPlaces,
  inPool,
  insertHold,
  placeCountFields,
  placeKeptFor,
  placesLeft,
  placesLeftFrom,
  poolOf,
  takeUpHeldPlace,
  type Pool,
} from './holds.ts';
import { CODE_NOT_USABLE, countCodeTry, usableReservation, type Reservation } from './reserved-places.ts';
import { attendeeIcs } from './ics.ts';
import { placeFacts, placeWords } from './place-facts.ts';
import { subscribeFromBooking } from '../network/list.ts';
import { steeringGroupAddresses } from '../steering-group.ts';
import { mayEmailBookingLink, mintManagePath, newManagePath } from './links.ts';
import { passOnFreedPlaces } from './offers.ts';
import { bookingRequestAllowance, findBookingRequest, markBookingRequestUsed, storeBookingRequest } from './requests.ts';
import {
  dayContact,
  eventFacts,
  getEvent,
  getSettings,
  listQuestions,
  listTicketTypes,
  type EventRow,
  type QuestionRow,
  type RegistrationRow,
  type TicketTypeRow,
} from './queries.ts';

/** How paid places are taken: Stripe Checkout when keys are set, otherwise an invoice. */
export type PaidMode = 'stripe' | 'invoice';

/** How long a place is held while a Stripe Checkout is open (Stripe's shortest session is 30 minutes). */
export const CHECKOUT_HOLD_MINUTES = 35;

const activeStatuses: RegistrationStatus[] = ['pending_payment', 'confirmed', 'attended', 'waitlisted', 'offered'];

export interface AnswersInput {
  organisation: string;
  perspective: string;
  accessRequirements: string;
  dietaryNeeds: string;
  consentFutureEvents: boolean;
  /** Custom question id → value ("yes" for a ticked checkbox). */
  answers: Record<string, string>;
}

export interface RegistrationInput extends AnswersInput {
  ticketTypeId: string;
  name: string;
  email: string;
  companion: boolean;
  companionName: string;
  /** Who pays, for a place sold by invoice (optional fields; see server/invoices/payer.ts). */
  payer?: Partial<PayerInput>;
  /** At a hybrid event, 'in_person' or 'online' (asked on the form); ignored elsewhere. */
  attendance?: string;
  /** A code for reserved places (reserved-places.ts); empty for an ordinary place. */
  code?: string;
}

export type RegistrationOutcome =
  | { kind: 'booked' | 'invoice'; registrationId: string; managePath: string }
  /** `inRoom`: waiting for the room of a hybrid event, whose online places may be free. */
  | { kind: 'waitlisted'; registrationId: string; managePath: string; inRoom: boolean }
  | { kind: 'checkout'; registrationId: string; managePath: string; paymentId: string }
  /** The owner of the address (signed in, or confirming by email) already has a booking here: its page. */
  | { kind: 'duplicate'; managePath: string }
  /** Nothing was booked yet: the address was emailed a link to confirm the booking. */
  | { kind: 'emailed' };

/** A confirmation link that was already used, or has run out. */
export class BookingRequestEndedError extends DomainError {
  override name = 'BookingRequestEndedError';
  readonly reason: 'used' | 'expired';
  constructor(reason: 'used' | 'expired') {
    super(
      `booking_request_${reason}`,
      reason === 'used'
        ? 'This link has already been used to confirm a booking. The email we sent when it was confirmed has the link to see or change your booking, or you can sign in to see your bookings.'
        : 'This link has run out: links to confirm a booking work for 24 hours. If you still want a place, please book again.',
      410,
    );
    this.reason = reason;
  }
}

/**
 * A place is kept for the address's owner at the event (for their bursary application): only
 * they, signed in, can take that place.
 */
export class SignInToBookError extends DomainError {
  override name = 'SignInToBookError';
  readonly signInPath: string;
  constructor(signInPath: string) {
    super(
      'sign_in_to_book',
      'This email address has applied for a bursary for this event, so a place may be kept for you. Please sign in with this email address and book from the event page, so that your booking can use it.',
      409,
    );
    this.signInPath = signInPath;
  }
}

/**
 * Whether the booker has proved they own the address they typed: only by being signed in with
 * it. Only then may a booking take a place held for them, or show them a booking's private page
 * without going through their email.
 */
export function addressProven(actor: Me | null, email: string): boolean {
  return actor !== null && normaliseEmail(actor.email) === normaliseEmail(email);
}

/** Whether a ticket type can be chosen now (sales window, not withdrawn). */
export function onSale(type: TicketTypeRow, now: Date): boolean {
  if (type.withdrawn) return false;
  if (type.salesStartAt && type.salesStartAt > now) return false;
  if (type.salesEndAt && type.salesEndAt <= now) return false;
  return true;
}

/** Why people cannot book this event now, or null when they can. */
export function bookingClosedReason(event: EventRow, settings: { registrationOpen: boolean; bookingMode?: BookingMode }, now: Date): string | null {
  if (event.status === 'cancelled') return 'This event has been cancelled.';
  // A finished event is marked completed by the organisers: "not open" would read as "not yet".
  if (event.status === 'completed') return 'This event has finished, so booking has closed.';
  if (event.status !== 'published') return 'Booking is not open for this event.';
  if (!event.startsAt) return 'Booking opens when the date is confirmed.';
  if (event.startsAt <= now) return 'This event has started or finished, so booking has closed.';
  // An event that needs no booking, or books elsewhere, takes none here (its page says so).
  if (settings.bookingMode === 'not_needed') return 'You do not need to book: just come along.';
  if (settings.bookingMode === 'elsewhere') return 'Booking for this event is not done here: the description says how to get a place.';
  if (settings.bookingMode === 'invitation') return 'This event is by invitation only: the organisers invite the people who take part.';
  if (!settings.registrationOpen) return 'Booking has closed for this event.';
  return null;
}

function checkAnswers(questions: QuestionRow[], input: AnswersInput): { errors: FieldError[]; answers: { questionId: string; value: string }[] } {
  const errors: FieldError[] = [];
  const answers: { questionId: string; value: string }[] = [];
  if (input.perspective && !(perspectives as readonly string[]).includes(input.perspective)) {
    errors.push({ field: 'perspective', message: 'Select one of the options, or leave it' });
  }
  for (const q of questions) {
    const raw = (input.answers[q.id] ?? '').trim();
    const field = `q_${q.id}`;
    if (q.kind === 'checkbox') {
      if (q.required && raw !== 'yes') errors.push({ field, message: `Tick the box to say: ${q.label}` });
      if (raw === 'yes') answers.push({ questionId: q.id, value: 'yes' });
      continue;
    }
    if (!raw) {
      if (q.required) errors.push({ field, message: q.kind === 'choice' ? `Select an answer to: ${q.label}` : `Answer: ${q.label}` });
      continue;
    }
    if (q.kind === 'choice' && !q.options.includes(raw)) {
      errors.push({ field, message: `Select an answer to: ${q.label}` });
      continue;
    }
    const max = q.kind === 'long_text' ? 5000 : 300;
    if (raw.length > max) {
      errors.push({ field, message: `Your answer to "${q.label}" must be ${max} characters or fewer` });
      continue;
    }
    answers.push({ questionId: q.id, value: raw });
  }
  return { errors, answers };
}

async function sendConfirmation(
  tx: Db,
  event: EventRow,
  main: RegistrationRow,
  companionName: string,
  ticketName: string,
  baseUrl: string,
  because: 'booking.confirmed' | 'booking.made-for-someone' = 'booking.confirmed',
) {
  // The link and the email that carries it are written together (one trip to PostgreSQL).
  const link = newManagePath(tx, main.id);
  const managePath = link.path;
  // At a hybrid event: the venue for a place in the room, the joining link for one online.
  const place = placeFacts(event, main.attendance, { confirmed: true });
  const ics = attendeeIcs(event, { baseUrl, attendance: main.attendance });
  const attachments = ics ? [calendarAttachment(`${event.slug}.ics`, ics, 'PUBLISH')] : [];
  const email = enqueueEmail(tx, {
    because,
    to: main.email,
    template: 'registration-confirmed',
    data: {
      ...eventFacts(event),
      where: place.where,
      placeKind: place.placeKind,
      name: main.name,
      managePath,
      ticketName,
      companionName,
      travelInfo: place.travelInfo,
      joinUrl: place.joinUrl,
      dayContact: dayContact(event),
    },
    attachments,
  });
  await Promise.all([link.stored, email]);
  return managePath;
}

export interface ServiceContext {
  baseUrl: string;
  paidMode: PaidMode;
  now?: Date;
  /** The visitor's address, for the limit on emailing booking links. */
  ip?: string;
  /** How many bookings one IP may ask for in an hour without a proven address (default 20). */
  requestsPerIpPerHour?: number;
  /** Invoice mode's payment terms (from the configuration). */
  invoiceTerms?: InvoiceTerms;
  /** How many codes for reserved places one IP may try in an hour (default CODE_TRIES_PER_IP_PER_HOUR). */
  codeTriesPerIpPerHour?: number;
}

/** The limit on booking requests per IP when the context does not say. */
export const DEFAULT_BOOKING_REQUESTS_PER_IP = 20;

/**
 * Who a booking is made by, once the address is proven. `holderId`: the person signed in with the
 * address, the only one who may take a place kept for their bursary application.
 */
interface Booker {
  actorId: string | null;
  personId: string | null;
  holderId: string | null;
  /** An organiser booking for someone who phoned or wrote. */
  bookedById?: string | null;
}

/**
 * Books a place. Only someone signed in with the address typed books at once; for anyone else
 * this stores a booking request and emails the address a link to confirm it (confirmBookingRequest),
 * answering the same for every address and taking no place until then.
 */
export async function register(
  db: Database,
  eventId: string,
  input: RegistrationInput,
  actor: Me | null,
  context: ServiceContext,
): Promise<RegistrationOutcome> {
  const now = context.now ?? new Date();
  // A code is counted against the IP before anything else, whatever then happens.
  if (input.code?.trim()) await countCodeTry(db, { ip: context.ip ?? 'unknown', now, perHour: context.codeTriesPerIpPerHour });
  const decided = await checkBooking(db, eventId, input, now);
  if (!addressProven(actor, decided.email)) return requestBooking(db, eventId, input, decided, context, now);
  return bookProven(db, eventId, input, decided, { actorId: actor!.id, personId: actor!.id, holderId: actor!.id }, context, now);
}

async function bookProven(db: Database, eventId: string, input: RegistrationInput, decided: Decided, booker: Booker, context: ServiceContext, now: Date) {
  try {
    return await db.transaction((tx) => book(tx, eventId, input, decided, booker, context, now, { lockFirst: false }));
  } catch (error) {
    if (!(error instanceof StaleDecision)) throw error;
  }
  // Places changed between counting and locking (the event filled up, a place came free, or the
  // same person booked twice at once): everything was undone; decide again under the lock.
  return db.transaction((tx) => book(tx, eventId, input, decided, booker, context, now, { lockFirst: true }));
}

/**
 * Checks a booking form against the event's places and questions, and a code against its
 * reservation (one message for any code that cannot be used). `forSomeone`: an organiser
 * booking for someone, whose email address is optional and whose place must be free.
 */
async function checkBooking(db: Db, eventId: string, input: RegistrationInput, now: Date, options: { forSomeone?: boolean } = {}): Promise<Decided> {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push({ field: 'name', message: options.forSomeone ? 'Enter their name' : 'Enter your name' });
  let email = '';
  if (!options.forSomeone || input.email.trim()) {
    try {
      email = checkEmail(input.email);
    } catch (error) {
      if (error instanceof InvalidInputError) errors.push(...error.fieldErrors);
      else throw error;
    }
  }
  const companionName = input.companion ? input.companionName.trim() || `Companion of ${name}` : '';
  const [types, questions, event] = await Promise.all([listTicketTypes(db, eventId), listQuestions(db, eventId), getEvent(db, eventId)]);
  if (!event) throw new NotFoundError('We could not find that event.');
  const type = types.find((t) => t.id === input.ticketTypeId);
  if (!type || !onSale(type, now))
    errors.push({ field: 'ticketTypeId', message: options.forSomeone ? 'Select the kind of place' : 'Select the kind of place you want' });
  else if (options.forSomeone && type.pricePence > 0)
    errors.push({ field: 'ticketTypeId', message: 'Choose a free kind of place: a paid place is booked by the person, so that they can pay' });
  let attendance: Attendance | null = null;
  if (event.format === 'hybrid') {
    attendance = (attendanceModes as readonly string[]).includes(input.attendance ?? '') ? (input.attendance as Attendance) : null;
    if (!attendance) errors.push({ field: 'attendance', message: options.forSomeone ? 'Select how they will attend' : 'Select how you will attend' });
  }
  const checked = checkAnswers(questions, input);
  errors.push(...checked.errors);
  const payer = checkPayer(input.payer);
  if (type && type.pricePence > 0) errors.push(...payer.errors);
  let reservation: Reservation | null = null;
  if (input.code?.trim() && !errors.length) {
    reservation = await usableReservation(db, { eventId, code: input.code, needed: input.companion ? 2 : 1, now });
    const reservedFor = event.format === 'hybrid' ? (reservation.attendance ?? 'in_person') : null;
    if (reservedFor !== attendance) {
      errors.push({
        field: 'attendance',
        message: `The code is for places ${reservedFor === 'online' ? 'online' : 'in the room'}: choose that, or leave the code empty to book an ordinary place`,
      });
    }
  }
  if (errors.length) throw new InvalidInputError(errors);
  return {
    name,
    email,
    companionName,
    type: type!,
    answers: checked.answers,
    payer: payer.payer,
    attendance,
    pool: poolOf(event.format, attendance),
    reservation,
  };
}

/**
 * A booking by someone who has not proved the address: nothing is booked; the form is kept and
 * the address is emailed a link to confirm it. The same for every address (booked or not, with
 * a bursary application or not). Limited per IP (TooManyRequestsError) and, silently, per address.
 */
async function requestBooking(
  db: Database,
  eventId: string,
  input: RegistrationInput,
  decided: Decided,
  context: ServiceContext,
  now: Date,
): Promise<RegistrationOutcome> {
  return db.transaction(async (tx) => {
    const event = await getEvent(tx, eventId);
    if (!event) throw new NotFoundError('We could not find that event.');
    const closed = bookingClosedReason(event, await getSettings(tx, eventId), now);
    if (closed) throw new ConflictError('booking_closed', closed);
    const email = decided.email;
    const allowed = await bookingRequestAllowance(tx, {
      email,
      ip: context.ip ?? 'unknown',
      now,
      perIp: context.requestsPerIpPerHour ?? DEFAULT_BOOKING_REQUESTS_PER_IP,
    });
    if (!allowed.ip) {
      throw new TooManyRequestsError(
        'We have had many bookings from your connection in the last hour, so we cannot take another just now. Please try again in an hour, or sign in and book.',
      );
    }
    // The address has been sent several links in the last hour: the earlier ones still work.
    if (!allowed.address) return { kind: 'emailed' } as const;
    const fields: Record<string, unknown> = { ...input, email };
    const confirmPath = await storeBookingRequest(tx, { eventId, ticketTypeId: decided.type.id, email, fields, ip: context.ip ?? 'unknown', now });
    // The typed name is not put in the email: the address's owner has not said who they are yet.
    await enqueueEmail(tx, { because: 'booking.requested', to: email, template: 'registration-confirm-request', data: { ...eventFacts(event), confirmPath } });
    return { kind: 'emailed' } as const;
  });
}

/** What a confirmation link asks for, to show before the person confirms it. */
export async function bookingRequestFor(db: Database, token: string, now = new Date()) {
  const request = await findBookingRequest(db, token);
  if (!request) throw new NotFoundError('This link does not work. Check you copied all of it from the email.');
  if (request.usedAt) throw new BookingRequestEndedError('used');
  if (request.expiresAt <= now || !request.fields) throw new BookingRequestEndedError('expired');
  return { ...request, input: { ...(request.fields as unknown as RegistrationInput), email: request.email } };
}

/**
 * The owner of an address confirms the booking asked for with it (holding the emailed link proves
 * the address): booked as if they were signed in with it, except that a place kept for them is
 * taken only signed in (SignInToBookError). Used once: the form it kept goes. Whoever filled in
 * the form may not be the address's owner, so the form's "email me about future events" box
 * counts for nothing here: only the owner's own answer on the confirmation page (`joinList`) does.
 */
export async function confirmBookingRequest(
  db: Database,
  token: string,
  context: ServiceContext,
  options: { joinList?: boolean } = {},
): Promise<{ outcome: RegistrationOutcome; eventId: string }> {
  const now = context.now ?? new Date();
  const asked = await bookingRequestFor(db, token, now);
  const request = { ...asked, input: { ...asked.input, consentFutureEvents: options.joinList === true } };
  const decided = await checkBooking(db, request.eventId, request.input, now);
  const [owner] = await db.select({ id: people.id }).from(people).where(eq(people.email, request.email));
  // Decided and written first, the event locked last, as a signed-in booking is (bookProven):
  // confirming emailed links is how most people book, so only the final check may be serialised.
  // The request's own row is locked first, so a link pressed twice books once.
  const attempt = (lockFirst: boolean) =>
    db.transaction(async (tx) => {
      const locked = await findBookingRequest(tx, token, { lock: true });
      if (!locked || locked.usedAt) throw new BookingRequestEndedError('used');
      // Marked before booking, so that nothing is written after the event's lock is taken.
      await markBookingRequestUsed(tx, locked.id, now);
      const booker = { actorId: owner?.id ?? null, personId: owner?.id ?? null, holderId: null };
      const outcome = await book(tx, request.eventId, request.input, decided, booker, context, now, { lockFirst });
      return { outcome, eventId: request.eventId };
    });
  try {
    return await attempt(false);
  } catch (error) {
    if (!(error instanceof StaleDecision)) throw error;
  }
  return attempt(true);
}

/**
 * What a booking needs to know before deciding, in one statement: the event, whether booking is
 * open, this address's live booking if any, who the booker is, whether a place is kept for them
 * (or for the address's owner) here, and whether anyone waits for this kind of place.
 */
async function bookingFacts(
  tx: Db,
  input: { eventId: string; email: string; holderId: string | null; ticketTypeId: string; now: Date; pool: Pool; reservationId: string | null },
) {
  const { eventId, email, ticketTypeId, pool } = input;
  const live = sql.join(
    activeStatuses.map((status) => sql`${status}`),
    sql`, `,
  );
  // A booking without an address (made by an organiser) is nobody's existing booking.
  const existing = (column: SQLWrapper) =>
    sql`(select ${column} from ${registrations} where ${registrations.eventId} = ${eventId} and ${registrations.email} = ${email}
      and ${email} <> '' and ${registrations.companionOfId} is null and ${registrations.status} in (${live}) limit 1)`;
  // Only a signed-in booker can be the holder of a place kept for them; for anyone else, whether
  // a place is kept for the typed address's owner here (see book()).
  const holderId = input.holderId ? sql`${input.holderId}::uuid` : sql`null::uuid`;
  const addressOwnerId = sql`(select ${people.id} from ${people} where ${people.email} = ${email})`;
  const isTrue = (value: unknown) => value === true || value === 't';
  const [row] = await tx
    .select({
      event: events,
      ...placeCountFields({ eventId, ticketTypeId, now: input.now, pool, reservationId: input.reservationId }),
      // Open for booking here: not closed, and not an event that needs no booking or books elsewhere.
      registrationOpen:
        sql<boolean>`coalesce((select ${registrationSettings.registrationOpen} and ${registrationSettings.bookingMode} = 'here' from ${registrationSettings} where ${registrationSettings.eventId} = ${eventId}), true)`.mapWith(
          isTrue,
        ),
      existingId: sql<string | null>`${existing(registrations.id)}`,
      existingName: sql<string | null>`${existing(registrations.name)}`,
      holderId: sql<string | null>`${holderId}`,
      placeKept: sql<boolean>`${placeKeptFor(eventId, holderId)}`.mapWith(isTrue),
      placeKeptForAddress: sql<boolean>`${input.holderId ? sql`false` : placeKeptFor(eventId, addressOwnerId)}`.mapWith(isTrue),
      queued: sql<boolean>`exists (select 1 from ${registrations} where ${registrations.eventId} = ${eventId}
        and ${registrations.status} = 'waitlisted' and ${registrations.ticketTypeId} = ${ticketTypeId}
        and ${inPool(sql`${registrations.attendance}`, pool)})`.mapWith(isTrue),
    })
    .from(events)
    .where(eq(events.id, eventId));
  if (!row) throw new NotFoundError('We could not find that event.');
  return {
    ...row,
    existing: row.existingId ? { id: row.existingId, name: row.existingName ?? '' } : null,
  };
}

async function placesLeftNow(
  tx: Db,
  eventId: string,
  now: Date,
  ticketTypeId: string,
  attendance: Attendance | null,
): Promise<{ eventLeft: number; typeLeft: number }> {
  const avail = await availability(tx, eventId, now);
  const pool = attendance === 'online' && avail.online ? avail.online : avail;
  return { eventLeft: pool.left ?? Number.MAX_SAFE_INTEGER, typeLeft: placesLeft(avail, ticketTypeId, attendance) };
}

/** The decision a booking made before taking the event's lock no longer holds; it is retried. */
class StaleDecision extends Error {}

interface Decided {
  name: string;
  email: string;
  companionName: string;
  type: TicketTypeRow;
  answers: { questionId: string; value: string }[];
  payer: PayerInput;
  /** How they come to a hybrid event; null at any other. */
  attendance: Attendance | null;
  /** The places the booking counts against (holds.ts). */
  pool: Pool;
  /** Reserved places the booking uses (its code was checked); null for an ordinary place. */
  reservation: Reservation | null;
}

/**
 * One attempt at a booking. Two ways to stay correct under a rush:
 * - lockFirst: lock the event, count, decide, write (a dozen statements under the lock);
 * - otherwise: count and decide without the lock, write everything, then lock the event and
 *   check in one statement that the decision still holds (StaleDecision if not, undoing it all).
 *   Only the lock, that check and the commit are serialised, so a popular event takes many
 *   bookings a second. A held bursary place is always taken up the first way, and only by its
 *   applicant signed in: an address typed into the form proves nothing.
 */
async function book(
  tx: Db,
  eventId: string,
  input: RegistrationInput,
  decided: Decided,
  booker: Booker,
  context: ServiceContext,
  now: Date,
  options: { lockFirst: boolean },
): Promise<RegistrationOutcome> {
  const { name, email, companionName, type, attendance, pool, reservation } = decided;
  const { lockFirst } = options;
  const forSomeone = Boolean(booker.bookedById);
  if (lockFirst) await lockEvent(tx, eventId);
  const facts = await bookingFacts(tx, { eventId, email, holderId: booker.holderId, ticketTypeId: type.id, now, pool, reservationId: reservation?.id ?? null });
  const { event } = facts;
  const closed = bookingClosedReason(event, facts, now);
  if (closed) throw new ConflictError('booking_closed', closed);
  // The event became hybrid (or stopped being) since the form was checked: check it again.
  if (poolOf(event.format, attendance) !== pool)
    throw new ConflictError('booking_closed', 'How people attend this event has just changed. Please check the form and book again.');

  if (facts.existing) {
    if (forSomeone) throw new ConflictError('booking_exists', `${email} already has a booking for this event: find it on the attendee list.`);
    // Nothing is created or changed: the address's owner goes to the booking they have.
    return { kind: 'duplicate', managePath: await mintManagePath(tx, facts.existing.id) } as const;
  }
  // A place is kept for this address's owner (their bursary application): a booking made without
  // signing in must neither take it nor stand in the applicant's way.
  if (!booker.holderId && facts.placeKeptForAddress) {
    if (forSomeone)
      throw new ConflictError(
        'booking_bursary_place',
        `A place is kept for ${email} (their bursary application): they book it themselves, signed in, so that the booking uses it.`,
      );
    throw new SignInToBookError(`/sign-in?next=${encodeURIComponent(`/events/${event.slug}/book`)}`);
  }

  const needed = input.companion ? 2 : 1;
  // A place kept for this person (their bursary application) becomes this booking's place, but only
  // if the booking then gets a place (a savepoint undoes it otherwise, so the hold is not lost).
  // That is always decided under the lock: nothing is written yet, so start again that way.
  // A held place is in the room: a booking to come online, or with a code, leaves it be.
  const holder = facts.holderId && pool !== 'online' && !reservation ? { id: facts.holderId } : null;
  if (holder && facts.placeKept && !lockFirst) throw new StaleDecision();
  let tookHeldPlace = false;
  if (holder && facts.placeKept) {
    try {
      await tx.transaction(async (savepoint) => {
        if (!(await takeUpHeldPlace(savepoint, { eventId, personId: holder.id }))) return;
        const after = await availability(savepoint, eventId, now);
        if (placesLeft(after, type.id, attendance) >= 1 && (after.left ?? Number.POSITIVE_INFINITY) >= needed) tookHeldPlace = true;
        else savepoint.rollback();
      });
    } catch (error) {
      if (!(error instanceof TransactionRollbackError)) throw error;
    }
  }
  // Counted before any held place was taken up: count again if one was.
  const left = tookHeldPlace ? await placesLeftNow(tx, eventId, now, type.id, attendance) : placesLeftFrom(facts);
  let hasPlace: boolean;
  if (reservation) {
    // The reservation's own places: no queue to wait behind, and the event's count does not change.
    const reservationLeft = placesLeftFrom(facts).reservationLeft ?? 0;
    if (reservationLeft < needed) throw new InvalidInputError([{ field: 'code', message: CODE_NOT_USABLE }]);
    hasPlace = left.typeLeft >= 1;
  } else {
    // Nobody jumps the queue: while people wait for this kind of place, newcomers join them.
    hasPlace = (tookHeldPlace || !facts.queued) && Math.min(left.eventLeft, left.typeLeft) >= 1 && left.eventLeft >= needed;
  }
  // Without an address nobody could offer them a place later: say so, and book nothing.
  if (!hasPlace && forSomeone && !email) {
    throw new ConflictError(
      'booking_no_place',
      'There is no place of this kind left, and they can join the waiting list only with an email address, so that we can offer them a place when one frees up.',
    );
  }
  if (!hasPlace && reservation) throw new ConflictError('booking_no_place', 'There is no place of this kind left. Choose another kind of place.');
  const paid = type.pricePence > 0;
  const status: RegistrationStatus = !hasPlace ? 'waitlisted' : paid ? 'pending_payment' : 'confirmed';
  const paymentMode = paid ? context.paidMode : 'free';

  const base = {
    eventId,
    // Only someone signed in with the address typed owns the booking: a member booking for
    // another address gains no way back into it (their bookings, export, calendar feed).
    personId: booker.personId,
    bookedById: booker.bookedById ?? null,
    reservationId: reservation?.id ?? null,
    attendance,
    status,
    email,
    organisation: input.organisation.trim(),
    perspective: input.perspective,
    accessRequirements: input.accessRequirements.trim(),
    dietaryNeeds: input.dietaryNeeds.trim(),
    // Only the person themselves can agree to hear about future events.
    consentFutureEvents: input.consentFutureEvents && !forSomeone,
    waitlistedAt: status === 'waitlisted' ? now : null,
    confirmedAt: status === 'confirmed' ? now : null,
    createdAt: now,
    updatedAt: now,
  };
  const [main] = await tx
    .insert(registrations)
    // Waiting for a place sold by invoice: who pays is kept, so that accepting an offer later
    // invoices the payer given here without asking again (claimOffer).
    .values({
      ...base,
      name,
      ticketTypeId: type.id,
      pricePence: type.pricePence,
      paymentMode,
      invoicePayer: status === 'waitlisted' && paid && context.paidMode === 'invoice' ? decided.payer : null,
    })
    .returning();
  const writes: Promise<unknown>[] = [];
  if (input.companion) {
    writes.push(
      tx
        .insert(registrations)
        .values({
          ...base,
          name: companionName,
          ticketTypeId: null,
          companionOfId: main!.id,
          organisation: '',
          perspective: '',
          accessRequirements: '',
          dietaryNeeds: '',
          consentFutureEvents: false,
        })
        .execute(),
    );
  }
  // The writes that follow the booking's own row do not depend on each other: they are sent
  // together (pipelined on the transaction's connection), each waited for below, so a booking
  // costs fewer trips to PostgreSQL and fewer socket writes. Any one failing undoes them all.
  if (decided.answers.length) {
    writes.push(
      tx
        .insert(registrationAnswers)
        .values(decided.answers.map((a) => ({ ...a, registrationId: main!.id })))
        .execute(),
    );
  }
  // "Email me about future Hub events": a booking is made only for a proven address, so the
  // box is consent enough to join the mailing list (recorded with its words).
  if (input.consentFutureEvents && !forSomeone) writes.push(subscribeFromBooking(tx, { email, name, now }));
  const audited = recordAudit(tx, {
    actorId: booker.actorId,
    // Made by an organiser for someone who phoned or wrote: the actor is the organiser.
    action: forSomeone ? 'registration.booking.made_for_someone' : 'registration.booking.created',
    subjectType: 'registration',
    subjectId: main!.id,
    details: {
      eventId,
      status,
      ticketTypeId: type.id,
      companion: input.companion,
      tookHeldPlace,
      ...(attendance ? { attendance } : {}),
      ...(reservation ? { reservationId: reservation.id } : {}),
      ...(forSomeone ? { withEmail: Boolean(email) } : {}),
    },
  });
  writes.push(audited);

  const told = async (): Promise<RegistrationOutcome | null> => {
    if (status === 'confirmed') {
      const because = forSomeone ? 'booking.made-for-someone' : 'booking.confirmed';
      const managePath = await sendConfirmation(tx, event, main!, companionName, type.name, context.baseUrl, because);
      return { kind: 'booked', registrationId: main!.id, managePath };
    }
    if (status === 'waitlisted') {
      const link = newManagePath(tx, main!.id);
      const inRoom = event.format === 'hybrid' && attendance === 'in_person';
      const emailed = enqueueEmail(tx, {
        because: 'booking.waitlisted',
        to: email,
        template: 'registration-waitlisted',
        data: { ...eventFacts(event), ...placeWords(event, attendance), name, managePath: link.path, inRoom },
      });
      await Promise.all([link.stored, emailed]);
      return { kind: 'waitlisted', registrationId: main!.id, managePath: link.path, inRoom };
    }
    // The checkout's hold is written before the check below, which counts it.
    if (context.paidMode === 'stripe') return startPayment(tx, event, main!, type, context, now, decided.payer);
    return null;
  };
  const [outcome] = (await Promise.all([told(), ...writes])) as [RegistrationOutcome | null, ...unknown[]];

  if (!lockFirst) {
    const locked = await lockEvent(tx, eventId);
    const check = await checkPlaces(tx, { eventId, ticketTypeId: type.id, registrationId: main!.id, email, now, pool, reservationId: reservation?.id ?? null });
    // Counted with this booking's own rows: a place taken must still fit, a waiting-list place
    // must still be the only choice (a place came free with nobody waiting: book it instead).
    // A place from a reservation must still fit the reservation.
    const stands =
      locked.status === 'published' &&
      check.registrationOpen &&
      !check.duplicate &&
      !check.poolChanged &&
      (reservation
        ? (check.reservationLeft ?? -1) >= 0 && check.typeLeft >= 0
        : status === 'waitlisted'
          ? check.othersWaiting || Math.min(check.eventLeft, check.typeLeft) < 1 || check.eventLeft < needed
          : !check.othersWaiting && check.eventLeft >= 0 && check.typeLeft >= 0);
    if (!stands) throw new StaleDecision();
  }
  // An invoice's number is taken last, under the event's lock, so its counter row is always
  // locked after the event (never the other way round) and is held only until the commit.
  return outcome ?? startPayment(tx, event, main!, type, context, now, decided.payer);
}

/**
 * An organiser books a free place for someone who phoned or wrote: the same form, places, lock,
 * questions and companion place as booking online, decided under the event's lock. The email
 * address is optional: with one, the person gets the usual emails; without one, nothing can be
 * sent, so they cannot join the waiting list, and the organiser prints the confirmation page.
 * The booking records who made it, and so does the audit log.
 */
export async function bookForSomeone(
  db: Database,
  eventId: string,
  input: RegistrationInput,
  organiser: Me,
  context: ServiceContext,
): Promise<{ kind: 'booked' | 'waitlisted'; registrationId: string }> {
  const now = context.now ?? new Date();
  const event = await getEvent(db, eventId);
  if (event) requireNotOver(event, now, 'book');
  const decided = await checkBooking(db, eventId, { ...input, consentFutureEvents: false }, now, { forSomeone: true });
  const outcome = await db.transaction((tx) =>
    book(tx, eventId, input, decided, { actorId: organiser.id, personId: null, holderId: null, bookedById: organiser.id }, context, now, { lockFirst: true }),
  );
  // Free places only (checkBooking), and an existing booking is refused: booked or waiting.
  if (outcome.kind !== 'booked' && outcome.kind !== 'waitlisted') throw new Error(`Unexpected outcome ${outcome.kind}`);
  return { kind: outcome.kind, registrationId: outcome.registrationId };
}

/** Emails an address the link to its booking (a fresh token; earlier links keep working). */
async function emailBookingLink(tx: Db, event: EventRow, booking: { id: string; name: string; email: string }, reason: 'asked') {
  const managePath = await mintManagePath(tx, booking.id);
  await enqueueEmail(tx, {
    because: 'booking.link-asked',
    to: booking.email,
    template: 'registration-link',
    data: { ...eventFacts(event), name: booking.name, managePath, reason },
  });
}

/**
 * "Send me my booking link again": emails the address the link to its live booking at this
 * event, if it has one. The same answer for every address; limited per address and per IP
 * (TooManyRequestsError), counted whether or not the address has a booking.
 */
export async function resendBookingLink(db: Database, input: { eventId: string; email: string; ip: string }, now = new Date()): Promise<void> {
  const email = checkEmail(input.email);
  await db.transaction(async (tx) => {
    if (!(await mayEmailBookingLink(tx, { email, ip: input.ip, now }))) {
      throw new TooManyRequestsError('We have sent several booking links recently. Use the newest one, or wait an hour and ask again.');
    }
    const [booking] = await tx
      .select({ id: registrations.id, name: registrations.name, email: registrations.email })
      .from(registrations)
      .where(
        and(
          eq(registrations.eventId, input.eventId),
          eq(registrations.email, email),
          isNull(registrations.companionOfId),
          inArray(registrations.status, activeStatuses),
        ),
      )
      .limit(1);
    const event = booking ? await getEvent(tx, input.eventId) : null;
    if (booking && event) await emailBookingLink(tx, event, booking, 'asked');
  });
}

/** A booking waiting for payment: an invoice, or an open Stripe Checkout holding the place. */
async function startPayment(
  tx: Db,
  event: EventRow,
  main: RegistrationRow,
  type: TicketTypeRow,
  context: ServiceContext,
  now: Date,
  payer: PayerInput,
): Promise<RegistrationOutcome> {
  const managePath = await mintManagePath(tx, main.id);
  const [payment] = await tx
    .insert(payments)
    .values({ registrationId: main.id, method: context.paidMode, amountPence: main.pricePence, status: 'open', createdAt: now })
    .returning({ id: payments.id });
  if (context.paidMode === 'invoice') {
    const facts = eventFacts(event);
    const issued = await issueInvoice(tx, {
      registrationId: main.id,
      paymentId: payment!.id,
      eventId: event.id,
      eventStartsAt: event.startsAt,
      description: `${event.title} (${facts.when}): ${type.name}`,
      amountPence: main.pricePence,
      payer,
      booker: { name: main.name, email: main.email },
      terms: context.invoiceTerms ?? DEFAULT_TERMS,
      now,
    });
    await enqueueEmail(tx, {
      because: 'booking.awaiting-payment',
      to: main.email,
      template: 'registration-invoice',
      data: {
        ...facts,
        ...placeWords(event, main.attendance),
        name: main.name,
        managePath,
        amount: formatPence(main.pricePence),
        ticketName: type.name,
        invoiceNumber: issued.numberText,
        dueDate: formatDate(issued.invoice.dueAt),
        releaseDate: issued.invoice.releaseAt ? formatDate(issued.invoice.releaseAt) : '',
      },
      attachments: [issued.attachment],
    });
    return { kind: 'invoice', registrationId: main.id, managePath };
  }
  const expiresAt = new Date(now.getTime() + CHECKOUT_HOLD_MINUTES * 60_000);
  await insertHold(tx, { eventId: event.id, kind: 'checkout', ticketTypeId: type.id, registrationId: main.id, expiresAt, attendance: main.attendance });
  return { kind: 'checkout', registrationId: main.id, managePath, paymentId: payment!.id };
}

async function endLiveHolds(tx: Db, registrationIds: string[], state: 'released' | 'consumed', now: Date) {
  await tx
    .update(placeHolds)
    .set({ state, endedAt: now })
    .where(and(inArray(placeHolds.registrationId, registrationIds), eq(placeHolds.state, 'live')));
}

/** Locks the event, then the booking and its companions; returns them as they are now. */
async function lockParty(tx: Db, registrationId: string) {
  const [first] = await tx.select({ eventId: registrations.eventId }).from(registrations).where(eq(registrations.id, registrationId));
  if (!first) throw new NotFoundError('We could not find that booking.');
  await lockEvent(tx, first.eventId);
  const rows = await tx
    .select()
    .from(registrations)
    .where(or(eq(registrations.id, registrationId), eq(registrations.companionOfId, registrationId)))
    .for('update');
  const main = rows.find((r) => r.id === registrationId)!;
  return { main, companions: rows.filter((r) => r.companionOfId === registrationId), event: (await getEvent(tx, first.eventId))! };
}

/** Refuses, saying why, to cancel a booking or book someone a place once the event is over. */
export function requireNotOver(event: EventRow, now: Date, doing: 'cancel' | 'book'): void {
  if (!eventOver(event, now)) return;
  throw new ConflictError(
    'event_over',
    doing === 'cancel'
      ? 'This event is over, so its bookings can no longer be cancelled. A paid booking can still be refunded.'
      : 'This event is over, so nobody can be booked a place at it.',
  );
}

/** The `reason` a registrant's own cancellation carries (they are thanked for letting us know). */
export const CANCELLED_BY_REGISTRANT = 'by the registrant';

/** The `reason` an organiser's cancellation carries (the email says the organisers cancelled it). */
export const CANCELLED_BY_ORGANISER = 'by an organiser';
/** An organiser's refund that cancels the booking: the booker is told the organisers did it, as above. */
export const REFUNDED_BY_ORGANISER = 'refunded by an organiser';

/**
 * Cancels a booking (or leaves the waiting list) and passes the freed place on. A companion
 * place is cancelled with its booking. `refunded` is set by the payments feature after a refund.
 */
export async function cancelRegistration(
  db: Database,
  registrationId: string,
  actor: Me | null,
  options: {
    now?: Date;
    reason?: string;
    refunded?: string;
    refundMethod?: 'stripe' | 'invoice';
    /** Set by the payments feature when the place is released because its invoice was not paid. */
    invoiceUnpaid?: boolean;
    tx?: Db;
  } = {},
): Promise<{ cancelled: boolean; eventId: string; told: boolean }> {
  const run = async (tx: Db) => {
    const now = options.now ?? new Date();
    const { main, companions, event } = await lockParty(tx, registrationId);
    if (!['pending_payment', 'confirmed', 'waitlisted', 'offered'].includes(main.status)) return { cancelled: false, eventId: main.eventId, told: false };
    // Once the event is over there is no place to give up: cancelling would only email the person
    // "your booking is cancelled" days later. A refund still closes the booking (an organiser gives
    // money back to someone who could not come), and so does releasing an unpaid invoice's place.
    const over = eventOver(event, now);
    if (!options.refundMethod && !options.invoiceUnpaid) requireNotOver(event, now, 'cancel');
    const wasWaiting = main.status === 'waitlisted' || main.status === 'offered';
    const ids = [main.id, ...companions.map((c) => c.id)];
    // The companions whose places go with this booking, named in the email (as on the organisers' confirmation page).
    const companionsCancelled = companions
      .filter((c) => !['cancelled', 'expired', 'attended'].includes(c.status))
      .map((c) => c.name.trim() || 'your companion');
    await tx
      .update(registrations)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now, invoicePayer: null })
      .where(and(inArray(registrations.id, ids), notInArray(registrations.status, ['cancelled', 'expired', 'attended'])));
    await endLiveHolds(tx, ids, 'released', now);
    await tx
      .update(payments)
      .set({ status: 'expired' })
      .where(and(eq(payments.registrationId, main.id), eq(payments.status, 'open')));
    // A paid invoice's money goes back whoever cancels (issue 14: cancelling or refunding issues a
    // credit note): it is due a refund, which an organiser pays and then records, so the email
    // says "we will pay back" now and "we have" then (payments/refunds.ts).
    let { refunded, refundMethod } = options;
    if (!refundMethod) {
      const [due] = await tx
        .update(payments)
        .set({ status: 'refund_due' })
        .where(and(eq(payments.registrationId, main.id), eq(payments.method, 'invoice'), eq(payments.status, 'paid')))
        .returning({ amountPence: payments.amountPence });
      if (due) [refunded, refundMethod] = [formatPence(due.amountPence), 'invoice'];
    }
    // A card payment cancelled before the event is owed back just as an invoice's is: the
    // organisers refund it with the Refund action on the attendee list (nothing automatic, so the
    // payment stays paid until they do), and the email says they will.
    const [cardPaid] = refundMethod
      ? []
      : await tx
          .select({ amountPence: payments.amountPence })
          .from(payments)
          .where(and(eq(payments.registrationId, main.id), eq(payments.method, 'stripe'), eq(payments.status, 'paid')));
    // An invoice that will not be paid, or whose money goes back, is cancelled by a credit note.
    const credit = await creditInvoice(tx, {
      registrationId: main.id,
      reason: options.invoiceUnpaid
        ? 'Place released: the invoice was not paid'
        : refundMethod === 'invoice'
          ? // Issued before the money goes back (the payment is only due a refund): say so, not "refunded".
            'Booking cancelled: the amount paid is to be refunded'
          : 'Booking cancelled',
      refund: refundMethod === 'invoice',
      now,
    });
    await recordAudit(tx, {
      actorId: actor?.id ?? null,
      action: wasWaiting ? 'registration.waiting_list.left' : 'registration.booking.cancelled',
      subjectType: 'registration',
      subjectId: main.id,
      details: {
        eventId: main.eventId,
        from: main.status,
        reason: options.reason ?? '',
        creditNote: credit?.numberText ?? null,
        ...(refundMethod && !options.refundMethod ? { refundDue: refunded } : {}),
      },
    });
    const data = {
      ...eventFacts(event),
      ...placeWords(event, main.attendance),
      name: main.name,
      leftWaitingList: wasWaiting,
      refunded: refunded ?? '',
      refundMethod,
      byRegistrant: options.reason === CANCELLED_BY_REGISTRANT,
      eventCancelled: event.status === 'cancelled',
      eventOver: over && event.status !== 'cancelled',
      creditNote: credit?.numberText ?? '',
      invoiceNumber: credit?.invoiceNumberText ?? '',
      // An invoice billed to someone else (an organisation) was paid by them, not by the booker.
      paidBy: credit && credit.payerName !== main.name ? credit.payerName : '',
      invoiceUnpaid: options.invoiceUnpaid === true,
      cardPaid: cardPaid && event.status !== 'cancelled' ? formatPence(cardPaid.amountPence) : '',
      byOrganiser: options.reason === CANCELLED_BY_ORGANISER || options.reason === REFUNDED_BY_ORGANISER,
      companions: companionsCancelled.join(' and '),
      companionCount: companionsCancelled.length,
    };
    const attachments = credit ? [credit.attachment] : [];
    // Nobody is written to once their details are erased (enqueueEmail): `told` says whether they were.
    const sent = options.invoiceUnpaid
      ? await enqueueEmail(tx, { because: 'invoice.released', to: main.email, template: 'registration-cancelled', data, attachments })
      : await enqueueEmail(tx, { because: 'booking.cancelled', to: main.email, template: 'registration-cancelled', data, attachments });
    // The booker was told the organisers will pay it back: tell them, or nobody at the Hub knows.
    const owed = data.cardPaid
      ? ({ amount: data.cardPaid, method: 'stripe' } as const)
      : refundMethod === 'invoice' && !options.refundMethod
        ? ({ amount: data.refunded, method: 'invoice', paidBy: data.paidBy } as const)
        : null;
    // An organiser cancelling their own paid place cannot refund it (THREATS 2): the others are told too.
    const ownByOrganiser = options.reason === CANCELLED_BY_ORGANISER && actor !== null && isOwnBooking(main, actor);
    if (owed && (options.reason === CANCELLED_BY_REGISTRANT || ownByOrganiser)) {
      for (const organiser of await steeringGroupAddresses(tx)) {
        await enqueueEmail(tx, {
          because: 'booking.refund-owed',
          to: organiser.email,
          template: 'registration-refund-owed',
          data: { ...eventFacts(event), payerName: main.name, ...owed, attendeesPath: `/organise/events/${event.slug}/attendees` },
        });
      }
    }
    await passOnFreedPlaces(tx, main.eventId, now);
    return { cancelled: true, eventId: main.eventId, told: sent !== null };
  };
  return options.tx ? run(options.tx) : db.transaction(run);
}

/** Accepts a waiting-list offer while its hold is live. Paid places go on to payment. */
export async function claimOffer(db: Database, registrationId: string, actor: Me | null, context: ServiceContext): Promise<RegistrationOutcome> {
  const now = context.now ?? new Date();
  return db.transaction(async (tx) => {
    const { main, companions, event } = await lockParty(tx, registrationId);
    if (main.status !== 'offered') throw new ConflictError('no_offer', 'There is no offer of a place on this booking now.');
    const ids = [main.id, ...companions.map((c) => c.id)];
    const [hold] = await tx
      .select({ id: placeHolds.id, expiresAt: placeHolds.expiresAt })
      .from(placeHolds)
      .where(and(eq(placeHolds.registrationId, main.id), eq(placeHolds.state, 'live')));
    if (!hold || hold.expiresAt <= now) throw new ConflictError('offer_expired', 'Sorry, this offer has ended and the place has passed to the next person.');
    const types = await listTicketTypes(tx, event.id, { includeWithdrawn: true });
    const type = types.find((t) => t.id === main.ticketTypeId)!;
    const paid = main.pricePence > 0;
    const status: RegistrationStatus = paid ? 'pending_payment' : 'confirmed';
    await tx
      .update(registrations)
      .set({ status, confirmedAt: paid ? null : now, updatedAt: now, paymentMode: paid ? context.paidMode : 'free', invoicePayer: null })
      .where(inArray(registrations.id, ids));
    await endLiveHolds(tx, ids, 'consumed', now);
    await recordAudit(tx, {
      actorId: actor?.id ?? null,
      action: 'registration.offer.accepted',
      subjectType: 'registration',
      subjectId: main.id,
      details: { eventId: event.id },
    });
    const updated = { ...main, status };
    if (!paid) {
      const managePath = await sendConfirmation(tx, event, updated, companions[0]?.name ?? '', type.name, context.baseUrl);
      return { kind: 'booked', registrationId: main.id, managePath };
    }
    // The invoice goes to whoever was to pay when they joined the waiting list (the booker if nobody was given).
    return startPayment(tx, event, updated, type, context, now, checkPayer(main.invoicePayer ?? undefined).payer);
  });
}

/** Changes the registrant's answers (not the kind of place, which would change what is owed). */
export async function updateAnswers(db: Database, registrationId: string, input: AnswersInput & { companionName?: string }, actor: Me | null): Promise<void> {
  await db.transaction(async (tx) => {
    const [main] = await tx.select().from(registrations).where(eq(registrations.id, registrationId)).for('update');
    if (!main) throw new NotFoundError('We could not find that booking.');
    if (!activeStatuses.includes(main.status)) throw new ConflictError('booking_ended', 'This booking has ended, so its answers cannot be changed.');
    const questions = await listQuestions(tx, main.eventId);
    const checked = checkAnswers(questions, input);
    if (checked.errors.length) throw new InvalidInputError(checked.errors);
    await tx
      .update(registrations)
      .set({
        organisation: input.organisation.trim(),
        perspective: input.perspective,
        accessRequirements: input.accessRequirements.trim(),
        dietaryNeeds: input.dietaryNeeds.trim(),
        consentFutureEvents: input.consentFutureEvents,
        updatedAt: new Date(),
      })
      .where(eq(registrations.id, registrationId));
    if (input.companionName?.trim()) {
      await tx.update(registrations).set({ name: input.companionName.trim() }).where(eq(registrations.companionOfId, registrationId));
    }
    await tx.delete(registrationAnswers).where(eq(registrationAnswers.registrationId, registrationId));
    if (checked.answers.length) await tx.insert(registrationAnswers).values(checked.answers.map((a) => ({ ...a, registrationId })));
    await recordAudit(tx, {
      actorId: actor?.id ?? null,
      action: 'registration.answers.updated',
      subjectType: 'registration',
      subjectId: registrationId,
      details: { eventId: main.eventId },
    });
  });
}

/** Confirms a booking whose payment has arrived (Stripe webhook, return page, or an organiser for an invoice). */
export async function confirmPaidRegistration(tx: Db, registrationId: string, baseUrl: string, now: Date): Promise<boolean> {
  const { main, companions, event } = await lockParty(tx, registrationId);
  if (main.status !== 'pending_payment') return false;
  const ids = [main.id, ...companions.map((c) => c.id)];
  await tx.update(registrations).set({ status: 'confirmed', confirmedAt: now, updatedAt: now }).where(inArray(registrations.id, ids));
  await endLiveHolds(tx, ids, 'consumed', now);
  const types = await listTicketTypes(tx, event.id, { includeWithdrawn: true });
  await sendConfirmation(
    tx,
    event,
    { ...main, status: 'confirmed' },
    companions[0]?.name ?? '',
    types.find((t) => t.id === main.ticketTypeId)?.name ?? '',
    baseUrl,
  );
  await recordAudit(tx, {
    actorId: null,
    action: 'registration.booking.paid',
    subjectType: 'registration',
    subjectId: main.id,
    details: { eventId: event.id },
  });
  return true;
}
