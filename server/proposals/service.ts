// Proposals: anyone signed in suggests an event; the steering group (organisers) reviews it,
// scores it on a short rubric, talks with the proposers and decides. Accepting creates the
// event in `planning` with the proposers as its planning group.
import { steeringGroupAddresses } from '../steering-group.ts';
import { and, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import {
  people,
  proposalDateOptions,
  proposalEntries,
  proposalInvitations,
  proposalProposers,
  proposalReviewerNotes,
  proposals,
  proposalScores,
  rubricCriteria,
  type EventFormat,
  type EventType,
  type ProposalEntryKind,
  type ProposalStatus,
  type RubricCriterion,
} from '../../db/schema/index.ts';
import type { Me } from '../me.ts';
import { hashSecret, newSecret } from '../secrets.ts';
import { checkEmail } from '../email-address.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { spendMailBudget, type MailBudget } from '../mail/budget.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { createPlanningEvent } from '../planning/events.ts';

export type ProposalRow = typeof proposals.$inferSelect;

export interface DateOptionInput {
  startsAt: Date;
  endsAt: Date | null;
}

export interface ProposalInput {
  title: string;
  type: EventType;
  summary: string;
  purpose: string;
  audience: string;
  format: EventFormat;
  place: string;
  expectedNumbers: number | null;
  accessibilityPlan: string;
  coproductionPlan: string;
  budgetNeeds: string;
  bursaryBudgetPence: number | null;
  dateOptions: DateOptionInput[];
  /** New co-proposers to invite. */
  coProposerEmails: string[];
}

/** What a proposer's action needs beyond its input: the daily budget of emails to others. */
export interface ProposerContext {
  mailBudget: MailBudget;
  now?: Date;
}

/** The author plus at most this many co-proposers (counting invitations not yet answered). */
export const MAX_CO_PROPOSERS = 5;
/** How long an invitation to co-propose can be accepted. */
export const INVITATION_DAYS = 14;

const editable: ProposalStatus[] = ['draft', 'changes_requested'];
const withdrawable: ProposalStatus[] = ['draft', 'submitted', 'changes_requested'];

async function proposerRows(db: Db, proposalId: string) {
  return db
    .select({ personId: people.id, email: people.email, displayName: people.displayName, isAuthor: proposalProposers.isAuthor })
    .from(proposalProposers)
    .innerJoin(people, eq(people.id, proposalProposers.personId))
    .where(eq(proposalProposers.proposalId, proposalId))
    .orderBy(desc(proposalProposers.isAuthor), asc(proposalProposers.addedAt));
}

export async function isProposer(db: Db, proposalId: string, personId: string): Promise<boolean> {
  const [row] = await db
    .select({ personId: proposalProposers.personId })
    .from(proposalProposers)
    .where(and(eq(proposalProposers.proposalId, proposalId), eq(proposalProposers.personId, personId)));
  return Boolean(row);
}

/** A proposal as its proposers may see it; organisers may see every proposal. */
async function loadForProposer(db: Db, proposalId: string, me: Me, lock = false): Promise<ProposalRow> {
  const query = db.select().from(proposals).where(eq(proposals.id, proposalId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError('We could not find that proposal.');
  if (!(await isProposer(db, proposalId, me.id))) throw new ForbiddenError('Only the people who proposed this event can see it here.');
  return row;
}

const tooManyCoProposers = (room: number) =>
  new InvalidInputError([
    {
      field: 'coProposerEmails',
      message:
        room > 0
          ? `A proposal can have up to ${MAX_CO_PROPOSERS} co-proposers, so you can invite ${room} more. Invitations not yet answered count towards this.`
          : `A proposal can have up to ${MAX_CO_PROPOSERS} co-proposers, and this one has that many. Invitations not yet answered count towards this.`,
    },
  ]);

function cleanCoProposers(emails: string[], me: Me): string[] {
  const seen = new Set<string>();
  for (const raw of emails) {
    if (!raw.trim()) continue;
    const email = checkEmail(raw, 'coProposerEmails');
    if (email !== me.email) seen.add(email);
  }
  if (seen.size > MAX_CO_PROPOSERS) throw tooManyCoProposers(MAX_CO_PROPOSERS);
  return [...seen];
}

/** Invitations that can still be accepted. */
const pendingInvitation = (now: Date) =>
  and(isNull(proposalInvitations.acceptedAt), isNull(proposalInvitations.declinedAt), gt(proposalInvitations.expiresAt, now));

/**
 * Emails each new address an invitation to co-propose, with a private link to accept it. No
 * account or membership is made for them until they do. Addresses already proposing it or
 * already invited are skipped; the co-proposers and open invitations together stay within
 * MAX_CO_PROPOSERS. Call with the proposal's row locked.
 */
async function inviteCoProposers(tx: Db, proposal: { id: string; title: string }, emails: string[], me: Me, context: ProposerContext) {
  if (!emails.length) return;
  const now = context.now ?? new Date();
  const proposers = await proposerRows(tx, proposal.id);
  const invited = await tx
    .select({ email: proposalInvitations.email })
    .from(proposalInvitations)
    .where(and(eq(proposalInvitations.proposalId, proposal.id), pendingInvitation(now)));
  const known = new Set([...proposers.map((p) => p.email), ...invited.map((i) => i.email)]);
  const fresh = emails.filter((e) => !known.has(e));
  const room = MAX_CO_PROPOSERS - (proposers.filter((p) => !p.isAuthor).length + invited.length);
  if (fresh.length > room) throw tooManyCoProposers(Math.max(room, 0));
  // Spent before anything is sent; over budget, the whole action is undone.
  await spendMailBudget(tx, { personId: me.id, emails: fresh.length, budget: context.mailBudget, now });
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
  for (const email of fresh) {
    const token = newSecret();
    await tx.insert(proposalInvitations).values({ proposalId: proposal.id, email, tokenHash: hashSecret(token), invitedBy: me.id, createdAt: now, expiresAt });
    await recordAudit(tx, { actorId: me.id, action: 'proposal.co_proposer.invited', subjectType: 'proposal', subjectId: proposal.id });
    await enqueueEmail(tx, {
      because: 'proposal.co-proposer-invited',
      to: email,
      template: 'proposal-co-proposer',
      data: {
        inviterName: me.displayName || me.email,
        title: proposal.title,
        invitationPath: `/proposals/invitations/${token}`,
        expires: formatDateTime(expiresAt),
      },
    });
  }
}

async function addEntry(tx: Db, proposalId: string, kind: ProposalEntryKind, actorId: string | null, message = '') {
  await tx.insert(proposalEntries).values({ proposalId, kind, actorId, message });
}

function fieldsOf(input: ProposalInput) {
  return {
    title: input.title.trim(),
    type: input.type,
    summary: input.summary.trim(),
    purpose: input.purpose.trim(),
    audience: input.audience.trim(),
    format: input.format,
    place: input.place.trim(),
    expectedNumbers: input.expectedNumbers,
    accessibilityPlan: input.accessibilityPlan.trim(),
    coproductionPlan: input.coproductionPlan.trim(),
    budgetNeeds: input.budgetNeeds.trim(),
    bursaryBudgetPence: input.bursaryBudgetPence,
  };
}

export async function createProposal(db: Database, input: ProposalInput, me: Me, context: ProposerContext): Promise<string> {
  if (!input.title.trim()) throw new InvalidInputError([{ field: 'title', message: 'Enter a title' }]);
  const coProposers = cleanCoProposers(input.coProposerEmails, me);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(proposals)
      .values({ ...fieldsOf(input), authorId: me.id })
      .returning({ id: proposals.id, title: proposals.title });
    await tx.insert(proposalProposers).values({ proposalId: row!.id, personId: me.id, isAuthor: true });
    if (input.dateOptions.length) await tx.insert(proposalDateOptions).values(input.dateOptions.map((d) => ({ ...d, proposalId: row!.id })));
    await addEntry(tx, row!.id, 'created', me.id);
    await inviteCoProposers(tx, row!, coProposers, me, context);
    await recordAudit(tx, { actorId: me.id, action: 'proposal.created', subjectType: 'proposal', subjectId: row!.id });
    return row!.id;
  });
}

export async function updateProposal(db: Database, proposalId: string, input: ProposalInput, me: Me, context: ProposerContext): Promise<void> {
  if (!input.title.trim()) throw new InvalidInputError([{ field: 'title', message: 'Enter a title' }]);
  const coProposers = cleanCoProposers(input.coProposerEmails, me);
  await db.transaction(async (tx) => {
    const proposal = await loadForProposer(tx, proposalId, me, true);
    if (!editable.includes(proposal.status)) {
      throw new ConflictError(
        'proposal_not_editable',
        'This proposal cannot be changed now. It can be changed while it is a draft or when changes have been asked for.',
      );
    }
    await tx
      .update(proposals)
      .set({ ...fieldsOf(input), updatedAt: new Date() })
      .where(eq(proposals.id, proposalId));
    await tx.delete(proposalDateOptions).where(eq(proposalDateOptions.proposalId, proposalId));
    if (input.dateOptions.length) await tx.insert(proposalDateOptions).values(input.dateOptions.map((d) => ({ ...d, proposalId })));
    await inviteCoProposers(tx, { id: proposalId, title: input.title.trim() }, coProposers, me, context);
    await recordAudit(tx, { actorId: me.id, action: 'proposal.updated', subjectType: 'proposal', subjectId: proposalId });
  });
}

/**
 * What a proposal needs before the steering group can review it, checked on what was typed (the
 * form's "send" button) or on what was saved (sending from the proposal's page), so both show
 * every missing answer at once. Each message names its field's label on the form.
 */
export function missingForSending(
  p: Pick<ProposalInput, 'summary' | 'purpose' | 'audience' | 'accessibilityPlan' | 'coproductionPlan'>,
  dateOptionCount: number,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!p.summary.trim()) errors.push({ field: 'summary', message: 'Enter a summary' });
  if (!p.purpose.trim()) errors.push({ field: 'purpose', message: 'Enter the purpose and aims' });
  if (!p.audience.trim()) errors.push({ field: 'audience', message: 'Enter who it is for' });
  if (dateOptionCount === 0) errors.push({ field: 'option1Date', message: 'Enter date option 1: at least one possible date' });
  if (!p.accessibilityPlan.trim()) errors.push({ field: 'accessibilityPlan', message: 'Enter an accessibility plan' });
  if (!p.coproductionPlan.trim()) errors.push({ field: 'coproductionPlan', message: 'Enter a co-production plan' });
  return errors;
}

