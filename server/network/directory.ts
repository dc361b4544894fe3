// The directory of networks and organisations the Hub links with: service-user-led
// organisations, networks, professional bodies, universities, charities and statutory bodies.
// Anyone may ask for one to be listed (a public form); an organiser approves or declines it and
// the asker is told by email. Only approved entries are shown; a contact is shown only when whoever
// gave it said it may be; a member who says they belong to one is named on it only if they say so.
// Events name their co-hosts from here.
import { and, asc, count, eq, gt, ilike, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import {
  directoryChangeRequests,
  directoryRequestTries,
  eventCohosts,
  events,
  organisationKinds,
  organisationMembers,
  organisations,
  people,
  type OrganisationKind,
  type OrganisationStatus,
} from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import type { Database, Db } from '../db/database.ts';
import { ConflictError, type FieldError, InvalidInputError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import { formatDate } from '../format.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { isEmailAddress } from './import.ts';
import { listRegions } from './list.ts';

export type OrganisationRow = typeof organisations.$inferSelect;

export const organisationKindLabels: Record<OrganisationKind, string> = {
  service_user_led: 'Service-user-led organisation',
  network: 'Network',
  professional_body: 'Professional body',
  university: 'University',
  charity: 'Charity',
  statutory_body: 'Statutory body',
};

export const kindChoices = organisationKinds.map((value) => ({ value, label: organisationKindLabels[value] }));
export const regionChoices = listRegions.map((value) => ({ value, label: value }));

export const directoryPath = (id: string) => `/directory/${id}`;

export interface OrganisationInput {
  name: string;
  kind: string;
  website: string;
  region: string;
  description: string;
  contactName: string;
  contactEmail: string;
  contactPublic: boolean;
}

export interface AskInput extends OrganisationInput {
  requesterEmail: string;
  ip: string;
  perIpPerHour: number;
  now?: Date;
}

/** The problems a person can fix, each beside its field. */
export function checkOrganisation(input: OrganisationInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!input.name.trim()) errors.push({ field: 'name', message: 'Enter the organisation’s name' });
  if (!(organisationKinds as readonly string[]).includes(input.kind)) errors.push({ field: 'kind', message: 'Select what kind of organisation it is' });
  const website = input.website.trim();
  if (website && !/^https?:\/\/[^\s/$.?#][^\s]*\.[^\s]+$/i.test(website))
    errors.push({ field: 'website', message: 'Enter the website’s full address, starting https://' });
  if (input.region && !(listRegions as readonly string[]).includes(input.region)) errors.push({ field: 'region', message: 'Select a region' });
  if (input.contactEmail.trim() && !isEmailAddress(input.contactEmail.trim().toLowerCase()))
    errors.push({ field: 'contactEmail', message: 'Enter the contact’s email address in the right format, like name@example.org' });
  if (input.contactPublic && !input.contactName.trim() && !input.contactEmail.trim())
    errors.push({ field: 'contactPublic', message: 'Give a contact name or email address to show, or untick this box' });
  return errors;
}

function fields(input: OrganisationInput) {
  return {
    name: input.name.trim(),
    kind: input.kind as OrganisationKind,
    website: input.website.trim(),
    region: input.region,
    description: input.description.trim(),
    contactName: input.contactName.trim(),
    contactEmail: input.contactEmail.trim().toLowerCase(),
    contactPublic: input.contactPublic,
  };
}

/**
 * Someone asks for an organisation to be listed. Nothing is emailed yet: the address given is
 * not proven, so it hears only an organiser's decision (THREATS.md 6, 7). Counted per IP in the
 * database, like the other public forms that lead to email.
 */
export async function askToBeListed(db: Database, input: AskInput): Promise<string> {
  const now = input.now ?? new Date();
  const errors = checkOrganisation(input);
  if (!isEmailAddress(input.requesterEmail.trim().toLowerCase()))
    errors.push({ field: 'requesterEmail', message: 'Enter your email address in the right format, like name@example.org' });
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    await countTry(tx, { ip: input.ip, perIpPerHour: input.perIpPerHour, now });
    const [row] = await tx
      .insert(organisations)
      .values({ ...fields(input), status: 'pending', requesterEmail: input.requesterEmail.trim().toLowerCase(), createdAt: now })
      .returning({ id: organisations.id });
    await recordAudit(tx, { actorId: null, action: 'directory.asked', subjectType: 'organisation', subjectId: row!.id });
    return row!.id;
  });
}

/**
 * Counts one use of the directory's public forms from this connection, or refuses when it has
 * had its hour's allowance. The tries are kept apart from the requests (directoryRequestTries),
 * so a decision, which forgets who asked, leaves the count as it was; tries older than the hour
 * are deleted here.
 */
async function countTry(tx: Db, input: { ip: string; perIpPerHour: number; now: Date }): Promise<void> {
  const hourAgo = new Date(input.now.getTime() - 3_600_000);
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`directory-ask:${input.ip}`}))`);
  await tx.delete(directoryRequestTries).where(lt(directoryRequestTries.createdAt, hourAgo));
  const [asked] = await tx
    .select({ n: count() })
    .from(directoryRequestTries)
    .where(and(eq(directoryRequestTries.requestedIp, input.ip), gt(directoryRequestTries.createdAt, hourAgo)));
  if (Number(asked?.n ?? 0) >= input.perIpPerHour)
    throw new TooManyRequestsError('Too many requests about the directory have been sent from this connection in the last hour. Please try again later.');
  await tx.insert(directoryRequestTries).values({ requestedIp: input.ip, createdAt: input.now });
}

/** An organiser adds an organisation themselves: listed at once. */
export async function addOrganisation(db: Database, actorId: string, input: OrganisationInput, now = new Date()): Promise<string> {
  const errors = checkOrganisation(input);
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(organisations)
      .values({ ...fields(input), status: 'approved', createdAt: now, decidedAt: now, decidedBy: actorId })
      .returning({ id: organisations.id });
    await recordAudit(tx, { actorId, action: 'directory.added', subjectType: 'organisation', subjectId: row!.id });
    return row!.id;
  });
}

/**
 * An organiser approves or declines a request. The asker is told in the same transaction; then
 * their address is forgotten, and a declined entry's details with it (only its name stays, so
 * organisers can see what they declined).
 */
export async function decideOrganisation(db: Database, input: { id: string; approve: boolean; actorId: string; now?: Date }): Promise<OrganisationRow> {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(organisations).where(eq(organisations.id, input.id)).for('update');
    if (!row) throw new NotFoundError('We could not find that organisation.');
    if (row.status !== 'pending') throw new ConflictError('organisation_decided', `${row.name} has already been ${row.status}.`);
    const status: OrganisationStatus = input.approve ? 'approved' : 'declined';
    const forget = { requesterEmail: '' };
    const declinedDetails = input.approve ? {} : { website: '', description: '', contactName: '', contactEmail: '', contactPublic: false };
    const [updated] = await tx
      .update(organisations)
      .set({ status, decidedAt: now, decidedBy: input.actorId, ...forget, ...declinedDetails })
      .where(eq(organisations.id, row.id))
      .returning();
    if (row.requesterEmail) {
      await enqueueEmail(tx, {
        because: 'directory.decided',
        to: row.requesterEmail,
        template: 'directory-decided',
        data: {
          approved: input.approve,
          organisationName: input.approve ? row.name : '',
          askedOn: formatDate(row.createdAt),
          directoryPath: directoryPath(row.id),
        },
      });
    }
    await recordAudit(tx, { actorId: input.actorId, action: `directory.${status}`, subjectType: 'organisation', subjectId: row.id });
    return updated!;
  });
}

export interface DirectoryFilter {
  q?: string;
  kind?: string;
  region?: string;
}

/** Approved organisations matching the public page's filters, by name. */
export async function findOrganisations(db: Db, filter: DirectoryFilter = {}): Promise<OrganisationRow[]> {
  const conditions: SQL[] = [eq(organisations.status, 'approved')];
  if (filter.kind && (organisationKinds as readonly string[]).includes(filter.kind)) conditions.push(eq(organisations.kind, filter.kind as OrganisationKind));
  if (filter.region) conditions.push(eq(organisations.region, filter.region));
  const q = filter.q?.trim();
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(organisations.name, pattern), ilike(organisations.description, pattern))!);
  }
  return db
    .select()
    .from(organisations)
    .where(and(...conditions))
    .orderBy(sql`lower(${organisations.name})`, asc(organisations.id));
}

export async function pendingOrganisations(db: Db): Promise<OrganisationRow[]> {
  return db.select().from(organisations).where(eq(organisations.status, 'pending')).orderBy(asc(organisations.createdAt));
}

/** An approved organisation's public entry, or not found. */
export async function getListedOrganisation(db: Db, id: string): Promise<OrganisationRow> {
  const [row] = await db
    .select()
    .from(organisations)
    .where(and(eq(organisations.id, id), eq(organisations.status, 'approved')));
  if (!row) throw new NotFoundError('We could not find that organisation in the directory.');
  return row;
}

/** The contact the directory may show: only with the consent given when it was listed. */
export function publicContact(row: Pick<OrganisationRow, 'contactPublic' | 'contactName' | 'contactEmail'>): { name: string; email: string } | null {
  if (!row.contactPublic || (!row.contactName && !row.contactEmail)) return null;
  return { name: row.contactName, email: row.contactEmail };
}

export interface DirectoryContact {
  id: string;
  name: string;
  kind: OrganisationKind;
  kindLabel: string;
  region: string;
  website: string;
  /** Null unless the organisation agreed to show its contact publicly. */
  contact: { name: string; email: string } | null;
}

/**
 * Every approved organisation with its public contact (if it agreed to one), by name: for
 * inviting people "from the directory". Never includes a contact that is not public.
 */
export async function directoryContacts(db: Db): Promise<DirectoryContact[]> {
  const rows = await findOrganisations(db);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    kindLabel: organisationKindLabels[row.kind],
    region: row.region,
    website: row.website,
    contact: publicContact(row),
  }));
}

// ---- Belonging ----

/** Members of an organisation who agreed to be named on it, by name. */
export async function publicMembers(db: Db, organisationId: string): Promise<string[]> {
  const rows = await db
    .select({ name: people.displayName })
    .from(organisationMembers)
    .innerJoin(people, eq(people.id, organisationMembers.personId))
    .where(and(eq(organisationMembers.organisationId, organisationId), eq(organisationMembers.showPublicly, true)))
    .orderBy(sql`lower(${people.displayName})`);
  return rows.map((r) => r.name).filter(Boolean);
}

export async function membership(db: Db, input: { organisationId: string; personId: string }): Promise<{ showPublicly: boolean } | null> {
  const [row] = await db
    .select({ showPublicly: organisationMembers.showPublicly })
    .from(organisationMembers)
    .where(and(eq(organisationMembers.organisationId, input.organisationId), eq(organisationMembers.personId, input.personId)));
  return row ?? null;
}

/** The organisations a person said they belong to. */
export async function organisationsOf(db: Db, personId: string): Promise<{ id: string; name: string; showPublicly: boolean }[]> {
  return db
    .select({ id: organisations.id, name: organisations.name, showPublicly: organisationMembers.showPublicly })
    .from(organisationMembers)
    .innerJoin(organisations, eq(organisations.id, organisationMembers.organisationId))
    .where(and(eq(organisationMembers.personId, personId), eq(organisations.status, 'approved')))
    .orderBy(sql`lower(${organisations.name})`);
}

/** A signed-in person says they belong (and whether to be named), or that they do not. */
export async function setMembership(db: Database, input: { organisationId: string; personId: string; belongs: boolean; showPublicly: boolean }): Promise<void> {
  await getListedOrganisation(db, input.organisationId);
  if (!input.belongs) {
    await db
      .delete(organisationMembers)
      .where(and(eq(organisationMembers.organisationId, input.organisationId), eq(organisationMembers.personId, input.personId)));
    return;
  }
  await db
    .insert(organisationMembers)
    .values({ organisationId: input.organisationId, personId: input.personId, showPublicly: input.showPublicly })
    .onConflictDoUpdate({ target: [organisationMembers.organisationId, organisationMembers.personId], set: { showPublicly: input.showPublicly } });
}

/** Erasure: the organisations a person said they belong to are forgotten. */
export async function forgetMemberships(db: Db, personId: string): Promise<void> {
  await db.delete(organisationMembers).where(eq(organisationMembers.personId, personId));
}

/**
 * Erasure, by address: a request to be listed still waiting keeps no trace of who asked (nor
 * them as its contact: the request stays for organisers to decide, without anyone to tell), and
 * their requests for changes go.
 */
export async function forgetDirectoryRequestsOf(db: Db, email: string): Promise<void> {
  const address = email.trim().toLowerCase();
  await db
    .update(organisations)
    .set({ requesterEmail: '' })
    .where(and(eq(organisations.status, 'pending'), eq(organisations.requesterEmail, address)));
  await db
    .update(organisations)
    .set({ contactName: '', contactEmail: '', contactPublic: false })
    .where(and(eq(organisations.status, 'pending'), eq(organisations.contactEmail, address)));
  await db.delete(directoryChangeRequests).where(eq(directoryChangeRequests.email, address));
}

// ---- Changing and removing a listed organisation ----

/** An organiser changes a listed organisation's entry. */
export async function updateOrganisation(db: Database, input: { id: string; actorId: string; fields: OrganisationInput }): Promise<OrganisationRow> {
  const errors = checkOrganisation(input.fields);
  if (errors.length) throw new InvalidInputError(errors);
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(organisations)
      .set(fields(input.fields))
      .where(and(eq(organisations.id, input.id), eq(organisations.status, 'approved')))
      .returning();
    if (!updated) throw new NotFoundError('We could not find that organisation in the directory.');
    // The events it co-hosts name it in their calendar entries: they count as changed.
    await touchCohostedEvents(tx, input.id, new Date());
    await recordAudit(tx, { actorId: input.actorId, action: 'directory.changed', subjectType: 'organisation', subjectId: input.id });
    return updated;
  });
}

async function touchCohostedEvents(tx: Db, organisationId: string, now: Date): Promise<void> {
  const hosted = sql`(select ${eventCohosts.eventId} from ${eventCohosts} where ${eventCohosts.organisationId} = ${organisationId})`;
  await tx
    .update(events)
    .set({
      sequence: sql`${events.sequence} + 1`,
      updatedAt: now,
      publicChangedAt: sql`case when ${events.status} = 'planning' then ${events.publicChangedAt} else ${now.toISOString()}::timestamptz end`,
    })
    .where(inArray(events.id, hosted));
}

/**
 * An organiser takes an organisation out of the directory. Its entry goes, and with it what
 * pointed at it: members' word that they belong (their "your organisations" page no longer lists
 * it), the events' co-hosting (those events count as changed, so calendars drop its name) and any
 * requests for changes. Invitations already sent keep the name they were sent with.
 */
export async function removeOrganisation(db: Database, input: { id: string; actorId: string }): Promise<{ name: string; events: number }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ name: organisations.name })
      .from(organisations)
      .where(and(eq(organisations.id, input.id), eq(organisations.status, 'approved')))
      .for('update');
    if (!row) throw new NotFoundError('We could not find that organisation in the directory.');
    const [hosted] = await tx.select({ n: count() }).from(eventCohosts).where(eq(eventCohosts.organisationId, input.id));
    await touchCohostedEvents(tx, input.id, new Date());
    await tx.delete(organisations).where(eq(organisations.id, input.id));
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'directory.removed',
      subjectType: 'organisation',
      subjectId: input.id,
      details: { name: row.name },
    });
    return { name: row.name, events: Number(hosted?.n ?? 0) };
  });
}

export const CHANGE_MESSAGE_MAX = 2000;

/**
 * Someone (the organisation's contact, say) asks for a listed entry to be changed or taken out.
 * Nothing is emailed: the address is not proven; organisers read the request on their directory
 * page, make the change, and mark it done (which deletes it). Counted per IP like asking to be listed.
 */
export async function askForChange(
  db: Database,
  input: { organisationId: string; email: string; message: string; ip: string; perIpPerHour: number; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  const email = input.email.trim().toLowerCase();
  const message = input.message.trim();
  const errors: FieldError[] = [];
  if (!isEmailAddress(email)) errors.push({ field: 'email', message: 'Enter your email address in the right format, like name@example.org' });
  if (!message) errors.push({ field: 'message', message: 'Say what should change' });
  else if (message.length > CHANGE_MESSAGE_MAX)
    errors.push({ field: 'message', message: `What should change must be ${CHANGE_MESSAGE_MAX} characters or fewer` });
  if (errors.length) throw new InvalidInputError(errors);
  await db.transaction(async (tx) => {
    await getListedOrganisation(tx, input.organisationId);
    await countTry(tx, { ip: input.ip, perIpPerHour: input.perIpPerHour, now });
    await tx.insert(directoryChangeRequests).values({ organisationId: input.organisationId, email, message, createdAt: now });
    await recordAudit(tx, { actorId: null, action: 'directory.change_asked', subjectType: 'organisation', subjectId: input.organisationId });
  });
}

export interface ChangeRequest {
  id: string;
  organisationId: string;
  organisationName: string;
  email: string;
  message: string;
  createdAt: Date;
  /**
   * Whether the address typed is the entry's contact address. Not proof that the contact asked:
   * the form takes any address, and a public entry shows its contact's (so pages never vouch).
   */
  fromContact: boolean;
}

/**
 * What a person asked of the directory with their address, for their data export: requests for
 * changes, and requests to be listed still waiting (erasure forgets both: forgetDirectoryRequestsOf).
 */
export async function directoryRequestsOf(
  db: Db,
  email: string,
): Promise<{ changes: { organisationName: string; message: string; askedAt: Date }[]; listings: { name: string; askedAt: Date }[] }> {
  const address = email.trim().toLowerCase();
  const [changes, listings] = await Promise.all([
    db
      .select({ organisationName: organisations.name, message: directoryChangeRequests.message, askedAt: directoryChangeRequests.createdAt })
      .from(directoryChangeRequests)
      .innerJoin(organisations, eq(organisations.id, directoryChangeRequests.organisationId))
      .where(eq(directoryChangeRequests.email, address))
      .orderBy(asc(directoryChangeRequests.createdAt)),
    db
      .select({ name: organisations.name, askedAt: organisations.createdAt })
      .from(organisations)
      .where(and(eq(organisations.status, 'pending'), eq(organisations.requesterEmail, address)))
      .orderBy(asc(organisations.createdAt)),
  ]);
  return { changes, listings };
}

export async function changeRequests(db: Db): Promise<ChangeRequest[]> {
  return db
    .select({
      id: directoryChangeRequests.id,
      organisationId: directoryChangeRequests.organisationId,
      organisationName: organisations.name,
      email: directoryChangeRequests.email,
      message: directoryChangeRequests.message,
      createdAt: directoryChangeRequests.createdAt,
      fromContact: sql<boolean>`${organisations.contactEmail} = ${directoryChangeRequests.email}`.mapWith((v: unknown) => v === true || v === 't'),
    })
    .from(directoryChangeRequests)
    .innerJoin(organisations, eq(organisations.id, directoryChangeRequests.organisationId))
    .orderBy(asc(directoryChangeRequests.createdAt));
}

/**
 * A request for a change nobody marked done is not kept for ever: the address was never proven
 * (it may be anyone's) and the message may name people. After this many days it is deleted.
 */
export const CHANGE_REQUEST_KEEP_DAYS = 90;

/** Retention (housekeeping): deletes requests for changes older than CHANGE_REQUEST_KEEP_DAYS. Returns how many. */
export async function forgetOldChangeRequests(db: Db, now = new Date()): Promise<number> {
  const gone = await db
    .delete(directoryChangeRequests)
    .where(lt(directoryChangeRequests.createdAt, new Date(now.getTime() - CHANGE_REQUEST_KEEP_DAYS * 86_400_000)))
    .returning({ id: directoryChangeRequests.id });
  return gone.length;
}

/** An organiser has dealt with a request for a change: it is deleted, address and all. */
export async function closeChangeRequest(db: Database, input: { id: string; actorId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(directoryChangeRequests)
      .where(eq(directoryChangeRequests.id, input.id))
      .returning({ organisationId: directoryChangeRequests.organisationId });
    if (!gone) throw new NotFoundError('We could not find that request.');
    await recordAudit(tx, { actorId: input.actorId, action: 'directory.change_done', subjectType: 'organisation', subjectId: gone.organisationId });
  });
}

// ---- Co-hosted events ----

export interface Cohost {
  id: string;
  name: string;
  url: string;
}

/** Each event's listed co-hosts, in the order named. */
export async function cohostsOf(db: Db, eventIds: string[]): Promise<Map<string, Cohost[]>> {
  const found = new Map<string, Cohost[]>();
  if (eventIds.length === 0) return found;
  const rows = await db
    .select({ eventId: eventCohosts.eventId, id: organisations.id, name: organisations.name })
    .from(eventCohosts)
    .innerJoin(organisations, eq(organisations.id, eventCohosts.organisationId))
    .where(and(inArray(eventCohosts.eventId, eventIds), eq(organisations.status, 'approved')))
    .orderBy(asc(eventCohosts.position), sql`lower(${organisations.name})`);
  for (const row of rows) {
    const list = found.get(row.eventId) ?? [];
    list.push({ id: row.id, name: row.name, url: directoryPath(row.id) });
    found.set(row.eventId, list);
  }
  return found;
}

/** "A", "A and B", "A, B and C". */
export function namesInWords(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Organisations that co-host at least one public event: the event list's filter. A query, not
 * its rows, so the list can read it in the same statement as its other choices.
 */
export function cohostingOrganisationsQuery(db: Db) {
  // An unlisted event (an invitation-only round table kept quiet) names no one here.
  return db
    .selectDistinct({ id: organisations.id, name: organisations.name })
    .from(eventCohosts)
    .innerJoin(organisations, eq(organisations.id, eventCohosts.organisationId))
    .innerJoin(events, eq(events.id, eventCohosts.eventId))
    .where(and(eq(organisations.status, 'approved'), inArray(events.status, ['published', 'cancelled', 'completed']), eq(events.unlisted, false)));
}

/**
 * The SQL condition "this event is co-hosted by that organisation", for the event list. Only an
 * organisation approved in the directory co-hosts anything in public: one asked for, declined or
 * withdrawn finds nothing, as an unknown one does (and as cohostsOf names it nowhere).
 */
export function cohostedBy(organisationId: string): SQL {
  // Tables named: a one-table select leaves Drizzle's column names bare.
  return sql`exists (select 1 from event_cohosts c join organisations o on o.id = c.organisation_id where c.event_id = "events"."id" and c.organisation_id = ${organisationId} and o.status = 'approved')`;
}

/**
 * Public events an organisation co-hosts, soonest first, each saying whether it is by invitation
 * (read from registration's settings here: registration imports this feature, so not its API).
 */
export async function eventsCohostedBy(
  db: Db,
  organisationId: string,
): Promise<{ slug: string; title: string; startsAt: Date | null; byInvitation: boolean }[]> {
  return db
    .select({
      slug: events.slug,
      title: events.title,
      startsAt: events.startsAt,
      byInvitation: sql<boolean>`exists (select 1 from registration_settings rs where rs.event_id = ${events.id} and rs.booking_mode = 'invitation')`.mapWith(
        (v: unknown) => v === true || v === 't',
      ),
    })
    .from(eventCohosts)
    .innerJoin(events, eq(events.id, eventCohosts.eventId))
    .where(and(eq(eventCohosts.organisationId, organisationId), inArray(events.status, ['published', 'cancelled', 'completed']), eq(events.unlisted, false)))
    .orderBy(asc(events.startsAt));
}

/**
 * An organiser names an event's co-hosts (approved organisations, in the order given). The event
 * counts as changed for calendars (its SEQUENCE rises), since their descriptions name them.
 */
export async function setCohosts(db: Database, input: { eventId: string; organisationIds: string[]; actorId: string; now?: Date }): Promise<void> {
  const now = input.now ?? new Date();
  const ids = [...new Set(input.organisationIds)];
  await db.transaction(async (tx) => {
    const [event] = await tx.select({ id: events.id, status: events.status }).from(events).where(eq(events.id, input.eventId)).for('update');
    if (!event) throw new NotFoundError('We could not find that event.');
    const listed = ids.length
      ? await tx
          .select({ id: organisations.id })
          .from(organisations)
          .where(and(inArray(organisations.id, ids), eq(organisations.status, 'approved')))
      : [];
    if (listed.length !== ids.length) throw new InvalidInputError([{ field: 'organisations', message: 'Choose organisations from the directory' }]);
    await tx.delete(eventCohosts).where(eq(eventCohosts.eventId, event.id));
    if (ids.length) await tx.insert(eventCohosts).values(ids.map((organisationId, position) => ({ eventId: event.id, organisationId, position })));
    await tx
      .update(events)
      .set({ sequence: sql`${events.sequence} + 1`, updatedAt: now, ...(event.status === 'planning' ? {} : { publicChangedAt: now }) })
      .where(eq(events.id, event.id));
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'event.cohosts-changed',
      subjectType: 'event',
      subjectId: event.id,
      details: { organisations: ids.length },
    });
  });
}

/** The co-hosts an event has now (any status of organisation), for the organiser's form. */
/** The event whose co-hosts an organiser is choosing, by its address; null if there is none. */
export async function eventForCohosts(db: Db, slug: string): Promise<{ id: string; title: string; slug: string } | null> {
  const [event] = await db.select({ id: events.id, title: events.title, slug: events.slug }).from(events).where(eq(events.slug, slug));
  return event ?? null;
}

export async function cohostIds(db: Db, eventId: string): Promise<string[]> {
  const rows = await db
    .select({ id: eventCohosts.organisationId })
    .from(eventCohosts)
    .where(eq(eventCohosts.eventId, eventId))
    .orderBy(asc(eventCohosts.position));
  return rows.map((r) => r.id);
}
