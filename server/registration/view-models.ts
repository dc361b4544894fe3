// Places and bookings as templates see them: prices in pounds, times in Europe/London.
import { pageLinks } from '../http/pagination.ts';
import { DateTime } from 'luxon';
import { perspectives, registrationStatuses, type RegistrationStatus } from '../../db/schema/index.ts';
import { formatDateTime, formatPence, formatPrice, formatTimeRange, londonClock, londonDay } from '../format.ts';
import { poundsField } from '../money.ts';
import { everyPoolFull, type liveHoldFor, placesLeft, type Availability, type PoolAvailability } from './holds.ts';
import { onSale } from './service.ts';
import { placeFacts } from './place-facts.ts';
import {
  type bookingsOfPerson,
  dayContact,
  eventFacts,
  type EventRow,
  type paymentFor,
  type QuestionRow,
  type RegistrationRow,
  type TicketTypeRow,
} from './queries.ts';
import { bookingState, paymentMethodLabels, paymentStatusLabels, refundCancelsPlace } from './booking-state.ts';
import { isOwnBooking } from './own-booking.ts';
import { isErasedAddress } from '../mail/outbox.ts';
import type { Me } from '../me.ts';
import { eventOver, freedPlacesPassOn, tookPlace } from '../event-over.ts';
import type { CheckInState } from './check-in.ts';
import type { attendeePage, attendeeTallies, listAttendees } from './organiser.ts';
import { formState, type FormState } from '../http/forms.ts';
import type { bookingDocuments } from '../invoices/view-models.ts';

export const perspectiveLabels: Record<string, string> = {
  lived_experience: 'Lived experience of mental distress, or survivor',
  carer: 'Carer, family member or friend',
  practitioner: 'Practitioner',
  academic: 'Academic or researcher',
  other: 'Something else',
  prefer_not: 'I would rather not say',
};

export const statusLabels: Record<RegistrationStatus, string> = {
  pending_payment: 'Waiting for payment',
  confirmed: 'Booked',
  attended: 'Attended',
  cancelled: 'Cancelled',
  waitlisted: 'On the waiting list',
  offered: 'Offered a place',
  expired: 'Offer or payment time ended',
};

export interface TicketOption {
  id: string;
  name: string;
  description: string;
  price: string;
  /** Costs nothing: decided from the price in pence, never from the words shown. */
  free: boolean;
  eligibility: string;
  onSale: boolean;
  full: boolean;
  /** "12 places left", "Waiting list", "" when unlimited. */
  placesText: string;
}

export function ticketOptions(types: TicketTypeRow[], avail: Availability, now: Date): TicketOption[] {
  return types.map((t) => {
    // At a hybrid event, the room and online are counted apart: a single figure would be one of
    // them (or the larger), untrue for someone coming the other way.
    const room = avail.online ? placesLeft(avail, t.id, 'in_person') : placesLeft(avail, t.id);
    const online = avail.online ? placesLeft(avail, t.id, 'online') : room;
    const left = Math.max(room, online);
    const count = (n: number, where: string) =>
      n < 1 ? `full ${where}` : Number.isFinite(n) ? `${n} ${n === 1 ? 'place' : 'places'} left ${where}` : `no limit ${where}`;
    const placesText =
      left < 1
        ? 'Full: you can join the waiting list'
        : avail.online
          ? `${count(room, 'in the room').replace(/^./, (c) => c.toUpperCase())}, ${count(online, 'online')}`
          : Number.isFinite(left)
            ? `${left} ${left === 1 ? 'place' : 'places'} left`
            : '';
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      price: formatPrice(t.pricePence),
      free: t.pricePence === 0,
      eligibility: t.eligibility,
      onSale: onSale(t, now),
      full: left < 1,
      placesText,
    };
  });
}

export function priceRange(types: TicketTypeRow[]): string {
  const prices = types.filter((t) => !t.withdrawn).map((t) => t.pricePence);
  if (prices.length === 0) return '';
  const min = Math.min(...prices);
  const max = Math.max(...prices);
  if (min === max) return formatPrice(min);
  return `${formatPrice(min)} to ${formatPence(max)}`;
}

function placesText(left: number | null): string {
  return left === null ? 'Places available' : `${left} ${left === 1 ? 'place' : 'places'} left`;
}

export function placesSummary(avail: Availability): string {
  if (everyPoolFull(avail)) return 'Full: join the waiting list';
  if (avail.online) {
    const pool = (p: PoolAvailability) => (p.left !== null && p.left < 1 ? 'full (waiting list)' : placesText(p.left).toLowerCase());
    return `In the room: ${pool(avail)}. Online: ${pool(avail.online)}`;
  }
  return placesText(avail.left);
}

export interface AttendanceChoice {
  value: 'in_person' | 'online';
  label: string;
  hint: string;
}

