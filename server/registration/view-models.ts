// Places and bookings as templates see them: prices in pounds, times in Europe/London.
import type { RegistrationStatus } from '../../db/schema/index.ts';
import { formatDateTime, formatPence, formatPrice } from '../format.ts';
import { everyPoolFull, type liveHoldFor, placesLeft, type Availability, type PoolAvailability } from './holds.ts';
import { onSale } from './service.ts';
import { placeFacts } from './place-facts.ts';
import { dayContact, eventFacts, type EventRow, type paymentFor, type QuestionRow, type RegistrationRow, type TicketTypeRow } from './queries.ts';
import { bookingState } from './booking-state.ts';
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
}) {
  const { main, companions, event, types, questions, answers, hold, position, payment, form } = input;
  const type = types.find((t) => t.id === main.ticketTypeId);
  const state = bookingState(main, event, payment);
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
      isWaiting: main.status === 'waitlisted' || main.status === 'offered',
      calendar: state.holdsPlace && Boolean(event.startsAt),
      attended: main.status === 'attended',
      // At a hybrid event, the link is for an online place only; a place in the room is told the venue.
      joinUrl: place.joinUrl,
      documents: input.documents,
      attendance: event.format === 'hybrid' ? (attendanceLabels[main.attendance ?? 'in_person'] ?? '') : '',
      invoiceTo: state.active ? invoicePayerText(main, input.paymentMode) : '',
    },
    event: { ...eventFacts(event), where: place.where, slug: event.slug, travelInfo: place.travelInfo },
    questions: questionFields(questions),
    perspectives: Object.entries(perspectiveLabels).map(([value, label]) => ({ value, label })),
    form: formState(values, form.errors),
  };
}