export async function submitProposal(db: Database, proposalId: string, me: Me, context: ProposerContext): Promise<void> {
  await db.transaction(async (tx) => {
    const proposal = await loadForProposer(tx, proposalId, me, true);
    if (!editable.includes(proposal.status)) throw new ConflictError('proposal_not_submittable', 'This proposal has already been sent to the steering group.');
    const options = await tx.select({ id: proposalDateOptions.id }).from(proposalDateOptions).where(eq(proposalDateOptions.proposalId, proposalId));
    const problems = missingForSending(proposal, options.length);
    if (problems.length) throw new InvalidInputError(problems);
    const resubmission = proposal.status === 'changes_requested';
    await tx.update(proposals).set({ status: 'submitted', submittedAt: new Date(), updatedAt: new Date() }).where(eq(proposals.id, proposalId));
    await addEntry(tx, proposalId, resubmission ? 'resubmitted' : 'submitted', me.id);
    await recordAudit(tx, {
      actorId: me.id,
      action: resubmission ? 'proposal.resubmitted' : 'proposal.submitted',
      subjectType: 'proposal',
      subjectId: proposalId,
    });
    // The steering group hears of every proposal waiting for them.
    const reviewers = await steeringGroupAddresses(tx);
    const proposers = await proposerRows(tx, proposalId);
    const toOthers = reviewers.filter((r) => r.email !== me.email).length + proposers.filter((p) => p.personId !== me.id).length;
    await spendMailBudget(tx, { personId: me.id, emails: toOthers, budget: context.mailBudget, now: context.now });
    for (const r of reviewers) {
      await enqueueEmail(tx, {
        because: 'proposal.submitted',
        to: r.email,
        template: 'proposal-to-review',
        data: { title: proposal.title, resubmission, reviewPath: `/organise/proposals/${proposalId}` },
      });
    }
    for (const p of proposers) {
      await enqueueEmail(tx, {
        because: 'proposal.submitted',
        to: p.email,
        template: 'proposal-received',
        data: { name: p.displayName, title: proposal.title, resubmission, proposalPath: `/proposals/${proposalId}` },
      });
    }
  });
}