/** The choice of how to attend a hybrid event, with each set's places; null for any other event. */
export function attendanceChoices(avail: Availability): AttendanceChoice[] | null {
  if (!avail.online) return null;
  const hint = (p: PoolAvailability, where: string) =>
    p.left !== null && p.left < 1 ? `Full ${where}: you can join its waiting list` : p.left === null ? '' : `${placesText(p.left)} ${where}`;
  return [
    { value: 'in_person', label: 'In person, at the venue', hint: hint(avail, 'in the room') },
    { value: 'online', label: 'Online', hint: hint(avail.online, 'online') },
  ];
}

/**
 * What a booking's place is called: its kind's name, "Companion place" for a companion, and
 * "Invited place" for an invitee's (an invitation-only event sells no kind of place: see
 * placeForInvitee), which would otherwise show as a blank name.
 */
export function placeName(row: { ticketName: string | null | undefined; companionOfId?: string | null }): string {
  if (row.companionOfId) return 'Companion place';
  return row.ticketName || 'Invited place';
}

export const attendanceLabels: Record<string, string> = { in_person: 'In person', online: 'Online' };

export interface QuestionField {
  id: string;
  name: string;
  kind: string;
  label: string;
  hint: string;
  options: string[];
  required: boolean;
}

export function questionFields(questions: QuestionRow[]): QuestionField[] {
  return questions.map((q) => ({ id: q.id, name: `q_${q.id}`, kind: q.kind, label: q.label, hint: q.hint, options: q.options, required: q.required }));
}

export function expiresText(date: Date): string {
  return formatDateTime(date);
}

/**
 * The confirmation an organiser prints (or reads out) for someone they booked, who may have no
 * email: everything the confirmation email would say, in words for the person.
 */
export function confirmationModel(input: {
  event: EventRow;
  party: { main: RegistrationRow; companions: RegistrationRow[] };
  types: TicketTypeRow[];
  questions: QuestionRow[];
  answers: { questionId: string; value: string }[];
  contactEmail: string;
}) {
  const { event, party, types, questions, answers } = input;
  const { main } = party;
  const booked = main.status === 'confirmed' || main.status === 'attended';
  const place = placeFacts(event, main.attendance, { confirmed: booked });
  return {
    title: `Booking confirmation: ${main.name}`,
    event: { ...eventFacts(event), where: place.where, title: event.title, travelInfo: place.travelInfo, dayContact: dayContact(event) },
    booking: {
      name: main.name,
      email: main.email,
      statusLabel: statusLabels[main.status],
      booked,
      // Someone without email joins online only from this page: it gives the link, as the email would.
      joinUrl: place.joinUrl,
      waiting: main.status === 'waitlisted' || main.status === 'offered',
      ticketName: types.find((t) => t.id === main.ticketTypeId)?.name ?? '',
      attendance: event.format === 'hybrid' ? (attendanceLabels[place.comes] ?? '') : '',
      companionName: party.companions.find((c) => c.status !== 'cancelled')?.name ?? '',
      accessRequirements: main.accessRequirements,
      dietaryNeeds: main.dietaryNeeds,
      answers: questions
        .map((q) => ({ label: q.label, value: answers.find((a) => a.questionId === q.id)?.value ?? '' }))
        .filter((a) => a.value)
        .map((a) => ({ ...a, value: a.value === 'yes' ? 'Yes' : a.value })),
      bookedOn: formatDateTime(main.createdAt),
    },
    contactEmail: input.contactEmail,
  };
}

/** An event's reservations as the organiser's page lists them. */
export function reservationRows(
  rows: { id: string; groupName: string; code: string; places: number; attendance: string | null; expiresAt: Date; used: number }[],
  now: Date,
) {
  return rows.map((r) => ({
    id: r.id,
    groupName: r.groupName,
    code: r.code,
    places: r.places,
    used: r.used,
    attendance: r.attendance ? (attendanceLabels[r.attendance] ?? '') : '',
    live: r.expiresAt > now,
    expires: formatDateTime(r.expiresAt),
  }));
}

/**
 * Who an invoice will be made out to once a waiting-list place is accepted, in words for the
 * manage page (the payer given when joining the waiting list; the booker if nobody was): '' for a
 * free place, or one not paid by invoice.
 */
export function invoicePayerText(
  booking: { name: string; pricePence: number; status: RegistrationStatus; invoicePayer: { payerName: string; purchaseOrder: string } | null },
  paidMode: 'stripe' | 'invoice',
): string {
  if (booking.pricePence <= 0 || paidMode !== 'invoice' || !['waitlisted', 'offered'].includes(booking.status)) return '';
  const to = booking.invoicePayer?.payerName || booking.name;
  const po = booking.invoicePayer?.purchaseOrder ? `, purchase order ${booking.invoicePayer.purchaseOrder}` : '';
  return `When you accept a place, we will email you the invoice for ${formatPence(booking.pricePence)}, made out to ${to}${po}, as you asked when you joined the waiting list.`;
}

