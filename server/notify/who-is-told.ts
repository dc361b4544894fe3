// Who is told of each change: the one place that says, for every state change of every record,
// who is emailed with which template and who is not (and why). enqueueEmail takes the change's
// name and refuses a template its row does not list, so the code cannot drift from this table;
// tests/notify/who-is-told.test.ts performs every row's change through the real routes and
// checks the outbox holds exactly what the row promises; README's "Who is told" section is
// rendered from it (npm run who-is-told -- --check).
import type { EmailName } from '../../emails/catalogue.ts';

/** One group of people emailed about a change, in words a reader of the README understands. */
export interface Told {
  readonly template: EmailName;
  readonly to: string;
}

/** People who might expect an email but do not get one, and why. */
export interface NotTold {
  readonly who: string;
  readonly why: string;
}

export interface WhoIsToldRow {
  /** The kind of record whose state changes. */
  readonly record: string;
  /** The change, as a sentence fragment ("a booking is confirmed"). */
  readonly change: string;
  readonly emails: readonly Told[];
  readonly notEmailed: readonly NotTold[];
  /** Where the code does not yet do what the shared domain notes ask; shown in the README. */
  readonly gap?: string;
}

const ORGANISERS = 'every organiser and admin';
const REST_OF_GROUP = 'the planning group’s accepted members, except the person who did it';
const HOLDING_OR_WAITING = 'everyone holding or waiting for a place (confirmed, paying, offered, waiting; a companion’s booker once)';

