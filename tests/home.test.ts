import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { bursaryApplications, bursaryFunds, eventInvitations, events, impactNotes, outboxMessages, registrations } from '../db/schema/index.ts';
import { sendInvitationReminders } from '../server/invitations/service.ts';
import { seedDemo, seedDemoIfEmpty } from '../server/demo/seed.ts';
import { londonDate, londonHour } from '../server/london-time.ts';
import { startTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the demo and the home page', () => {
  it('seeds an empty database once, and shows the next events on the home page', async () => {
    expect((await t.client().get('/')).body).toContain('no events announced');
    expect(await seedDemoIfEmpty(t.db)).toBe(true);
    expect(await seedDemoIfEmpty(t.db)).toBe(false);
    await seedDemo(t.db); // running it again adds nothing twice
    const home = await t.client().get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Social Perspectives Hub: launch and discussion day');
    expect(home.body).toContain('Seminar 1: Whose recovery is it anyway?');
    // Past and unpublished events are not "coming up".
    expect(home.body).not.toContain('Westminster round table');
    expect(home.body).not.toContain('co-production in practice');
  });

  it('puts every demo event in the daytime, London time, whatever hour it was seeded', async () => {
    // Runs after the first test seeded the demo. Its times are wall-clock London times, never
    // the seeding hour's: seeded at eleven at night, a round table ran past midnight.
    const rows = await t.db.select({ title: events.title, startsAt: events.startsAt, endsAt: events.endsAt }).from(events);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows.filter((r) => r.startsAt)) {
      const hour = londonHour(row.startsAt!);
      expect(hour >= 8 && hour <= 19, `${row.title} starts at ${hour}h`).toBe(true);
      if (row.endsAt) expect(londonDate(row.endsAt), `${row.title} ends the day it starts`).toBe(londonDate(row.startsAt!));
    }
  });

  it('shows a published event with times in Europe/London, and hides events still being planned', async () => {
    const page = await t.client().get('/events/hub-launch-and-discussion-day');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/10am to 4pm/);
    expect(page.body).toContain('Step-free access');
    expect(page.body).not.toContain('example.org/join'); // joining links are for confirmed registrants only
    expect((await t.client().get('/events/training-day-co-production-in-practice')).statusCode).toBe(404);
  });

  it('shows the demo launch day as co-produced, with its programme, and the round table report', async () => {
    const page = await t.client().get('/events/hub-launch-and-discussion-day');
    expect(page.body).toMatch(/[Cc]o-produced/);
    expect(page.body).toContain('Social factors in distress and recovery');
    expect(page.body).toContain('Everyone here is an equal partner');
    // Declared perspectives stay inside the planning group.
    expect(page.body).not.toMatch(/[Ll]ived experience \/ survivor/);
    expect(page.body).toContain('href="/events/hub-launch-and-discussion-day/bursary"');
    const report = await t.client().get('/events/westminster-round-table');
    expect(report.body).not.toContain('Help with costs</h2>');
    expect(report.body).toContain('Report from the Westminster round table');
  });

  it('lets the demo admin and organiser sign in', async () => {
    const admin = await t.signedIn('admin@example.org');
    expect((await admin.get('/admin')).statusCode).toBe(200);
    const organiser = await t.signedIn('organiser@example.org');
    expect((await organiser.get('/admin')).statusCode).toBe(403);
  });

  it('says only what happened: the impact note’s emails are in the outbox, and no reminder goes for an invitation never sent', async () => {
    const mails = await t.db.select().from(outboxMessages);
    const [roundTable] = await t.db.select().from(events).where(eq(events.slug, 'westminster-round-table'));
    const [note] = await t.db.select().from(impactNotes).where(eq(impactNotes.eventId, roundTable!.id));
    expect(note!.sentAt).not.toBeNull();
    // One email to each person who came or had a place, as sending the note does.
    const places = await t.db
      .select({ email: registrations.email })
      .from(registrations)
      .where(and(eq(registrations.eventId, roundTable!.id), inArray(registrations.status, ['attended', 'confirmed'])));
    const told = mails.filter((m) => m.template === 'impact-note').map((m) => m.toAddress);
    expect(told.sort()).toEqual([...new Set(places.map((p) => p.email))].sort());
    expect(told).toContain('member@example.org');
    expect(told).toContain('dee.survivor@example.org');
    // The round table's invitations went before it, not after.
    const invited = await t.db.select().from(eventInvitations).where(eq(eventInvitations.eventId, roundTable!.id));
    for (const i of invited) expect(i.invitedAt.getTime()).toBeLessThan(roundTable!.startsAt!.getTime());

    // The open invitation without a reminder was sent today, its email in the outbox; the job
    // reminds nobody whose invitation was never sent.
    expect(mails.filter((m) => m.template === 'event-invitation').map((m) => m.toAddress)).toEqual(['ike.survivor@example.org']);
    expect(await sendInvitationReminders(t.db)).toBe(0);
  });

  it('shows the launch day’s bursary fund with applications: approved, approved in part, and waiting', async () => {
    const [launch] = await t.db.select().from(events).where(eq(events.slug, 'hub-launch-and-discussion-day'));
    const [fund] = await t.db.select().from(bursaryFunds).where(eq(bursaryFunds.eventId, launch!.id));
    const applications = await t.db.select().from(bursaryApplications).where(eq(bursaryApplications.fundId, fund!.id));
    expect(applications.map((a) => a.status).sort()).toEqual(['approved', 'part_approved', 'submitted']);
    // Made as applicants and the panel make them: each applicant was emailed what happened.
    const mails = await t.db.select().from(outboxMessages);
    const to = (template: string) =>
      mails
        .filter((m) => m.template === template)
        .map((m) => m.toAddress)
        .sort();
    expect(to('bursary-submitted')).toEqual(['ade@example.org', 'carol.carer@example.org', 'femi@example.org']);
    expect(to('bursary-decided')).toEqual(['ade@example.org', 'carol.carer@example.org']);
    const organiser = await t.signedIn('organiser@example.org');
    const page = await organiser.get(`/bursaries/funds/${fund!.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Femi Adeyemi');
  });
});