// ---- Invitations to co-propose ----

export interface InvitationView {
  proposalId: string;
  title: string;
  inviterName: string;
  email: string;
  expires: string;
}

/** An invitation whose link still works, found by its token; null otherwise. */
export async function openInvitation(db: Db, token: string, now = new Date()): Promise<InvitationView | null> {
  const [row] = await db
    .select({
      proposalId: proposalInvitations.proposalId,
      email: proposalInvitations.email,
      expiresAt: proposalInvitations.expiresAt,
      title: proposals.title,
      inviterName: people.displayName,
      inviterEmail: people.email,
    })
    .from(proposalInvitations)
    .innerJoin(proposals, eq(proposals.id, proposalInvitations.proposalId))
    .leftJoin(people, eq(people.id, proposalInvitations.invitedBy))
    .where(and(eq(proposalInvitations.tokenHash, hashSecret(token)), pendingInvitation(now)));
  if (!row) return null;
  return {
    proposalId: row.proposalId,
    title: row.title,
    inviterName: row.inviterName || row.inviterEmail || 'A member',
    email: row.email,
    expires: formatDateTime(row.expiresAt),
  };
}

const invitationGone = () => new NotFoundError('This invitation link does not work. It may have expired, been answered already, or been copied only in part.');

async function lockInvitation(tx: Db, token: string, now: Date) {
  const [row] = await tx
    .select()
    .from(proposalInvitations)
    .where(and(eq(proposalInvitations.tokenHash, hashSecret(token)), pendingInvitation(now)))
    .for('update');
  if (!row) throw invitationGone();
  return row;
}