export const whoIsTold = {
  // ---- Events ----
  'event.changed': {
    record: 'event',
    change: 'something an attendee would act on changes: date or time, venue or address, online platform or joining link, format',
    emails: [
      { template: 'event-changed', to: `${HOLDING_OR_WAITING}: what changed, old → new, the updated calendar entry and their own manage link` },
      {
        template: 'event-invitation-changed',
        to: 'everyone invited who has not answered (an invitation-only event; one who accepted holds a place and is told as an attendee): what changed, old → new, and their invitation link',
      },
      { template: 'planning-event-news', to: `${REST_OF_GROUP}: what changed, and how many were told` },
    ],
    notEmailed: [
      {
        who: 'anyone',
        why: 'wording-only edits (title, summary, description, access notes) send nothing; a published event’s title is changed only by an organiser',
      },
      { who: 'people whose booking was cancelled or expired', why: 'they no longer hold a place' },
      {
        who: 'an invitee who declined, or whose accepted place was cancelled',
        why: 'they are not coming: the joining link is for people who hold a place (online, at an event in person and online)',
      },
      { who: 'the person who made the change', why: 'the page confirms it' },
      { who: 'a planner who also holds or waits for a place, as a planner', why: 'their attendee email says what changed: one email, not two' },
      {
        who: 'anyone, for a lead’s third such change to one event in 24 hours',
        why: 'the change is refused and the lead sent to an organiser, so bookings cannot be written to again and again',
      },
    ],
  },
  'event.cancelled': {
    record: 'event',
    change: 'an organiser cancels the event',
    emails: [
      { template: 'event-changed', to: `${HOLDING_OR_WAITING}: the reason and what happens about money` },
      {
        template: 'event-invitation-changed',
        to: 'everyone invited who has not answered (an invitation-only event; one who accepted is told as an attendee): the reason',
      },
      { template: 'planning-event-status', to: 'the planning group (accepted members)' },
      { template: 'bursary-event-cancelled-closed', to: 'bursary applicants whose application was not yet decided (or a draft with content)' },
      { template: 'bursary-event-cancelled-approved', to: 'bursary applicants already approved: what they can still claim' },
      { template: 'planning-meeting', to: 'the planning group (accepted members): each planning meeting still to come, cancelled (CANCEL)' },
    ],
    notEmailed: [
      { who: 'applicants with an empty draft', why: 'nothing of theirs is lost; a message would only worry them' },
      {
        who: 'a planner who also holds or waits for a place, as a planner',
        why: 'their attendee email gives the reason and what happens about money: one email, not two',
      },
    ],
  },
  'event.published': {
    record: 'event',
    change: 'the event is published',
    emails: [{ template: 'planning-event-news', to: REST_OF_GROUP }],
    notEmailed: [
      { who: 'the person who published it', why: 'the page confirms it' },
      { who: 'mailing-list subscribers', why: 'publishing writes to nobody on the list; an organiser may then send an announcement made from the event' },
    ],
  },
  'event.unpublished': {
    record: 'event',
    change: 'the event is unpublished back to planning',
    emails: [{ template: 'planning-event-status', to: 'the planning group (accepted members)' }],
    notEmailed: [{ who: 'people holding places', why: 'their bookings stand; unpublishing is for a while' }],
  },
  'event.completed': {
    record: 'event',
    change: 'the event is marked as finished',
    emails: [],
    notEmailed: [{ who: 'attendees', why: 'the impact note is what tells them what came of it' }],
  },
  'event.reminder-due': {
    record: 'event',
    change: 'the event is two days, then two hours, away (a timed job)',
    emails: [{ template: 'registration-reminder', to: 'each confirmed booker (a companion’s booker once)' }],
    notEmailed: [{ who: 'people who booked after the reminder time', why: 'their confirmation has just told them' }],
  },
  'event.message-sent': {
    record: 'event',
    change: 'an organiser messages the attendees',
    emails: [{ template: 'attendee-message', to: 'the bookers the organiser chose (confirmed, or also waiting)' }],
    notEmailed: [{ who: 'cancelled and expired bookings', why: 'they no longer hold a place' }],
  },
  'event.impact-note-sent': {
    record: 'event',
    change: 'the planning group sends the impact note after the event',
    emails: [{ template: 'impact-note', to: 'the planning group and everyone who attended or was booked' }],
    notEmailed: [{ who: 'people who cancelled', why: 'they did not take part' }],
  },
  'event.thank-you-due': {
    record: 'event',
    change: 'the event has ended for people checked in (a timed job, once per person)',
    emails: [
      { template: 'certificate-thank-you', to: 'each person checked in, with their certificate of attendance attached (a companion’s goes to their booker)' },
    ],
    notEmailed: [
      { who: 'people booked who were not checked in', why: 'a certificate says someone came; they are not thanked for coming' },
      { who: 'anyone, for an event that ended more than 30 days before', why: 'a thank-you so late would only puzzle' },
      {
        who: 'a person booked without an email address (or the companion of one)',
        why: 'there is nowhere to write: their certificate is issued and the organisers’ certificates page offers it to print',
      },
      { who: 'a place whose personal details were erased', why: 'it gets no certificate, as a certificate names someone, and there is nobody to write to' },
    ],
  },
  'survey.invitation-due': {
    record: 'feedback survey',
    change: 'the survey’s time after the event comes (a timed job)',
    emails: [
      { template: 'survey-invitation', to: 'each person checked in (attendees’ survey), each with a private link that works once' },
      { template: 'survey-invitation', to: 'the planning group’s accepted members (their own survey about working together)' },
      {
        template: 'survey-invitation',
        to: 'people whose place was confirmed but who were not checked in, when the organisers turned on the no-shows’ survey (what got in the way)',
      },
    ],
    notEmailed: [
      { who: 'people booked who were not checked in, unless the organisers turned on the no-shows’ survey', why: 'the survey asks about the event itself' },
      { who: 'anyone not checked in, at an event where nobody was checked in', why: 'check-in was not used, so nobody is known not to have come' },
      { who: 'companions', why: 'their booker is asked' },
    ],
  },
  'survey.reminder-due': {
    record: 'feedback survey',
    change: 'a week after the invitation, for those who have not answered (a timed job, once)',
    emails: [{ template: 'survey-invitation', to: 'each person invited who has not answered, once' }],
    notEmailed: [{ who: 'people who answered', why: 'their answer is in' }],
  },

  // ---- Bookings, offers, payments ----
  'booking.requested': {
    record: 'booking request',
    change: 'someone not signed in asks to book with an address',
    emails: [{ template: 'registration-confirm-request', to: 'the address typed: a link to confirm (nothing is booked until then)' }],
    notEmailed: [{ who: 'anyone else', why: 'the page answers “check your email” whatever the address' }],
  },
  'booking.confirmed': {
    record: 'booking',
    change: 'a place is confirmed (booked free, offer accepted, payment received, held bursary place taken)',
    emails: [{ template: 'registration-confirmed', to: 'the booker (with the calendar entry and their manage link)' }],
    notEmailed: [{ who: 'the companion', why: 'their booker manages the party’s places' }],
  },
  'booking.made-for-someone': {
    record: 'booking',
    change: 'an organiser books a free place for someone who phoned or wrote (same places, questions and companion place as booking online)',
    emails: [
      { template: 'registration-confirmed', to: 'the person, if the organiser gave their email address (with the calendar entry and their manage link)' },
    ],
    notEmailed: [
      { who: 'a person booked without an email address', why: 'there is nowhere to write: the organiser gets a page to print or read out to them instead' },
      { who: 'the organiser', why: 'the page confirms it; the audit log and the attendee list say who made the booking' },
    ],
  },
  'booking.waitlisted': {
    record: 'booking',
    change: 'someone joins the waiting list',
    emails: [{ template: 'registration-waitlisted', to: 'the booker' }],
    notEmailed: [],
  },
  'booking.awaiting-payment': {
    record: 'booking',
    change: 'a paid place is reserved against an invoice (numbered, its PDF attached)',
    emails: [{ template: 'registration-invoice', to: 'the booker, with the invoice attached' }],
    notEmailed: [{ who: 'a card payer', why: 'they are at the payment page; the confirmation follows payment' }],
  },
  'booking.link-asked': {
    record: 'booking',
    change: 'someone asks for their booking link again',
    emails: [{ template: 'registration-link', to: 'the booking’s address, if it has a booking here' }],
    notEmailed: [{ who: 'any other address', why: 'the page answers the same for every address' }],
  },
  'booking.offered': {
    record: 'booking',
    change: 'a freed place is offered to the next person waiting',
    emails: [{ template: 'registration-offer', to: 'the waiting booker offered the place' }],
    notEmailed: [{ who: 'others still waiting', why: 'nothing has changed for them' }],
  },
  'booking.offer-expired': {
    record: 'booking',
    change: 'an offer of a place ends unanswered (a timed job)',
    emails: [{ template: 'registration-offer-expired', to: 'the booker who was offered it' }],
    notEmailed: [],
  },
  'booking.cancelled': {
    record: 'booking',
    change:
      'a booking or a place on the waiting list is cancelled before the event is over (by the person, an organiser, a refund — including one made in Stripe’s dashboard — or account deletion), or a paid booking at a cancelled event is refunded',
    emails: [{ template: 'registration-cancelled', to: 'the booker (with the credit note attached when it cancels an invoice)' }],
    notEmailed: [{ who: 'the companion', why: 'their booker is told; the whole party is cancelled together' }],
  },
  'booking.refund-owed': {
    record: 'booking',
    change:
      'a booker cancels a paid place (by card or a paid invoice) before the event: the money is owed back, and the organisers refund it (a card with the Refund action, an invoice by hand, then recorded)',
    emails: [
      { template: 'registration-refund-owed', to: `${ORGANISERS}: who cancelled, how much they paid and how, and a link to the attendee list to refund it` },
    ],
    notEmailed: [
      { who: `${ORGANISERS}, when an organiser cancels the booking`, why: 'one of them did it; the attendee list shows the payment still to refund' },
      { who: 'the booker, by this row', why: 'their cancellation email (booking.cancelled) says the organisers will pay it back' },
    ],
  },
  'payment.arrived-late': {
    record: 'payment',
    change: 'a card payment arrives after its held place had ended (its Checkout expired, or the event was cancelled)',
    emails: [
      { template: 'payment-arrived-late', to: 'the payer: a place was free and is booked, or the money is being refunded through Stripe' },
      { template: 'registration-confirmed', to: 'the payer, when a place was free (with the calendar entry and their manage link)' },
    ],
    notEmailed: [{ who: ORGANISERS, why: 'the place or the refund is automatic (the refund retried until Stripe takes it); the audit log records which' }],
  },
  'payment.refunded': {
    record: 'payment',
    change:
      'money due back has gone back: a late card payment’s automatic refund is made, a charge.refunded webhook arrives for a payment due a refund, an organiser refunds a card payment whose booking keeps its state (attended, the event over, or the booking already ended), or an organiser records as paid an invoice’s refund or a failed card refund paid back another way',
    emails: [{ template: 'payment-refunded', to: 'the payer: what was refunded, and how much' }],
    notEmailed: [
      { who: ORGANISERS, why: 'one of them recorded it, or it was automatic; the audit log records it' },
      { who: 'the payer, if their details were erased', why: 'there is no address to write to; the attendee list says they were not emailed' },
    ],
  },
  'payment.refund-due': {
    record: 'payment',
    change:
      'an organiser refunds an invoice’s payment whose booking keeps its state (attended, the event over, or the booking already ended): the Hub will pay it back by hand',
    emails: [{ template: 'payment-refund-due', to: 'the payer: how much the Hub will pay back, with the credit note attached' }],
    notEmailed: [
      { who: ORGANISERS, why: 'one of them did it; the attendee list says "Refund to pay back" until it is recorded paid' },
      { who: 'the payer, if their details were erased', why: 'there is no address to write to; the attendee list says they were not emailed' },
    ],
  },
  'payment.refund-failed': {
    record: 'payment',
    change:
      'a card refund does not go through: Stripe reports (refund.updated) that one we had recorded and told the payer of failed or was cancelled, or Stripe refuses a late payment’s automatic refund',
    emails: [
      { template: 'payment-refund-failed', to: 'the payer: the refund did not go through, and the Hub will pay them back another way' },
      { template: 'payment-refund-failed-organisers', to: `${ORGANISERS}: who is owed how much, and to pay it back another way and record it` },
    ],
    notEmailed: [
      { who: 'anyone, when an organiser’s own refund is refused by Stripe', why: 'nothing changes: the organiser is told on the page, and can try again' },
      { who: 'the payer, if their details were erased', why: 'there is no address to write to; the organisers’ email says they were not emailed' },
    ],
  },
  'invoice.reminder-due': {
    record: 'invoice',
    change: 'an unpaid invoice’s due date is INVOICE_REMINDER_DAYS_BEFORE days away (a timed job, once)',
    emails: [{ template: 'invoice-reminder', to: 'the booker, with the invoice attached again' }],
    notEmailed: [
      {
        who: 'the invoice address typed on the booking form',
        why: 'only the booker’s address is proven; the invoice address is printed on the invoice and shown to organisers',
      },
    ],
  },
  'invoice.release-warning-due': {
    record: 'invoice',
    change: 'an unpaid invoice’s place is INVOICE_WARNING_DAYS_BEFORE days from being released (a timed job, once)',
    emails: [{ template: 'invoice-release-warning', to: 'the booker' }],
    notEmailed: [
      { who: 'people whose event starts before the release time', why: 'no place is released once the event has started, so there is nothing to warn of' },
    ],
  },
  'invoice.released': {
    record: 'invoice',
    change: 'an unpaid invoice’s release time comes, after its warning (a timed job): the booking is cancelled and the invoice cancelled by a credit note',
    emails: [{ template: 'registration-cancelled', to: 'the booker: the place is released, with the credit note attached' }],
    notEmailed: [{ who: 'the companion', why: 'their booker is told; the whole party is released together' }],
  },

  // ---- Proposals ----
  'proposal.co-proposer-invited': {
    record: 'proposal invitation',
    change: 'a proposer invites a co-proposer',
    emails: [{ template: 'proposal-co-proposer', to: 'the address invited (nothing exists for them until they accept)' }],
    notEmailed: [{ who: 'the steering group', why: 'a draft is the proposers’ own until submitted' }],
  },
  'proposal.invitation-answered': {
    record: 'proposal invitation',
    change: 'an invited co-proposer accepts or declines',
    emails: [],
    notEmailed: [{ who: 'the proposers', why: 'the proposal page shows who has joined' }],
  },
  'proposal.submitted': {
    record: 'proposal',
    change: 'a proposal is submitted or resubmitted',
    emails: [
      { template: 'proposal-to-review', to: `${ORGANISERS} (the steering group)` },
      { template: 'proposal-received', to: 'every proposer' },
    ],
    notEmailed: [],
  },
  'proposal.commented': {
    record: 'proposal',
    change: 'a reviewer writes to the proposers',
    emails: [{ template: 'proposal-comment', to: 'every proposer' }],
    notEmailed: [{ who: 'anyone', why: 'a proposer’s reply waits in the review queue; reviewers’ private notes are never emailed' }],
  },
  'proposal.decided': {
    record: 'proposal',
    change: 'a proposal is accepted, declined, or changes are requested',
    emails: [{ template: 'proposal-decision', to: 'every proposer' }],
    notEmailed: [{ who: 'anyone', why: 'reviewers’ private notes and scores are never emailed' }],
  },

  // ---- Planning ----
  'planning.invited': {
    record: 'planning membership',
    change: 'a lead invites someone to the planning group',
    emails: [{ template: 'planning-invitation', to: 'the person invited' }],
    notEmailed: [],
  },
  'planning.invitation-answered': {
    record: 'planning membership',
    change: 'an invited planner accepts or declines',
    emails: [
      { template: 'planning-meeting', to: 'the person who accepted: an invitation (REQUEST) for each planning meeting already arranged and still to come' },
    ],
    notEmailed: [
      { who: 'the leads', why: 'the planning page shows the group' },
      { who: 'someone who declines', why: 'they chose not to join; the page confirms it' },
    ],
  },
  'planning.role-changed': {
    record: 'planning membership',
    change: 'a lead changes a member’s role',
    emails: [{ template: 'planning-role-changed', to: 'the member, and the group’s other leads and co-leads' }],
    notEmailed: [{ who: 'the lead who changed it', why: 'the page confirms it' }],
  },
  'meeting.arranged': {
    record: 'planning meeting',
    change: 'a planning meeting is arranged',
    emails: [{ template: 'planning-meeting', to: 'every accepted member of the planning group (an invitation, REQUEST)' }],
    notEmailed: [{ who: 'people still invited to the group', why: 'they have not joined yet' }],
  },
  'meeting.changed': {
    record: 'planning meeting',
    change: 'a planning meeting is changed',
    emails: [{ template: 'planning-meeting', to: 'every accepted member of the planning group (an update, REQUEST)' }],
    notEmailed: [],
  },
  'meeting.cancelled': {
    record: 'planning meeting',
    change: 'a planning meeting is cancelled',
    emails: [{ template: 'planning-meeting', to: 'every accepted member of the planning group (CANCEL)' }],
    notEmailed: [],
  },
  'involvement.changed': {
    record: 'involvement item',
    change: 'a member logs involvement, changes its payment choice, or it is marked paid',
    emails: [],
    notEmailed: [{ who: 'the member', why: 'their involvement page shows it; nothing is for them to act on' }],
  },

  'planning.member-removed': {
    record: 'planning membership',
    change: 'a lead removes a member',
    emails: [
      {
        template: 'planning-removed',
        to: 'the member removed, or invited and not yet answered: who took them off (or withdrew the invitation), and whom to ask',
      },
      {
        template: 'planning-meeting',
        to: 'the member removed, if they had joined: each planning meeting still to come, taken out of their calendar (CANCEL naming only them)',
      },
      { template: 'planning-member-left', to: 'the group’s other leads and co-leads, if the member had joined: who took whom off' },
    ],
    notEmailed: [
      { who: 'the lead who removed them', why: 'the page confirms it' },
      { who: 'the rest of the group', why: 'their meetings are unchanged; the planning page shows the group' },
      { who: 'someone who had declined the invitation', why: 'they were not in the group' },
    ],
  },
  'planning.stepped-back': {
    record: 'planning membership',
    change: 'a member steps back from the planning group (no reason asked)',
    emails: [
      {
        template: 'planning-meeting',
        to: 'the member who stepped back: each planning meeting still to come, taken out of their calendar (CANCEL naming only them)',
      },
      { template: 'planning-member-left', to: 'the group’s leads and co-leads (no reason is asked, so none is given)' },
    ],
    notEmailed: [{ who: 'the rest of the group', why: 'their meetings are unchanged; the planning page shows the group' }],
  },

  // ---- Bursaries ----
  'panel.member-added': {
    record: 'bursary panel membership',
    change: 'an organiser adds someone to a fund’s panel',
    emails: [
      { template: 'bursary-panel-changed', to: ORGANISERS },
      { template: 'bursary-panel-you', to: 'the person added' },
    ],
    notEmailed: [],
  },
  'panel.member-removed': {
    record: 'bursary panel membership',
    change: 'an organiser removes someone from a fund’s panel',
    emails: [
      { template: 'bursary-panel-changed', to: ORGANISERS },
      { template: 'bursary-panel-you', to: 'the person removed' },
    ],
    notEmailed: [],
  },
  'bursary.submitted': {
    record: 'bursary application',
    change: 'an applicant submits a bursary application',
    emails: [
      { template: 'bursary-submitted', to: 'the applicant (a receipt)' },
      { template: 'bursary-panel-new', to: `the fund’s panel and ${ORGANISERS}, each who chose to hear each time (no applicant’s details in it)` },
    ],
    notEmailed: [
      { who: 'panel members who chose a daily digest', why: 'the application is in their next morning’s digest' },
      { who: 'the applicant, if they sit on the panel', why: 'no one is told of their own application as a panel member' },
      {
        who: 'the panel, for another application from the same applicant to the same fund within a day',
        why: 'the fund page lists it; one person cannot make the Hub write to the panel again and again',
      },
    ],
  },
  'bursary.withdrawn': {
    record: 'bursary application',
    change: 'an applicant withdraws or deletes their application',
    emails: [],
    notEmailed: [{ who: 'the applicant', why: 'they did it themselves and the page says so' }],
  },
  'bursary.decided': {
    record: 'bursary application',
    change: 'the panel approves, part-approves or declines an application',
    emails: [{ template: 'bursary-decided', to: 'the applicant (amounts and reasons are on the signed-in page only)' }],
    notEmailed: [{ who: 'the rest of the panel', why: 'the fund page shows the decision' }],
  },
  'claim.submitted': {
    record: 'claim',
    change: 'an applicant claims what they spent',
    emails: [
      { template: 'bursary-claim-received', to: 'the applicant (a receipt and what happens next; amounts are on the signed-in page only)' },
      { template: 'bursary-panel-new', to: `the fund’s panel and ${ORGANISERS}, each who chose to hear each time` },
    ],
    notEmailed: [
      { who: 'panel members who chose a daily digest', why: 'the claim is in their next morning’s digest' },
      { who: 'the panel, for another claim from the same applicant to the same fund within a day', why: 'the fund page shows it' },
    ],
  },
  'claim.decided': {
    record: 'claim',
    change: 'the panel approves a claim, or sends it back with a reason',
    emails: [{ template: 'bursary-claim-decided', to: 'the applicant (sent back: with the panel’s reason, to change and send again)' }],
    notEmailed: [{ who: 'the rest of the panel', why: 'the fund page shows the claim' }],
  },
  'panel.digest-due': {
    record: 'bursary panel notice',
    change: 'a panel member who chose a daily digest has new applications or claims (a job, once a London day from 8am)',
    emails: [{ template: 'bursary-panel-digest', to: 'that panel member: how many new applications and claims on each fund' }],
    notEmailed: [{ who: 'panel members with nothing new', why: 'an empty digest would be noise' }],
  },
  'bursary.paid': {
    record: 'bursary payment',
    change: 'the panel records a payment to an applicant',
    emails: [{ template: 'bursary-paid', to: 'the applicant (and, if it is more than the claim allows, their options, kindly)' }],
    notEmailed: [],
  },
  'bursary.repaid': {
    record: 'bursary ledger',
    change: 'the panel records money an applicant paid back',
    emails: [{ template: 'bursary-repaid', to: 'the applicant: thanks, and whether anything is still owed' }],
    notEmailed: [{ who: 'the rest of the panel', why: 'the fund page shows it' }],
  },
  'bursary.written-off': {
    record: 'bursary ledger',
    change: 'the panel writes off money an applicant was overpaid (with a reason)',
    emails: [{ template: 'bursary-written-off', to: 'the applicant: they need not pay it back (the reason stays with the panel)' }],
    notEmailed: [{ who: 'the rest of the panel', why: 'the fund page shows it' }],
  },

  // ---- Accounts ----
  'account.sign-in-asked': {
    record: 'sign-in',
    change: 'someone asks for a sign-in link',
    emails: [{ template: 'sign-in', to: 'the address typed' }],
    notEmailed: [{ who: 'anyone else', why: 'the page answers the same for every address' }],
  },
  'account.role-granted': {
    record: 'account',
    change: 'an admin makes someone an organiser or admin',
    emails: [{ template: 'role-granted', to: 'the person' }],
    notEmailed: [{ who: 'other admins', why: 'the admin page and audit log show it' }],
  },
  'account.role-removed': {
    record: 'account',
    change: 'an admin removes someone’s organiser or admin role',
    emails: [],
    notEmailed: [{ who: 'the person', why: 'the role’s pages simply stop being offered' }],
  },
  'account.deleted': {
    record: 'account',
    change: 'someone deletes their account',
    emails: [],
    notEmailed: [{ who: 'the person', why: 'their address is erased at once; the page confirms it (bookings given up are told as “a booking is cancelled”)' }],
  },
  // ---- The mailing list ----
  'list-join-asked': {
    record: 'mailing-list subscription',
    change: 'someone sends the “join the mailing list” form',
    emails: [
      { template: 'list-confirm', to: 'the address typed: a link to confirm (nothing is added without it)' },
      { template: 'list-already', to: 'the address typed, instead, when it is on the list already: a link to its preferences' },
    ],
    notEmailed: [
      { who: 'the address, a fourth time within an hour', why: 'one inbox cannot be flooded from the form; the page says the same either way' },
      { who: 'organisers', why: 'the list is counted on the announcements pages, not announced one by one' },
    ],
  },
  'list-joined': {
    record: 'mailing-list subscription',
    change: 'an address joins the list (a confirmed link, the profile box, or a booking’s “email me” box)',
    emails: [],
    notEmailed: [{ who: 'the subscriber', why: 'the page confirms it; the next email they get is an announcement' }],
  },
  'list-left': {
    record: 'mailing-list subscription',
    change: 'a subscriber leaves the list (the link in an email, a mail program’s one-click unsubscribe, or the profile box)',
    emails: [],
    notEmailed: [{ who: 'the person who left', why: 'they asked for no more email; the page confirms it, and their address is kept off every later send' }],
  },
  'announcement.test-sent': {
    record: 'announcement',
    change: 'an organiser sends a test copy of an announcement',
    emails: [{ template: 'list-announcement', to: 'the organiser, only, marked as a test' }],
    notEmailed: [{ who: 'subscribers', why: 'a test goes only to the person who asked for it' }],
  },
  'announcement.sent': {
    record: 'announcement',
    change: 'an organiser sends an announcement to the list',
    emails: [
      {
        template: 'list-announcement',
        to: 'every subscriber whose interests meet its audience, each with their own links to choose and to leave, at LIST_SEND_PER_MINUTE',
      },
    ],
    notEmailed: [
      { who: 'people who left the list or whose address is suppressed', why: 'checked when it is queued and again as each copy is sent' },
      { who: 'people who only booked or have an account', why: 'only those who said yes to the list get announcements' },
    ],
  },
  'list-bounced': {
    record: 'mailing-list subscription',
    change: 'the receiving mail server refuses an address for good (no such mailbox) when any email is sent to it',
    emails: [],
    notEmailed: [
      { who: 'the address', why: 'its server refuses mail; it goes on the suppression list and its subscription ends' },
      { who: 'organisers', why: 'an announcement’s progress page counts its bounces' },
    ],
  },
  'list-import.run': {
    record: 'mailing-list import',
    change: 'an organiser’s import of an older list (a CSV file they checked in its preview) works through its rows',
    emails: [
      {
        template: 'list-import-ask',
        to: 'each address without a dated record of its consent, once ever: a link to join (it is not on the list, and hears nothing else, unless it is pressed)',
      },
    ],
    notEmailed: [
      {
        who: 'addresses whose consent the file records (when and how)',
        why: 'they join the list with that consent kept as imported; the next email they get is an announcement',
      },
      {
        who: 'rows left out: not an address, a second copy, already on the list, suppressed, or asked by an earlier import',
        why: 'the preview and progress pages list them',
      },
    ],
  },
  'directory.asked': {
    record: 'directory entry',
    change: 'someone asks for an organisation to be listed in the directory (the public form)',
    emails: [],
    notEmailed: [
      {
        who: 'the asker',
        why: 'the page says an organiser will look at it; the address typed is not proven, so nothing goes to it until an organiser has decided',
      },
      { who: 'organisers', why: 'requests wait on the directory’s organiser page' },
    ],
  },
  'directory.decided': {
    record: 'directory entry',
    change: 'an organiser approves or declines a request to be listed',
    emails: [{ template: 'directory-decided', to: 'the address the asker gave (the organisation’s name only when approved)' }],
    notEmailed: [{ who: 'the organisation’s contact, when not the asker', why: 'the asker speaks for the organisation' }],
  },
  'event.cohosts-changed': {
    record: 'event',
    change: 'an organiser changes which organisations co-host an event',
    emails: [],
    notEmailed: [{ who: 'attendees and the planning group', why: 'nothing they act on changes; the event page and calendar feeds show the co-hosts' }],
  },
  // ---- Invitation-only events ----
  'event-invitation.sent': {
    record: 'event invitation',
    change: 'an organiser invites someone to an invitation-only event (by name and address, or from the directory)',
    emails: [
      { template: 'event-invitation', to: 'the person invited: the event, the perspective they are asked to bring, and a private link to accept or decline' },
    ],
    notEmailed: [
      { who: 'other organisers', why: 'the invitations page shows every invitation and the balance' },
      { who: 'an address already invited to the event', why: 'the form refuses it, so nobody is invited twice' },
    ],
  },
  'event-invitation.reminded': {
    record: 'event invitation',
    change: 'an invitee has not answered five days after being invited, and the event is still to come (a timed job)',
    emails: [{ template: 'event-invitation', to: 'the invitee, once only, marked as a reminder, with the same private link' }],
    notEmailed: [{ who: 'invitees who have answered, or were reminded already', why: 'one reminder is enough' }],
  },
  'event-invitation.accepted': {
    record: 'event invitation',
    change: 'an invitee accepts (a confirmed place is made for them, on the attendee list like any booking)',
    emails: [{ template: 'event-invitation-accepted', to: 'the invitee: the event’s details and the link to change their answer' }],
    notEmailed: [
      { who: 'organisers', why: 'the invitations page shows who is coming against the balance, as it happens' },
      { who: 'the invitee, as someone booked', why: 'their acceptance email is the confirmation: one email, not two' },
    ],
  },
  'event-invitation.declined': {
    record: 'event invitation',
    change: 'an invitee declines (or changes their mind after accepting: their place is given back)',
    emails: [],
    notEmailed: [
      { who: 'the invitee', why: 'the page confirms it (no booking cancellation email either)' },
      { who: 'organisers', why: 'the invitations page shows it' },
    ],
  },
  'event-invitation.withdrawn': {
    record: 'event invitation',
    change: 'an organiser withdraws an invitation (a place it made ends and passes on)',
    emails: [
      {
        template: 'event-invitation-withdrawn',
        to: 'the invitee, unless they had declined: the invitation is withdrawn, and the place they accepted is no longer kept',
      },
    ],
    notEmailed: [
      { who: 'an invitee who had declined', why: 'they are not coming, so nothing changes for them' },
      { who: 'other organisers', why: 'the invitations page shows it' },
    ],
  },
} as const satisfies Record<string, WhoIsToldRow>;

/** The name of a change that may send email; enqueueEmail needs one. */
export type ChangeName = keyof typeof whoIsTold;

/** The templates a change's row lists. */
export type TemplateFor<C extends ChangeName> = (typeof whoIsTold)[C]['emails'][number]['template'];

export const changeNames = Object.keys(whoIsTold) as ChangeName[];

export function rowOf(change: ChangeName): WhoIsToldRow {
  return whoIsTold[change];
}

/** Throws if the table does not list `template` for `change` (a runtime twin of the types). */
export function assertListed(change: string, template: string): void {
  const row = (whoIsTold as Record<string, WhoIsToldRow>)[change];
  if (!row) throw new Error(`No row in the who-is-told table for the change "${change}"`);
  if (!row.emails.some((e) => e.template === template)) {
    throw new Error(`The who-is-told row "${change}" does not list the email "${template}"`);
  }
}
