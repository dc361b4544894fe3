// Walks the whole who-is-told table (server/notify/who-is-told.ts): for every row, the change is
// made through the real routes (or, for a timed job, the job the running app runs), and the
// outbox must then hold exactly the emails the row promises, to exactly the right addresses, and
// no others. A row without a scenario here fails; so does a scenario that leaves one of its row's
// audiences unexercised.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bursaryApplications,
  bursaryFunds,
  bursaryItems,
  bursaryPanelMembers,
  eventInvitations,
  events as eventsTable,
  type events,
  invoices,
  listSubscribers,
  mailSuppressions,
  organisations,
  outboxMessages,
  payments,
  people,
  planningMeetings,
  planningMembers,
  registrations,
  surveys,
} from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { sendPanelDigests } from '../../server/bursaries/notices.ts';
import { enqueueEmail } from '../../server/mail/outbox.ts';
import { deliverDueMessages } from '../../server/mail/sender.ts';
import { runImports } from '../../server/network/import.ts';
import { emailHash, leavePath } from '../../server/network/list.ts';
import { withWhoIsTold } from '../../server/notify/readme.ts';
import { changeNames, whoIsTold, type ChangeName } from '../../server/notify/who-is-told.ts';
import { expireDueHolds } from '../../server/registration/offers.ts';
import { sendDueReminders } from '../../server/registration/reminders.ts';
import { sendDueThanks } from '../../server/certificates/thanks.ts';
import { ensureSurvey, sendDueSurveys } from '../../server/surveys/service.ts';
import { sendInvitationReminders } from '../../server/invitations/service.ts';
import { pngBytes, postMultipart } from '../bursaries/support.ts';
import { acceptInvitation as acceptCoProposal, completeProposal, idFrom, mailTo, personId, signedInOrganiser } from '../proposals/support.ts';
import { latestManagePath, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { StripeStandIn } from '../registration/stripe-stand-in.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emailData } from '../support/outbox.ts';
import type { TestClient } from '../support/client.ts';

/** One email a scenario expects: which change's row it answers to, the template and the address. */
interface Expected {
  because: ChangeName;
  template: string;
  to: string;
}

interface Scenario {
  /** Everything before the change; emails it causes are cleared before the change is made. */
  setup?: () => Promise<void>;
  /** Makes the change; returns every email it must cause (including those of changes it causes). */
  change: () => Promise<Expected[]>;
}

const secret = 'whsec_test_convene';
const standIn = new StripeStandIn();
const stripe = new Stripe('sk_test_convene');

let t: TestApp;
/** The same database, without card payments: paid places are invoiced. */
let invoiceApp: TestApp;
let org: TestClient;
let admin: TestClient;
const organisers = ['org@example.org', 'admin@example.org'];

let n = 0;
const unique = (name: string) => `${name}-${++n}-${randomBytes(2).toString('hex')}@example.org`;

async function outbox(): Promise<string[]> {
  const rows = await t.db.select({ template: outboxMessages.template, to: outboxMessages.toAddress }).from(outboxMessages);
  return rows.map((r) => `${r.template} → ${r.to}`).sort();
}

function expectPosted(response: { statusCode: number; body: string }, status = 303) {
  expect(response.statusCode, response.body.slice(0, 400)).toBe(status);
}

const mails = (because: ChangeName, template: string, to: string[]): Expected[] => to.map((address) => ({ because, template, to: address }));

/** A published event with a lead in its planning group (accepted), at a fixed date in January. */
async function eventWithLead(overrides: Partial<typeof events.$inferInsert> = {}) {
  const leadEmail = unique('lead');
  const lead = await t.signedIn(leadEmail);
  const event = await makeEvent(t.db, {
    startsAt: new Date('2027-01-20T10:00:00Z'),
    endsAt: new Date('2027-01-20T15:00:00Z'),
    accessInfo: 'Step-free throughout.',
    ...overrides,
  });
  await t.db.insert(planningMembers).values({ eventId: event.id, personId: await personId(t.db, leadEmail), role: 'lead', status: 'accepted' });
  // Signing in is not the change under test.
  await t.db.delete(outboxMessages);
  return { event, lead, leadEmail };
}

/** Someone already in an event's planning group (accepted), with no email of their own on joining. */
/** The addresses of a planning group's accepted leads and co-leads. */
async function groupLeads(eventId: string): Promise<string[]> {
  const rows = await t.db
    .select({ email: people.email })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.status, 'accepted'), inArray(planningMembers.role, ['lead', 'co_lead'])));
  return rows.map((r) => r.email);
}

async function planningMember(eventId: string, role: 'speaker' | 'co_lead'): Promise<string> {
  const email = unique(role);
  const [person] = await t.db.insert(people).values({ email }).returning();
  await t.db.insert(planningMembers).values({ eventId, personId: person!.id, role, status: 'accepted' });
  return email;
}

const details = (event: { title: string }) => ({
  title: event.title,
  type: 'seminar',
  summary: '',
  description: '',
  format: 'in_person',
  startDate: '2027-01-20',
  startTime: '10:00',
  endTime: '15:00',
  venueName: 'The Old Library',
  venueAddress: '1 High Street, Leeds',
  capacity: '10',
  accessInfo: 'Step-free throughout.',
});

/** Someone signed in with a fund for an event and an application, submitted through the pages. */
async function submittedApplication(eventOverrides: Partial<typeof events.$inferInsert> = {}) {
  const event = await makeEvent(t.db, eventOverrides);
  const made = await org.post('/bursaries/funds', { eventId: event.id, name: 'Travel fund', budget: '400', eligibility: '', covers: '', deadline: '' });
  expectPosted(made);
  const [fund] = await t.db.select().from(bursaryFunds).where(eq(bursaryFunds.eventId, event.id));
  const email = unique('applicant');
  const applicant = await t.signedIn(email);
  const started = await applicant.post(`/events/${event.slug}/bursary`);
  const applicationId = /([0-9a-f-]{36})/.exec(String(started.headers.location))![1]!;
  expectPosted(
    await applicant.post(`/bursaries/applications/${applicationId}/edit`, {
      perspective: 'carer',
      paymentMethod: 'other',
      paymentArrangement: 'Cash',
      travelDescription: 'Train',
      travelAmount: '40',
    }),
  );
  return { event, fundId: fund!.id, email, applicant, applicationId };
}

