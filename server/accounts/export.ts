// People's rights of access and portability (UK GDPR Articles 15 and 20): everything Convene
// holds about one person, as one typed object that becomes both the JSON download and the
// readable summary. It reads other features' tables directly, always scoped by the person, and
// leaves out three kinds of thing on purpose:
// - secrets: token and session hashes, receipt storage keys, payment processor ids, email bodies
//   (which carried sign-in and manage links);
// - other people's personal data: co-proposers, fellow planners and their perspectives, who
//   invited or paid whom (except who looked at the person's bursary data, which is theirs to know);
// - the panel's and reviewers' private working: reviewer notes and scores, the override reason.
// What was said to the person (a decision message, a reason) is theirs and is included.
import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import {
  auditEntries,
  bookingRequests,
  listSubscribers,
  bursaryApplications,
  bursaryClaims,
  bursaryItems,
  bursaryMessages,
  bursaryLedger,
  bursaryReceipts,
  eventQuestions,
  events,
  involvementCaps,
  invoices,
  involvementItems,
  outboxMessages,
  payments,
  people,
  planningMembers,
  planningPosts,
  planningTasks,
  privateFeedTokens,
  programmeSessions,
  proposalDateOptions,
  proposalEntries,
  proposalProposers,
  proposals,
  registrationAnswers,
  registrations,
  roleGrants,
  sessions,
  signInTokens,
  ticketTypes,
} from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import { afterEventOf, type AfterEventExport } from '../certificates/export.ts';
import { ownBankDetailsForExport } from '../bursaries/bank-details.ts';
import type { Database, Db } from '../db/database.ts';
import { invitationsOf } from '../invitations/service.ts';
import { creditNoteNumberText, invoiceNumberText } from '../invoices/numbers.ts';
import { creditNotesOf } from '../invoices/service.ts';
import { directoryRequestsOf, organisationsOf } from '../network/directory.ts';
import { NotFoundError } from '../errors.ts';
import type { ProposalInput } from '../proposals/service.ts';
import type { Profile } from './people.ts';

export const EXPORT_FORMAT = 'convene-personal-data';
export const EXPORT_VERSION = 1;

/** How the file was asked for: the JSON file, the summary page on the site, or the summary as a file. */
export type ExportFormat = 'json' | 'page' | 'html';

/** Who did something, as far as the person may know it. */
export type Who = 'you' | 'someone else' | 'the system';