/** Who an invoice was made out to when that was not the booker (an organisation): they paid it. */
export function invoicePaidBy(documents: { kind: string; payerName: string }[], main: { name: string }): string {
  const payer = documents.find((d) => d.kind === 'invoice')?.payerName ?? '';
  return payer && payer !== main.name && payer !== 'Erased' ? payer : '';
}

/** What the booking's own page (from its private link) shows, from the booking and what it holds. */
export function manageModel(input: {
  token: string;
  main: RegistrationRow;
  companions: RegistrationRow[];
  event: EventRow;
  types: TicketTypeRow[];
  questions: QuestionRow[];
  answers: { questionId: string; value: string }[];
  hold: Awaited<ReturnType<typeof liveHoldFor>>;
  position: number | null;
  payment: Awaited<ReturnType<typeof paymentFor>>;
  documents: ReturnType<typeof bookingDocuments>;
  paymentMode: 'stripe' | 'invoice';
  form: FormState;
  now: Date;
  contactEmail?: string;
  /** Who the invoice was made out to, when not the booker (invoicePaidBy); '' otherwise. */
  invoicePaidBy?: string;
}) {
  const { main, companions, event, types, questions, answers, hold, position, payment, form } = input;
  const type = types.find((t) => t.id === main.ticketTypeId);
  const state = bookingState(main, event, payment, input.contactEmail, input.invoicePaidBy);
  const place = placeFacts(event, main.attendance, { confirmed: state.holdsPlace });
  const values: Record<string, unknown> = {
    organisation: main.organisation,
    perspective: main.perspective,
    accessRequirements: main.accessRequirements,
    dietaryNeeds: main.dietaryNeeds,
    consentFutureEvents: main.consentFutureEvents,
    companionName: companions[0]?.name ?? '',
    ...Object.fromEntries(answers.map((a) => [`q_${a.questionId}`, a.value])),
    ...form.values,
  };
  return {
    title: `Your booking: ${event.title}`,
    base: `/bookings/${input.token}`,
    booking: {
      name: main.name,
      email: main.email,
      status: main.status,
      statusLabel: state.label,
      eventCancelled: state.eventCancelled,
      cancelledReason: state.eventCancelled ? event.cancelledReason : '',
      money: state.money,
      ticketName: placeName({ ticketName: type?.name, companionOfId: main.companionOfId }),
      price: formatPrice(main.pricePence),
      companionName: companions.find((c) => c.status !== 'cancelled')?.name ?? '',
      hasCompanion: companions.length > 0,
      offered: state.active && main.status === 'offered',
      offerExpires: main.status === 'offered' && hold ? expiresText(hold.expiresAt) : '',
      waitingForPayment: state.active && main.status === 'pending_payment',
      // An open card payment can be finished from here until its hold runs out.
      payPaymentId: state.active && payment && payment.method === 'stripe' && payment.status === 'open' && hold && hold.kind === 'checkout' ? payment.id : '',
      payUntil: payment && hold && hold.kind === 'checkout' ? expiresText(hold.expiresAt) : '',
      position: state.active ? position : null,
      canChange: state.active,
      // Once the event is over a booking is not cancelled (cancelRegistration refuses).
      canCancel: state.active && !eventOver(event, input.now),
      isWaiting: main.status === 'waitlisted' || main.status === 'offered',
      calendar: state.holdsPlace && Boolean(event.startsAt),
      // The certificate is offered once the event has ended (issueIn refuses it before).
      attended: main.status === 'attended' && tookPlace(event, input.now),
      // At a hybrid event, the link is for an online place only; a place in the room is told the venue.
      joinUrl: place.joinUrl,
      documents: input.documents,
      attendance: event.format === 'hybrid' ? (attendanceLabels[main.attendance ?? 'in_person'] ?? '') : '',
      invoiceTo: state.active ? invoicePayerText(main, input.paymentMode) : '',
    },
    event: { ...eventFacts(event), where: place.where, slug: event.slug, travelInfo: place.travelInfo },
    questions: questionFields(questions),
    perspectives: perspectiveOptions(),
    form: formState(values, form.errors),
  };
}

// --- Organiser pages: places, attendees, needs, messages, check-in ------------------------

type AttendeeRow = Awaited<ReturnType<typeof listAttendees>>[number];
type ListedAttendee = Awaited<ReturnType<typeof attendeePage>>['rows'][number];
type AttendeeTally = Awaited<ReturnType<typeof attendeeTallies>>[number];
type PaymentStatus = { method: string; status: string };

/** How paid places are sold, as the organiser's pages say it. */
export function paymentModeWords(mode: 'stripe' | 'invoice'): string {
  return mode === 'stripe'
    ? 'Card payments through Stripe are on.'
    : 'Stripe is not set up, so paid places are sold by invoice: mark each one paid here when the money arrives.';
}

