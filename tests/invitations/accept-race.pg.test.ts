// Runs only on a real PostgreSQL (TEST_DATABASE_URL): invitees accept at the same moment, from
// several connection pools as several server processes would, and the round table is never
// oversold: acceptances take confirmed places through registration's API under the event's lock.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInvitations, outboxMessages, registrations } from '../../db/schema/index.ts';
import { ConflictError } from '../../server/errors.ts';
import { connectPostgres, type DatabaseHandle } from '../../server/db/database.ts';
import { acceptInvitation, invitationPath, invite, savePlan } from '../../server/invitations/service.ts';
import { availability } from '../../server/registration/api.ts';
import { makeEvent, provenBookers } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
const pools: DatabaseHandle[] = [];
beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 3; i++) pools.push(connectPostgres(t.database.url!, { max: 10 }));
});
afterAll(async () => {
  for (const p of pools) await p.close();
  await t.close();
});

const tokenOf = (id: string) => invitationPath(id).replace('/invited/', '');

describe('accepting invitations never oversells', { timeout: 300_000 }, () => {
  it('60 invitees accepting at once for 12 places: exactly 12 coming, every other one told it is full', async () => {
    const event = await makeEvent(t.db, { type: 'round_table', capacity: 12 });
    const [organiser] = await provenBookers(t.db, ['race-organiser@example.org']);
    await savePlan(t.db, event.id, { invitationOnly: true, unlisted: false, target: 'third' }, organiser!);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++)
      ids.push(await invite(t.db, event.id, { name: `Invitee ${i}`, email: `racer${i}@example.org`, perspective: 'carer' }, organiser!));
    const dbs = [t.db, ...pools.map((p) => p.db)];
    // Each accepts twice at once as well (a double click): still one place each.
    const attempts = [...ids, ...ids.slice(0, 20)].map((id, i) => acceptInvitation(dbs[i % dbs.length]!, tokenOf(id), { accessNeeds: '' }));
    const outcomes = await Promise.allSettled(attempts);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConflictError);
    const rejected = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as ConflictError);
    expect(new Set(rejected.map((e) => e.code))).toEqual(new Set(['invitation_full']));

    const [coming] = await t.db
      .select({ n: count() })
      .from(eventInvitations)
      .where(and(eq(eventInvitations.eventId, event.id), eq(eventInvitations.status, 'accepted')));
    expect(Number(coming!.n)).toBe(12);
    // Each acceptance is one confirmed place (a booking), never two for a double click.
    const [places] = await t.db
      .select({ n: count() })
      .from(registrations)
      .where(and(eq(registrations.eventId, event.id), eq(registrations.status, 'confirmed')));
    expect(Number(places!.n)).toBe(12);
    expect((await availability(t.db, event.id)).left).toBe(0);
    const [told] = await t.db.select({ n: count() }).from(outboxMessages).where(eq(outboxMessages.template, 'event-invitation-accepted'));
    expect(Number(told!.n)).toBe(12);
  });
});