async function decided(app: Awaited<ReturnType<typeof submittedApplication>>) {
  expectPosted(await app.applicant.post(`/bursaries/applications/${app.applicationId}/submit`));
  expectPosted(await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/decision`, { outcome: 'approve_all', message: 'Yes' }));
}

/** Approved £40, paid a £40 advance, then claimed £38: £2 overpaid. */
async function overpaid() {
  const app = await submittedApplication();
  await decided(app);
  const today = new Date().toISOString().slice(0, 10);
  expectPosted(
    await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/payments`, {
      kind: 'advance',
      amount: '40',
      paidOn: today,
      method: 'Cash',
    }),
  );
  const [item] = await t.db.select().from(bursaryItems).where(eq(bursaryItems.applicationId, app.applicationId));
  expectPosted(
    await postMultipart(
      app.applicant,
      `/bursaries/applications/${app.applicationId}/receipts`,
      { itemId: item!.id },
      { field: 'receipt', filename: 'ticket.png', contentType: 'image/png', data: pngBytes },
    ),
  );
  expectPosted(await app.applicant.post(`/bursaries/applications/${app.applicationId}/claim`, { [`claim-${item!.id}`]: '38' }));
  expectPosted(await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/claim/approve`));
  return app;
}

async function bookedBy(client: TestClient, slug: string, ticketTypeId: string, email: string) {
  expectPosted(await client.post(`/events/${slug}/book`, { ticketTypeId, name: 'Booker', email }));
  return latestManagePath(t.db, email);
}

// ---- One scenario per row ----

const state: Record<string, unknown> = {};

const scenarios: Record<ChangeName, Scenario> = {
  'event.changed': {
    change: async () => {
      const { event, lead } = await eventWithLead();
      const [ada] = await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Ada', email: 'ada@example.org' }).returning();
      await t.db.insert(registrations).values([
        { eventId: event.id, status: 'confirmed', name: 'Ada’s friend', email: 'ada@example.org', companionOfId: ada!.id },
        { eventId: event.id, status: 'waitlisted', name: 'Bo', email: 'bo@example.org' },
        { eventId: event.id, status: 'offered', name: 'Cy', email: 'cy@example.org' },
        { eventId: event.id, status: 'pending_payment', name: 'Di', email: 'di@example.org' },
        { eventId: event.id, status: 'cancelled', name: 'Ed', email: 'ed@example.org' },
        { eventId: event.id, status: 'expired', name: 'Flo', email: 'flo@example.org' },
      ]);
      const speaker = await planningMember(event.id, 'speaker');
      // A planner who has also booked a place is told once, as an attendee.
      const plannerBooked = await planningMember(event.id, 'co_lead');
      await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Gil', email: plannerBooked });
      // An invitee who accepted holds a place: told as an attendee. One who has not answered is
      // told with their invitation link; one who declined, nothing.
      const [idaPlace] = await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Ida', email: 'ida@example.org' }).returning();
      await t.db.insert(eventInvitations).values([
        { eventId: event.id, name: 'Ida', email: 'ida@example.org', perspective: 'carer', status: 'accepted', registrationId: idaPlace!.id },
        // (Already reminded, so the reminders job below has nothing for her.)
        { eventId: event.id, name: 'Jo', email: 'jo@example.org', perspective: 'practitioner', status: 'invited', remindedAt: new Date() },
        { eventId: event.id, name: 'Kit', email: 'kit@example.org', perspective: 'academic', status: 'declined' },
      ]);
      expectPosted(
        await lead.post(`/plan/${event.id}/details`, { ...details(event), venueName: 'Friends Meeting House', venueAddress: '6 Mount Street, Manchester' }),
      );
      return [
        ...mails('event.changed', 'event-changed', ['ada@example.org', 'bo@example.org', 'cy@example.org', 'di@example.org', plannerBooked, 'ida@example.org']),
        ...mails('event.changed', 'event-invitation-changed', ['jo@example.org']),
        ...mails('event.changed', 'planning-event-news', [speaker]),
      ];
    },
  },
  'event.cancelled': {
    change: async () => {
      const { event, leadEmail } = await eventWithLead();
      const booker = unique('booker');
      await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Fay', email: booker });
      const [fund] = await t.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Fund', budgetPence: 10_000 }).returning();
      const undecided = unique('undecided');
      const approved = unique('approved');
      const [p1] = await t.db.insert(people).values({ email: undecided }).returning();
      const [p2] = await t.db.insert(people).values({ email: approved }).returning();
      await t.db.insert(bursaryApplications).values([
        { fundId: fund!.id, eventId: event.id, applicantId: p1!.id, status: 'submitted', submittedAt: new Date() },
        { fundId: fund!.id, eventId: event.id, applicantId: p2!.id, status: 'approved', submittedAt: new Date(), decidedAt: new Date() },
      ]);
      // A planning meeting still to come, arranged by the lead.
      await t.db.insert(planningMeetings).values({
        eventId: event.id,
        title: 'Last planning meeting',
        startsAt: new Date('2027-01-10T14:00:00Z'),
        endsAt: new Date('2027-01-10T15:00:00Z'),
        uid: `meeting-${randomBytes(6).toString('hex')}@convene.test`,
        organiserId: await personId(t.db, leadEmail),
      });
      // A planner who has also booked a place hears of the cancellation once, as an attendee.
      const plannerBooked = await planningMember(event.id, 'speaker');
      await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Gil', email: plannerBooked });
      // An invitee who accepted holds a place (told as an attendee); one who has not answered is told with their link.
      const accepted = unique('accepted-invitee');
      const [place] = await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Hal', email: accepted }).returning();
      const invitee = unique('invitee');
      await t.db.insert(eventInvitations).values([
        { eventId: event.id, name: 'Hal', email: accepted, perspective: 'academic', status: 'accepted', registrationId: place!.id },
        { eventId: event.id, name: 'Ida', email: invitee, perspective: 'carer', status: 'invited', remindedAt: new Date() },
      ]);
      expectPosted(await org.post(`/plan/${event.id}/cancel`, { reason: 'The venue has closed.' }));
      return [
        ...mails('event.cancelled', 'event-changed', [booker, plannerBooked, accepted]),
        ...mails('event.cancelled', 'event-invitation-changed', [invitee]),
        ...mails('event.cancelled', 'planning-event-status', [leadEmail]),
        ...mails('event.cancelled', 'planning-meeting', [leadEmail, plannerBooked]),
        ...mails('event.cancelled', 'bursary-event-cancelled-closed', [undecided]),
        ...mails('event.cancelled', 'bursary-event-cancelled-approved', [approved]),
      ];
    },
  },
  'event.published': {
    change: async () => {
      const { event, leadEmail } = await eventWithLead({ status: 'planning', publishedAt: null });
      expectPosted(await org.post(`/plan/${event.id}/publish`, { overrideReason: 'The group has no lived-experience member yet; agreed at steering.' }));
      return mails('event.published', 'planning-event-news', [leadEmail]);
    },
  },
  'event.unpublished': {
    change: async () => {
      const { event, lead, leadEmail } = await eventWithLead();
      await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Gil', email: unique('gil') });
      expectPosted(await lead.post(`/plan/${event.id}/unpublish`));
      return mails('event.unpublished', 'planning-event-status', [leadEmail]);
    },
  },
  'event.completed': {
    change: async () => {
      const { event, lead } = await eventWithLead({
        startsAt: new Date(Date.now() - 2 * 86_400_000),
        endsAt: new Date(Date.now() - 2 * 86_400_000 + 3_600_000),
      });
      await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Hal', email: unique('hal') });
      expectPosted(await lead.post(`/plan/${event.id}/complete`));
      return [];
    },
  },
  'event.reminder-due': {
    change: async () => {
      const now = new Date();
      const event = await makeEvent(t.db, { startsAt: new Date(now.getTime() + 86_400_000), endsAt: new Date(now.getTime() + 90_000_000) });
      const booker = unique('remind');
      const longAgo = new Date(now.getTime() - 10 * 86_400_000);
      const [main] = await t.db
        .insert(registrations)
        .values({ eventId: event.id, status: 'confirmed', name: 'Ida', email: booker, confirmedAt: longAgo })
        .returning();
      await t.db.insert(registrations).values([
        { eventId: event.id, status: 'confirmed', name: 'Ida’s friend', email: booker, companionOfId: main!.id, confirmedAt: longAgo },
        { eventId: event.id, status: 'waitlisted', name: 'Jo', email: unique('jo') },
      ]);
      // The running app's reminder loop; no route makes time pass.
      await sendDueReminders(t.db, now);
      return mails('event.reminder-due', 'registration-reminder', [booker]);
    },
  },
  'event.message-sent': {
    change: async () => {
      const event = await makeEvent(t.db);
      const one = unique('one');
      const [a] = await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'One', email: one }).returning();
      await t.db.insert(registrations).values({ eventId: event.id, status: 'cancelled', name: 'Two', email: unique('two') });
      expectPosted(await org.post(`/organise/events/${event.slug}/message`, { subject: 'Room change', message: 'We are now in room 2.', to: a!.id }));
      return mails('event.message-sent', 'attendee-message', [one]);
    },
  },
  'event.impact-note-sent': {
    change: async () => {
      const { event, lead, leadEmail } = await eventWithLead({
        startsAt: new Date(Date.now() - 2 * 86_400_000),
        endsAt: new Date(Date.now() - 2 * 86_400_000 + 3_600_000),
      });
      const came = unique('came');
      await t.db.insert(registrations).values([
        { eventId: event.id, status: 'attended', name: 'Kit', email: came },
        { eventId: event.id, status: 'cancelled', name: 'Lou', email: unique('lou') },
      ]);
      expectPosted(await lead.post(`/plan/${event.id}/impact-note`, { note: 'You said more breaks; we added two.', action: 'send' }));
      return mails('event.impact-note-sent', 'impact-note', [leadEmail, came]);
    },
  },

  'event.thank-you-due': {
    change: async () => {
      // Far enough ahead that no other scenario's attendees are in the job's 30-day window.
      const startsAt = new Date(Date.now() + 200 * 86_400_000);
      const event = await makeEvent(t.db, { startsAt, endsAt: new Date(startsAt.getTime() + 2 * 3_600_000) });
      const came = unique('came');
      const [main] = await t.db.insert(registrations).values({ eventId: event.id, status: 'attended', name: 'Mo', email: came }).returning();
      await t.db.insert(registrations).values([
        { eventId: event.id, status: 'attended', name: 'Mo’s assistant', email: came, companionOfId: main!.id },
        { eventId: event.id, status: 'confirmed', name: 'Ned', email: unique('ned') },
      ]);
      // The running app's after-event loop; no route makes time pass.
      await sendDueThanks(t.db, t.config.baseUrl, new Date(startsAt.getTime() + 5 * 3_600_000));
      return mails('event.thank-you-due', 'certificate-thank-you', [came, came]);
    },
  },
  'survey.invitation-due': {
    change: async () => {
      // Far enough ahead that no other scenario's event is in the job's 30-day window.
      const { event, leadEmail } = await eventWithLead({
        startsAt: new Date(Date.now() + 300 * 86_400_000),
        endsAt: new Date(Date.now() + 300 * 86_400_000 + 3_600_000),
      });
      const came = unique('surveyed');
      const missed = unique('quin');
      const [main] = await t.db.insert(registrations).values({ eventId: event.id, status: 'attended', name: 'Pat', email: came }).returning();
      await t.db.insert(registrations).values([
        { eventId: event.id, status: 'attended', name: 'Pat’s assistant', email: came, companionOfId: main!.id },
        { eventId: event.id, status: 'confirmed', name: 'Quin', email: missed },
        { eventId: event.id, status: 'cancelled', name: 'Rae', email: unique('rae') },
      ]);
      // The organisers turn on the no-shows' survey: Quin booked and did not come.
      const noShows = await ensureSurvey(t.db, event.id, 'no_shows');
      await t.db.update(surveys).set({ enabled: true }).where(eq(surveys.id, noShows.id));
      state.surveyedAt = new Date(event.endsAt!.getTime() + 3 * 3_600_000);
      await sendDueSurveys(t.db, state.surveyedAt as Date);
      state.surveyed = [came, leadEmail, missed];
      return mails('survey.invitation-due', 'survey-invitation', [came, leadEmail, missed]);
    },
  },
  'survey.reminder-due': {
    change: async () => {
      await sendDueSurveys(t.db, new Date((state.surveyedAt as Date).getTime() + 8 * 86_400_000));
      return mails('survey.reminder-due', 'survey-invitation', state.surveyed as string[]);
    },
  },
  'booking.requested': {
    change: async () => {
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id);
      const email = unique('asks');
      expectPosted(await t.client().post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Asker', email }));
      return mails('booking.requested', 'registration-confirm-request', [email]);
    },
  },
  'booking.confirmed': {
    change: async () => {
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id);
      const email = unique('books');
      const member = await t.signedIn(email);
      await t.db.delete(outboxMessages);
      expectPosted(await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Booker', email }));
      return mails('booking.confirmed', 'registration-confirmed', [email]);
    },
  },
  'booking.made-for-someone': {
    change: async () => {
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id);
      const email = unique('phoned');
      await t.db.delete(outboxMessages);
      // One with an address is emailed; one without is written to by nobody.
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/book`, { ticketTypeId: type.id, name: 'Phoned In', email }));
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/book`, { ticketTypeId: type.id, name: 'Wrote In', email: '' }));
      return mails('booking.made-for-someone', 'registration-confirmed', [email]);
    },
  },
  'booking.waitlisted': {
    change: async () => {
      const event = await makeEvent(t.db, { capacity: 1 });
      const type = await makeTicketType(t.db, event.id);
      await t.db.insert(registrations).values({ eventId: event.id, ticketTypeId: type.id, status: 'confirmed', name: 'First', email: unique('first') });
      const email = unique('waits');
      const member = await t.signedIn(email);
      await t.db.delete(outboxMessages);
      expectPosted(await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Waiter', email }));
      return mails('booking.waitlisted', 'registration-waitlisted', [email]);
    },
  },
  'booking.awaiting-payment': {
    change: async () => {
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
      const email = unique('invoiced');
      const member = await invoiceApp.signedIn(email);
      await t.db.delete(outboxMessages);
      expectPosted(await member.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Payer', email }));
      return mails('booking.awaiting-payment', 'registration-invoice', [email]);
    },
  },
  'booking.link-asked': {
    change: async () => {
      const event = await makeEvent(t.db);
      const email = unique('lost');
      await t.db.insert(registrations).values({ eventId: event.id, status: 'confirmed', name: 'Lost', email });
      expectPosted(await t.client().post(`/events/${event.slug}/book/link`, { email }));
      expectPosted(await t.client().post(`/events/${event.slug}/book/link`, { email: unique('never-booked') }));
      return mails('booking.link-asked', 'registration-link', [email]);
    },
  },
  'booking.offered': {
    change: async () => {
      const event = await makeEvent(t.db, { capacity: 1 });
      const type = await makeTicketType(t.db, event.id);
      const first = unique('first');
      const manage = await bookedBy(await t.signedIn(first), event.slug, type.id, first);
      const waiting = unique('waiting');
      await bookedBy(await t.signedIn(waiting), event.slug, type.id, waiting);
      state.offeredEvent = event.id;
      state.offeredTo = waiting;
      await t.db.delete(outboxMessages);
      // The first booker gives up their place: it is offered to the person waiting.
      expectPosted(await t.client().post(`${manage}/cancel`));
      return [...mails('booking.cancelled', 'registration-cancelled', [first]), ...mails('booking.offered', 'registration-offer', [waiting])];
    },
  },
  'booking.offer-expired': {
    change: async () => {
      // The offer made in the row above runs out unanswered (the app's expiry loop).
      await expireDueHolds(t.db, new Date(Date.now() + 30 * 86_400_000));
      return mails('booking.offer-expired', 'registration-offer-expired', [state.offeredTo as string]);
    },
  },
  'booking.cancelled': {
    change: async () => {
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id);
      const email = unique('cancels');
      const manage = await bookedBy(await t.signedIn(email), event.slug, type.id, email);
      await t.db.delete(outboxMessages);
      expectPosted(await t.client().post(`${manage}/cancel`));
      return mails('booking.cancelled', 'registration-cancelled', [email]);
    },
  },
  'booking.refund-owed': {
    change: async () => {
      // Two bookers give up paid places before the event: one paid its invoice, one by card.
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id, { pricePence: 1500 });
      const invoiced = unique('cancels-invoice');
      expectPosted(
        await (await invoiceApp.signedIn(invoiced)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Invoice Payer', email: invoiced }),
      );
      const [booking] = await t.db.select({ id: registrations.id }).from(registrations).where(eq(registrations.email, invoiced));
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/${booking!.id}/invoice-paid`));
      const carded = unique('cancels-card');
      const response = await (await t.signedIn(carded)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Card Payer', email: carded });
      const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))![1]!;
      const payload = JSON.stringify({
        id: 'evt_refund_owed_paid',
        object: 'event',
        type: 'checkout.session.completed',
        data: { object: standIn.pay(sessionId) },
      });
      const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
      const paid = await t.app.inject({
        method: 'POST',
        url: '/payments/stripe/webhook',
        payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
      });
      expect(paid.statusCode).toBe(200);
      const manage = [await latestManagePath(t.db, invoiced, 'registration-confirmed'), await latestManagePath(t.db, carded, 'registration-confirmed')];
      await t.db.delete(outboxMessages);
      for (const path of manage) expectPosted(await t.client().post(`${path}/cancel`));
      return [
        ...mails('booking.cancelled', 'registration-cancelled', [invoiced, carded]),
        ...mails('booking.refund-owed', 'registration-refund-owed', [...organisers, ...organisers]),
      ];
    },
  },
  'payment.arrived-late': {
    change: async () => {
      // Two payments arrive after their held places ended: one finds a place still free and is
      // booked; the other, at an event now full, is refunded through Stripe.
      const latePayment = async (name: string, capacity: number) => {
        const event = await makeEvent(t.db, { capacity });
        const type = await makeTicketType(t.db, event.id, { pricePence: 1500 });
        const email = unique(name);
        const response = await (await t.signedIn(email)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Late Payer', email });
        const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))![1]!;
        return { event, type, email, sessionId };
      };
      const lucky = await latePayment('late-lucky', 5);
      const unlucky = await latePayment('late-unlucky', 1);
      // The held places end (the expiry loop); the full event's place goes to someone else.
      await expireDueHolds(t.db, new Date(Date.now() + 2 * 3_600_000));
      await t.db
        .insert(registrations)
        .values({ eventId: unlucky.event.id, ticketTypeId: unlucky.type.id, status: 'confirmed', name: 'Taken', email: unique('taken') });
      await t.db.delete(outboxMessages);
      for (const [i, late] of [lucky, unlucky].entries()) {
        const payload = JSON.stringify({
          id: `evt_late_payment_${i}`,
          object: 'event',
          type: 'checkout.session.completed',
          data: { object: standIn.pay(late.sessionId) },
        });
        const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
        const response = await t.app.inject({
          method: 'POST',
          url: '/payments/stripe/webhook',
          payload,
          headers: { 'content-type': 'application/json', 'stripe-signature': header },
        });
        expect(response.statusCode).toBe(200);
      }
      return [
        ...mails('payment.arrived-late', 'payment-arrived-late', [lucky.email, unlucky.email]),
        ...mails('payment.arrived-late', 'registration-confirmed', [lucky.email]),
        ...mails('payment.refunded', 'payment-refunded', [unlucky.email]),
      ];
    },
  },
  'payment.refunded': {
    change: async () => {
      // An invoice paid, refunded (the Hub will pay it back), then recorded as paid back.
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
      const email = unique('paid-back');
      expectPosted(await (await invoiceApp.signedIn(email)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Payer', email }));
      const [booking] = await t.db.select({ id: registrations.id }).from(registrations).where(eq(registrations.email, email));
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/${booking!.id}/invoice-paid`));
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/${booking!.id}/refund`));
      await t.db.delete(outboxMessages);
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/${booking!.id}/refund-paid`));
      return mails('payment.refunded', 'payment-refunded', [email]);
    },
  },
  'payment.refund-failed': {
    change: async () => {
      // A late card payment at a full event is refunded through Stripe; Stripe then reports that
      // the refund failed (refund.updated).
      const event = await makeEvent(t.db, { capacity: 1 });
      const type = await makeTicketType(t.db, event.id, { pricePence: 1500 });
      const email = unique('refund-fails');
      const response = await (await t.signedIn(email)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Unlucky Payer', email });
      const sessionId = /\/pay\/(cs_test_\d+)$/.exec(String(response.headers.location))![1]!;
      await expireDueHolds(t.db, new Date(Date.now() + 2 * 3_600_000));
      await t.db.insert(registrations).values({ eventId: event.id, ticketTypeId: type.id, status: 'confirmed', name: 'Taken', email: unique('taken') });
      const post = async (id: string, type: string, object: unknown) => {
        const payload = JSON.stringify({ id, object: 'event', type, data: { object } });
        const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
        const answer = await t.app.inject({
          method: 'POST',
          url: '/payments/stripe/webhook',
          payload,
          headers: { 'content-type': 'application/json', 'stripe-signature': header },
        });
        expect(answer.statusCode).toBe(200);
      };
      const paid = standIn.pay(sessionId);
      await post('evt_refund_fails_paid', 'checkout.session.completed', paid);
      const [booking] = await t.db.select({ id: registrations.id }).from(registrations).where(eq(registrations.email, email));
      const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, booking!.id));
      expect(payment!.status).toBe('refunded');
      await t.db.delete(outboxMessages);
      await post('evt_refund_fails_updated', 'refund.updated', {
        id: payment!.stripeRefundId,
        object: 'refund',
        status: 'failed',
        failure_reason: 'expired_or_canceled_card',
        payment_intent: payment!.stripePaymentIntentId,
        amount: 1500,
        currency: 'gbp',
      });
      return [
        ...mails('payment.refund-failed', 'payment-refund-failed', [email]),
        ...mails('payment.refund-failed', 'payment-refund-failed-organisers', organisers),
      ];
    },
  },
  'payment.refund-due': {
    change: async () => {
      // An invoice paid for a place at an event now over, then refunded: the booking stays as it
      // was, and the payer is told the Hub will pay the money back.
      const event = await makeEvent(t.db);
      const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
      const email = unique('refund-due');
      expectPosted(await (await invoiceApp.signedIn(email)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Payer', email }));
      const [booking] = await t.db.select({ id: registrations.id }).from(registrations).where(eq(registrations.email, email));
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/${booking!.id}/invoice-paid`));
      await t.db
        .update(eventsTable)
        .set({ startsAt: new Date(Date.now() - 2 * 86_400_000), endsAt: new Date(Date.now() - 86_400_000) })
        .where(eq(eventsTable.id, event.id));
      await t.db.delete(outboxMessages);
      expectPosted(await org.post(`/organise/events/${event.slug}/attendees/${booking!.id}/refund`));
      return mails('payment.refund-due', 'payment-refund-due', [email]);
    },
  },
  'invoice.reminder-due': {
    setup: async () => {
      // Other scenarios' unpaid invoices are left out of the timed job's reach.
      await t.db.update(invoices).set({ reminderSentAt: new Date(), warningSentAt: new Date(), releaseAt: null }).where(eq(invoices.status, 'open'));
      const event = await makeEvent(t.db, { startsAt: new Date(Date.now() + 40 * 86_400_000) });
      const type = await makeTicketType(t.db, event.id, { pricePence: 2500 });
      const email = unique('unpaid-invoice');
      expectPosted(await (await invoiceApp.signedIn(email)).post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Slow Payer', email }));
      state.unpaidInvoiceEmail = email;
    },
    change: async () => {
      await t.app.paymentJobs.runDue(new Date(Date.now() + 12 * 86_400_000));
      return mails('invoice.reminder-due', 'invoice-reminder', [state.unpaidInvoiceEmail as string]);
    },
  },
  'invoice.release-warning-due': {
    change: async () => {
      await t.app.paymentJobs.runDue(new Date(Date.now() + 20 * 86_400_000));
      return mails('invoice.release-warning-due', 'invoice-release-warning', [state.unpaidInvoiceEmail as string]);
    },
  },
  'invoice.released': {
    change: async () => {
      await t.app.paymentJobs.runDue(new Date(Date.now() + 22 * 86_400_000 + 3_600_000));
      return mails('invoice.released', 'registration-cancelled', [state.unpaidInvoiceEmail as string]);
    },
  },

  'proposal.co-proposer-invited': {
    change: async () => {
      const author = await t.signedIn(unique('author'));
      const invited = unique('co');
      await t.db.delete(outboxMessages);
      expectPosted(await author.post('/proposals', { ...completeProposal, coProposerEmails: invited }));
      state.coProposer = invited;
      state.coInvitation = (await mailTo(t.db, invited, 'proposal-co-proposer'))[0]!.data.invitationPath;
      return mails('proposal.co-proposer-invited', 'proposal-co-proposer', [invited]);
    },
  },
  'proposal.invitation-answered': {
    setup: async () => {
      state.coClient = await t.signedIn(state.coProposer as string);
    },
    change: async () => {
      expectPosted(await (state.coClient as TestClient).post(`${state.coInvitation as string}/accept`));
      return [];
    },
  },
  'proposal.submitted': {
    change: async () => {
      const authorEmail = unique('author');
      const author = await t.signedIn(authorEmail);
      const co = unique('co');
      const made = await author.post('/proposals', { ...completeProposal, coProposerEmails: co });
      const id = idFrom(made.headers.location, '/proposals');
      await acceptCoProposal(t, co);
      await t.db.delete(outboxMessages);
      expectPosted(await author.post(`/proposals/${id}/submit`));
      state.proposal = { id, proposers: [authorEmail, co] };
      return [...mails('proposal.submitted', 'proposal-to-review', organisers), ...mails('proposal.submitted', 'proposal-received', [authorEmail, co])];
    },
  },
  'proposal.commented': {
    change: async () => {
      const { id, proposers } = state.proposal as { id: string; proposers: string[] };
      expectPosted(await org.post(`/organise/proposals/${id}/messages`, { message: 'Could it be online too?' }));
      expectPosted(await org.post(`/organise/proposals/${id}/notes`, { note: 'A private note' }));
      return mails('proposal.commented', 'proposal-comment', proposers);
    },
  },
  'proposal.decided': {
    change: async () => {
      const { id, proposers } = state.proposal as { id: string; proposers: string[] };
      expectPosted(await org.post(`/organise/proposals/${id}/decision`, { decision: 'request_changes', decisionMessage: 'Please add who will chair.' }));
      return mails('proposal.decided', 'proposal-decision', proposers);
    },
  },

  'planning.invited': {
    change: async () => {
      const { event, lead, leadEmail } = await eventWithLead();
      const email = unique('planner');
      state.planning = { eventId: event.id, lead, email, client: await t.signedIn(email) };
      state.planningLead = leadEmail;
      await t.db.delete(outboxMessages);
      expectPosted(await lead.post(`/plan/${event.id}/members`, { email, role: 'speaker' }));
      return mails('planning.invited', 'planning-invitation', [email]);
    },
  },
  'planning.invitation-answered': {
    setup: async () => {
      // The planner invited above joins a group with no meetings yet: nothing to send them.
      const { eventId, client } = state.planning as { eventId: string; client: TestClient };
      expectPosted(await client.post(`/plan/${eventId}/invitation`, { answer: 'yes', perspective: '' }));
      // Elsewhere, someone is invited to a group that has already arranged a meeting.
      const { event, lead } = await eventWithLead();
      expectPosted(
        await lead.post(`/plan/${event.id}/meetings`, {
          meetingTitle: 'Kick-off',
          meetingDate: '2027-01-05',
          meetingStart: '14:00',
          meetingEnd: '15:00',
          joinUrl: 'https://meet.example.org/kick',
        }),
      );
      const email = unique('late-joiner');
      const client2 = await t.signedIn(email);
      expectPosted(await lead.post(`/plan/${event.id}/members`, { email, role: 'speaker' }));
      state.lateJoiner = { eventId: event.id, client: client2, email };
    },
    change: async () => {
      const { eventId, client, email } = state.lateJoiner as { eventId: string; client: TestClient; email: string };
      expectPosted(await client.post(`/plan/${eventId}/invitation`, { answer: 'yes', perspective: '' }));
      return mails('planning.invitation-answered', 'planning-meeting', [email]);
    },
  },
  'planning.role-changed': {
    change: async () => {
      const { eventId, lead, email } = state.planning as { eventId: string; lead: TestClient; email: string };
      const [member] = await t.db
        .select()
        .from(planningMembers)
        .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.personId, await personId(t.db, email))));
      const coLead = await planningMember(eventId, 'co_lead');
      expectPosted(await lead.post(`/plan/${eventId}/members/${member!.id}/role`, { role: 'co_lead' }));
      return mails('planning.role-changed', 'planning-role-changed', [email, coLead]);
    },
  },
  'meeting.arranged': {
    change: async () => {
      const { eventId, lead, email } = state.planning as { eventId: string; lead: TestClient; email: string };
      // The lead, the planner who accepted (now a co-lead) and the co-lead added before.
      const group = (
        await t.db
          .select({ email: people.email })
          .from(planningMembers)
          .innerJoin(people, eq(people.id, planningMembers.personId))
          .where(eq(planningMembers.eventId, eventId))
      ).map((r) => r.email);
      expect(group).toHaveLength(3);
      expect(group).toContain(email);
      (state.planning as Record<string, unknown>).group = group;
      expectPosted(
        await lead.post(`/plan/${eventId}/meetings`, {
          meetingTitle: 'First meeting',
          meetingDate: '2027-01-06',
          meetingStart: '14:00',
          meetingEnd: '15:00',
          joinUrl: 'https://meet.example.org/abc',
        }),
      );
      return mails('meeting.arranged', 'planning-meeting', group);
    },
  },
  'meeting.changed': {
    change: async () => {
      const { eventId, lead, group } = state.planning as { eventId: string; lead: TestClient; group: string[] };
      const [meeting] = await t.db.select().from(planningMeetings).where(eq(planningMeetings.eventId, eventId));
      expectPosted(
        await lead.post(`/plan/${eventId}/meetings/${meeting!.id}`, {
          meetingTitle: 'First meeting',
          meetingDate: '2027-01-07',
          meetingStart: '14:00',
          meetingEnd: '15:00',
          joinUrl: 'https://meet.example.org/abc',
        }),
      );
      return mails('meeting.changed', 'planning-meeting', group);
    },
  },
  'meeting.cancelled': {
    change: async () => {
      const { eventId, lead, group } = state.planning as { eventId: string; lead: TestClient; group: string[] };
      const [meeting] = await t.db.select().from(planningMeetings).where(eq(planningMeetings.eventId, eventId));
      expectPosted(await lead.post(`/plan/${eventId}/meetings/${meeting!.id}/cancel`));
      return mails('meeting.cancelled', 'planning-meeting', group);
    },
  },
  'involvement.changed': {
    change: async () => {
      const { eventId, client } = state.planning as { eventId: string; client: TestClient };
      expectPosted(
        await client.post(`/plan/${eventId}/involvement`, { activity: 'meeting', occurredOn: '2027-01-06', hours: '1', mins: '30', choice: 'paid' }),
      );
      return [];
    },
  },
  'planning.member-removed': {
    setup: async () => {
      // A meeting still to come, so there is something to take out of their calendar.
      const { eventId, lead } = state.planning as { eventId: string; lead: TestClient };
      expectPosted(
        await lead.post(`/plan/${eventId}/meetings`, {
          meetingTitle: 'Second meeting',
          meetingDate: '2027-01-12',
          meetingStart: '14:00',
          meetingEnd: '15:00',
          joinUrl: 'https://meet.example.org/def',
        }),
      );
    },
    change: async () => {
      const { eventId, lead, email } = state.planning as { eventId: string; lead: TestClient; email: string };
      const [member] = await t.db
        .select()
        .from(planningMembers)
        .where(and(eq(planningMembers.eventId, eventId), eq(planningMembers.personId, await personId(t.db, email))));
      const leads = await groupLeads(eventId);
      expectPosted(await lead.post(`/plan/${eventId}/members/${member!.id}/remove`));
      // The group's other leads: not the lead who took them off, nor the one taken off.
      const others = leads.filter((l) => l !== email && l !== state.planningLead);
      return [
        ...mails('planning.member-removed', 'planning-removed', [email]),
        ...mails('planning.member-removed', 'planning-meeting', [email]),
        ...mails('planning.member-removed', 'planning-member-left', others),
      ];
    },
  },
  'planning.stepped-back': {
    setup: async () => {
      const { eventId } = state.planning as { eventId: string };
      const email = unique('steps-back');
      const client = await t.signedIn(email);
      await t.db.insert(planningMembers).values({ eventId, personId: await personId(t.db, email), role: 'speaker', status: 'accepted' });
      state.steppingBack = { eventId, client, email };
    },
    change: async () => {
      const { eventId, client, email } = state.steppingBack as { eventId: string; client: TestClient; email: string };
      const leads = await groupLeads(eventId);
      expectPosted(await client.post(`/plan/${eventId}/leave`));
      return [...mails('planning.stepped-back', 'planning-meeting', [email]), ...mails('planning.stepped-back', 'planning-member-left', leads)];
    },
  },

  'panel.member-added': {
    change: async () => {
      const event = await makeEvent(t.db);
      expectPosted(await org.post('/bursaries/funds', { eventId: event.id, name: 'Panel fund', budget: '100', eligibility: '', covers: '', deadline: '' }));
      const [fund] = await t.db.select().from(bursaryFunds).where(eq(bursaryFunds.eventId, event.id));
      const email = unique('panel');
      await t.signedIn(email);
      await t.db.delete(outboxMessages);
      expectPosted(await org.post(`/bursaries/funds/${fund!.id}/panel`, { email }));
      state.panel = { fundId: fund!.id, email };
      return [...mails('panel.member-added', 'bursary-panel-changed', organisers), ...mails('panel.member-added', 'bursary-panel-you', [email])];
    },
  },
  'panel.member-removed': {
    change: async () => {
      const { fundId, email } = state.panel as { fundId: string; email: string };
      const [row] = await t.db
        .select()
        .from(bursaryPanelMembers)
        .where(and(eq(bursaryPanelMembers.fundId, fundId), eq(bursaryPanelMembers.personId, await personId(t.db, email))));
      expectPosted(await org.post(`/bursaries/funds/${fundId}/panel/${row!.id}/remove`));
      return [...mails('panel.member-removed', 'bursary-panel-changed', organisers), ...mails('panel.member-removed', 'bursary-panel-you', [email])];
    },
  },
  'bursary.submitted': {
    setup: async () => {
      state.application = await submittedApplication();
    },
    change: async () => {
      const app = state.application as Awaited<ReturnType<typeof submittedApplication>>;
      expectPosted(await app.applicant.post(`/bursaries/applications/${app.applicationId}/submit`));
      return [...mails('bursary.submitted', 'bursary-submitted', [app.email]), ...mails('bursary.submitted', 'bursary-panel-new', organisers)];
    },
  },
  'bursary.withdrawn': {
    setup: async () => {
      const app = await submittedApplication();
      expectPosted(await app.applicant.post(`/bursaries/applications/${app.applicationId}/submit`));
      state.withdrawing = app;
    },
    change: async () => {
      const app = state.withdrawing as Awaited<ReturnType<typeof submittedApplication>>;
      expectPosted(await app.applicant.post(`/bursaries/applications/${app.applicationId}/withdraw`));
      return [];
    },
  },
  'bursary.decided': {
    change: async () => {
      const app = state.application as Awaited<ReturnType<typeof submittedApplication>>;
      expectPosted(await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/decision`, { outcome: 'approve_all', message: 'Yes' }));
      return mails('bursary.decided', 'bursary-decided', [app.email]);
    },
  },
  'claim.submitted': {
    setup: async () => {
      const app = await submittedApplication({ startsAt: new Date(Date.now() - 3 * 86_400_000), endsAt: new Date(Date.now() - 3 * 86_400_000 + 3_600_000) });
      await decided(app);
      const [item] = await t.db.select().from(bursaryItems).where(eq(bursaryItems.applicationId, app.applicationId));
      const upload = await postMultipart(
        app.applicant,
        `/bursaries/applications/${app.applicationId}/receipts`,
        { itemId: item!.id },
        { field: 'receipt', filename: 'ticket.png', contentType: 'image/png', data: pngBytes },
      );
      expectPosted(upload);
      state.claiming = { ...app, itemId: item!.id };
    },
    change: async () => {
      const app = state.claiming as Awaited<ReturnType<typeof submittedApplication>> & { itemId: string };
      expectPosted(await app.applicant.post(`/bursaries/applications/${app.applicationId}/claim`, { [`claim-${app.itemId}`]: '40' }));
      return [...mails('claim.submitted', 'bursary-claim-received', [app.email]), ...mails('claim.submitted', 'bursary-panel-new', organisers)];
    },
  },
  'claim.decided': {
    change: async () => {
      const app = state.claiming as Awaited<ReturnType<typeof submittedApplication>>;
      expectPosted(await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/claim/approve`));
      return mails('claim.decided', 'bursary-claim-decided', [app.email]);
    },
  },
  'bursary.paid': {
    change: async () => {
      const app = state.claiming as Awaited<ReturnType<typeof submittedApplication>>;
      const today = new Date().toISOString().slice(0, 10);
      expectPosted(
        await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/payments`, {
          kind: 'settlement',
          amount: '40',
          paidOn: today,
          method: 'Cash',
        }),
      );
      return mails('bursary.paid', 'bursary-paid', [app.email]);
    },
  },
  'bursary.repaid': {
    setup: async () => {
      state.repaying = await overpaid();
    },
    change: async () => {
      const app = state.repaying as Awaited<ReturnType<typeof overpaid>>;
      const today = new Date().toISOString().slice(0, 10);
      expectPosted(
        await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/repayments`, {
          repaidAmount: '2',
          repaidOn: today,
          repaidMethod: 'Bank transfer',
        }),
      );
      return mails('bursary.repaid', 'bursary-repaid', [app.email]);
    },
  },
  'bursary.written-off': {
    setup: async () => {
      state.writingOff = await overpaid();
    },
    change: async () => {
      const app = state.writingOff as Awaited<ReturnType<typeof overpaid>>;
      expectPosted(
        await org.post(`/bursaries/funds/${app.fundId}/applications/${app.applicationId}/write-off`, { writeOffAmount: '', writeOffReason: 'Under £5' }),
      );
      return mails('bursary.written-off', 'bursary-written-off', [app.email]);
    },
  },
  'panel.digest-due': {
    setup: async () => {
      // A panel member who chose one email a day, and an application sent to their fund.
      const app = await submittedApplication();
      const email = unique('daily-panel');
      const member = await t.signedIn(email);
      expectPosted(await org.post(`/bursaries/funds/${app.fundId}/panel`, { email }));
      expectPosted(await member.post('/bursaries/notices', { mode: 'daily' }));
      expectPosted(await app.applicant.post(`/bursaries/applications/${app.applicationId}/submit`));
      state.dailyMember = email;
    },
    change: async () => {
      // The hourly job, at a time past the digest hour in London.
      await sendPanelDigests(t.db, new Date('2030-06-03T11:00:00Z'));
      return mails('panel.digest-due', 'bursary-panel-digest', [state.dailyMember as string]);
    },
  },

  'account.sign-in-asked': {
    change: async () => {
      const email = unique('signs-in');
      expectPosted(await t.client().post('/sign-in', { email }));
      return mails('account.sign-in-asked', 'sign-in', [email]);
    },
  },
  'account.role-granted': {
    setup: async () => {
      const email = unique('new-organiser');
      await t.signedIn(email);
      state.newOrganiser = email;
    },
    change: async () => {
      const email = state.newOrganiser as string;
      expectPosted(await admin.post(`/admin/people/${await personId(t.db, email)}/roles`, { role: 'organiser', change: 'grant' }));
      return mails('account.role-granted', 'role-granted', [email]);
    },
  },
  'account.role-removed': {
    change: async () => {
      const email = state.newOrganiser as string;
      expectPosted(await admin.post(`/admin/people/${await personId(t.db, email)}/roles`, { role: 'organiser', change: 'remove' }));
      return [];
    },
  },
  'account.deleted': {
    setup: async () => {
      state.leaving = await t.signedIn(unique('leaving'));
    },
    change: async () => {
      expectPosted(await (state.leaving as TestClient).post('/account/delete'));
      return [];
    },
  },
  'list-join-asked': {
    setup: async () => {
      const known = unique('on-list');
      const member = await t.signedIn(known);
      expectPosted(await member.post('/account', { displayName: 'On the list', pronouns: '', contactNotes: '', wantsEventNews: 'yes' }));
      state.onList = known;
    },
    change: async () => {
      const fresh = unique('joins');
      expectPosted(await t.client().post('/list/join', { email: fresh }));
      expectPosted(await t.client().post('/list/join', { email: state.onList as string }));
      return [...mails('list-join-asked', 'list-confirm', [fresh]), ...mails('list-join-asked', 'list-already', [state.onList as string])];
    },
  },
  'list-joined': {
    setup: async () => {
      state.joinerEmail = unique('confirms');
      expectPosted(await t.client().post('/list/join', { email: state.joinerEmail as string }));
      const [row] = await t.db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.toAddress, state.joinerEmail as string));
      state.joinConfirmPath = String(emailData(row!).confirmPath);
    },
    change: async () => {
      expectPosted(await t.client().post(state.joinConfirmPath as string));
      return [];
    },
  },
  'announcement.test-sent': {
    setup: async () => {
      state.announcer = unique('announcer');
      const announcer = await signedInOrganiser(t, state.announcer as string);
      state.announcerClient = announcer;
      const saved = await announcer.post('/organise/announcements', { subject: 'Told about', body: 'Hello list' });
      state.announcementId = String(saved.headers.location).split('/').pop();
    },
    change: async () => {
      expectPosted(await (state.announcerClient as TestClient).post(`/organise/announcements/${state.announcementId as string}/test`));
      return mails('announcement.test-sent', 'list-announcement', [state.announcer as string]);
    },
  },
  'announcement.sent': {
    setup: async () => {
      const listed = unique('listed');
      const member = await t.signedIn(listed);
      expectPosted(await member.post('/account', { displayName: 'Listed', pronouns: '', contactNotes: '', wantsEventNews: 'yes' }));
      state.listed = listed;
    },
    change: async () => {
      expectPosted(await (state.announcerClient as TestClient).post(`/organise/announcements/${state.announcementId as string}/send`));
      const everyone = await t.db.select({ email: listSubscribers.email }).from(listSubscribers).where(eq(listSubscribers.status, 'subscribed'));
      expect(everyone.map((e) => e.email)).toContain(state.listed);
      return mails(
        'announcement.sent',
        'list-announcement',
        everyone.map((e) => e.email),
      );
    },
  },
  'event-invitation.sent': {
    setup: async () => {
      const event = await makeEvent(t.db, { type: 'round_table', startsAt: new Date(Date.now() + 20 * 86_400_000) });
      expectPosted(await org.post(`/organise/events/${event.slug}/invitations/plan`, { invitationOnly: 'yes', listing: 'listed', target: 'third' }));
      state.roundTable = event.slug;
    },
    change: async () => {
      const email = unique('invitee');
      expectPosted(await org.post(`/organise/events/${state.roundTable as string}/invitations`, { name: 'Invitee', email, perspective: 'carer' }));
      const [mail] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email));
      state.invitee = email;
      state.invitationPath = emailData(mail!).invitationPath;
      return mails('event-invitation.sent', 'event-invitation', [email]);
    },
  },
  'event-invitation.reminded': {
    change: async () => {
      await sendInvitationReminders(t.db, new Date(Date.now() + 6 * 86_400_000));
      return mails('event-invitation.reminded', 'event-invitation', [state.invitee as string]);
    },
  },
  'event-invitation.accepted': {
    change: async () => {
      expectPosted(await t.client().post(`${state.invitationPath as string}/accept`, { accessNeeds: '' }));
      return mails('event-invitation.accepted', 'event-invitation-accepted', [state.invitee as string]);
    },
  },
  'event-invitation.declined': {
    change: async () => {
      expectPosted(await t.client().post(`${state.invitationPath as string}/decline`));
      return [];
    },
  },
  'event-invitation.withdrawn': {
    setup: async () => {
      const email = unique('withdrawn');
      expectPosted(await org.post(`/organise/events/${state.roundTable as string}/invitations`, { name: 'Wyn', email, perspective: 'academic' }));
      const [mail] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, email));
      expectPosted(await t.client().post(`${emailData(mail!).invitationPath as string}/accept`, { accessNeeds: '' }));
      const [row] = await t.db.select({ id: eventInvitations.id }).from(eventInvitations).where(eq(eventInvitations.email, email));
      state.withdrawn = { email, id: row!.id };
    },
    change: async () => {
      const { email, id } = state.withdrawn as { email: string; id: string };
      expectPosted(await org.post(`/organise/events/${state.roundTable as string}/invitations/${id}/withdraw`));
      return mails('event-invitation.withdrawn', 'event-invitation-withdrawn', [email]);
    },
  },
  'list-left': {
    setup: async () => {
      const email = unique('leaves-list');
      const member = await t.signedIn(email);
      expectPosted(await member.post('/account', { displayName: 'Leaving the list', pronouns: '', contactNotes: '', wantsEventNews: 'yes' }));
      const [row] = await t.db.select({ id: listSubscribers.id }).from(listSubscribers).where(eq(listSubscribers.email, email));
      state.leaveListPath = leavePath(row!.id);
    },
    change: async () => {
      const left = await t.app.inject({
        method: 'POST',
        url: state.leaveListPath as string,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(left.statusCode).toBe(200);
      return [];
    },
  },
  'list-bounced': {
    change: async () => {
      // A join email to a mailbox that does not exist: the receiving server refuses it for good.
      const email = unique('no-such-mailbox');
      expectPosted(await t.client().post('/list/join', { email }));
      const refusing = {
        description: 'refuses every recipient',
        send: async () => {
          throw Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 No such user"), {
            code: 'EENVELOPE',
            responseCode: 550,
            command: 'RCPT TO',
            response: '550 5.1.1 No such user',
          });
        },
        close: () => {},
      };
      await deliverDueMessages(t.db, { transport: refusing, site: { baseUrl: 'http://convene.test', siteName: 'Hub' }, from: 'hub@example.org' });
      const [suppressed] = await t.db
        .select()
        .from(mailSuppressions)
        .where(eq(mailSuppressions.emailHash, emailHash(email)));
      expect(suppressed?.reason).toBe('bounced');
      return mails('list-join-asked', 'list-confirm', [email]);
    },
  },
  'list-import.run': {
    setup: async () => {
      state.importAsked = unique('imported-ask');
      const consented = unique('imported-consented');
      const csv = `Email,Name,Consent\n${consented},Ana,"2024-03-15, ticked the box"\n${state.importAsked as string},Bo,\n`;
      const uploaded = await postMultipart(
        org,
        '/organise/list/import',
        {},
        { field: 'file', filename: 'old.csv', contentType: 'text/csv', data: Buffer.from(csv) },
      );
      expectPosted(uploaded);
      expectPosted(await org.post(`${String(uploaded.headers.location)}/start`));
    },
    change: async () => {
      expect(await runImports(t.db)).toBe(2);
      return mails('list-import.run', 'list-import-ask', [state.importAsked as string]);
    },
  },
  'directory.asked': {
    change: async () => {
      expectPosted(await t.client().post('/directory/ask', { name: 'Asking Network', kind: 'network', requesterEmail: unique('asker') }));
      return [];
    },
  },
  'directory.decided': {
    setup: async () => {
      state.askers = [unique('asker-yes'), unique('asker-no')];
      for (const [i, email] of (state.askers as string[]).entries())
        expectPosted(await t.client().post('/directory/ask', { name: `Deciding ${i}`, kind: 'charity', requesterEmail: email }));
    },
    change: async () => {
      const [yes, no] = state.askers as string[];
      const pending = (await t.db.select().from(organisations).where(eq(organisations.status, 'pending'))).filter(
        (r) => r.requesterEmail === yes || r.requesterEmail === no,
      );
      expect(pending).toHaveLength(2);
      for (const row of pending) {
        const decision = row.requesterEmail === yes ? 'approve' : 'decline';
        expectPosted(await org.post(`/organise/directory/${row.id}/decision`, { decision }));
      }
      return mails('directory.decided', 'directory-decided', [yes!, no!]);
    },
  },
  'event.cohosts-changed': {
    setup: async () => {
      const event = await makeEvent(t.db);
      state.cohostedSlug = event.slug;
      const added = await org.post('/organise/directory', { name: 'Partner Network', kind: 'network' });
      expectPosted(added);
      state.partnerId = String(added.headers.location).split('/').pop();
    },
    change: async () => {
      expectPosted(await org.post(`/organise/events/${state.cohostedSlug as string}/co-hosts`, { organisations: state.partnerId as string }));
      return [];
    },
  },
};