export interface PersonExport {
  about: {
    format: typeof EXPORT_FORMAT;
    version: typeof EXPORT_VERSION;
    /** ISO 8601, UTC, like every time in this file. */
    generatedAt: string;
    notes: string[];
  };
  /** The account's details, as on the account page, and when it was made and last changed. */
  person: Omit<Profile, 'wantsEventNews'> & {
    createdAt: string;
    updatedAt: string;
    /** Site-wide roles ("admin", "organiser") and when they were given. */
    roles: { role: string; grantedAt: string }[];
    /** The limit the person set on paid involvement per tax year, in pence; null when none. */
    involvementCapPence: number | null;
  };
  /** Signed-in sessions that have not yet been removed: when, and the browser that said so. */
  sessions: { createdAt: string; lastSeenAt: string; expiresAt: string; userAgent: string }[];
  /**
   * Sign-in links asked for with this address (the links themselves are never kept). The page to
   * return to is left out: it comes from whoever made the link, and could be anything; so is the
   * internet address it was asked from, which may be someone else's.
   */
  signInRequests: { requestedAt: string; expiresAt: string; usedAt: string | null }[];
  bookings: ExportBooking[];
  /**
   * Bookings asked for with this address without signing in, each waiting for the emailed link
   * to be opened: what the form held (until the link is used), and when. The internet address is
   * left out, as for sign-in links.
   */
  bookingRequests: { eventTitle: string; requestedAt: string; expiresAt: string; usedAt: string | null; form: Record<string, unknown> | null }[];
  /** The mailing list entry of the person's address, with the consent it records; null if none. */
  mailingList: {
    status: string;
    name: string;
    interests: { types: string[]; formats: string[]; regions: string[] };
    consentedAt: string;
    consentWording: string;
    consentMethod: string;
    unsubscribedAt: string | null;
  } | null;
  /** Organisations in the directory the person said they belong to, and whether they are named on them. */
  organisations: { name: string; shownPublicly: boolean }[];
  /**
   * What was asked of the directory with the person's address (not proven when asked): requests
   * for a change to a listed entry, and requests to be listed still waiting for a decision.
   */
  directoryRequests: { changes: { organisation: string; message: string; askedAt: string }[]; listings: { name: string; askedAt: string }[] };
  /** Invitations to invitation-only events sent to the person's address. */
  invitations: {
    eventTitle: string;
    name: string;
    perspective: string;
    organisation: string;
    status: string;
    accessNeeds: string;
    invitedAt: string;
    answeredAt: string | null;
  }[];
  proposals: ExportProposal[];
  planning: {
    memberships: {
      eventId: string;
      eventTitle: string;
      role: string;
      /** The person's own declared perspective, or null when they did not give one. */
      perspective: string | null;
      status: string;
      invitedAt: string;
      respondedAt: string | null;
    }[];
    /** Programme sessions where the person is named as a speaker. */
    speaking: { eventTitle: string; title: string; startsAt: string; endsAt: string }[];
    tasksOwned: { eventTitle: string; title: string; dueOn: string | null; doneAt: string | null }[];
    postsWritten: { eventTitle: string; body: string; at: string }[];
  };
  involvementItems: {
    eventTitle: string;
    activity: string;
    description: string;
    occurredOn: string;
    minutes: number;
    ratePencePerHour: number;
    amountPence: number;
    choice: string;
    organisationName: string;
    paidAt: string | null;
    createdAt: string;
  }[];
  bursaryApplications: ExportBursaryApplication[];
  /** Certificates of attendance, and answers to feedback surveys that were not anonymous. */
  afterEvents: AfterEventExport;
  calendar: {
    /** Whether a private feed link exists (the link itself cannot be recovered: only its hash is kept). */
    privateFeed: { exists: boolean; createdAt: string | null };
  };
  /** Emails sent (or waiting to be sent) to the person's address. Their bodies are not kept in a readable form here. */
  emails: { template: string; subject: string; status: string; queuedAt: string; sentAt: string | null }[];
  /** The audit log's entries for things the person did, and for changes to their account (a role given, say). */
  activity: { action: string; subjectType: string; by: Who; at: string }[];
}

export interface ExportBooking {
  id: string;
  eventId: string;
  eventTitle: string;
  eventStartsAt: string | null;
  ticketType: string | null;
  status: string;
  name: string;
  email: string;
  organisation: string;
  perspective: string;
  accessRequirements: string;
  dietaryNeeds: string;
  consentFutureEvents: boolean;
  pricePence: number;
  paymentMode: string;
  createdAt: string;
  confirmedAt: string | null;
  cancelledAt: string | null;
  attendedAt: string | null;
  waitlistedAt: string | null;
  answers: { question: string; answer: string }[];
  /** Places for a support worker or personal assistant booked with this booking. */
  companions: { name: string; status: string }[];
  payments: { method: string; amountPence: number; status: string; createdAt: string; paidAt: string | null; refundedAt: string | null }[];
  /** Invoices for the booking, with who pays as it was given. */
  invoices: {
    number: string;
    payerName: string;
    payerAddress: string;
    purchaseOrder: string;
    invoiceEmail: string;
    amountPence: number;
    status: string;
    issuedAt: string;
    /** The credit note that cancelled it, if one did. */
    creditNote: { number: string; amountPence: number; refundDuePence: number; reason: string; issuedAt: string } | null;
  }[];
  /** Who is to pay, given while waiting for a place sold by invoice (null otherwise). */
  invoicePayer: { payerName: string; payerAddress: string; purchaseOrder: string; invoiceEmail: string } | null;
}

