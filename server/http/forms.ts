// Turning schema validation failures into messages beside the fields, in plain English.
// Form bodies are declared with TypeBox; each field's `title` is its label, and `errorMessage`
// (optional) overrides the message for that field.
import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { FieldError } from '../errors.ts';

export interface FieldSchema {
  title?: string;
  errorMessage?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  type?: string;
}

function labelOf(schema: FieldSchema | undefined, field: string): string {
  return schema?.title ?? field.replace(/[_-]/g, ' ');
}

function lower(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** The message for one schema failure, naming the field by its label (its `title`). */
export function messageFor(error: Pick<FastifySchemaValidationError, 'keyword' | 'params'>, field: string, schema: FieldSchema | undefined): string {
  if (schema?.errorMessage && error.keyword !== 'maxLength') return schema.errorMessage;
  const label = labelOf(schema, field);
  switch (error.keyword) {
    case 'required':
    case 'minLength':
      return `Enter ${lower(label)}`;
    case 'maxLength':
      return `${label} must be ${(schema?.maxLength ?? 0).toLocaleString('en-GB')} characters or fewer`;
    case 'format':
      if ((error.params as { format?: string }).format === 'email') return 'Enter an email address in the right format, like name@example.org';
      return `Enter ${lower(label)} in the right format`;
    case 'enum':
    case 'const':
    case 'anyOf':
      return `Select ${lower(label)}`;
    case 'minimum':
      return `${label} must be ${schema?.minimum ?? 0} or more`;
    case 'maximum':
      return `${label} must be ${schema?.maximum ?? ''} or less`;
    case 'type':
      return schema?.type === 'integer' || schema?.type === 'number' ? `${label} must be a number` : `Enter ${lower(label)}`;
    case 'pattern':
      return `Enter ${lower(label)} in the right format`;
    default:
      return `Check ${lower(label)}`;
  }
}

/** The field errors of a request whose route set `attachValidation: true`; one per field. */
export function validationErrors(request: FastifyRequest): FieldError[] {
  const failure = request.validationError;
  if (!failure) return [];
  const bodySchema = request.routeOptions.schema?.body as { properties?: Record<string, FieldSchema> } | undefined;
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const error of failure.validation ?? []) {
    const field =
      error.keyword === 'required' ? String((error.params as { missingProperty?: string }).missingProperty ?? '') : (error.instancePath.split('/')[1] ?? '');
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field: field || 'form', message: messageFor(error, field, bodySchema?.properties?.[field]) });
  }
  return errors;
}

/** What a form template needs: the values as typed, and the errors by field. */
export interface FormState {
  values: Record<string, unknown>;
  errors: FieldError[];
  errorFor: Record<string, string>;
}

/**
 * Schema and service checks are merged so one round shows every problem; a field they both
 * fault keeps only its first message, in the summary as beside the field.
 */
export function formState(values: object = {}, errors: FieldError[] = []): FormState {
  const errorFor: Record<string, string> = {};
  const once: FieldError[] = [];
  for (const e of errors) {
    if (e.field in errorFor) continue;
    errorFor[e.field] = e.message;
    once.push(e);
  }
  return { values: { ...(values as Record<string, unknown>) }, errors: once, errorFor };
}
