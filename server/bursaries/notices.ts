// Telling a fund's panel that an application or a claim is waiting. Each panel member chooses an
// email each time ("at once", the default) or one email a day (a digest, sent by the bursary job
// after 8am London time). The emails say only how many are waiting and where to look: who
// applied and for what stays behind sign-in. Nobody is told of their own application.
import { and, asc, count, eq, gt, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import {
  auditEntries,
  bursaryFunds,
  bursaryPanelMembers,
  bursaryPanelNotices,
  bursaryPanelSettings,
  events,
  people,
  roleGrants,
  type PanelNoticeMode,
} from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { londonDate, londonHour } from '../london-time.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import type { FundRow } from './funds.ts';

export const PANEL_SETTINGS_PATH = '/bursaries/notices';
/** The digest goes out once a day, from this hour on London clocks. */
const DIGEST_HOUR = 8;

interface Recipient {
  personId: string;
  email: string;
  displayName: string;
  mode: PanelNoticeMode;
}

/** Everyone on the fund's panel (the people added to it, and every organiser and admin), less the applicant. */
async function panelRecipients(tx: Db, fundId: string, applicantId: string | null): Promise<Recipient[]> {
  const added = tx.select({ id: bursaryPanelMembers.personId }).from(bursaryPanelMembers).where(eq(bursaryPanelMembers.fundId, fundId));
  const organisers = tx
    .select({ id: roleGrants.personId })
    .from(roleGrants)
    .where(inArray(roleGrants.role, ['organiser', 'admin']));
  const rows = await tx
    .select({ personId: people.id, email: people.email, displayName: people.displayName, mode: bursaryPanelSettings.noticeMode })
    .from(people)
    .leftJoin(bursaryPanelSettings, eq(bursaryPanelSettings.personId, people.id))
    .where(and(or(inArray(people.id, added), inArray(people.id, organisers)), applicantId ? ne(people.id, applicantId) : undefined))
    .orderBy(asc(people.email));
  return rows.map((r) => ({ ...r, mode: r.mode ?? 'at_once' }));
}

/**
 * Whether the panel has already heard from this applicant about this fund (of this kind) in the
 * last day, and if not, records that it now has. One person cannot make the Hub write to the
 * panel again and again (submit, withdraw, start again, submit): the fund page lists the rest.
 */
async function panelHeardToday(tx: Db, fundId: string, applicantId: string, kind: 'application' | 'claim', now: Date): Promise<boolean> {
  const [heard] = await tx
    .select({ n: count() })
    .from(auditEntries)
    .where(
      and(
        eq(auditEntries.subjectType, 'bursary_fund'),
        eq(auditEntries.subjectId, fundId),
        eq(auditEntries.action, 'bursary.panel.told'),
        eq(auditEntries.actorId, applicantId),
        gt(auditEntries.at, new Date(now.getTime() - 86_400_000)),
        sql`${auditEntries.details}->>'kind' = ${kind}`,
      ),
    );
  if (Number(heard?.n ?? 0) > 0) return true;
  await recordAudit(tx, { actorId: applicantId, action: 'bursary.panel.told', subjectType: 'bursary_fund', subjectId: fundId, details: { kind } });
  return false;
}

/** Notices not yet sent about an application that is no longer waiting (withdrawn) go. */
export async function forgetPanelNotices(tx: Db, where: { applicationId: string } | { fundId: string; personId: string }): Promise<void> {
  const which =
    'applicationId' in where
      ? eq(bursaryPanelNotices.applicationId, where.applicationId)
      : and(eq(bursaryPanelNotices.fundId, where.fundId), eq(bursaryPanelNotices.personId, where.personId));
  await tx.delete(bursaryPanelNotices).where(and(which, isNull(bursaryPanelNotices.sentAt)));
}

/** In the caller's transaction: a new application was sent, or a claim, on this fund. */
export async function tellPanel(
  tx: Db,
  input: { fund: FundRow; applicationId: string; applicantId: string | null; kind: 'application' | 'claim' },
  now = new Date(),
): Promise<void> {
  if (input.applicantId && (await panelHeardToday(tx, input.fund.id, input.applicantId, input.kind, now))) return;
  const recipients = await panelRecipients(tx, input.fund.id, input.applicantId);
  for (const r of recipients) {
    if (r.mode === 'daily') {
      await tx.insert(bursaryPanelNotices).values({ personId: r.personId, fundId: input.fund.id, applicationId: input.applicationId, kind: input.kind });
      continue;
    }
    await enqueueEmail(tx, {
      because: input.kind === 'application' ? 'bursary.submitted' : 'claim.submitted',
      to: r.email,
      template: 'bursary-panel-new',
      data: {
        kind: input.kind,
        name: r.displayName,
        fundName: input.fund.name,
        eventTitle: input.fund.eventTitle ?? '',
        // The panel's page for the application (applications.ts reviewPath; not imported, as that module calls this one).
        reviewPath: `/bursaries/funds/${input.fund.id}/applications/${input.applicationId}`,
        settingsPath: PANEL_SETTINGS_PATH,
      },
    });
  }
}

export async function getNoticeMode(db: Db, personId: string): Promise<PanelNoticeMode> {
  const [row] = await db.select({ mode: bursaryPanelSettings.noticeMode }).from(bursaryPanelSettings).where(eq(bursaryPanelSettings.personId, personId));
  return row?.mode ?? 'at_once';
}

export async function setNoticeMode(db: Database, personId: string, mode: PanelNoticeMode): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(bursaryPanelSettings)
      .values({ personId, noticeMode: mode })
      .onConflictDoUpdate({ target: bursaryPanelSettings.personId, set: { noticeMode: mode, updatedAt: new Date() } });
    await recordAudit(tx, { actorId: personId, action: 'bursary.panel.notices_changed', subjectType: 'person', subjectId: personId, details: { mode } });
  });
}