/** The proposal as its proposers wrote it, plus its state and history. */
export interface ExportProposal extends Omit<ProposalInput, 'dateOptions' | 'coProposerEmails'> {
  id: string;
  /** "author" or "co-proposer". */
  yourPart: 'author' | 'co-proposer';
  status: string;
  submittedAt: string | null;
  decidedAt: string | null;
  createdAt: string;
  dateOptions: { startsAt: string; endsAt: string | null }[];
  /** The proposal's history and the messages its proposers see. */
  history: { kind: string; by: Who; message: string; at: string }[];
}

export interface ExportBursaryApplication {
  id: string;
  eventTitle: string;
  status: string;
  perspective: string | null;
  inAdvance: boolean;
  hubBooksTickets: boolean;
  paymentMethod: string | null;
  paymentName: string;
  /** Bank details given for a bank transfer (encrypted in the database; deleted once settled). */
  bankDetails: { sortCode: string; accountNumber: string } | null;
  paymentArrangement: string;
  note: string;
  createdAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  closedAt: string | null;
  items: { category: string; description: string; miles: number | null; estimatePence: number; approvedPence: number | null; claimedPence: number | null }[];
  /** Messages from the panel to the person, and the person's own. */
  messages: { by: Who; body: string; at: string }[];
  claim: { status: string; submittedAt: string; approvedAt: string | null; approvedPence: number | null } | null;
  /** Receipts by name and size; each file can be downloaded on its own from the summary page. */
  receipts: { id: string; itemCategory: string; filename: string; contentType: string; sizeBytes: number; uploadedAt: string }[];
  payments: { kind: string; amountPence: number; paidOn: string; method: string; reference: string }[];
  /**
   * Everyone who opened or acted on this application, from the audit log. Panel members are named
   * (by the name they use on the site): knowing who saw one's bursary data is the person's right.
   */
  access: { action: string; by: Who; name: string; at: string }[];
}

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

function who(actorId: string | null, personId: string): Who {
  if (actorId === null) return 'the system';
  return actorId === personId ? 'you' : 'someone else';
}

/**
 * Everything Convene holds about one person, read in one transaction and audited in it. The only
 * input is the person's own id, taken from their session by the route: there is nothing a request
 * could change to reach someone else's data.
 */
export async function exportPerson(db: Database, input: { personId: string; format: ExportFormat }): Promise<PersonExport> {
  return db.transaction(async (tx) => {
    const result = await readPerson(tx, input.personId);
    await recordAudit(tx, {
      actorId: input.personId,
      action: 'account.data.exported',
      subjectType: 'person',
      subjectId: input.personId,
      details: { format: input.format },
    });
    return result;
  });
}

