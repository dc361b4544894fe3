// While an application waits for a decision, a place at the event is held for the applicant
// (through registration's holds API); declining or withdrawing gives it back, approving keeps it.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, placeHolds, registrations } from '../../db/schema/index.ts';
import { takeUpHeldPlace } from '../../server/registration/holds.ts';
import { availability } from '../../server/registration/holds.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { mailsTo } from '../registration/fixtures.ts';
import { createEvent, idFrom, organiser, uuidIn } from './support.ts';

let t: TestApp;
let boss: TestClient;
let event: { id: string; slug: string };
let fundId: string;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'organiser@example.org');
  event = await createEvent(t.db, { capacity: 2 });
  fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
});
afterAll(async () => {
  await t.close();
});

async function send(email: string, to: { slug: string } = event) {
  const client = await t.signedIn(email);
  const id = idFrom((await client.post(`/events/${to.slug}/bursary`)).headers.location, uuidIn);
  await client.post(`/bursaries/applications/${id}/edit`, {
    perspective: 'carer',
    paymentMethod: 'bank_transfer',
    paymentName: 'N',
    sortCode: '30-94-57',
    accountNumber: '31926819',
    travelAmount: '10',
  });
  const sent = await client.post(`/bursaries/applications/${id}/submit`);
  expect(sent.statusCode).toBe(303);
  const page = await client.get(sent.headers.location as string);
  return { client, id, page: page.body };
}

function holdFor(id: string) {
  return t.db
    .select({ state: placeHolds.state, kind: placeHolds.kind })
    .from(placeHolds)
    .where(eq(placeHolds.reference, `bursary-application:${id}`));
}

describe('a held place', () => {
  it('holds a place while waiting, says so when the event is full, and gives it back when declined or withdrawn', async () => {
    const first = await send('first@example.org');
    expect(first.page).toContain('We are holding a place at the event for you');
    expect(await holdFor(first.id)).toEqual([{ state: 'live', kind: 'bursary' }]);
    const second = await send('second@example.org');
    expect((await availability(t.db, event.id)).left).toBe(0);

    const third = await send('third@example.org');
    expect(third.page).toContain('The event is full at the moment');
    expect(await holdFor(third.id)).toEqual([]);

    await boss.post(`/bursaries/funds/${fundId}/applications/${first.id}/decision`, { outcome: 'decline', message: 'Sorry' });
    expect(await holdFor(first.id)).toEqual([{ state: 'released', kind: 'bursary' }]);
    expect((await availability(t.db, event.id)).left).toBe(1);

    await second.client.post(`/bursaries/applications/${second.id}/withdraw`);
    expect(await holdFor(second.id)).toEqual([{ state: 'released', kind: 'bursary' }]);
    expect((await availability(t.db, event.id)).left).toBe(2);
  });

  it('keeps the place for an approved applicant', async () => {
    const person = await send('approved@example.org');
    await boss.post(`/bursaries/funds/${fundId}/applications/${person.id}/decision`, { outcome: 'approve_all', message: 'Yes' });
    expect(await holdFor(person.id)).toEqual([{ state: 'live', kind: 'bursary' }]);
    expect((await availability(t.db, event.id)).left).toBe(1);
    // When they book, registration takes the held place up (and the booking counts instead).
    const [row] = await t.db.select({ applicantId: bursaryApplications.applicantId }).from(bursaryApplications).where(eq(bursaryApplications.id, person.id));
    expect(await t.db.transaction((tx) => takeUpHeldPlace(tx, { eventId: event.id, personId: row!.applicantId! }))).toBe(true);
    expect(await holdFor(person.id)).toEqual([{ state: 'consumed', kind: 'bursary' }]);
    expect(await t.db.transaction((tx) => takeUpHeldPlace(tx, { eventId: event.id, personId: row!.applicantId! }))).toBe(false);
  });

  it('holds nothing for someone who already has a place, and does not say it does', async () => {
    // Booked (here, waiting for an invoice to be paid) before applying: a second place would be
    // kept from everyone else until the decision, and the page would claim one is being held.
    await t.db.insert(registrations).values({ eventId: event.id, name: 'Booked First', email: 'booked-first@example.org', status: 'pending_payment' });
    const before = (await availability(t.db, event.id)).left;
    const person = await send('booked-first@example.org');
    expect(person.page).not.toContain('We are holding a place');
    expect(await holdFor(person.id)).toEqual([]);
    expect((await availability(t.db, event.id)).left).toBe(before);
  });
});

describe('a hybrid event whose room is full', () => {
  it('says the room is full, not the event, and the decision offers the places online', async () => {
    // A held place is in the room; with the room full and places online, "the event is full" is untrue.
    const hybrid = await createEvent(t.db, { format: 'hybrid', capacity: 1, onlineCapacity: 10 });
    const fund = idFrom(
      (await boss.post('/bursaries/funds', { eventId: hybrid.id, name: 'Hybrid fund', budget: '500', eligibility: '', covers: '', deadline: '' })).headers
        .location,
      uuidIn,
    );
    const first = await send('room-first@example.org', hybrid);
    expect(first.page).toContain('We are holding a place at the event for you');
    const second = await send('room-second@example.org', hybrid);
    expect(second.page).toContain('The room is full at the moment, so we could not hold a place in the room for you. There are still places online.');
    expect(second.page).not.toContain('The event is full');
    await boss.post(`/bursaries/funds/${fund}/applications/${second.id}/decision`, { outcome: 'approve_all', message: 'Yes' });
    const decided = (await mailsTo(t.db, 'room-second@example.org')).filter((m) => m.template === 'bursary-decided');
    expect(decided.map((m) => m.data.place)).toEqual(['room_full']);
  });
});
