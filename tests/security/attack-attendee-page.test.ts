// Attack: the organisers' attendee list is now one paged statement (a lateral join for the latest
// payment, a self-join for a companion's lead) and grouped counts. It must never show another
// event's bookings or payments, never open to a non-organiser, keep its counts and totals true,
// and answer hostile filter values with something other than a 500.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payments, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await t.signedIn('attack-organiser@example.org');
  const [me] = await t.db.select().from(people).where(eq(people.email, 'attack-organiser@example.org'));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t?.close();
});

async function twoEvents() {
  const a = await makeEvent(t.db, { title: 'Alpha seminar', capacity: 50 });
  const b = await makeEvent(t.db, { title: 'Bravo seminar', capacity: 50 });
  const ta = await makeTicketType(t.db, a.id, { name: 'Alpha place', pricePence: 1000 });
  const tb = await makeTicketType(t.db, b.id, { name: 'Bravo place', pricePence: 1000 });
  const [leadA] = await t.db
    .insert(registrations)
    .values({
      eventId: a.id,
      ticketTypeId: ta.id,
      status: 'confirmed',
      name: 'Alpha Lead',
      email: 'alpha-lead@example.org',
      paymentMode: 'invoice',
      pricePence: 1000,
      perspective: 'carer',
    })
    .returning();
  await t.db.insert(registrations).values({ eventId: a.id, status: 'confirmed', name: 'Alpha Companion', email: '', companionOfId: leadA!.id });
  await t.db
    .insert(payments)
    .values({ registrationId: leadA!.id, method: 'invoice', amountPence: 1000, status: 'open', createdAt: new Date(Date.now() - 60_000) });
  await t.db.insert(payments).values({ registrationId: leadA!.id, method: 'invoice', amountPence: 1000, status: 'paid', paidAt: new Date() });
  const [leadB] = await t.db
    .insert(registrations)
    .values({
      eventId: b.id,
      ticketTypeId: tb.id,
      status: 'pending_payment',
      name: 'Bravo Secret',
      email: 'bravo-secret@example.org',
      paymentMode: 'invoice',
      pricePence: 1000,
      accessRequirements: 'Bravo access need',
    })
    .returning();
  await t.db.insert(registrations).values({ eventId: b.id, status: 'confirmed', name: 'Bravo Companion', email: '', companionOfId: leadB!.id });
  await t.db.insert(payments).values({ registrationId: leadB!.id, method: 'invoice', amountPence: 1000, status: 'refund_due' });
  return { a, b, ta, tb, leadA: leadA!, leadB: leadB! };
}