async function readPerson(db: Db, personId: string): Promise<PersonExport> {
  const [person] = await db.select().from(people).where(eq(people.id, personId));
  if (!person) throw new NotFoundError('We could not find your account.');

  const [subscription] = await db.select().from(listSubscribers).where(eq(listSubscribers.email, person.email));
  const [roles, cap, sessionRows, signIns, bookingAsks, feed, emails, activity] = await Promise.all([
    db.select({ role: roleGrants.role, grantedAt: roleGrants.grantedAt }).from(roleGrants).where(eq(roleGrants.personId, personId)),
    db.select({ capPence: involvementCaps.capPence }).from(involvementCaps).where(eq(involvementCaps.personId, personId)),
    db
      .select({ createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt, userAgent: sessions.userAgent })
      .from(sessions)
      .where(eq(sessions.personId, personId))
      .orderBy(desc(sessions.createdAt)),
    db
      .select({ createdAt: signInTokens.createdAt, expiresAt: signInTokens.expiresAt, usedAt: signInTokens.usedAt })
      .from(signInTokens)
      .where(eq(signInTokens.email, person.email))
      .orderBy(desc(signInTokens.createdAt)),
    db
      .select({
        eventTitle: events.title,
        createdAt: bookingRequests.createdAt,
        expiresAt: bookingRequests.expiresAt,
        usedAt: bookingRequests.usedAt,
        fields: bookingRequests.fields,
      })
      .from(bookingRequests)
      .innerJoin(events, eq(events.id, bookingRequests.eventId))
      .where(eq(bookingRequests.email, person.email))
      .orderBy(desc(bookingRequests.createdAt)),
    db.select({ createdAt: privateFeedTokens.createdAt }).from(privateFeedTokens).where(eq(privateFeedTokens.personId, personId)),
    db
      .select({
        template: outboxMessages.template,
        subject: outboxMessages.subject,
        status: outboxMessages.status,
        createdAt: outboxMessages.createdAt,
        sentAt: outboxMessages.sentAt,
      })
      .from(outboxMessages)
      .where(eq(outboxMessages.toAddress, person.email))
      .orderBy(desc(outboxMessages.createdAt)),
    db
      .select({ action: auditEntries.action, subjectType: auditEntries.subjectType, actorId: auditEntries.actorId, at: auditEntries.at })
      .from(auditEntries)
      .where(or(eq(auditEntries.actorId, personId), and(eq(auditEntries.subjectType, 'person'), eq(auditEntries.subjectId, personId))))
      .orderBy(desc(auditEntries.id)),
  ]);

  return {
    about: {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      generatedAt: iso(new Date()),
      notes: [
        'Times are in UTC (ISO 8601). Amounts of money are whole pence.',
        'Secrets are left out: sign-in, booking and calendar links, session and link hashes, and the keys receipts are stored under.',
        'Other people’s personal data is left out, except the names of people who opened your bursary applications.',
        'Reviewers’ private notes and scores on proposals are not included; messages sent to you are.',
      ],
    },
    person: {
      id: person.id,
      email: person.email,
      displayName: person.displayName,
      pronouns: person.pronouns,
      prefersPlainText: person.prefersPlainText,
      contactNotes: person.contactNotes,
      createdAt: iso(person.createdAt),
      updatedAt: iso(person.updatedAt),
      roles: roles.map((r) => ({ role: r.role, grantedAt: iso(r.grantedAt) })),
      involvementCapPence: cap[0]?.capPence ?? null,
    },
    sessions: sessionRows.map((s) => ({ createdAt: iso(s.createdAt), lastSeenAt: iso(s.lastSeenAt), expiresAt: iso(s.expiresAt), userAgent: s.userAgent })),
    signInRequests: signIns.map((s) => ({ requestedAt: iso(s.createdAt), expiresAt: iso(s.expiresAt), usedAt: isoOrNull(s.usedAt) })),
    bookings: await readBookings(db, personId, person.email),
    mailingList: subscription
      ? {
          status: subscription.status,
          name: subscription.name,
          interests: subscription.interests,
          consentedAt: iso(subscription.consentedAt),
          consentWording: subscription.consentWording,
          consentMethod: subscription.consentMethod,
          unsubscribedAt: isoOrNull(subscription.unsubscribedAt),
        }
      : null,
    organisations: (await organisationsOf(db, personId)).map((o) => ({ name: o.name, shownPublicly: o.showPublicly })),
    directoryRequests: ((asked) => ({
      changes: asked.changes.map((c) => ({ organisation: c.organisationName, message: c.message, askedAt: iso(c.askedAt) })),
      listings: asked.listings.map((l) => ({ name: l.name, askedAt: iso(l.askedAt) })),
    }))(await directoryRequestsOf(db, person.email)),
    invitations: (await invitationsOf(db, person.email)).map((i) => ({ ...i, invitedAt: iso(i.invitedAt), answeredAt: isoOrNull(i.answeredAt) })),
    bookingRequests: bookingAsks.map((b) => ({
      eventTitle: b.eventTitle,
      requestedAt: iso(b.createdAt),
      expiresAt: iso(b.expiresAt),
      usedAt: isoOrNull(b.usedAt),
      form: b.fields ?? null,
    })),
    proposals: await readProposals(db, personId),
    planning: await readPlanning(db, personId),
    involvementItems: await readInvolvement(db, personId),
    bursaryApplications: await readBursaries(db, personId),
    afterEvents: await afterEventOf(db, { id: personId, email: person.email }),
    calendar: { privateFeed: { exists: feed.length > 0, createdAt: feed[0] ? iso(feed[0].createdAt) : null } },
    emails: emails.map((m) => ({ template: m.template, subject: m.subject, status: m.status, queuedAt: iso(m.createdAt), sentAt: isoOrNull(m.sentAt) })),
    activity: activity.map((a) => ({ action: a.action, subjectType: a.subjectType, by: who(a.actorId, personId), at: iso(a.at) })),
  };
}

