// The panel hears of new applications and claims (an email each time, or a daily digest, as each
// member chooses); applicants hear of every decision on their claim, a decline gives the panel's
// reason, and an approval says plainly whether they have a place or must book, and by when.
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryItems, outboxMessages, placeHolds, ticketTypes } from '../../db/schema/index.ts';
import { renderEmail } from '../../emails/render.ts';
import { BOOK_WITHIN_DAYS } from '../../server/bursaries/places.ts';
import { sendPanelDigests } from '../../server/bursaries/notices.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, panelMember, uuidIn } from './support.ts';

const site = { baseUrl: 'https://hub.example', siteName: 'Social Perspectives Hub' };
let t: TestApp;
let boss: TestClient;
let event: { id: string; slug: string };
let fundId: string;
let otherFundId: string;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'boss-notices@example.org');
  event = await createEvent(t.db, { capacity: 10 });
  const other = await createEvent(t.db);
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Day fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
  otherFundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: other.id, name: 'Other fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
  await panelMember(t, 'panel-now@example.org', fundId);
  await panelMember(t, 'panel-elsewhere@example.org', otherFundId);
});
afterAll(async () => {
  await t.close();
});

async function mails(email: string, template: string) {
  return t.db
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.toAddress, email), eq(outboxMessages.template, template)))
    .orderBy(asc(outboxMessages.createdAt));
}

async function send(email: string, onEvent = event) {
  const client = await t.signedIn(email);
  const id = idFrom((await client.post(`/events/${onEvent.slug}/bursary`)).headers.location, uuidIn);
  await client.post(`/bursaries/applications/${id}/edit`, {
    perspective: 'carer',
    paymentMethod: 'bank_transfer',
    paymentName: 'N',
    sortCode: '30-94-57',
    accountNumber: '31926819',
    travelAmount: '8',
  });
  expect((await client.post(`/bursaries/applications/${id}/submit`)).statusCode).toBe(303);
  return { client, id };
}

const decide = (id: string, values: Record<string, string>, onFund = fundId) => boss.post(`/bursaries/funds/${onFund}/applications/${id}/decision`, values);