beforeAll(async () => {
  await standIn.start();
  // Every person here signs in from the same test address: more than one client's share of links.
  t = await startTestApp({
    env: { SIGN_IN_LINKS_PER_IP: '1000', STRIPE_SECRET_KEY: 'sk_test_convene', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: standIn.url },
  });
  invoiceApp = await startTestApp({ database: t.database, env: { SIGN_IN_LINKS_PER_IP: '1000' } });
  org = await signedInOrganiser(t, 'org@example.org');
  admin = await t.signedIn('admin@example.org');
  await grantRole(t.db, null, await personId(t.db, 'admin@example.org'), 'admin');
});
afterAll(async () => {
  await invoiceApp?.close();
  await t?.close();
  await standIn.stop();
});

describe('who is told', () => {
  it('has a scenario for every row of the table, and no scenario without a row', () => {
    expect(Object.keys(scenarios).sort()).toEqual([...changeNames].sort());
  });

  // In the table's order: some rows carry on from the one before (an offer, then its expiry).
  for (const change of changeNames) {
    it(`${change}: ${whoIsTold[change].change}`, async () => {
      const scenario = scenarios[change];
      expect(scenario, `No scenario for the row "${change}"`).toBeDefined();
      await scenario.setup?.();
      await t.db.delete(outboxMessages);
      const expected = await scenario.change();
      // Every email answers to a row that lists its template.
      for (const e of expected)
        expect(
          whoIsTold[e.because].emails.map((m) => m.template),
          `${e.because} lists ${e.template}`,
        ).toContain(e.template);
      // Every audience of this row is exercised, and nothing else is in the outbox.
      const own = expected.filter((e) => e.because === change).map((e) => e.template);
      for (const told of whoIsTold[change].emails) expect(own, `the scenario for ${change} reaches "${told.to}"`).toContain(told.template);
      expect(await outbox()).toEqual(expected.map((e) => `${e.template} → ${e.to}`).sort());
    });
  }

  it('is shown in the README as the code has it', () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(withWhoIsTold(readme), 'README.md is out of date: run npm run who-is-told').toBe(readme);
  });

  it('refuses, in types and at run time, a template the change’s row does not list', async () => {
    const wrong = () =>
      // @ts-expect-error the row for a sign-in link does not list role-granted
      enqueueEmail(t.db, { because: 'account.sign-in-asked', to: 'x@example.org', template: 'role-granted', data: { name: 'X', role: 'organiser' } });
    await expect(wrong()).rejects.toThrow(/does not list the email "role-granted"/);
    expect(await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'x@example.org'))).toHaveLength(0);
  });
});