/** Bookings made signed in, or with the person's address before they signed in (as "Your bookings" shows them). */
async function readBookings(db: Db, personId: string, email: string): Promise<ExportBooking[]> {
  const main = await db
    .select({ registration: registrations, eventTitle: events.title, eventStartsAt: events.startsAt, ticketType: ticketTypes.name })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .leftJoin(ticketTypes, eq(ticketTypes.id, registrations.ticketTypeId))
    .where(and(isNull(registrations.companionOfId), or(eq(registrations.personId, personId), eq(registrations.email, email))))
    .orderBy(desc(registrations.createdAt));
  const ids = main.map((m) => m.registration.id);
  if (!ids.length) return [];
  const [answers, companions, paid, invoiced] = await Promise.all([
    db
      .select({ registrationId: registrationAnswers.registrationId, question: eventQuestions.label, answer: registrationAnswers.value })
      .from(registrationAnswers)
      .innerJoin(eventQuestions, eq(eventQuestions.id, registrationAnswers.questionId))
      .where(inArray(registrationAnswers.registrationId, ids))
      .orderBy(asc(eventQuestions.position)),
    db
      .select({ companionOfId: registrations.companionOfId, name: registrations.name, status: registrations.status })
      .from(registrations)
      .where(inArray(registrations.companionOfId, ids)),
    db
      .select({
        registrationId: payments.registrationId,
        method: payments.method,
        amountPence: payments.amountPence,
        status: payments.status,
        createdAt: payments.createdAt,
        paidAt: payments.paidAt,
        refundedAt: payments.refundedAt,
      })
      .from(payments)
      .where(inArray(payments.registrationId, ids))
      .orderBy(asc(payments.createdAt)),
    db.select().from(invoices).where(inArray(invoices.registrationId, ids)).orderBy(asc(invoices.number)),
  ]);
  const credited = await creditNotesOf(
    db,
    invoiced.map((i) => i.id),
  );
  return main.map(({ registration: r, eventTitle, eventStartsAt, ticketType }) => ({
    id: r.id,
    eventId: r.eventId,
    eventTitle,
    eventStartsAt: isoOrNull(eventStartsAt),
    ticketType,
    status: r.status,
    name: r.name,
    email: r.email,
    organisation: r.organisation,
    perspective: r.perspective,
    accessRequirements: r.accessRequirements,
    dietaryNeeds: r.dietaryNeeds,
    consentFutureEvents: r.consentFutureEvents,
    pricePence: r.pricePence,
    paymentMode: r.paymentMode,
    createdAt: iso(r.createdAt),
    confirmedAt: isoOrNull(r.confirmedAt),
    cancelledAt: isoOrNull(r.cancelledAt),
    attendedAt: isoOrNull(r.attendedAt),
    waitlistedAt: isoOrNull(r.waitlistedAt),
    answers: answers.filter((a) => a.registrationId === r.id).map((a) => ({ question: a.question, answer: a.answer })),
    companions: companions.filter((c) => c.companionOfId === r.id).map((c) => ({ name: c.name, status: c.status })),
    payments: paid
      .filter((p) => p.registrationId === r.id)
      .map((p) => ({
        method: p.method,
        amountPence: p.amountPence,
        status: p.status,
        createdAt: iso(p.createdAt),
        paidAt: isoOrNull(p.paidAt),
        refundedAt: isoOrNull(p.refundedAt),
      })),
    invoices: invoiced
      .filter((i) => i.registrationId === r.id)
      .map((i) => ({
        number: invoiceNumberText(i.number),
        payerName: i.payerName,
        payerAddress: i.payerAddress,
        purchaseOrder: i.purchaseOrder,
        invoiceEmail: i.invoiceEmail,
        amountPence: i.amountPence,
        status: i.status,
        issuedAt: iso(i.issuedAt),
        creditNote: ((note) =>
          note
            ? {
                number: creditNoteNumberText(note.number),
                amountPence: note.amountPence,
                refundDuePence: note.refundDue,
                reason: note.reason,
                issuedAt: iso(note.issuedAt),
              }
            : null)(credited.find((n) => n.invoiceId === i.id)),
      })),
    invoicePayer: r.invoicePayer ?? null,
  }));
}

