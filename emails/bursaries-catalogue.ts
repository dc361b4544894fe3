// Bursary emails. They say only what the applicant needs (the event, the outcome, a link to sign
// in and see the details); amounts, health or caring details never travel by email.

export interface BursaryEmails {
  'bursary-submitted': { name: string; eventTitle: string; applicationPath: string };
  /** A receipt for a claim and what happens next (amounts are on the signed-in page only). */
  'bursary-claim-received': { name: string; eventTitle: string; applicationPath: string };
  /**
   * `reason`: the panel's message, on a decline only. `place` (approvals): 'booked' (they have a
   * place), 'held' (kept for them until `bookBy`), 'book' (nothing held, places free),
   * 'room_full' (a hybrid event's room is full, places online left), 'full'.
   */
  'bursary-decided': {
    name: string;
    eventTitle: string;
    outcome: 'approved' | 'part_approved' | 'declined';
    applicationPath: string;
    reason?: string;
    place?: '' | 'booked' | 'held' | 'book' | 'room_full' | 'full';
    bookBy?: string;
    bookPath?: string;
  };
  /** The panel approved a claim, or sent it back with its reason so the applicant can change it. */
  /**
   * `money` (approvals): 'to_pay' (the Hub will pay), 'settled' (an advance already covered it),
   * 'overpaid' (the advance was more than the claim: the applicant's options, kindly).
   */
  'bursary-claim-decided': { name: string; eventTitle: string; outcome: 'approved' | 'returned'; reason: string; money?: '' | 'to_pay' | 'settled' | 'overpaid'; applicationPath: string };
  /** `overpaid`: with this payment the Hub has paid more than the claim allows. */
  'bursary-paid': { name: string; eventTitle: string; overpaid?: boolean; applicationPath: string };
  /** The panel recorded money the applicant paid back. `settled`: nothing is owed now. */
  'bursary-repaid': { name: string; eventTitle: string; settled: boolean; applicationPath: string };
  /** The Hub decided not to ask for (some of) an overpayment back. `settled`: nothing is owed now. */
  'bursary-written-off': { name: string; eventTitle: string; settled: boolean; applicationPath: string };
  /** The event was cancelled before a decision: the application (or a started draft) is closed. */
  'bursary-event-cancelled-closed': { name: string; eventTitle: string; applicationPath: string; wasDraft: boolean };
  /** The event was cancelled after approval: costs already paid out can still be claimed. */
  'bursary-event-cancelled-approved': { name: string; eventTitle: string; applicationPath: string; claimSent: boolean; hadAdvance: boolean };
}

export const bursarySubjects: { [K in keyof BursaryEmails]: (data: BursaryEmails[K]) => string } = {
  'bursary-submitted': (d) => `We have your bursary application for ${d.eventTitle}`,
  'bursary-claim-received': (d) => `We have your bursary claim for ${d.eventTitle}`,
  'bursary-decided': (d) => `A decision on your bursary application for ${d.eventTitle}`,
  'bursary-claim-decided': (d) => (d.outcome === 'approved' ? `Your bursary claim for ${d.eventTitle} is approved` : `Your bursary claim for ${d.eventTitle} needs changing`),
  'bursary-paid': (d) => `We have recorded a bursary payment for ${d.eventTitle}`,
  'bursary-repaid': (d) => `Thank you: we have recorded your repayment for ${d.eventTitle}`,
  'bursary-written-off': (d) => (d.settled ? `Your bursary for ${d.eventTitle}: nothing more to pay back` : `Your bursary for ${d.eventTitle}: we have written off part of the overpayment`),
  'bursary-event-cancelled-closed': (d) => `${d.eventTitle} has been cancelled: your bursary application`,
  'bursary-event-cancelled-approved': (d) => `${d.eventTitle} has been cancelled: you can still claim what you have spent`,
};
