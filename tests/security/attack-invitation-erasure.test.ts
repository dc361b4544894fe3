// Attack: "erased means erased" and "people can download their own data" for invitations to
// invitation-only events. An invitation holds the invitee's name, address, the perspective they
// were asked to bring (service user, survivor, carer…) and the access needs they gave.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInvitations } from '../../db/schema/index.ts';
import { availability } from '../../server/registration/api.ts';
import { makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { mailTo, signedInOrganiser } from '../proposals/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'invitation-erasure-organiser@example.org');
});
afterAll(async () => {
  await t?.close();
});

async function acceptedInvitation(email: string) {
  const event = await makeEvent(t.db, { title: 'Round table on crisis beds', type: 'round_table', capacity: 12 });
  await makeTicketType(t.db, event.id);
  expect(
    (await organiser.post(`/organise/events/${event.slug}/invitations/plan`, { invitationOnly: 'yes', listing: 'listed', target: 'third' })).statusCode,
  ).toBe(303);
  expect(
    (await organiser.post(`/organise/events/${event.slug}/invitations`, { name: 'Rowan Reyes', email, perspective: 'service_user_survivor' })).statusCode,
  ).toBe(303);
  const [mail] = await mailTo(t.db, email, 'event-invitation');
  const accepted = await t.client().post(`${mail!.data.invitationPath as string}/accept`, { accessNeeds: 'Step-free access and a quiet room' });
  expect(accepted.statusCode).toBe(303);
  expect((await availability(t.db, event.id)).booked + (await availability(t.db, event.id)).held).toBeGreaterThan(0);
  return event;
}

describe('an invitation to an invitation-only event', () => {
  it('is in the invitee’s data export', async () => {
    await acceptedInvitation('rowan-export@example.org');
    const member = await t.signedIn('rowan-export@example.org');
    const exported = await member.get('/account/your-data.json');
    expect(exported.statusCode).toBe(200);
    expect(exported.body).toContain('Round table on crisis beds');
    expect(exported.body).toContain('Step-free access and a quiet room');
  });

  it('goes, with its access needs and its place, when the invitee deletes their account', async () => {
    const event = await acceptedInvitation('rowan-erase@example.org');
    const member = await t.signedIn('rowan-erase@example.org');
    expect((await member.post('/account/delete', { confirm: 'yes' })).statusCode).toBe(303);
    const left = await t.db.select().from(eventInvitations).where(eq(eventInvitations.eventId, event.id));
    expect(left.filter((r) => r.email === 'rowan-erase@example.org' || r.name === 'Rowan Reyes' || r.accessNeeds !== '')).toEqual([]);
    const after = await availability(t.db, event.id);
    expect(after.booked + after.held).toBe(0);
  });
});