/**
 * Accepts an invitation: only now does the invitee get an account (if they had none) and
 * become a co-proposer. The link proves the address; someone signed in with another address
 * is refused, so a forwarded link cannot add the wrong person.
 */
export async function acceptInvitation(db: Database, token: string, me: Me | null, now = new Date()): Promise<{ proposalId: string; email: string }> {
  return db.transaction(async (tx) => {
    const invitation = await lockInvitation(tx, token, now);
    if (me && me.email !== invitation.email) {
      throw new ForbiddenError(
        'This invitation was sent to a different email address from the one you are signed in with. Sign out, then open the link again.',
      );
    }
    await tx.select({ id: proposals.id }).from(proposals).where(eq(proposals.id, invitation.proposalId)).for('update');
    await tx.insert(people).values({ email: invitation.email }).onConflictDoNothing({ target: people.email });
    const [person] = await tx.select({ id: people.id }).from(people).where(eq(people.email, invitation.email));
    await tx.insert(proposalProposers).values({ proposalId: invitation.proposalId, personId: person!.id, isAuthor: false }).onConflictDoNothing();
    await tx.update(proposalInvitations).set({ acceptedAt: now }).where(eq(proposalInvitations.id, invitation.id));
    await addEntry(tx, invitation.proposalId, 'co_proposer_added', person!.id, invitation.email);
    await recordAudit(tx, { actorId: person!.id, action: 'proposal.co_proposer.accepted', subjectType: 'proposal', subjectId: invitation.proposalId });
    return { proposalId: invitation.proposalId, email: invitation.email };
  });
}