async function readProposals(db: Db, personId: string): Promise<ExportProposal[]> {
  const rows = await db
    .select({ proposal: proposals, isAuthor: proposalProposers.isAuthor })
    .from(proposalProposers)
    .innerJoin(proposals, eq(proposals.id, proposalProposers.proposalId))
    .where(eq(proposalProposers.personId, personId))
    .orderBy(desc(proposals.createdAt));
  const ids = rows.map((r) => r.proposal.id);
  if (!ids.length) return [];
  const [dates, entries] = await Promise.all([
    db.select().from(proposalDateOptions).where(inArray(proposalDateOptions.proposalId, ids)).orderBy(asc(proposalDateOptions.startsAt)),
    db.select().from(proposalEntries).where(inArray(proposalEntries.proposalId, ids)).orderBy(asc(proposalEntries.at)),
  ]);
  // Every field is named rather than spread, here and below, so that a column added later (a
  // secret, someone else's note) never reaches the file without a decision.
  return rows.map(({ proposal: p, isAuthor }) => ({
    id: p.id,
    yourPart: isAuthor ? 'author' : 'co-proposer',
    status: p.status,
    title: p.title,
    type: p.type,
    summary: p.summary,
    purpose: p.purpose,
    audience: p.audience,
    format: p.format,
    place: p.place,
    expectedNumbers: p.expectedNumbers,
    accessibilityPlan: p.accessibilityPlan,
    coproductionPlan: p.coproductionPlan,
    budgetNeeds: p.budgetNeeds,
    bursaryBudgetPence: p.bursaryBudgetPence,
    submittedAt: isoOrNull(p.submittedAt),
    decidedAt: isoOrNull(p.decidedAt),
    createdAt: iso(p.createdAt),
    dateOptions: dates.filter((d) => d.proposalId === p.id).map((d) => ({ startsAt: iso(d.startsAt), endsAt: isoOrNull(d.endsAt) })),
    history: entries
      .filter((e) => e.proposalId === p.id)
      // The entry for an added co-proposer holds their address: someone else's data.
      .map((e) => ({ kind: e.kind, by: who(e.actorId, personId), message: e.kind === 'co_proposer_added' ? '' : e.message, at: iso(e.at) })),
  }));
}

async function readPlanning(db: Db, personId: string): Promise<PersonExport['planning']> {
  const [memberships, speaking, tasks, posts] = await Promise.all([
    db
      .select({
        eventId: planningMembers.eventId,
        eventTitle: events.title,
        role: planningMembers.role,
        perspective: planningMembers.perspective,
        status: planningMembers.status,
        invitedAt: planningMembers.invitedAt,
        respondedAt: planningMembers.respondedAt,
      })
      .from(planningMembers)
      .innerJoin(events, eq(events.id, planningMembers.eventId))
      .where(eq(planningMembers.personId, personId))
      .orderBy(desc(planningMembers.invitedAt)),
    db
      .select({ eventTitle: events.title, title: programmeSessions.title, startsAt: programmeSessions.startsAt, endsAt: programmeSessions.endsAt })
      .from(programmeSessions)
      .innerJoin(events, eq(events.id, programmeSessions.eventId))
      .where(sql`${personId}::uuid = any(${programmeSessions.speakerIds})`)
      .orderBy(asc(programmeSessions.startsAt)),
    db
      .select({ eventTitle: events.title, title: planningTasks.title, dueOn: planningTasks.dueOn, doneAt: planningTasks.doneAt })
      .from(planningTasks)
      .innerJoin(events, eq(events.id, planningTasks.eventId))
      .where(eq(planningTasks.ownerId, personId))
      .orderBy(asc(planningTasks.createdAt)),
    db
      .select({ eventTitle: events.title, body: planningPosts.body, at: planningPosts.at })
      .from(planningPosts)
      .innerJoin(events, eq(events.id, planningPosts.eventId))
      .where(eq(planningPosts.authorId, personId))
      .orderBy(asc(planningPosts.at)),
  ]);
  return {
    memberships: memberships.map((m) => ({ ...m, invitedAt: iso(m.invitedAt), respondedAt: isoOrNull(m.respondedAt) })),
    speaking: speaking.map((s) => ({ ...s, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt) })),
    tasksOwned: tasks.map((t) => ({ ...t, doneAt: isoOrNull(t.doneAt) })),
    postsWritten: posts.map((p) => ({ ...p, at: iso(p.at) })),
  };
}

