// "Delete your account" (UK GDPR Article 17), end to end: the page says what goes and what is
// kept, the person is erased from every table (searched generically), paid amounts stay
// anonymised, a place they held passes to the waiting list, they are signed out, and admins see
// the deletion in the audit log.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  bursaryApplications,
  bursaryFunds,
  bursaryItems,
  bursaryLedger,
  people,
  planningMembers,
  proposals,
  registrations,
  sessions,
} from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { decideApplication, saveDraft, startApplication, submitApplication } from '../../server/bursaries/applications.ts';
import { approveClaim, recordPayment, submitClaim } from '../../server/bursaries/claims.ts';
import type { Actor } from '../../server/bursaries/panel.ts';
import { createEvent, personId } from '../bursaries/support.ts';
import { bookAnonymously, mailsTo, makeQuestion, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { rowsMentioning } from '../support/scan.ts';

const settings = { mileagePencePerMile: 45, receiptThresholdPence: 1000, retentionMonths: 12 };
const EMAIL = 'zebedee.quartermain@example.org';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function applyFor(slug: string, applicant: Actor, note: string): Promise<string> {
  const id = await startApplication(t.db, slug, applicant);
  await saveDraft(
    t.db,
    id,
    {
      perspective: 'service_user',
      inAdvance: false,
      hubBooksTickets: false,
      paymentMethod: 'bank_transfer',
      paymentName: 'Z Quartermain',
      sortCode: '30-94-57',
      accountNumber: '31926819',
      paymentArrangement: '',
      note,
      items: [{ category: 'travel', description: 'Bus from Quartermain Close', amount: '9' }],
    },
    applicant,
    settings,
  );
  await submitApplication(t.db, id, applicant);
  return id;
}

describe('deleting your account', () => {
  it('erases the person everywhere, keeps paid amounts anonymised, and signs them out', async () => {
    // Someone who has done a bit of everything.
    const member = await t.signedIn(EMAIL);
    expect(
      (await member.post('/account', { displayName: 'Zebedee Quartermain', pronouns: 'he/him', contactNotes: 'Quartermain prefers texts' })).statusCode,
    ).toBe(303);
    const id = await personId(t.db, EMAIL);
    const me: Actor = { id, isOrganiser: false, isAdmin: false };

    const event = await createEvent(t.db, { capacity: 1, title: 'Hearing voices network day' });
    const type = await makeTicketType(t.db, event.id);
    const question = await makeQuestion(t.db, event.id, 'short_text', 'What would you like to talk about?');
    const booked = await member.post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Zebedee Quartermain',
      email: EMAIL,
      perspective: 'lived_experience',
      accessRequirements: 'Quartermain needs a step-free route',
      dietaryNeeds: 'Coeliac',
      [`q_${question.id}`]: 'My time on the Quartermain ward',
    });
    expect(booked.statusCode).toBe(303);
    // The event is full, so the next person waits.
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Wren', email: 'wren@example.org' });
    expect((await mailsTo(t.db, 'wren@example.org'))[0]!.template).toBe('registration-waitlisted');

    const organiserEmail = 'panel-organiser@example.org';
    await t.signedIn(organiserEmail);
    const panel: Actor = { id: await personId(t.db, organiserEmail), isOrganiser: true, isAdmin: false };
    await grantRole(t.db, null, panel.id, 'organiser');
    const [fund] = await t.db.insert(bursaryFunds).values({ eventId: event.id, name: 'Fund', budgetPence: 100_000 }).returning({ id: bursaryFunds.id });
    const paid = await applyFor(event.slug, me, 'Quartermain has psychosis');
    await decideApplication(t.db, fund!.id, paid, { outcome: 'approve_all', amounts: {}, message: 'Approved for Zebedee', overrideReason: '' }, panel);
    const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, paid));
    await submitClaim(t.db, paid, { [item!.id]: '9' }, me, settings);
    await approveClaim(t.db, fund!.id, paid, panel);
    await recordPayment(
      t.db,
      fund!.id,
      paid,
      { kind: 'settlement', amount: '9.00', paidOn: '2026-01-10', method: 'Bank transfer', reference: 'QUARTERMAIN' },
      panel,
    );
    const other = await createEvent(t.db, { title: 'Another day' });
    await t.db.insert(bursaryFunds).values({ eventId: other.id, name: 'Other fund', budgetPence: 10_000 });
    const unpaid = await applyFor(other.slug, me, 'Quartermain cares for a parent');

    await t.db.insert(planningMembers).values({ eventId: other.id, personId: id, role: 'speaker', perspective: 'lived_experience', status: 'accepted' });
    await t.db.insert(proposals).values({ authorId: id, title: 'A Quartermain seminar', type: 'seminar' });
    expect((await member.post('/calendar/private')).statusCode).toBe(200);

    // The page says plainly what goes and what stays, and names the place that will be given up.
    const page = await member.get('/account/delete');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('What goes straight away');
    expect(page.body).toContain('What we keep, and why');
    expect(page.body).toContain('Hearing voices network day');

    const deleted = await member.post('/account/delete');
    expect(deleted.statusCode).toBe(303);
    expect(deleted.headers.location).toBe('/');
    expect((await member.get('/account')).statusCode).toBe(303);
    expect(await t.db.select().from(sessions).where(eq(sessions.personId, id))).toHaveLength(0);

    // Nothing anywhere names them or holds what they told us.
    for (const needle of [EMAIL, 'Quartermain', 'Zebedee', 'Coeliac', 'psychosis', 'he/him']) {
      expect(await rowsMentioning(t.db, needle), needle).toEqual([]);
    }
    expect(await t.db.select().from(auditEntries).where(eq(auditEntries.actorId, id))).toHaveLength(0);
    const [tombstone] = await t.db.select().from(people).where(eq(people.id, id));
    expect(tombstone).toMatchObject({ displayName: '', pronouns: '', contactNotes: '' });
    expect(tombstone!.email).toMatch(/@erased\.invalid$/);
    const [booking] = await t.db.select().from(registrations).where(eq(registrations.eventId, event.id)).orderBy(registrations.createdAt).limit(1);
    expect(booking).toMatchObject({ status: 'cancelled', name: '', perspective: '', accessRequirements: '', personId: null });
    expect(await t.db.select().from(planningMembers).where(eq(planningMembers.personId, id))).toHaveLength(0);

    // The paid bursary stays as an anonymous amount; the unpaid one is gone.
    const [kept] = await t.db.select().from(bursaryApplications).where(eq(bursaryApplications.id, paid));
    expect(kept).toMatchObject({ applicantId: null, perspective: null, note: '' });
    expect(
      await t.db
        .select({ amount: bursaryLedger.amountPence })
        .from(bursaryLedger)
        .where(and(eq(bursaryLedger.applicationId, paid), inArray(bursaryLedger.kind, ['advance', 'settlement']))),
    ).toEqual([{ amount: 900 }]);
    expect(await t.db.select().from(bursaryApplications).where(eq(bursaryApplications.id, unpaid))).toHaveLength(0);

    // Their place passed to the waiting list.
    expect((await mailsTo(t.db, 'wren@example.org'))[0]!.template).toBe('registration-offer');

    // Admins see that an account was deleted.
    const admin = await t.signedIn('admin-who-reads@example.org');
    await grantRole(t.db, null, await personId(t.db, 'admin-who-reads@example.org'), 'admin');
    expect((await admin.get('/admin/audit')).body).toContain('account.deleted');

    // The address can come back as a new, empty account.
    const again = await t.signedIn(EMAIL);
    expect(await personId(t.db, EMAIL)).not.toBe(id);
    expect((await again.get('/account')).body).not.toContain('Zebedee');
  });

  it('is only for the signed-in person, and only with the form', async () => {
    const visitor = t.client();
    expect((await visitor.get('/account/delete')).statusCode).toBe(303);
    expect((await visitor.post('/account/delete')).statusCode).toBe(303);
    const member = await t.signedIn('careful@example.org');
    expect((await member.post('/account/delete', {}, { csrf: false })).statusCode).toBe(403);
    expect(await t.db.select().from(people).where(eq(people.email, 'careful@example.org'))).toHaveLength(1);
  });
});