export async function declineInvitation(db: Database, token: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const invitation = await lockInvitation(tx, token, now);
    await tx.update(proposalInvitations).set({ declinedAt: now }).where(eq(proposalInvitations.id, invitation.id));
    await recordAudit(tx, { actorId: null, action: 'proposal.co_proposer.declined', subjectType: 'proposal', subjectId: invitation.proposalId });
  });
}

/** For the proposers: addresses invited and not yet answered. */
export async function pendingInvitations(db: Db, proposalId: string, now = new Date()): Promise<string[]> {
  const rows = await db
    .select({ email: proposalInvitations.email })
    .from(proposalInvitations)
    .where(and(eq(proposalInvitations.proposalId, proposalId), pendingInvitation(now)))
    .orderBy(asc(proposalInvitations.createdAt));
  return rows.map((r) => r.email);
}

export async function withdrawProposal(db: Database, proposalId: string, me: Me): Promise<void> {
  await db.transaction(async (tx) => {
    const proposal = await loadForProposer(tx, proposalId, me, true);
    if (!withdrawable.includes(proposal.status))
      throw new ConflictError('proposal_not_withdrawable', 'This proposal has already been decided, so it cannot be withdrawn.');
    await tx.update(proposals).set({ status: 'withdrawn', updatedAt: new Date() }).where(eq(proposals.id, proposalId));
    await addEntry(tx, proposalId, 'withdrawn', me.id);
    await recordAudit(tx, { actorId: me.id, action: 'proposal.withdrawn', subjectType: 'proposal', subjectId: proposalId });
  });
}

/** A message in the proposal's thread, from a proposer or a reviewer; proposers all see it. */
export async function addComment(db: Database, proposalId: string, message: string, me: Me): Promise<void> {
  const text = message.trim();
  if (!text) throw new InvalidInputError([{ field: 'message', message: 'Enter your message' }]);
  await db.transaction(async (tx) => {
    const [proposal] = await tx.select({ id: proposals.id, title: proposals.title }).from(proposals).where(eq(proposals.id, proposalId));
    if (!proposal) throw new NotFoundError('We could not find that proposal.');
    const proposer = await isProposer(tx, proposalId, me.id);
    if (!proposer && !me.isOrganiser) throw new ForbiddenError();
    await addEntry(tx, proposalId, 'comment', me.id, text);
    await recordAudit(tx, { actorId: me.id, action: 'proposal.comment.added', subjectType: 'proposal', subjectId: proposalId });
    // Reviewers' messages are emailed to the proposers; proposers' replies wait in the queue.
    if (!proposer) {
      for (const p of await proposerRows(tx, proposalId)) {
        await enqueueEmail(tx, {
          because: 'proposal.commented',
          to: p.email,
          template: 'proposal-comment',
          data: { name: p.displayName, title: proposal.title, message: text, proposalPath: `/proposals/${proposalId}` },
        });
      }
    }
  });
}

export async function addReviewerNote(db: Database, proposalId: string, body: string, me: Me): Promise<void> {
  if (!me.isOrganiser) throw new ForbiddenError();
  const text = body.trim();
  if (!text) throw new InvalidInputError([{ field: 'note', message: 'Enter your note' }]);
  await db.transaction(async (tx) => {
    const [proposal] = await tx.select({ id: proposals.id }).from(proposals).where(eq(proposals.id, proposalId));
    if (!proposal) throw new NotFoundError('We could not find that proposal.');
    await tx.insert(proposalReviewerNotes).values({ proposalId, authorId: me.id, body: text });
    await recordAudit(tx, { actorId: me.id, action: 'proposal.note.added', subjectType: 'proposal', subjectId: proposalId });
  });
}