/** The kinds of place as the organiser's places page lists them, with how many each has taken. */
export function ticketTypeRows(types: TicketTypeRow[], avail: Availability) {
  return types.map((t) => {
    const a = avail.ticketTypes.find((x) => x.ticketTypeId === t.id);
    return {
      id: t.id,
      name: t.name,
      price: formatPrice(t.pricePence),
      capacity: t.capacity === null ? 'Shares the event’s places' : String(t.capacity),
      taken: a?.taken ?? 0,
      eligibility: t.eligibility,
      withdrawn: t.withdrawn,
      sales:
        [t.salesStartAt ? `from ${formatDateTime(t.salesStartAt)}` : '', t.salesEndAt ? `until ${formatDateTime(t.salesEndAt)}` : '']
          .filter(Boolean)
          .join(' ') || 'Always',
    };
  });
}

/** The event's questions as the places page lists them. */
export function questionRows(questions: QuestionRow[]) {
  return questions.map((q) => ({ id: q.id, label: q.label, kind: q.kind, required: q.required, options: q.options.join(', ') }));
}

/** A London wall-clock value for a datetime-local field; '' for none. */
function londonInput(date: Date | null): string {
  return date ? DateTime.fromJSDate(date, { zone: 'Europe/London' }).toFormat("yyyy-MM-dd'T'HH:mm") : '';
}

/** A kind of place as its change form starts. */
export function ticketTypeValues(type: TicketTypeRow) {
  return {
    name: type.name,
    description: type.description,
    price: poundsField(type.pricePence),
    capacity: type.capacity === null ? '' : String(type.capacity),
    salesStartAt: londonInput(type.salesStartAt),
    salesEndAt: londonInput(type.salesEndAt),
    eligibility: type.eligibility,
  };
}

/** "Card (online): Paid"; '' without a payment. */
function paymentLabel(payment: PaymentStatus | null | undefined): string {
  return payment ? `${paymentMethodLabels[payment.method] ?? payment.method}: ${paymentStatusLabels[payment.status] ?? payment.status}` : '';
}

function attendanceLabel(event: Pick<EventRow, 'format'>, attendance: string | null): string {
  return event.format === 'hybrid' ? (attendanceLabels[attendance ?? 'in_person'] ?? '') : '';
}

/**
 * The attendee list's rows: `shown` are the bookings the list's filter kept, `all` every booking
 * of the event (to name whom a companion comes with), `pay` each booking's latest payment. `me`,
 * the organiser looking: no money action is offered on their own booking (another organiser must
 * take it, THREATS 2; the payments service refuses it too).
 */
export function attendeeRows(event: EventRow, shown: ListedAttendee[], now: Date, me: Pick<Me, 'id' | 'email'> | null = null) {
  // After the event nothing is cancelled (cancelRegistration refuses); a paid place may still be refunded.
  const over = eventOver(event, now);
  return shown.map(({ companionOfName, paymentMethod, paymentStatus, total: _, ...r }) => {
    const payment = paymentMethod && paymentStatus ? { method: paymentMethod, status: paymentStatus } : null;
    const state = bookingState(r, event);
    const own = me !== null && !r.companionOfId && isOwnBooking(r, me);
    const canMarkPaid = state.active && !r.companionOfId && payment?.method === 'invoice' && payment.status === 'open';
    const canRefund = !r.companionOfId && payment?.status === 'paid';
    // An invoice's refund, or a card refund that failed and the Hub paid back another way.
    const canRecordRefund =
      !r.companionOfId &&
      ((payment?.method === 'invoice' && payment.status === 'refund_due') || (payment?.method === 'stripe' && payment.status === 'refund_failed'));
    return {
      ...r,
      companionOf: r.companionOfId ? (companionOfName ?? 'another booking') : '',
      statusLabel: state.label,
      attendanceLabel: attendanceLabel(event, r.attendance),
      // A place an organiser booked for someone, by whom (an erased organiser's name is gone).
      bookedBy: r.bookedById ? r.bookedByName || r.bookedByEmail || 'an organiser' : '',
      reservedFor: r.reservedFor ?? '',
      canMarkPaid: canMarkPaid && !own,
      canRefund: canRefund && !own,
      // "Refund and cancel" only where the refund does cancel the booking (refundCancelsPlace).
      refundCancels: refundCancelsPlace(r, event, now),
      canRecordRefund: canRecordRefund && !own,
      // Said in place of the buttons another organiser must press.
      ownMoneyNote: own && (canMarkPaid || canRefund || canRecordRefund) ? 'Your own booking: another organiser must take its payments and refunds.' : '',
      // A card place cancelled before the event is owed back (its booker was told the organisers will refund it).
      paymentLabel:
        r.status === 'cancelled' && !r.companionOfId && event.status !== 'cancelled' && payment?.method === 'stripe' && payment.status === 'paid'
          ? `${paymentLabel(payment)}, refund owed`
          : paymentLabel(payment),
      canCancel: state.active && !r.companionOfId && !over,
      perspectiveLabel: r.perspective ? (perspectiveLabels[r.perspective] ?? r.perspective) : '',
      ticketName: placeName(r),
      price: formatPrice(r.pricePence),
      payment,
      booked: formatDateTime(r.createdAt),
    };
  });
}

