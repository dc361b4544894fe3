// Reading form bodies: every field arrives as text (or a list of texts), or not at all.
import { Type, type TSchema } from 'typebox';
import type { FieldError } from '../errors.ts';
import { UuidOrEmpty } from './ids.ts';
import { parsePounds } from '../money.ts';

/** Pence as pounds in a form field again (money is formatted in server/money.ts). */
export { poundsField as poundsText } from '../money.ts';

export type Body = Record<string, unknown>;

export function text(body: Body, key: string): string {
  const v = body[key];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
}

export function list(body: Body, key: string): string[] {
  const v = body[key];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

export function checked(body: Body, key: string): boolean {
  return text(body, key) === 'yes';
}

/** A whole number, or null when left empty; adds a field error when it is not one. */
export function wholeNumber(body: Body, key: string, label: string, errors: FieldError[], options: { min?: number; max?: number } = {}): number | null {
  const raw = text(body, key).trim().replace(/,/g, '');
  if (!raw) return null;
  const min = options.min ?? 0;
  const max = options.max ?? 1_000_000;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    errors.push({ field: key, message: `${label} must be a whole number from ${min} to ${max.toLocaleString('en-GB')}` });
    return null;
  }
  return Number(raw);
}

/** "250", "£250.50" → pence; null when left empty; adds a field error when it is not money. */
export function pounds(body: Body, key: string, label: string, errors: FieldError[]): number | null {
  const pence = parsePounds(text(body, key));
  if (Number.isNaN(pence)) {
    errors.push({ field: key, message: `${label} must be an amount in pounds, like 250 or 250.50` });
    return null;
  }
  return pence;
}

/** Only these values, or the fallback. */
export function oneOf<T extends string>(value: string, allowed: readonly T[]): T | null {
  return (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/**
 * A body schema for a form whose fields are all optional text, each with a length limit; the
 * service decides what is required, so the person sees every problem at once.
 */
export function textForm(fields: Record<string, { title: string; maxLength?: number; id?: { errorMessage: string } }>) {
  const properties: Record<string, TSchema> = {};
  for (const [name, f] of Object.entries(fields)) {
    // A field choosing a record: empty, or an id (so a malformed one is a message on the form).
    properties[name] = Type.Optional(
      f.id ? UuidOrEmpty({ title: f.title, errorMessage: f.id.errorMessage }) : Type.String({ title: f.title, maxLength: f.maxLength ?? 5000 }),
    );
  }
  return Type.Object(properties);
}
