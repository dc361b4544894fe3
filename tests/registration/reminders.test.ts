import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, registrations } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { bookAnonymously, latestManagePath, mailsTo, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const hour = 3_600_000;

describe('reminder emails', () => {
  it('sends one 2-day and one 2-hour reminder with joining details, and none to cancelled bookings', async () => {
    const startsAt = new Date(Math.floor((Date.now() + 10 * 24 * hour) / 60_000) * 60_000);
    const event = await makeEvent(t.db, {
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * hour),
      format: 'hybrid',
      onlinePlatform: 'Zoom',
      onlineJoinUrl: 'https://zoom.example/j/42',
    });
    const type = await makeTicketType(t.db, event.id);
    const { asked: coming } = await bookAnonymously(t.db, t.client(), event.slug, {
      ticketTypeId: type.id,
      name: 'Coming',
      email: 'coming@example.org',
      attendance: 'online',
    });
    await bookAnonymously(t.db, t.client(), event.slug, {
      ticketTypeId: type.id,
      name: 'Leaving',
      email: 'leaving@example.org',
      attendance: 'in_person',
    });
    expect(coming.statusCode).toBe(303);
    await t.client().post(`${await latestManagePath(t.db, 'leaving@example.org')}/cancel`);

    const reminders = async (email: string) => (await mailsTo(t.db, email)).filter((m) => m.template === 'registration-reminder');
    await t.app.registrationJobs.runDue(new Date(startsAt.getTime() - 3 * 24 * hour));
    expect(await reminders('coming@example.org')).toHaveLength(0);

    const twoDays = new Date(startsAt.getTime() - 47 * hour);
    expect((await t.app.registrationJobs.runDue(twoDays)).remindersSent).toBe(1);
    expect((await t.app.registrationJobs.runDue(twoDays)).remindersSent).toBe(0);
    const [long] = await reminders('coming@example.org');
    expect(long!.subject).toContain('in 2 days');
    expect(long!.data.joinUrl).toBe('https://zoom.example/j/42');
    // Coming online: no directions to the room.
    expect(long!.data.travelInfo).toBe('');
    expect(long!.data.placeKind).toBe('online');

    await t.app.registrationJobs.runDue(new Date(startsAt.getTime() - 90 * 60_000));
    const both = await reminders('coming@example.org');
    expect(both).toHaveLength(2);
    expect(both[0]!.subject).toContain('in 2 hours');
    expect(await reminders('leaving@example.org')).toHaveLength(0);
  });

  it('does not send a 2-day reminder to someone who booked after it was due', async () => {
    const startsAt = new Date(Date.now() + 30 * hour);
    const event = await makeEvent(t.db, { startsAt, endsAt: new Date(startsAt.getTime() + hour) });
    const type = await makeTicketType(t.db, event.id);
    await bookAnonymously(t.db, t.client(), event.slug, { ticketTypeId: type.id, name: 'Late', email: 'late-booker@example.org' });
    await t.app.registrationJobs.runDue(new Date());
    const [row] = await t.db.select().from(registrations).where(eq(registrations.email, 'late-booker@example.org'));
    expect(row!.reminderLongSentAt).not.toBeNull();
    const sent = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, 'late-booker@example.org'));
    expect(sent.map((m) => m.template).sort()).toEqual(['registration-confirm-request', 'registration-confirmed']);
    await t.app.registrationJobs.runDue(new Date(startsAt.getTime() - hour));
    expect((await mailsTo(t.db, 'late-booker@example.org'))[0]!.subject).toContain('in 2 hours');
  });
});