const placeStatuses: readonly string[] = ['confirmed', 'attended', 'pending_payment'];
const taking = <T extends { status: string }>(rows: T[]) => rows.filter((r) => placeStatuses.includes(r.status));
const countOf = <T>(rows: T[], keep: (row: T) => boolean) => rows.filter(keep).length;
/** How many bookings the tallies that `keep` picks out hold. */
const tallyOf = (tallies: AttendeeTally[], keep: (tally: AttendeeTally) => boolean) => tallies.reduce((n, t) => (keep(t) ? n + t.n : n), 0);

/**
 * The attendee list's counts: by what each booking is now, by kind of place, attendance and
 * perspective, from the event's bookings tallied by those facts (attendeeTallies).
 */
export function attendeeCounts(event: EventRow, tallies: AttendeeTally[], types: TicketTypeRow[]) {
  const placed = taking(tallies);
  // Counted by what each booking is now (bookingState): after a cancellation nobody is "Booked".
  const labelOf = (t: AttendeeTally) => bookingState(t, event).label;
  const byStatus = [...new Set(tallies.map(labelOf))].map((label) => ({ label, n: tallyOf(tallies, (t) => labelOf(t) === label) }));
  // Every place taken is counted once: a kind of place, a companion's, or an invitee's (which has
  // no kind of place), so the lines add up to the places taken.
  const invited = tallyOf(placed, (t) => !t.companion && !t.ticketTypeId);
  const byType = [
    ...types.map((type) => ({ label: type.name, n: tallyOf(placed, (t) => t.ticketTypeId === type.id) })),
    ...(invited > 0 ? [{ label: 'Invited places', n: invited }] : []),
    { label: 'Companion places', n: tallyOf(placed, (t) => t.companion) },
  ];
  // A hybrid event's two sets of places, counted apart.
  const byAttendance =
    event.format === 'hybrid'
      ? (['in_person', 'online'] as const).map((a) => ({ label: attendanceLabels[a]!, n: tallyOf(placed, (t) => (t.attendance ?? 'in_person') === a) }))
      : [];
  const byPerspective = [...perspectives, ''].map((p) => ({
    label: p ? perspectiveLabels[p]! : 'Not given',
    n: tallyOf(placed, (t) => !t.companion && t.perspective === p),
  }));
  return { byStatus, byType, byPerspective, byAttendance };
}

/** The attendee list page, from the event's bookings and the rows its filter shows. */
/**
 * Rows a page of the organisers' attendee list: a 1,000-place event's list was 630 kB of HTML,
 * slow to build and to load on a phone at the door. Search, filters and the spreadsheet cover
 * finding anyone; the counts above the list are of every booking.
 */
export const ATTENDEES_PER_PAGE = 100;

export function attendeesModel(input: {
  event: EventRow;
  avail: Availability;
  base: string;
  paymentMode: string;
  stripeOn: boolean;
  query: { status?: string; ticket?: string; q?: string; page?: number };
  types: TicketTypeRow[];
  /** Every booking of the event, tallied (attendeeTallies). */
  tallies: AttendeeTally[];
  now: Date;
  /** The page of the list shown. */
  rows: ReturnType<typeof attendeeRows>;
  /** How many match the filters, on every page. */
  total: number;
}) {
  const { event, base, query } = input;
  const filters = { status: query.status, ticket: query.ticket, q: query.q };
  return {
    title: `Attendees: ${event.title}`,
    event: {
      title: event.title,
      slug: event.slug,
      // An event that is over has no places left to take, whatever the count says.
      over: eventOver(event, input.now),
      placesText: placesSummary(input.avail),
      cancelled: event.status === 'cancelled',
      cancelledReason: event.cancelledReason,
    },
    base,
    paymentMode: input.paymentMode,
    stripeOn: input.stripeOn,
    filter: { status: query.status ?? '', ticket: query.ticket ?? '', q: query.q ?? '' },
    statuses: registrationStatuses.map((s) => ({ value: s, label: statusLabels[s] })),
    types: input.types.map((t) => ({ id: t.id, name: t.name })),
    attendees: input.rows,
    total: input.total,
    pages: pageLinks({
      path: `${base}/attendees`,
      params: filters,
      anchor: 'attendee-list',
      total: input.total,
      perPage: ATTENDEES_PER_PAGE,
      requested: query.page,
    }),
    counts: attendeeCounts(event, input.tallies, input.types),
    // The spreadsheet has every match, on every page: the filters without the page.
    csvUrl: `${base}/attendees.csv${attendeeListPlace(filters)}`,
    /** Added to each row's action, so the organiser comes back to this page of the list. */
    listPlace: attendeeListPlace(query),
  };
}

