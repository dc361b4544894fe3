// Places and bookings as templates see them: prices in pounds, times in Europe/London.
import type { RegistrationStatus } from '../../db/schema/index.ts';
import { formatDateTime, formatPence, formatPrice } from '../format.ts';
import { placesLeft, type Availability } from './holds.ts';
import { onSale } from './service.ts';
import type { QuestionRow, TicketTypeRow } from './queries.ts';

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
    const left = placesLeft(avail, t.id);
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      price: formatPrice(t.pricePence),
      eligibility: t.eligibility,
      onSale: onSale(t, now),
      full: left < 1,
      placesText: left < 1 ? 'Full: you can join the waiting list' : Number.isFinite(left) ? `${left} ${left === 1 ? 'place' : 'places'} left` : '',
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

export function placesSummary(avail: Availability): string {
  if (avail.left === null) return 'Places available';
  if (avail.left < 1) return 'Full: join the waiting list';
  return `${avail.left} ${avail.left === 1 ? 'place' : 'places'} left`;
}

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
