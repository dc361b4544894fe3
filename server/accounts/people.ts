// People and their site-wide roles.
import { and, asc, count, eq, ilike, inArray, or } from 'drizzle-orm';
import { people, roleGrants, type SiteRole } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { memberSubscribed, setMemberSubscription } from '../network/list.ts';
import type { Me } from '../me.ts';
import { checkEmail } from '../email-address.ts';

export interface Profile {
  id: string;
  email: string;
  displayName: string;
  pronouns: string;
  wantsEventNews: boolean;
  prefersPlainText: boolean;
  contactNotes: string;
}

export async function getProfile(db: Db, personId: string): Promise<Profile> {
  const [row] = await db
    .select({
      id: people.id,
      email: people.email,
      displayName: people.displayName,
      pronouns: people.pronouns,
      prefersPlainText: people.prefersPlainText,
      contactNotes: people.contactNotes,
    })
    .from(people)
    .where(eq(people.id, personId));
  if (!row) throw new NotFoundError();
  // The box is the mailing list subscription of the person's own address.
  return { ...row, wantsEventNews: await memberSubscribed(db, row.email) };
}

export interface ProfileInput {
  displayName: string;
  pronouns: string;
  wantsEventNews: boolean;
  prefersPlainText: boolean;
  contactNotes: string;
}

export async function updateProfile(db: Database, me: Me, input: ProfileInput): Promise<void> {
  const displayName = input.displayName.trim();
  if (!displayName) throw new InvalidInputError([{ field: 'displayName', message: 'Enter your name' }]);
  await db.transaction(async (tx) => {
    await tx
      .update(people)
      .set({
        displayName,
        pronouns: input.pronouns.trim(),
        prefersPlainText: input.prefersPlainText,
        contactNotes: input.contactNotes.trim(),
        updatedAt: new Date(),
      })
      .where(eq(people.id, me.id));
    await setMemberSubscription(tx, { email: me.email, wants: input.wantsEventNews });
    await recordAudit(tx, { actorId: me.id, action: 'account.profile.updated', subjectType: 'person', subjectId: me.id });
  });
}

export interface PersonRow {
  id: string;
  email: string;
  displayName: string;
  roles: SiteRole[];
}

export async function listPeople(db: Db, query: { search?: string; limit?: number }): Promise<PersonRow[]> {
  const search = query.search?.trim();
  const where = search ? or(ilike(people.email, `%${escapeLike(search)}%`), ilike(people.displayName, `%${escapeLike(search)}%`)) : undefined;
  const rows = await db
    .select({ id: people.id, email: people.email, displayName: people.displayName })
    .from(people)
    .where(where)
    .orderBy(asc(people.email))
    .limit(query.limit ?? 200);
  const grants = rows.length
    ? await db
        .select()
        .from(roleGrants)
        .where(
          inArray(
            roleGrants.personId,
            rows.map((r) => r.id),
          ),
        )
    : [];
  return rows.map((r) => ({ ...r, roles: grants.filter((g) => g.personId === r.id).map((g) => g.role) }));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function grantRole(db: Database, actor: Me | null, personId: string, role: SiteRole): Promise<void> {
  await db.transaction(async (tx) => {
    const [person] = await tx.select({ id: people.id, email: people.email, displayName: people.displayName }).from(people).where(eq(people.id, personId));
    if (!person) throw new NotFoundError('We could not find that person.');
    const added = await tx
      .insert(roleGrants)
      .values({ personId, role, grantedBy: actor?.id ?? null })
      .onConflictDoNothing()
      .returning({ role: roleGrants.role });
    if (added.length === 0) return;
    await recordAudit(tx, { actorId: actor?.id ?? null, action: 'account.role.granted', subjectType: 'person', subjectId: personId, details: { role } });
    await enqueueEmail(tx, {
      because: 'account.role-granted',
      to: person.email,
      template: 'role-granted',
      data: { name: person.displayName || person.email, role },
    });
  });
}

export async function removeRole(db: Database, actor: Me, personId: string, role: SiteRole): Promise<void> {
  await db.transaction(async (tx) => {
    if (role === 'admin') {
      // Lock the admin grants so two admins cannot remove each other at the same moment.
      const admins = await tx.select({ personId: roleGrants.personId }).from(roleGrants).where(eq(roleGrants.role, 'admin')).for('update');
      if (admins.length <= 1 && admins.some((a) => a.personId === personId)) {
        throw new ConflictError('last_admin', 'There must always be at least one admin. Make someone else an admin first.');
      }
    }
    const removed = await tx
      .delete(roleGrants)
      .where(and(eq(roleGrants.personId, personId), eq(roleGrants.role, role)))
      .returning({ role: roleGrants.role });
    if (removed.length > 0) {
      await recordAudit(tx, { actorId: actor.id, action: 'account.role.removed', subjectType: 'person', subjectId: personId, details: { role } });
    }
  });
}

/** Makes sure each address has an account with the admin role (ADMIN_EMAILS, `npm run admin`). */
export async function ensureAdmins(db: Database, emails: string[]): Promise<void> {
  for (const raw of emails) {
    const email = checkEmail(raw);
    await db.insert(people).values({ email }).onConflictDoNothing({ target: people.email });
    const [person] = await db.select({ id: people.id }).from(people).where(eq(people.email, email));
    const [existing] = await db
      .select({ n: count() })
      .from(roleGrants)
      .where(and(eq(roleGrants.personId, person!.id), eq(roleGrants.role, 'admin')));
    if (!existing?.n) await grantRole(db, null, person!.id, 'admin');
  }
}