/** The attendee spreadsheet: a heading row and one row a booking, with each question's answer. */
export function attendeeCsv(
  rows: ReturnType<typeof attendeeRows>,
  questions: QuestionRow[],
  answers: { registrationId: string; questionId: string; value: string }[],
) {
  const answerOf = new Map(answers.map((a) => [`${a.registrationId} ${a.questionId}`, a.value]));
  const heading = [
    'Name',
    'Email',
    'Organisation',
    'Status',
    'Place',
    'Companion of',
    'Attends',
    'Reserved place for',
    'Booked by',
    'Price',
    'Payment',
    'Perspective',
    'Access requirements',
    'Dietary needs',
    'Hear about future events',
    'Booked on',
    'Booked at',
    ...questions.map((q) => q.label),
  ];
  const body = rows.map((r) => [
    r.name,
    r.email,
    r.organisation,
    r.statusLabel,
    r.ticketName,
    r.companionOf,
    r.attendanceLabel,
    r.reservedFor,
    r.bookedBy ? `Organiser: ${r.bookedBy}` : 'Themselves',
    r.price,
    paymentLabel(r.payment),
    r.perspectiveLabel,
    r.accessRequirements,
    r.dietaryNeeds,
    r.consentFutureEvents,
    londonDay(r.createdAt),
    londonClock(r.createdAt),
    ...questions.map((q) => answerOf.get(`${r.id} ${q.id}`) ?? ''),
  ]);
  return { heading, body };
}

/** The venue's summary of access and dietary needs, from everyone who has or is paying for a place. */
export function needsModel(event: Pick<EventRow, 'title' | 'slug'>, all: AttendeeRow[], base: string) {
  const rows = taking(all);
  return {
    title: `Access and dietary needs: ${event.title}`,
    event: { title: event.title, slug: event.slug },
    base,
    total: rows.length,
    companions: countOf(rows, (r) => Boolean(r.companionOfId)),
    access: rows.filter((r) => r.accessRequirements).map((r) => ({ name: r.name, text: r.accessRequirements })),
    dietary: rows.filter((r) => r.dietaryNeeds).map((r) => ({ name: r.name, text: r.dietaryNeeds })),
  };
}

/**
 * Where on the attendee list an organiser was (its filters and page), as a query string that
 * starts with "?", or '' for the first page of everyone: actions taken from a row come back there.
 */
export function attendeeListPlace(query: { status?: string; ticket?: string; q?: string; page?: number }): string {
  const kept = Object.entries({ status: query.status, ticket: query.ticket, q: query.q, page: query.page && query.page > 1 ? String(query.page) : '' }).filter(
    (entry): entry is [string, string] => Boolean(entry[1]),
  );
  return kept.length ? `?${new URLSearchParams(kept).toString()}` : '';
}

/** The page that asks an organiser to confirm cancelling or refunding someone's booking. */
export function confirmActionModel(input: {
  event: Pick<EventRow, 'title' | 'status' | 'startsAt' | 'endsAt'>;
  row: AttendeeRow;
  payment: PaymentStatus | undefined;
  action: 'cancel' | 'refund';
  base: string;
  now: Date;
  /** Someone is on the waiting list for the kind of place this booking would free. */
  someoneWaiting: boolean;
  /** The organiser's own booking: another organiser must refund it (they are emailed). */
  own?: boolean;
  /** Where on the list they came from (attendeeListPlace), to go back there. */
  listPlace?: string;
  /** The names of the companions whose places go with this booking. */
  companions?: string[];
}) {
  const { event, row, payment, action, base, now } = input;
  const place = input.listPlace ?? '';
  // A refund cancels only a booking that still holds a place before the event is over.
  const cancels = action === 'cancel' || refundCancelsPlace(row, event, now);
  // Someone whose details were erased has no name here, and nobody writes to them (enqueueEmail).
  const erased = isErasedAddress(row.email);
  const name = row.name.trim() || (erased ? 'a person whose details were erased' : 'this person');
  return {
    title:
      action === 'cancel'
        ? row.name.trim()
          ? `Cancel ${name}’s booking`
          : `Cancel the booking of ${name}`
        : cancels
          ? `Refund ${name} and cancel their booking`
          : `Refund ${name}`,
    action,
    button: action === 'cancel' ? 'Cancel the booking' : cancels ? 'Refund and cancel' : 'Refund',
    name,
    /** Whether an email will go to them: not once their details were erased. */
    willEmail: !erased,
    price: formatPence(row.pricePence),
    eventCancelled: event.status === 'cancelled',
    /** What happens to the place, in words that are true now (passOnFreedPlaces decides the same way). */
    placeWords: cancels ? placeAfterCancelling(event, now, input.someoneWaiting) : bookingKept(row, event),
    byInvoice: payment?.method === 'invoice',
    // Cancelling a paid invoice's booking pays the money back too (cancelRegistration).
    paidInvoice: payment?.method === 'invoice' && payment.status === 'paid',
    // Cancelling a paid card place makes its refund owed (the booker is told the organisers will refund it).
    paidCard: payment?.method === 'stripe' && payment.status === 'paid',
    own: input.own === true,
    eventTitle: event.title,
    // Their companions' places go with the booking (cancelRegistration), and their email says so.
    companionWords: cancels ? companionsGoing(input.companions ?? []) : '',
    postUrl: `${base}/attendees/${row.id}/${action}${place}`,
    backUrl: `${base}/attendees${place}`,
  };
}