describe('telling the panel', () => {
  it('emails each panel member at once about a new application, but not the panel of another fund', async () => {
    const { id } = await send('applicant-a@example.org');
    for (const email of ['boss-notices@example.org', 'panel-now@example.org']) {
      const [mail] = await mails(email, 'bursary-panel-new');
      expect(mail, email).toBeDefined();
      const rendered = renderEmail('bursary-panel-new', mail!.data as never, site);
      expect(rendered.subject).toBe('A new bursary application is waiting for the panel');
      expect(rendered.text).toContain(`https://hub.example/bursaries/funds/${fundId}/applications/${id}`);
      expect(rendered.text).not.toContain('applicant-a');
    }
    expect(await mails('panel-elsewhere@example.org', 'bursary-panel-new')).toHaveLength(0);
    expect(await mails('applicant-a@example.org', 'bursary-panel-new')).toHaveLength(0);
  });

  it('lets a member choose a daily digest instead, sent once a day from 8am London time', async () => {
    const member = await panelMember(t, 'panel-daily@example.org', fundId);
    expect((await member.get('/bursaries/notices')).body).toContain('Email me once a day');
    const bad = await member.post('/bursaries/notices', { mode: 'weekly' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose how you would like to hear');
    expect((await member.post('/bursaries/notices', { mode: 'daily' })).statusCode).toBe(303);
    expect((await member.get('/bursaries/notices')).body).toMatch(/value="daily" checked/);

    await send('applicant-b@example.org');
    await send('applicant-c@example.org');
    expect(await mails('panel-daily@example.org', 'bursary-panel-new')).toHaveLength(0);

    const early = new Date('2030-01-15T07:30:00Z');
    expect(await sendPanelDigests(t.db, early)).toBe(0);
    const morning = new Date('2030-01-15T08:30:00Z');
    expect(await sendPanelDigests(t.db, morning)).toBe(1);
    const digests = await mails('panel-daily@example.org', 'bursary-panel-digest');
    expect(digests).toHaveLength(1);
    const text = renderEmail('bursary-panel-digest', digests[0]!.data as never, site).text;
    expect(text).toContain('Day fund');
    expect(text).toContain('2 applications');
    expect(text).toContain(`https://hub.example/bursaries/funds/${fundId}`);

    // Nothing new, or already sent today: no more email.
    expect(await sendPanelDigests(t.db, new Date('2030-01-15T12:00:00Z'))).toBe(0);
    await send('applicant-d@example.org');
    expect(await sendPanelDigests(t.db, new Date('2030-01-15T13:00:00Z'))).toBe(0);
    expect(await sendPanelDigests(t.db, new Date('2030-01-16T09:00:00Z'))).toBe(1);
    expect(await mails('panel-daily@example.org', 'bursary-panel-digest')).toHaveLength(2);
  });
});

describe('telling the applicant', () => {
  it('gives the panel’s reason when an application is declined', async () => {
    const { id } = await send('declined@example.org');
    expect((await decide(id, { outcome: 'decline', message: 'This fund is for carers living in Leeds.' })).statusCode).toBe(303);
    const [mail] = await mails('declined@example.org', 'bursary-decided');
    expect(mail!.data).toMatchObject({ outcome: 'declined', reason: 'This fund is for carers living in Leeds.', place: '' });
    expect(renderEmail('bursary-decided', mail!.data as never, site).text).toContain('This fund is for carers living in Leeds.');
  });

  it('tells an approved applicant their place is kept until a date, and booking turns it into their booking', async () => {
    const { client, id } = await send('held@example.org');
    const before = Date.now();
    expect((await decide(id, { outcome: 'approve_all', message: 'Yes' })).statusCode).toBe(303);
    const [mail] = await mails('held@example.org', 'bursary-decided');
    expect(mail!.data).toMatchObject({ outcome: 'approved', reason: '', place: 'held', bookPath: `/events/${event.slug}/book` });
    const [hold] = await t.db
      .select()
      .from(placeHolds)
      .where(eq(placeHolds.reference, `bursary-application:${id}`));
    expect(hold!.state).toBe('live');
    expect(hold!.expiresAt.getTime()).toBeLessThanOrEqual(before + BOOK_WITHIN_DAYS * 86_400_000 + 60_000);
    expect(hold!.expiresAt.getTime()).toBeGreaterThan(before + (BOOK_WITHIN_DAYS - 1) * 86_400_000);
    const text = renderEmail('bursary-decided', mail!.data as never, site).text;
    expect(text).toContain('We are keeping a place at the event for you until');
    // The application page says the same, with the date and a way to book.
    const page = (await client.get(`/bursaries/applications/${id}`)).body;
    expect(page).toContain('We are keeping a place for you at this event until');
    expect(page).toContain(`href="/events/${event.slug}/book"`);

    const [type] = await t.db.insert(ticketTypes).values({ eventId: event.id, name: 'Bursary place' }).returning();
    expect((await client.post(`/events/${event.slug}/book`, { ticketTypeId: type!.id, name: 'Held Person', email: 'held@example.org' })).statusCode).toBe(303);
    const [after] = await t.db.select().from(placeHolds).where(eq(placeHolds.id, hold!.id));
    expect(after!.state).toBe('consumed');
    expect((await client.get(`/bursaries/applications/${id}`)).body).toContain('You have a place at this event.');
  });

  it('tells someone who booked before approval that they have a place, and releases the held one', async () => {
    const { client, id } = await send('booked-first@example.org');
    const [type] = await t.db.insert(ticketTypes).values({ eventId: event.id, name: 'Another place' }).returning();
    await client.post(`/events/${event.slug}/book`, { ticketTypeId: type!.id, name: 'Booked First', email: 'booked-first@example.org' });
    await decide(id, { outcome: 'approve_all', message: 'Yes' });
    const [mail] = await mails('booked-first@example.org', 'bursary-decided');
    expect(mail!.data).toMatchObject({ place: 'booked' });
    const live = await t.db
      .select()
      .from(placeHolds)
      .where(and(eq(placeHolds.reference, `bursary-application:${id}`), eq(placeHolds.state, 'live')));
    expect(live).toHaveLength(0);
  });

  it('tells someone with no place held that they must book, or join the waiting list when full', async () => {
    const open = await createEvent(t.db, { capacity: null });
    const openFund = idFrom(
      (await boss.post('/bursaries/funds', { eventId: open.id, name: 'Open fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers.location,
      uuidIn,
    );
    const { id } = await send('no-limit@example.org', open);
    await decide(id, { outcome: 'approve_all', message: 'Yes' }, openFund);
    expect((await mails('no-limit@example.org', 'bursary-decided'))[0]!.data).toMatchObject({ place: 'book', bookPath: `/events/${open.slug}/book` });

    const full = await createEvent(t.db, { capacity: 1 });
    const fullFund = idFrom(
      (await boss.post('/bursaries/funds', { eventId: full.id, name: 'Full fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers.location,
      uuidIn,
    );
    await send('takes-last@example.org', full);
    const late = await send('too-late@example.org', full);
    await decide(late.id, { outcome: 'approve_all', message: 'Yes' }, fullFund);
    expect((await mails('too-late@example.org', 'bursary-decided'))[0]!.data).toMatchObject({ place: 'full' });
  });

  it('tells the panel of a claim, and the applicant when it is sent back with a reason or approved', async () => {
    const { client, id } = await send('claimant@example.org');
    await decide(id, { outcome: 'approve_all', message: 'Yes' });
    const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
    expect((await client.post(`/bursaries/applications/${id}/claim`, { [`claim-${item!.id}`]: '8' })).statusCode).toBe(303);
    const claimMails = (await mails('panel-now@example.org', 'bursary-panel-new')).filter((m) => m.data.kind === 'claim');
    expect(claimMails).toHaveLength(1);

    const empty = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/claim/return`, { reason: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter the reason, for the applicant');
    const back = await boss.post(`/bursaries/funds/${fundId}/applications/${id}/claim/return`, { reason: 'The ticket shows a different date.' });
    expect(back.statusCode).toBe(303);
    const [returned] = await mails('claimant@example.org', 'bursary-claim-decided');
    expect(returned!.data).toMatchObject({ outcome: 'returned', reason: 'The ticket shows a different date.' });
    // Both pages say the claim was sent back, not that none was sent.
    const panelPage = (await boss.get(`/bursaries/funds/${fundId}/applications/${id}`)).body;
    expect(panelPage).toContain('The claim was sent back to the applicant');
    expect(panelPage).not.toContain('has not sent a claim yet');
    expect((await client.get(`/bursaries/applications/${id}`)).body).toContain('The panel sent your claim back');

    expect((await client.post(`/bursaries/applications/${id}/claim`, { [`claim-${item!.id}`]: '7.50' })).statusCode).toBe(303);
    expect((await boss.post(`/bursaries/funds/${fundId}/applications/${id}/claim/approve`)).statusCode).toBe(303);
    const decided = await mails('claimant@example.org', 'bursary-claim-decided');
    expect(decided.map((m) => m.data.outcome)).toEqual(['returned', 'approved']);
  });
});