/**
 * Sends each panel member who chose the daily digest one email listing what is waiting, once a
 * day from DIGEST_HOUR. Safe with several processes: the person's settings row is taken with
 * SKIP LOCKED and marked in the same transaction as the email. Returns how many were sent.
 */
export async function sendPanelDigests(db: Database, now: Date = new Date()): Promise<number> {
  if (londonHour(now) < DIGEST_HOUR) return 0;
  let sent = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const waiting = tx.select({ id: bursaryPanelNotices.personId }).from(bursaryPanelNotices).where(isNull(bursaryPanelNotices.sentAt));
      const candidates = await tx
        .select({ personId: bursaryPanelSettings.personId, lastDigestAt: bursaryPanelSettings.lastDigestAt })
        .from(bursaryPanelSettings)
        .where(and(eq(bursaryPanelSettings.noticeMode, 'daily'), inArray(bursaryPanelSettings.personId, waiting)))
        .limit(50)
        .for('update', { skipLocked: true });
      const due = candidates.filter((c) => !c.lastDigestAt || londonDate(c.lastDigestAt) < londonDate(now));
      if (due.length === 0) return 0;
      for (const person of due) await sendDigest(tx, person.personId, now);
      return due.length;
    });
    sent += done;
    if (done === 0) return sent;
  }
}

async function sendDigest(tx: Db, personId: string, now: Date): Promise<void> {
  const rows = await tx
    .select({ fundId: bursaryPanelNotices.fundId, kind: bursaryPanelNotices.kind, fundName: bursaryFunds.name, eventTitle: events.title })
    .from(bursaryPanelNotices)
    .innerJoin(bursaryFunds, eq(bursaryFunds.id, bursaryPanelNotices.fundId))
    .leftJoin(events, eq(events.id, bursaryFunds.eventId))
    .where(and(eq(bursaryPanelNotices.personId, personId), isNull(bursaryPanelNotices.sentAt)));
  const [person] = await tx.select({ email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, personId));
  const byFund = new Map<string, { fundName: string; eventTitle: string; fundPath: string; applications: number; claims: number }>();
  for (const r of rows) {
    const entry = byFund.get(r.fundId) ?? {
      fundName: r.fundName,
      eventTitle: r.eventTitle ?? '',
      fundPath: `/bursaries/funds/${r.fundId}`,
      applications: 0,
      claims: 0,
    };
    if (r.kind === 'application') entry.applications += 1;
    else entry.claims += 1;
    byFund.set(r.fundId, entry);
  }
  await tx
    .update(bursaryPanelNotices)
    .set({ sentAt: now })
    .where(and(eq(bursaryPanelNotices.personId, personId), isNull(bursaryPanelNotices.sentAt)));
  await tx.update(bursaryPanelSettings).set({ lastDigestAt: now }).where(eq(bursaryPanelSettings.personId, personId));
  if (!person || byFund.size === 0) return;
  await enqueueEmail(tx, {
    because: 'panel.digest-due',
    to: person.email,
    template: 'bursary-panel-digest',
    data: { name: person.displayName, funds: [...byFund.values()], settingsPath: PANEL_SETTINGS_PATH },
  });
}