function companionsGoing(names: string[]): string {
  if (names.length === 0) return '';
  const named = names.map((n) => n.trim() || 'a companion').join(' and ');
  return names.length === 1
    ? `The place of ${named}, who is coming with them, is cancelled with it.`
    : `The places of ${named}, who are coming with them, are cancelled with it.`;
}

/** What becomes of a booking's place when an organiser cancels or refunds it now. */
function placeAfterCancelling(event: Pick<EventRow, 'status' | 'startsAt' | 'endsAt'>, now: Date, someoneWaiting: boolean): string {
  if (event.status === 'cancelled') return 'The event was cancelled, so there is no place to pass on.';
  if (eventOver(event, now)) return 'The event is over, so their booking is closed and no place is passed on.';
  // "Offered to the waiting list" only when someone is waiting to be offered it (not when nobody is, or the list is off).
  if (freedPlacesPassOn(event, now))
    return someoneWaiting
      ? 'Their booking will be cancelled, and the place will be offered to the next person on the waiting list.'
      : 'Their booking will be cancelled, and the place will be free for someone else to book.';
  return 'Their booking will be cancelled. The event has started, so the place is not offered to the waiting list.';
}

/** What a refund leaves of a booking it does not cancel. */
function bookingKept(row: Pick<AttendeeRow, 'status'>, event: Pick<EventRow, 'status'>): string {
  if (event.status === 'cancelled') return 'The event was cancelled, so there is no place to pass on.';
  if (row.status === 'attended') return 'Their booking stays as it is: they are still recorded as having attended.';
  if (row.status === 'confirmed') return 'The event is over, so their booking stays as it is: only the money goes back.';
  return 'Their booking has already ended: only the money goes back.';
}

/** What the attendee list says after a refund; `told` is whether the person was emailed (not once erased). */
export function refundNotice(
  refunded: { method: 'stripe' | 'invoice'; amountPence: number; cancelled?: boolean; told?: boolean },
  event: Pick<EventRow, 'status' | 'startsAt' | 'endsAt'>,
  now: Date,
): string {
  // An invoice was paid outside Convene: nothing has gone back until the organiser sends it.
  const money =
    refunded.method === 'stripe'
      ? `Refunded ${formatPence(refunded.amountPence)} to their card.`
      : refunded.told === false
        ? `A credit note cancels their invoice. We have not emailed them: their details were erased, so we have no address for them. The Hub owes them ${formatPence(refunded.amountPence)}: once it is paid back, press “Record refund paid”.`
        : `A credit note cancels their invoice, and we have emailed them that the Hub will pay back ${formatPence(refunded.amountPence)}. Pay it back to them, then press “Record refund paid”.`;
  const place = refunded.cancelled === false ? 'The booking stays as it was.' : placeNotice(event, now);
  return place ? `${money} ${place}` : money;
}

/** What the list says of the place a cancelled booking gave up; '' when the event has no places any more. */
function placeNotice(event: Pick<EventRow, 'status' | 'startsAt' | 'endsAt'>, now: Date): string {
  if (event.status === 'cancelled' || eventOver(event, now)) return '';
  return freedPlacesPassOn(event, now) ? 'The booking is cancelled, and its place is free for someone else.' : 'The booking is cancelled.';
}

/** What the attendee list says after an organiser cancels a booking. */
export function cancelledNotice(event: Pick<EventRow, 'status' | 'startsAt' | 'endsAt'>, now: Date): string {
  return placeNotice(event, now) || 'The booking is cancelled.';
}

/** What the attendee list says after a refund paid outside Convene is recorded; `told` as refundNotice's. */
export function refundPaidNotice(amountPence: number, told = true): string {
  return told
    ? `Recorded: ${formatPence(amountPence)} paid back. We have emailed them to say so.`
    : `Recorded: ${formatPence(amountPence)} paid back. We have not emailed them: their details were erased.`;
}

/** The people an organiser can message: everyone booked, paying, waiting or offered a place (no companions). */
export function messagePeople(event: EventRow, all: AttendeeRow[]) {
  return all
    .filter((r) => !r.companionOfId && ['confirmed', 'attended', 'pending_payment', 'waitlisted', 'offered'].includes(r.status))
    .map((r) => ({ id: r.id, name: r.name, statusLabel: bookingState(r, event).label }));
}

/** Why check-in is closed, in words for whoever is on the door. */
export function checkInClosed(state: Extract<CheckInState, { open: false }>): string {
  return {
    cancelled: 'This event was cancelled, so there is nobody to check in.',
    no_date: 'This event has no date yet, so check-in is not open.',
    before_day: `Check-in opens on ${state.opensOn}, the day of the event.`,
  }[state.why];
}

