// Booking through the public form answered correctly but then logged "TypeError: Cannot read
// properties of undefined (reading 'notice')" for every booking: submit() awaited the reply that
// the booking's done() returned, which waits for it to be sent and gives undefined. Users saw
// nothing; the log filled with errors that hid real ones. Here the app's error log is read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { bookAnonymously, makeEvent, makeTicketType } from './fixtures.ts';

let t: TestApp;
const errors: string[] = [];
beforeAll(async () => {
  t = await startTestApp({ errorLog: errors });
});
afterAll(async () => {
  await t.close();
});

describe('a public booking', () => {
  it('answers with the next page and logs no error, signed in or not', async () => {
    const event = await makeEvent(t.db);
    const type = await makeTicketType(t.db, event.id);
    const { asked } = await bookAnonymously(t.db, t.client(), event.slug, { name: 'Sam Rivers', email: 'sam@example.org', ticketTypeId: type.id });
    expect(asked.statusCode).toBe(303);
    const member = await t.signedIn('member@example.org');
    const booked = await member.post(`/events/${event.slug}/book`, { name: 'Member Person', email: 'member@example.org', ticketTypeId: type.id });
    expect(booked.statusCode).toBe(303);
    expect(booked.headers.location).toMatch(/^\/bookings\//);
    // Pino writes after the response; give it a turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).toEqual([]);
  });
});
