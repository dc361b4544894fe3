// Demo bursary applications to the launch day's fund: one approved in full, one in part and one
// waiting for the panel, so a first start shows the fund's budget in use, the panel's queue and
// an applicant's decision. Ade comes in person (a place in the room is held for him); Carol and
// Femi booked places online before applying, so nothing is held for them. Made through the real services, so the places held, the ledger, the
// audit log and every email (to the applicants and the panel) are as they would be, sent when
// the demo is made.
import { and, asc, eq } from 'drizzle-orm';
import { bursaryApplications, bursaryItems, events, people, roleGrants, ticketTypes } from '../../db/schema/index.ts';
import { decideApplication, type ItemInput, saveDraft, startApplication, submitApplication } from '../bursaries/applications.ts';
import { fundForEvent } from '../bursaries/funds.ts';
import type { Database } from '../db/database.ts';
import { register } from '../registration/api.ts';

const LAUNCH = 'hub-launch-and-discussion-day';
/** The Hub's default mileage rate and limits; the demo's amounts do not depend on them. */
const SETTINGS = { mileagePencePerMile: 45, receiptThresholdPence: 1000, retentionMonths: 24 };

const APPLICANTS: {
  email: string;
  name: string;
  perspective: 'service_user' | 'carer';
  items: ItemInput[];
  arrangement: string;
  decision: 'approve_all' | 'approve_part' | null;
  /** Booked a place online before applying. */
  online: boolean;
}[] = [
  {
    email: 'ade@example.org',
    name: 'Ade Bello',
    perspective: 'service_user',
    items: [{ category: 'travel', description: 'Train from Coventry, return', amount: '18.40' }],
    arrangement: 'A cheque to my home address, please.',
    decision: 'approve_all',
    online: false,
  },
  {
    email: 'carol.carer@example.org',
    name: 'Carol Ng',
    perspective: 'carer',
    items: [
      { category: 'care', description: 'Replacement care for my son while I join online', amount: '96.00' },
      { category: 'data_phone', description: 'Mobile data for the day', amount: '10.00' },
    ],
    arrangement: 'Cash, please: I do not have a bank account.',
    decision: 'approve_part',
    online: true,
  },
  {
    email: 'femi@example.org',
    name: 'Femi Adeyemi',
    perspective: 'service_user',
    items: [
      { category: 'support_worker', description: 'My support worker, for the small-group sessions', amount: '60.00' },
      { category: 'data_phone', description: 'Mobile data for the day', amount: '5.00' },
    ],
    arrangement: 'A cheque, please.',
    decision: null,
    online: true,
  },
];

export async function seedDemoBursaries(db: Database): Promise<void> {
  const [launch] = await db.select({ id: events.id }).from(events).where(eq(events.slug, LAUNCH));
  const fund = launch ? await fundForEvent(db, launch.id) : null;
  if (!launch || !fund) return;
  const [already] = await db.select({ id: bursaryApplications.id }).from(bursaryApplications).where(eq(bursaryApplications.fundId, fund.id)).limit(1);
  if (already) return;
  const [organiser] = await db
    .select({ id: people.id })
    .from(people)
    .innerJoin(roleGrants, and(eq(roleGrants.personId, people.id), eq(roleGrants.role, 'organiser')))
    .where(eq(people.email, 'organiser@example.org'));
  if (!organiser) return;
  const panel = { id: organiser.id, isOrganiser: true, isAdmin: false };
  const [freeType] = await db
    .select({ id: ticketTypes.id })
    .from(ticketTypes)
    .where(and(eq(ticketTypes.eventId, launch.id), eq(ticketTypes.pricePence, 0)))
    .orderBy(asc(ticketTypes.position));

  for (const a of APPLICANTS) {
    const [person] = await db
      .insert(people)
      .values({ email: a.email, displayName: a.name })
      .onConflictDoUpdate({ target: people.email, set: { displayName: a.name } })
      .returning({ id: people.id });
    const me = { id: person!.id, isOrganiser: false, isAdmin: false };
    if (a.online && freeType) {
      const booker = { id: person!.id, email: a.email, displayName: a.name, roles: [], isAdmin: false, isOrganiser: false, sessionHash: '' };
      await register(
        db,
        launch.id,
        {
          ticketTypeId: freeType.id,
          name: a.name,
          email: a.email,
          organisation: '',
          perspective: '',
          accessRequirements: '',
          dietaryNeeds: '',
          consentFutureEvents: false,
          answers: {},
          companion: false,
          companionName: '',
          attendance: 'online',
        },
        booker,
        { baseUrl: '', paidMode: 'invoice' },
      );
    }
    const id = await startApplication(db, LAUNCH, me);
    await saveDraft(
      db,
      id,
      {
        perspective: a.perspective,
        inAdvance: false,
        hubBooksTickets: false,
        paymentMethod: 'other',
        paymentName: '',
        paymentArrangement: a.arrangement,
        note: '',
        items: a.items,
      },
      me,
      SETTINGS,
    );
    await submitApplication(db, id, me);
    if (!a.decision) continue;
    const items = await db.select({ id: bursaryItems.id, category: bursaryItems.category }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
    await decideApplication(
      db,
      fund.id,
      id,
      a.decision === 'approve_all'
        ? { outcome: 'approve_all', amounts: {}, message: 'Approved in full. Keep your ticket: you can claim with it after the day.', overrideReason: '' }
        : {
            outcome: 'approve_part',
            // The care in part (the half day of the small groups); the data in full.
            amounts: Object.fromEntries(items.map((i) => [i.id, i.category === 'care' ? '60.00' : '10.00'])),
            message:
              'We have approved £60 towards replacement care, for the afternoon’s small groups, and your mobile data in full. Tell us if you need care for the whole day and we will look again.',
            overrideReason: '',
          },
      panel,
    );
  }
}
