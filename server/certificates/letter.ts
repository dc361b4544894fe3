// A letter of involvement: a planning-group member's record of the part they took in planning an
// event (role, hours, dates), for their CV, CPD or a funder. Only their own items; no money.
import { and, asc, eq } from 'drizzle-orm';
import { involvementItems, people, planningMembers } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { formatDate } from '../format.ts';
import { involvementActivityLabels, planningRoleLabels } from '../planning/labels.ts';
import { renderPdf } from '../pdf.ts';
import { eventDateText, HUB_NAME, hoursText } from './service.ts';

export interface LetterFacts {
  name: string;
  role: string;
  eventTitle: string;
  eventDate: string;
  period: string;
  hours: string;
  items: { on: string; activity: string; hours: string }[];
  issuedOn: string;
  /** Whether the event is still to come (or on now): the letter then speaks in the present. */
  upcoming: boolean;
}

const isoDay = (iso: string) => formatDate(new Date(`${iso}T12:00:00Z`));

/** Null unless the person is an accepted member of the event's planning group. */
export async function letterFacts(
  db: Db,
  input: { event: { id: string; title: string; startsAt: Date | null; endsAt: Date | null }; personId: string },
  now = new Date(),
): Promise<LetterFacts | null> {
  const [member] = await db
    .select({ role: planningMembers.role, name: people.displayName, email: people.email, joined: planningMembers.respondedAt })
    .from(planningMembers)
    .innerJoin(people, eq(people.id, planningMembers.personId))
    .where(and(eq(planningMembers.eventId, input.event.id), eq(planningMembers.personId, input.personId), eq(planningMembers.status, 'accepted')));
  if (!member) return null;
  const items = await db
    .select({ on: involvementItems.occurredOn, activity: involvementItems.activity, minutes: involvementItems.minutes })
    .from(involvementItems)
    .where(and(eq(involvementItems.eventId, input.event.id), eq(involvementItems.personId, input.personId)))
    .orderBy(asc(involvementItems.occurredOn));
  const minutes = items.reduce((sum, i) => sum + i.minutes, 0);
  const first = items[0]?.on;
  const last = items.at(-1)?.on;
  return {
    name: member.name.trim() || member.email,
    role: planningRoleLabels[member.role],
    eventTitle: input.event.title,
    eventDate: eventDateText(input.event.startsAt, input.event.endsAt),
    period: first && last ? (first === last ? isoDay(first) : `${isoDay(first)} to ${isoDay(last)}`) : '',
    hours: minutes ? hoursText(minutes) : '',
    items: items.map((i) => ({ on: isoDay(i.on), activity: involvementActivityLabels[i.activity], hours: hoursText(i.minutes) })),
    issuedOn: formatDate(now),
    upcoming: !input.event.startsAt || (input.event.endsAt ?? input.event.startsAt) > now,
  };
}

export function letterPdf(facts: LetterFacts): Promise<Buffer> {
  return renderPdf(
    `Letter of involvement: ${facts.eventTitle}`,
    (doc) => {
      doc.font('Bold').fontSize(16).fillColor('#1d4f5c').text(HUB_NAME);
      doc.font('Body').fontSize(11).fillColor('#0b0c0c').text(facts.issuedOn, { align: 'right' });
      doc.moveDown(1.5).font('Bold').fontSize(20).text('Letter of involvement');
      doc.moveDown(1).font('Body').fontSize(12).text('To whom it may concern,');
      doc.moveDown(0.8);
      const when = facts.eventDate ? `, ${facts.upcoming ? 'to be held' : 'held'} on ${facts.eventDate}` : '';
      doc.text(
        `${facts.name} ${facts.upcoming ? 'is' : 'was'} a member of the planning group for ${facts.eventTitle}${when}, as ${facts.role}. The ${HUB_NAME} plans its events with service users and survivors, carers, practitioners and academics as equal partners.`,
      );
      if (facts.hours) {
        const span = facts.period.includes(' to ') ? `Between ${facts.period.replace(' to ', ' and ')}` : `On ${facts.period}`;
        doc.moveDown(0.8).text(`${span}, they gave ${facts.hours} to planning the event:`);
        doc.moveDown(0.4);
        for (const item of facts.items) doc.text(`•  ${item.on}: ${item.activity}, ${item.hours}`, { indent: 12 });
      } else {
        doc.moveDown(0.8).text('No time given to planning has been logged yet.');
      }
      doc.moveDown(0.8).text('We are grateful for their time, knowledge and experience.');
      doc.moveDown(1.5).text(`The ${HUB_NAME}`);
    },
    'portrait',
  );
}