describe('the attendee list, one paged statement', () => {
  it('never shows another event’s bookings, companions or payments, in the page, the filters or the CSV', async () => {
    const { a, tb } = await twoEvents();
    const urls = [
      `/organise/events/${a.slug}/attendees`,
      `/organise/events/${a.slug}/attendees?q=Bravo`,
      `/organise/events/${a.slug}/attendees?q=secret`,
      `/organise/events/${a.slug}/attendees?ticket=${tb.id}`,
      `/organise/events/${a.slug}/attendees?status=pending_payment`,
      `/organise/events/${a.slug}/attendees?page=2`,
      `/organise/events/${a.slug}/attendees.csv`,
      `/organise/events/${a.slug}/attendees.csv?q=Bravo`,
      `/organise/events/${a.slug}/attendees.csv?ticket=${tb.id}`,
    ];
    for (const url of urls) {
      const page = await organiser.get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toMatch(/Bravo Secret|bravo-secret@example|Bravo Companion|Bravo access need|Bravo place/i);
    }
    const list = await organiser.get(`/organise/events/${a.slug}/attendees`);
    expect(list.body).toContain('Alpha Lead');
    expect(list.body).toContain('Alpha Companion');
    expect(list.body).toMatch(/2 bookings/);
    // The companion's lead, named from the self-join.
    expect(list.body).toMatch(/Alpha Companion[\s\S]{0,800}Alpha Lead|Alpha Lead[\s\S]{0,800}Alpha Companion/);
    // A filter that matches nothing on this event says so, not another event's count.
    const none = await organiser.get(`/organise/events/${a.slug}/attendees?ticket=${tb.id}`);
    expect(none.body).toMatch(/0 bookings found/);
  });

  it('is for organisers only: members, the event’s planners and anonymous visitors are refused', async () => {
    const { a } = await twoEvents();
    const member = await t.signedIn('attack-member@example.org');
    for (const url of [`/organise/events/${a.slug}/attendees`, `/organise/events/${a.slug}/attendees.csv`, `/organise/events/${a.slug}/attendees?page=1`]) {
      const asMember = await member.get(url);
      expect(asMember.statusCode, url).toBe(403);
      expect(asMember.body).not.toContain('Alpha Lead');
      const anonymous = await t.client().get(url);
      expect(anonymous.statusCode, url).not.toBe(200);
      expect(anonymous.body).not.toContain('Alpha Lead');
    }
  });

  it('answers hostile filter values with no 500 and no other event’s rows', async () => {
    const { a } = await twoEvents();
    const base = `/organise/events/${a.slug}/attendees`;
    const hostile = [
      '?q=%27%20OR%201%3D1--',
      '?q=%25',
      '?q=_',
      '?q=%5C',
      '?q=%5C%25',
      `?q=${'x'.repeat(100)}`,
      `?q=${'x'.repeat(101)}`,
      `?q=${'%F0%9F%98%80'.repeat(40)}`,
      '?q=%00%00',
      '?q=%C0%AF',
      '?q=%E2%80%AE',
      '?q=a&q=b',
      '?status=confirmed%27--',
      '?status=confirmed&status=attended',
      '?status=CONFIRMED',
      '?status[]=confirmed',
      '?ticket=not-a-uuid',
      '?ticket=00000000-0000-0000-0000-000000000000',
      '?ticket=%27%3B%20drop%20table%20registrations%3B--',
      '?page=0',
      '?page=-1',
      '?page=1.5',
      '?page=1e3',
      '?page=99999',
      '?page=100000',
      '?page=100001',
      '?page=9007199254740993',
      `?page=${'9'.repeat(400)}`,
      '?page=abc',
      '?page=1&page=2',
      '?page=%20',
      '?page=',
      '?page=0x10',
    ];
    for (const qs of hostile) {
      for (const url of [`${base}${qs}`, `${base}.csv${qs}`]) {
        const page = await organiser.get(url);
        expect(page.statusCode, url).toBeLessThan(500);
        expect(page.body, url).not.toMatch(/Bravo Secret|Bravo Companion|stack|at \/|Error:/);
      }
    }
    // A page past the last still says how many bookings there are in all.
    const far = await organiser.get(`${base}?page=99999`);
    expect(far.statusCode).toBe(200);
    expect(far.body).toMatch(/2 bookings/);
    const farFiltered = await organiser.get(`${base}?page=500&status=confirmed`);
    expect(farFiltered.body).toMatch(/2 bookings found/);
  });

  it('keeps its totals and counts true on a long list: pages, the grouped counts and the CSV agree', async () => {
    const event = await makeEvent(t.db, { title: 'Long list seminar', capacity: 300 });
    const type = await makeTicketType(t.db, event.id, { name: 'Long place' });
    await t.db.execute(sql`
      insert into registrations (event_id, ticket_type_id, status, name, email, perspective, created_at)
      select ${event.id}::uuid, ${type.id}::uuid, case when i % 5 = 0 then 'cancelled' else 'confirmed' end,
             'Person ' || lpad(i::text, 3, '0'), 'long' || i || '@example.org',
             case when i % 3 = 0 then 'lived_experience' else '' end, now() - (i || ' seconds')::interval
      from generate_series(1, 250) i`);
    const base = `/organise/events/${event.slug}/attendees`;
    const seen = new Set<string>();
    for (const n of [1, 2, 3]) {
      const page = await organiser.get(`${base}?page=${n}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/250 bookings/);
      for (const m of page.body.matchAll(/Person (\d{3})/g)) seen.add(m[1]!);
    }
    expect(seen.size).toBe(250);
    const confirmed = await organiser.get(`${base}?status=confirmed&page=3`);
    expect(confirmed.body).toMatch(/200 bookings found/);
    const csv = await organiser.get(`${base}.csv?status=confirmed`);
    expect(csv.body.trim().split('\n').length - 1).toBe(200);
    const page = await organiser.get(base);
    // 200 places taken, 83 of 250 lived experience of which 67 are not cancelled (i%3=0 and i%5!=0).
    expect(page.body).toContain('Long place: 200');
    expect(page.body).toMatch(/lived experience[^<]*: 67/i);
  });
});
