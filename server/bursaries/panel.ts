// Who sits on a bursary panel. Organisers (and admins, who count as organisers) sit on every
// panel; anyone else sits only on the panels of the funds an organiser has added them to. The
// panel is its own list, apart from planning roles: a lead or co-lead gains nothing here, nobody
// adds or removes themselves, and every change is audited and emailed to the organisers.
// Nobody on a panel acts on their own application: another panel member must.
import { steeringGroupAddresses } from '../steering-group.ts';
import { and, asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { bursaryPanelMembers, people } from '../../db/schema/index.ts';
import { checkEmail } from '../email-address.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { getFund, type FundRow } from './funds.ts';
import { forgetPanelNotices } from './notices.ts';

/** The parts of the signed-in person that bursary rights depend on. */
export interface Actor {
  id: string;
  isOrganiser: boolean;
  isAdmin: boolean;
}

export async function isOnPanel(db: Db, actor: Actor, fundId: string): Promise<boolean> {
  if (actor.isOrganiser || actor.isAdmin) return true;
  const [row] = await db
    .select({ id: bursaryPanelMembers.id })
    .from(bursaryPanelMembers)
    .where(and(eq(bursaryPanelMembers.fundId, fundId), eq(bursaryPanelMembers.personId, actor.id)));
  return Boolean(row);
}

/** The funds whose panel this person was added to (organisers sit on all of them). */
export async function panelFundIds(db: Db, actor: Actor): Promise<string[]> {
  const rows = await db.select({ fundId: bursaryPanelMembers.fundId }).from(bursaryPanelMembers).where(eq(bursaryPanelMembers.personId, actor.id));
  return rows.map((r) => r.fundId);
}

export const ownApplicationMessage = 'This is your own application, so another panel member must decide it, approve its claim and record its payments.';

/** Separation of duties: every panel action on an application starts with this. */
export function assertNotOwnApplication(app: { applicantId: string | null }, actor: Actor): void {
  if (app.applicantId !== null && app.applicantId === actor.id) throw new ConflictError('bursary_own_application', ownApplicationMessage);
}

export interface PanelMember {
  id: string;
  personId: string;
  name: string;
  email: string;
  addedBy: string;
  addedAt: string;
}

/** The people added to a fund's panel, for organisers. */
export async function listPanel(db: Db, fundId: string): Promise<PanelMember[]> {
  const adder = alias(people, 'adder');
  const rows = await db
    .select({
      id: bursaryPanelMembers.id,
      personId: bursaryPanelMembers.personId,
      displayName: people.displayName,
      email: people.email,
      adderName: adder.displayName,
      adderEmail: adder.email,
      addedAt: bursaryPanelMembers.addedAt,
    })
    .from(bursaryPanelMembers)
    .innerJoin(people, eq(people.id, bursaryPanelMembers.personId))
    .leftJoin(adder, eq(adder.id, bursaryPanelMembers.addedBy))
    .where(eq(bursaryPanelMembers.fundId, fundId))
    .orderBy(asc(bursaryPanelMembers.addedAt));
  return rows.map((r) => ({
    id: r.id,
    personId: r.personId,
    name: r.displayName || r.email,
    email: r.email,
    addedBy: r.adderName || r.adderEmail || 'Moved from the planning group',
    addedAt: formatDateTime(r.addedAt),
  }));
}

function requireOrganiser(actor: Actor): void {
  if (!actor.isOrganiser && !actor.isAdmin) throw new ForbiddenError('Only an organiser or an admin can change a bursary panel.');
}

/** Tells every organiser and admin, and the person concerned, what changed on which panel. */
async function tellOfChange(tx: Db, fund: FundRow, change: 'added' | 'removed', member: { email: string; displayName: string }, actor: Actor): Promise<void> {
  const [by] = await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, actor.id));
  const organisers = await steeringGroupAddresses(tx);
  const facts = { change, fundName: fund.name, eventTitle: fund.eventTitle ?? '' };
  for (const o of organisers) {
    await enqueueEmail(tx, {
      because: change === 'added' ? 'panel.member-added' : 'panel.member-removed',
      to: o.email,
      template: 'bursary-panel-changed',
      data: {
        ...facts,
        memberName: member.displayName || member.email,
        memberEmail: member.email,
        byName: by?.displayName || by?.email || 'An organiser',
        panelPath: `/bursaries/funds/${fund.id}/panel`,
      },
    });
  }
  await enqueueEmail(tx, {
    because: change === 'added' ? 'panel.member-added' : 'panel.member-removed',
    to: member.email,
    template: 'bursary-panel-you',
    data: { ...facts, name: member.displayName, fundPath: change === 'added' ? `/bursaries/funds/${fund.id}` : '/bursaries' },
  });
}

export async function addPanelMember(db: Database, fundId: string, input: { email: string }, actor: Actor): Promise<void> {
  requireOrganiser(actor);
  if (!input.email.trim()) throw new InvalidInputError([{ field: 'email', message: 'Enter the email address of the person to add' }]);
  const email = checkEmail(input.email);
  await db.transaction(async (tx) => {
    const fund = await getFund(tx, fundId);
    await tx.insert(people).values({ email }).onConflictDoNothing({ target: people.email });
    const [person] = await tx.select({ id: people.id, email: people.email, displayName: people.displayName }).from(people).where(eq(people.email, email));
    if (person!.id === actor.id) throw new InvalidInputError([{ field: 'email', message: 'You cannot add yourself to a panel: ask another organiser' }]);
    const added = await tx
      .insert(bursaryPanelMembers)
      .values({ fundId, personId: person!.id, addedBy: actor.id })
      .onConflictDoNothing({ target: [bursaryPanelMembers.fundId, bursaryPanelMembers.personId] })
      .returning({ id: bursaryPanelMembers.id });
    if (!added.length) throw new InvalidInputError([{ field: 'email', message: 'That person is already on this panel' }]);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.panel.member_added',
      subjectType: 'bursary_fund',
      subjectId: fundId,
      details: { personId: person!.id },
    });
    await tellOfChange(tx, fund, 'added', person!, actor);
  });
}

export async function removePanelMember(db: Database, fundId: string, memberId: string, actor: Actor): Promise<void> {
  requireOrganiser(actor);
  await db.transaction(async (tx) => {
    const fund = await getFund(tx, fundId);
    const [row] = await tx
      .select({ id: bursaryPanelMembers.id, personId: bursaryPanelMembers.personId, email: people.email, displayName: people.displayName })
      .from(bursaryPanelMembers)
      .innerJoin(people, eq(people.id, bursaryPanelMembers.personId))
      .where(and(eq(bursaryPanelMembers.id, memberId), eq(bursaryPanelMembers.fundId, fundId)))
      .for('update', { of: bursaryPanelMembers });
    if (!row) throw new NotFoundError('We could not find that member of the panel.');
    if (row.personId === actor.id) throw new ConflictError('bursary_panel_own', 'You cannot remove yourself from a panel. Another organiser can.');
    await tx.delete(bursaryPanelMembers).where(eq(bursaryPanelMembers.id, row.id));
    // Off the panel, they hear no more of its applications, not even in a digest already gathered.
    await forgetPanelNotices(tx, { fundId, personId: row.personId });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'bursary.panel.member_removed',
      subjectType: 'bursary_fund',
      subjectId: fundId,
      details: { personId: row.personId },
    });
    await tellOfChange(tx, fund, 'removed', row, actor);
  });
}
