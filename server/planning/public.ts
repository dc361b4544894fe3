// What the public sees of co-production: the programme, the "co-produced" mark, the 4PI
// principles and purpose statements, and resources. Only for events that are no longer in
// planning (published, cancelled or finished); nothing about who declared which perspective.
import { and, desc, eq, ne, type SQL, sql } from 'drizzle-orm';
import { eventResources, events } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/prepared.ts';
import { formatDate } from '../format.ts';
import { renderMarkdown } from '../markdown.ts';
import type { EventRow } from './access.ts';
import { isCoProduced } from './events.ts';
import { getFourPi } from './four-pi.ts';
import { getImpactNote, quotableAnswers } from './after.ts';
import { programmeView } from './view-models.ts';
import { listProgramme } from './workspace.ts';

export interface PublicResource {
  title: string;
  description: string;
  url: string;
  kindLabel: string;
  added: string;
}

function resourceView(r: {
  id: string;
  kind: 'file' | 'link';
  title: string;
  description: string;
  url: string;
  sizeBytes: number;
  addedAt: Date;
}): PublicResource {
  const mb = r.sizeBytes / (1024 * 1024);
  return {
    title: r.title,
    description: r.description,
    url: r.kind === 'file' ? `/resources/${r.id}` : r.url,
    kindLabel: r.kind === 'file' ? `PDF, ${mb >= 1 ? `${mb.toFixed(1)} MB` : `${Math.max(1, Math.round(r.sizeBytes / 1024))} KB`}` : 'Link',
    added: formatDate(r.addedAt),
  };
}

const resourceColumns = {
  id: eventResources.id,
  kind: eventResources.kind,
  title: eventResources.title,
  description: eventResources.description,
  url: eventResources.url,
  sizeBytes: eventResources.sizeBytes,
  addedAt: eventResources.addedAt,
};

const resourcesOf = prepared((db) =>
  db
    .select(resourceColumns)
    .from(eventResources)
    .where(eq(eventResources.eventId, sql.placeholder('eventId')))
    .orderBy(desc(eventResources.addedAt))
    .prepare('event_resources'),
);

export async function listResources(db: Db, eventId: string) {
  return resourcesOf(db).execute({ eventId });
}

/** The co-production pieces of a public event page. */
export async function publicCoproduction(db: Db, event: EventRow) {
  if (event.status === 'planning') return null;
  const [coProduced, sessions, fourPi, resources, note] = await Promise.all([
    isCoProduced(db, event.id),
    listProgramme(db, event.id),
    getFourPi(db, event.id),
    listResources(db, event.id),
    getImpactNote(db, event.id),
  ]);
  // The "you said, we did" note is public once sent, with the quotes chosen for it (no names).
  const quotes = note?.sentAt ? await quotableAnswers(db, event.id, { quotedOnly: true }) : [];
  return {
    coProduced,
    programme: programmeView(sessions),
    principlesHtml: renderMarkdown(fourPi.principles),
    purposeHtml: renderMarkdown(fourPi.purpose),
    resources: resources.map(resourceView),
    youSaid: note?.sentAt ? { note: note.body, sentOn: formatDate(note.sentAt), quotes: quotes.map((q) => q.value) } : null,
  };
}

/**
 * Whether an event is co-produced (someone with lived experience or a carer accepted in its
 * planning group), as a column a list of events reads in its own statement (`"events"."id"`
 * named in full: inside a one-table select Drizzle leaves column names bare).
 */
export function coProducedColumn(): SQL<boolean> {
  return sql<boolean>`exists (select 1 from planning_members pm where pm.event_id = "events"."id" and pm.status = 'accepted' and pm.perspective in ('lived_experience', 'carer'))`;
}

/**
 * Every public resource of a listed event, newest first, with its event (the library's list). An
 * unlisted event (a round table kept quiet) is in no list: its resources are on its own page only.
 */
export async function listPublicResources(db: Db) {
  const rows = await db
    .select({ ...resourceColumns, eventTitle: events.title, eventSlug: events.slug })
    .from(eventResources)
    .innerJoin(events, eq(events.id, eventResources.eventId))
    .where(and(ne(events.status, 'planning'), eq(events.unlisted, false)))
    .orderBy(desc(eventResources.addedAt))
    .limit(500);
  return rows.map((r) => ({ ...resourceView(r), eventTitle: r.eventTitle, eventUrl: `/events/${r.eventSlug}` }));
}

/** A resource file, only when its event is public. */
export async function findPublicResourceFile(db: Db, resourceId: string) {
  const [row] = await db
    .select({ filename: eventResources.filename, contentType: eventResources.contentType, content: eventResources.content, status: events.status })
    .from(eventResources)
    .innerJoin(events, eq(events.id, eventResources.eventId))
    .where(and(eq(eventResources.id, resourceId), eq(eventResources.kind, 'file')));
  if (!row || row.status === 'planning' || !row.content) return null;
  return row;
}
