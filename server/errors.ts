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
  /** A link to what the person can do instead, shown under the message. */
  readonly nextStep: { href: string; text: string } | undefined;
  constructor(code: string, message: string, status: number, nextStep?: { href: string; text: string }) {
    super(message);
    this.code = code;
    this.status = status;
    this.nextStep = nextStep;
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

/**
 * Why a change was refused because of the record's state: one name per rule, stable, so tests
 * (and logs) can say which rule refused it without depending on the words shown.
 */
export type ConflictCode =
  | 'already_in_group'
  | 'announcement_no_audience'
  | 'announcement_sent'
  | 'booking_closed'
  | 'booking_exists'
  | 'booking_no_place'
  | 'booking_bursary_place'
  | 'booking_ended'
  | 'bursary_claim_closed'
  | 'bursary_claim_exists'
  | 'bursary_claim_not_waiting'
  | 'bursary_closed'
  | 'bursary_closed_application'
  | 'bursary_decided'
  | 'bursary_not_approved'
  | 'bursary_not_deletable'
  | 'bursary_not_draft'
  | 'bursary_no_bank_details'
  | 'bursary_not_pending'
  | 'bursary_nothing_owed'
  | 'bursary_own_application'
  | 'bursary_panel_own'
  | 'bursary_still_owed'
  | 'check_in_closed'
  | 'event_cancelled'
  | 'event_closed'
  | 'event_not_in_planning'
  | 'event_not_over'
  | 'event_over'
  | 'event_not_published'
  | 'event_not_ready'
  | 'impact_note_sent'
  | 'import_started'
  | 'invitation_answered'
  | 'invitation_closed'
  | 'invitation_full'
  | 'invitation_withdrawn'
  | 'not_invitation_only'
  | 'involvement_own_item'
  | 'item_paid'
  | 'last_admin'
  | 'leads_only'
  | 'library_import_started'
  | 'meeting_cancelled'
  | 'no_refund_due'
  | 'no_invoice'
  | 'no_offer'
  | 'no_stripe'
  | 'not_attended'
  | 'not_booked'
  | 'not_in_group'
  | 'not_paid'
  | 'offer_expired'
  | 'organisation_decided'
  | 'own_booking'
  | 'own_role'
  | 'payment_not_open'
  | 'proposal_not_awaiting_decision'
  | 'proposal_not_editable'
  | 'proposal_not_submittable'
  | 'proposal_not_submitted'
  | 'proposal_not_withdrawable'
  | 'refund_not_made'
  | 'survey_answered'
  | 'survey_invited'
  | 'survey_no_consent';

/** The request was understood but the record's state does not allow it now. */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
  declare readonly code: ConflictCode;
  constructor(code: ConflictCode, message: string) {
    super(code, message, 409);
  }
}

/** The header that names a refused request's error code, for logs and tests (never shown). */
export const ERROR_CODE_HEADER = 'x-error-code';

export class TooManyRequestsError extends DomainError {
  override name = 'TooManyRequestsError';
  constructor(message: string) {
    super('too_many_requests', message, 429);
  }
}