export type ScoreInput = Record<RubricCriterion, number>;

export async function scoreProposal(db: Database, proposalId: string, score: ScoreInput, me: Me): Promise<void> {
  if (!me.isOrganiser) throw new ForbiddenError();
  for (const c of rubricCriteria) {
    if (!Number.isInteger(score[c]) || score[c] < 1 || score[c] > 5) throw new InvalidInputError([{ field: c, message: 'Choose a score from 1 to 5' }]);
  }
  await db.transaction(async (tx) => {
    const [proposal] = await tx.select({ id: proposals.id, status: proposals.status }).from(proposals).where(eq(proposals.id, proposalId));
    if (!proposal) throw new NotFoundError('We could not find that proposal.');
    if (proposal.status === 'draft') throw new ConflictError('proposal_not_submitted', 'This proposal has not been sent for review yet.');
    await tx
      .insert(proposalScores)
      .values({ proposalId, reviewerId: me.id, ...score })
      .onConflictDoUpdate({ target: [proposalScores.proposalId, proposalScores.reviewerId], set: { ...score, at: new Date() } });
    await recordAudit(tx, { actorId: me.id, action: 'proposal.scored', subjectType: 'proposal', subjectId: proposalId, details: { ...score } });
  });
}

export type Decision = 'accept' | 'request_changes' | 'decline';

/** Accept, ask for changes or decline; every proposer is emailed. Returns the new event's id on acceptance. */
export async function decideProposal(db: Database, proposalId: string, decision: Decision, message: string, me: Me): Promise<string | null> {
  if (!me.isOrganiser) throw new ForbiddenError();
  const text = message.trim();
  if (decision === 'request_changes' && !text)
    throw new InvalidInputError([{ field: 'decisionMessage', message: 'Say what you would like the proposers to change' }]);
  if (decision === 'decline' && !text) throw new InvalidInputError([{ field: 'decisionMessage', message: 'Give the reason for declining' }]);
  return db.transaction(async (tx) => {
    const [proposal] = await tx.select().from(proposals).where(eq(proposals.id, proposalId)).for('update');
    if (!proposal) throw new NotFoundError('We could not find that proposal.');
    if (proposal.status !== 'submitted') {
      throw new ConflictError(
        'proposal_not_awaiting_decision',
        'This proposal is not waiting for a decision. It may have been decided already, withdrawn, or sent back for changes.',
      );
    }
    const now = new Date();
    const proposers = await proposerRows(tx, proposalId);
    let eventId: string | null = null;
    if (decision === 'accept') {
      const [firstDate] = await tx
        .select()
        .from(proposalDateOptions)
        .where(eq(proposalDateOptions.proposalId, proposalId))
        .orderBy(asc(proposalDateOptions.startsAt))
        .limit(1);
      eventId = await createPlanningEvent(
        tx,
        {
          title: proposal.title,
          type: proposal.type,
          summary: proposal.summary,
          description: proposal.purpose,
          format: proposal.format,
          startsAt: firstDate?.startsAt ?? null,
          endsAt: firstDate?.endsAt ?? null,
          capacity: proposal.expectedNumbers,
          place: proposal.place,
          accessInfo: proposal.accessibilityPlan,
          group: proposers.map((p) => ({ personId: p.personId, role: p.isAuthor ? ('lead' as const) : ('co_lead' as const) })),
        },
        me,
      );
      await tx.update(proposals).set({ status: 'accepted', decidedAt: now, eventId, updatedAt: now }).where(eq(proposals.id, proposalId));
    } else {
      const status = decision === 'decline' ? 'declined' : 'changes_requested';
      await tx
        .update(proposals)
        .set({ status, decidedAt: decision === 'decline' ? now : null, updatedAt: now })
        .where(eq(proposals.id, proposalId));
    }
    const kind = decision === 'accept' ? 'accepted' : decision === 'decline' ? 'declined' : 'changes_requested';
    await addEntry(tx, proposalId, kind, me.id, text);
    await recordAudit(tx, { actorId: me.id, action: `proposal.${kind}`, subjectType: 'proposal', subjectId: proposalId, details: eventId ? { eventId } : {} });
    for (const p of proposers) {
      await enqueueEmail(tx, {
        because: 'proposal.decided',
        to: p.email,
        template: 'proposal-decision',
        data: {
          name: p.displayName,
          title: proposal.title,
          decision: kind,
          message: text,
          proposalPath: `/proposals/${proposalId}`,
          planningPath: eventId ? `/plan/${eventId}` : null,
        },
      });
    }
    return eventId;
  });
}