async function readInvolvement(db: Db, personId: string): Promise<PersonExport['involvementItems']> {
  const rows = await db
    .select({
      eventTitle: events.title,
      activity: involvementItems.activity,
      description: involvementItems.description,
      occurredOn: involvementItems.occurredOn,
      minutes: involvementItems.minutes,
      ratePencePerHour: involvementItems.ratePencePerHour,
      amountPence: involvementItems.amountPence,
      choice: involvementItems.choice,
      organisationName: involvementItems.organisationName,
      paidAt: involvementItems.paidAt,
      createdAt: involvementItems.createdAt,
    })
    .from(involvementItems)
    .innerJoin(events, eq(events.id, involvementItems.eventId))
    .where(eq(involvementItems.personId, personId))
    .orderBy(asc(involvementItems.occurredOn));
  return rows.map((r) => ({ ...r, paidAt: isoOrNull(r.paidAt), createdAt: iso(r.createdAt) }));
}

/** The audit actions on an application that are reported to its applicant. */
const applicationAccessActions = sql`${auditEntries.action} like 'bursary.%'`;

async function readBursaries(db: Db, personId: string): Promise<ExportBursaryApplication[]> {
  const apps = await db
    .select({ application: bursaryApplications, eventTitle: events.title })
    .from(bursaryApplications)
    .innerJoin(events, eq(events.id, bursaryApplications.eventId))
    // An erased application is anonymous: nothing in it is about the person any more.
    .where(and(eq(bursaryApplications.applicantId, personId), isNull(bursaryApplications.erasedAt)))
    .orderBy(desc(bursaryApplications.createdAt));
  const ids = apps.map((a) => a.application.id);
  if (!ids.length) return [];
  const [items, messages, claims, receipts, paid, access] = await Promise.all([
    db.select().from(bursaryItems).where(inArray(bursaryItems.applicationId, ids)),
    db.select().from(bursaryMessages).where(inArray(bursaryMessages.applicationId, ids)).orderBy(asc(bursaryMessages.createdAt)),
    db.select().from(bursaryClaims).where(inArray(bursaryClaims.applicationId, ids)),
    db
      .select({
        id: bursaryReceipts.id,
        applicationId: bursaryReceipts.applicationId,
        itemCategory: bursaryItems.category,
        filename: bursaryReceipts.filename,
        contentType: bursaryReceipts.contentType,
        sizeBytes: bursaryReceipts.sizeBytes,
        uploadedAt: bursaryReceipts.uploadedAt,
      })
      .from(bursaryReceipts)
      .innerJoin(bursaryItems, eq(bursaryItems.id, bursaryReceipts.itemId))
      .where(inArray(bursaryReceipts.applicationId, ids))
      .orderBy(asc(bursaryReceipts.uploadedAt)),
    db
      .select({
        applicationId: bursaryLedger.applicationId,
        kind: bursaryLedger.kind,
        amountPence: bursaryLedger.amountPence,
        paidOn: bursaryLedger.occurredOn,
        method: bursaryLedger.method,
        reference: bursaryLedger.reference,
      })
      .from(bursaryLedger)
      .where(and(inArray(bursaryLedger.applicationId, ids), inArray(bursaryLedger.kind, ['advance', 'settlement', 'repaid', 'written_off'])))
      .orderBy(asc(bursaryLedger.occurredOn), asc(bursaryLedger.recordedAt)),
    db
      .select({
        subjectId: auditEntries.subjectId,
        action: auditEntries.action,
        actorId: auditEntries.actorId,
        actorName: people.displayName,
        at: auditEntries.at,
      })
      .from(auditEntries)
      .leftJoin(people, eq(people.id, auditEntries.actorId))
      .where(and(eq(auditEntries.subjectType, 'bursary_application'), inArray(auditEntries.subjectId, ids), applicationAccessActions))
      .orderBy(asc(auditEntries.id)),
  ]);
  const bank = new Map(await Promise.all(ids.map(async (id) => [id, await ownBankDetailsForExport(db, id)] as const)));
  return apps.map(({ application: a, eventTitle }) => {
    const claim = claims.find((c) => c.applicationId === a.id);
    const details = bank.get(a.id) ?? null;
    return {
      id: a.id,
      eventTitle,
      status: a.status,
      perspective: a.perspective,
      inAdvance: a.inAdvance,
      hubBooksTickets: a.hubBooksTickets,
      paymentMethod: a.paymentMethod,
      paymentName: details?.accountName ?? a.paymentName,
      bankDetails: details && { sortCode: details.sortCode, accountNumber: details.accountNumber },
      paymentArrangement: a.paymentArrangement,
      note: a.note,
      createdAt: iso(a.createdAt),
      submittedAt: isoOrNull(a.submittedAt),
      decidedAt: isoOrNull(a.decidedAt),
      closedAt: isoOrNull(a.closedAt),
      items: items
        .filter((i) => i.applicationId === a.id)
        .map((i) => ({
          category: i.category,
          description: i.description,
          miles: i.miles,
          estimatePence: i.estimatePence,
          approvedPence: i.approvedPence,
          claimedPence: i.claimedPence,
        })),
      messages: messages.filter((m) => m.applicationId === a.id).map((m) => ({ by: who(m.authorId, personId), body: m.body, at: iso(m.createdAt) })),
      claim: claim
        ? { status: claim.status, submittedAt: iso(claim.submittedAt), approvedAt: isoOrNull(claim.approvedAt), approvedPence: claim.approvedPence }
        : null,
      receipts: receipts
        .filter((r) => r.applicationId === a.id)
        .map((r) => ({
          id: r.id,
          itemCategory: r.itemCategory,
          filename: r.filename,
          contentType: r.contentType,
          sizeBytes: r.sizeBytes,
          uploadedAt: iso(r.uploadedAt),
        })),
      payments: paid
        .filter((p) => p.applicationId === a.id)
        .map((p) => ({ kind: p.kind, amountPence: p.amountPence, paidOn: p.paidOn, method: p.method, reference: p.reference })),
      access: access
        .filter((e) => e.subjectId === a.id)
        .map((e) => {
          const by = who(e.actorId, personId);
          return { action: e.action, by, name: by === 'someone else' ? e.actorName || 'A panel member' : '', at: iso(e.at) };
        }),
    };
  });
}

/**
 * The storage key of one of the person's own receipts, so the summary can offer each file on its
 * own without putting the key in the page: scoped by the applicant, never by the receipt alone.
 */
export async function ownReceiptKey(db: Db, input: { personId: string; receiptId: string }): Promise<string> {
  const [row] = await db
    .select({ storageKey: bursaryReceipts.storageKey })
    .from(bursaryReceipts)
    .innerJoin(bursaryApplications, eq(bursaryApplications.id, bursaryReceipts.applicationId))
    .where(and(eq(bursaryReceipts.id, input.receiptId), eq(bursaryApplications.applicantId, input.personId), isNull(bursaryApplications.erasedAt)));
  if (!row) throw new NotFoundError('We could not find that receipt.');
  return row.storageKey;
}