/**
 * The open check-in page's counts and people: `all` every booking, `matching` those the search
 * found. People paying by invoice who have not paid yet still come: they are listed, marked, so
 * whoever is on the door can sort it out rather than turn them away.
 */
export function checkInPeople(event: EventRow, all: AttendeeRow[], matching: AttendeeRow[]) {
  const invoiceUnpaid = (r: { status: string; paymentMode: string }) => r.status === 'pending_payment' && r.paymentMode === 'invoice';
  const arrived = (r: AttendeeRow) => r.status === 'attended';
  const expected = (r: AttendeeRow) => r.status === 'confirmed' || r.status === 'attended';
  const rows = matching.filter((r) => expected(r) || invoiceUnpaid(r));
  return {
    arrived: countOf(all, arrived),
    expected: countOf(all, expected),
    // At a hybrid event, the door needs to know who is coming to the room.
    byAttendance:
      event.format === 'hybrid'
        ? (['in_person', 'online'] as const).map((a) => {
            const of = all.filter((r) => (r.attendance ?? 'in_person') === a);
            return { label: attendanceLabels[a]!, arrived: countOf(of, arrived), expected: countOf(of, expected) };
          })
        : [],
    unpaid: countOf(all, invoiceUnpaid),
    people: rows
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'))
      .map((r) => ({
        id: r.id,
        name: r.name,
        attended: r.status === 'attended',
        invoiceUnpaid: invoiceUnpaid(r),
        ticketName: placeName(r),
        attendanceLabel: attendanceLabel(event, r.attendance),
        access: r.accessRequirements,
      })),
  };
}

// --- Public booking pages ----------------------------------------------------------------

/** The perspectives as a form's choices. */
export function perspectiveOptions() {
  return Object.entries(perspectiveLabels).map(([value, label]) => ({ value, label }));
}

/** The page that confirms a booking asked for by email, from what was asked. */
export function confirmRequestModel(input: {
  token: string;
  event: EventRow;
  type: TicketTypeRow | undefined;
  email: string;
  asked: { name: string; companion?: boolean; companionName?: string; attendance?: string | null; code?: string };
}) {
  const { event, type, asked } = input;
  return {
    title: 'Confirm your booking',
    postUrl: `/bookings/confirm/${input.token}`,
    event: eventFacts(event),
    booking: {
      name: asked.name,
      email: input.email,
      ticketName: type?.name ?? '',
      price: type && type.pricePence > 0 ? formatPence(type.pricePence) : '',
      companionName: asked.companion ? asked.companionName || `Companion of ${asked.name}` : '',
      attendance: event.format === 'hybrid' ? (attendanceLabels[asked.attendance ?? ''] ?? '') : '',
      withCode: Boolean(asked.code?.trim()),
    },
  };
}

/** The page that asks someone to confirm cancelling their booking, or leaving the waiting list. */
export function cancelBookingModel(input: {
  token: string;
  main: RegistrationRow;
  companions: RegistrationRow[];
  event: EventRow;
  payment: { method: string; status: string; amountPence: number } | null;
  /** Where people write to the Hub: where to ask for a card refund. */
  contactEmail: string;
  /** Who the invoice was made out to, when not the booker (an organisation); '' otherwise. */
  invoicePaidBy?: string;
  now: Date;
}) {
  const { main, companions, event, payment } = input;
  const waiting = main.status === 'waitlisted' || main.status === 'offered';
  const state = bookingState(main, event);
  return {
    // The companion's place goes with the booking: the page says so by name.
    companionName: companions.find((c) => c.status !== 'cancelled')?.name ?? '',
    title: waiting ? 'Leave the waiting list' : 'Cancel your booking',
    waiting,
    canCancel: state.active && !eventOver(event, input.now),
    eventOver: eventOver(event, input.now),
    eventCancelled: state.eventCancelled,
    base: `/bookings/${input.token}`,
    event: eventFacts(event),
    // How they paid, so the page says what happens to the money (an invoice's comes back with a credit note).
    paidBy: payment?.status === 'paid' ? payment.method : '',
    amount: payment ? formatPence(payment.amountPence) : '',
    invoicePaidBy: input.invoicePaidBy ?? '',
    contactEmail: input.contactEmail,
  };
}

/** A signed-in person's bookings, as their list shows them. */
export function myBookingRows(rows: Awaited<ReturnType<typeof bookingsOfPerson>>) {
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    eventPath: `/events/${r.slug}`,
    when: r.startsAt ? formatTimeRange(r.startsAt, r.endsAt) : 'Date to be confirmed',
    statusLabel: bookingState(r, { status: r.eventStatus }).label,
    ticketName: placeName(r),
    certificatePath:
      r.status === 'attended' && tookPlace({ status: r.eventStatus, startsAt: r.startsAt, endsAt: r.endsAt }, new Date())
        ? `/account/bookings/${r.id}/certificate.pdf`
        : '',
  }));
}