// ---- Reading ----

export interface ProposalDetail {
  proposal: ProposalRow;
  dateOptions: { id: string; startsAt: Date; endsAt: Date | null }[];
  proposers: { personId: string; email: string; displayName: string; isAuthor: boolean }[];
  entries: { id: string; kind: ProposalEntryKind; message: string; at: Date; actorName: string; actorIsProposer: boolean; actorEmail: string | null }[];
}

async function detail(db: Db, proposal: ProposalRow): Promise<ProposalDetail> {
  const dateOptions = await db
    .select({ id: proposalDateOptions.id, startsAt: proposalDateOptions.startsAt, endsAt: proposalDateOptions.endsAt })
    .from(proposalDateOptions)
    .where(eq(proposalDateOptions.proposalId, proposal.id))
    .orderBy(asc(proposalDateOptions.startsAt));
  const proposers = await proposerRows(db, proposal.id);
  const proposerIds = new Set(proposers.map((p) => p.personId));
  const rows = await db
    .select({
      id: proposalEntries.id,
      kind: proposalEntries.kind,
      message: proposalEntries.message,
      at: proposalEntries.at,
      actorId: proposalEntries.actorId,
      actorName: people.displayName,
      actorEmail: people.email,
    })
    .from(proposalEntries)
    .leftJoin(people, eq(people.id, proposalEntries.actorId))
    .where(eq(proposalEntries.proposalId, proposal.id))
    .orderBy(asc(proposalEntries.at), asc(proposalEntries.id));
  return {
    proposal,
    dateOptions,
    proposers,
    entries: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      message: r.message,
      at: r.at,
      actorName: r.actorName || r.actorEmail || 'Someone',
      actorIsProposer: r.actorId ? proposerIds.has(r.actorId) : false,
      actorEmail: r.actorEmail,
    })),
  };
}

/** For the proposers' own page: never reviewer notes or scores. */
export async function proposalForProposer(db: Db, proposalId: string, me: Me): Promise<ProposalDetail> {
  return detail(db, await loadForProposer(db, proposalId, me));
}

export interface ReviewDetail extends ProposalDetail {
  notes: { id: string; body: string; at: Date; authorName: string }[];
  myScore: ScoreInput | null;
  /** Others' scores, only once this reviewer has given their own. */
  otherScores: ({ reviewerName: string } & ScoreInput)[] | null;
  otherScoreCount: number;
}

