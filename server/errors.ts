// Typed domain errors with stable codes. Services throw them; routes turn them into pages.
// Their messages are written for the person using the site, so they may be shown as they are.

export interface FieldError {
  /** The form field's name, which is also its element id on the page. */
  field: string;
  message: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(message = 'We could not find that page.') {
    super('not_found', message, 404);
  }
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  constructor(message = 'You do not have permission to see this page.') {
    super('forbidden', message, 403);
  }
}

/** Something the person can fix on the form they sent: shown beside the fields. */
export class InvalidInputError extends DomainError {
  override name = 'InvalidInputError';
  readonly fieldErrors: FieldError[];
  constructor(fieldErrors: FieldError[]) {
    super('invalid_input', fieldErrors.map((e) => e.message).join(' '), 400);
    this.fieldErrors = fieldErrors;
  }
}

/** The request was understood but the record's state does not allow it now. */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

export class TooManyRequestsError extends DomainError {
  override name = 'TooManyRequestsError';
  constructor(message: string) {
    super('too_many_requests', message, 429);
  }
}
