// A demo booking paid by invoice, so a first start shows a numbered invoice: Jo Member's place at
// the first day event with a paid place, invoiced to a peer-support group with an order number.
// Booked through the real service, so its number, PDF and email are made as any booking's are.
import { and, asc, eq, gt } from 'drizzle-orm';
import { events, people, ticketTypes } from '../../db/schema/index.ts';
import type { Database } from '../db/database.ts';
import { register } from '../registration/api.ts';

export async function seedDemoInvoice(db: Database): Promise<void> {
  const [member] = await db
    .select({ id: people.id, email: people.email, displayName: people.displayName })
    .from(people)
    .where(eq(people.email, 'member@example.org'));
  const [paid] = await db
    .select({ eventId: ticketTypes.eventId, typeId: ticketTypes.id, format: events.format })
    .from(ticketTypes)
    .innerJoin(events, eq(events.id, ticketTypes.eventId))
    .where(and(gt(ticketTypes.pricePence, 0), eq(events.status, 'published')))
    .orderBy(asc(events.startsAt))
    .limit(1);
  if (!member || !paid) return;
  const me = { id: member.id, email: member.email, displayName: member.displayName, roles: [], isAdmin: false, isOrganiser: false, sessionHash: '' };
  await register(
    db,
    paid.eventId,
    {
      ticketTypeId: paid.typeId,
      name: member.displayName || 'Jo Member',
      email: member.email,
      organisation: 'Riverside Hearing Voices Group',
      perspective: '',
      accessRequirements: '',
      dietaryNeeds: '',
      consentFutureEvents: false,
      answers: {},
      companion: false,
      companionName: '',
      // A hybrid event asks how the person will attend: Jo joins online, so the demo room keeps its 2 places.
      attendance: paid.format === 'hybrid' ? 'online' : undefined,
      payer: {
        payerName: 'Riverside Hearing Voices Group',
        payerAddress: '12 Mill Street\nRiverside RV1 2AB',
        purchaseOrder: 'PO-2041',
        invoiceEmail: 'treasurer@riverside-voices.example',
      },
    },
    me,
    { baseUrl: '', paidMode: 'invoice' },
  );
}