export async function proposalForReviewer(db: Db, proposalId: string, me: Me): Promise<ReviewDetail> {
  if (!me.isOrganiser) throw new ForbiddenError();
  const [proposal] = await db.select().from(proposals).where(eq(proposals.id, proposalId));
  if (!proposal) throw new NotFoundError('We could not find that proposal.');
  if (proposal.status === 'draft') throw new NotFoundError('This proposal is still a draft; the proposers have not sent it yet.');
  const base = await detail(db, proposal);
  const notes = await db
    .select({
      id: proposalReviewerNotes.id,
      body: proposalReviewerNotes.body,
      at: proposalReviewerNotes.at,
      authorName: people.displayName,
      authorEmail: people.email,
    })
    .from(proposalReviewerNotes)
    .leftJoin(people, eq(people.id, proposalReviewerNotes.authorId))
    .where(eq(proposalReviewerNotes.proposalId, proposalId))
    .orderBy(asc(proposalReviewerNotes.at));
  const scores = await db
    .select({
      reviewerId: proposalScores.reviewerId,
      reviewerName: people.displayName,
      reviewerEmail: people.email,
      purpose: proposalScores.purpose,
      coproduction: proposalScores.coproduction,
      accessibility: proposalScores.accessibility,
      feasibility: proposalScores.feasibility,
    })
    .from(proposalScores)
    .innerJoin(people, eq(people.id, proposalScores.reviewerId))
    .where(eq(proposalScores.proposalId, proposalId));
  const mine = scores.find((s) => s.reviewerId === me.id) ?? null;
  const others = scores.filter((s) => s.reviewerId !== me.id);
  const pick = (s: (typeof scores)[number]): ScoreInput => ({
    purpose: s.purpose,
    coproduction: s.coproduction,
    accessibility: s.accessibility,
    feasibility: s.feasibility,
  });
  return {
    ...base,
    notes: notes.map((n) => ({ id: n.id, body: n.body, at: n.at, authorName: n.authorName || n.authorEmail || 'A reviewer' })),
    myScore: mine ? pick(mine) : null,
    otherScores: mine ? others.map((s) => ({ reviewerName: s.reviewerName || s.reviewerEmail, ...pick(s) })) : null,
    otherScoreCount: others.length,
  };
}

export interface ProposalListItem {
  id: string;
  title: string;
  type: EventType;
  format: EventFormat;
  status: ProposalStatus;
  submittedAt: Date | null;
  updatedAt: Date;
  eventId: string | null;
}

const listColumns = {
  id: proposals.id,
  title: proposals.title,
  type: proposals.type,
  format: proposals.format,
  status: proposals.status,
  submittedAt: proposals.submittedAt,
  updatedAt: proposals.updatedAt,
  eventId: proposals.eventId,
};

export async function listMyProposals(db: Db, me: Me): Promise<ProposalListItem[]> {
  return db
    .select(listColumns)
    .from(proposals)
    .innerJoin(proposalProposers, and(eq(proposalProposers.proposalId, proposals.id), eq(proposalProposers.personId, me.id)))
    .orderBy(desc(proposals.updatedAt));
}

export interface QueueFilters {
  status?: ProposalStatus | 'open';
  type?: EventType;
  format?: EventFormat;
}

/** The review queue; drafts are the proposers' own and never listed. */
export async function listReviewQueue(db: Db, filters: QueueFilters, me: Me) {
  if (!me.isOrganiser) throw new ForbiddenError();
  const status = filters.status ?? 'open';
  const conditions = [
    status === 'open' ? eq(proposals.status, 'submitted') : eq(proposals.status, status),
    filters.type ? eq(proposals.type, filters.type) : undefined,
    filters.format ? eq(proposals.format, filters.format) : undefined,
  ];
  if (status === 'draft') return [];
  const rows = await db
    .select({
      ...listColumns,
      scoreCount: sql<number>`(select count(*)::int from ${proposalScores} where ${proposalScores.proposalId} = ${proposals.id})`,
      scoredByMe: sql<boolean>`exists (select 1 from ${proposalScores} where ${proposalScores.proposalId} = ${proposals.id} and ${proposalScores.reviewerId} = ${me.id})`,
    })
    .from(proposals)
    .where(and(...conditions))
    .orderBy(asc(proposals.submittedAt))
    .limit(200);
  return rows;
}
