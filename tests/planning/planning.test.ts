// The planning workspace: per-event rights, the group and its invitations, details, readiness,
// publishing with and without an organiser's override, unpublishing, cancelling and moving an
// event (registrants told), and the pages the group shares.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, events, planningMeetings, publishOverrides, registrations, registrationSettings, ticketTypes } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { idFrom, mailTo, personId, signedInOrganiser } from '../proposals/support.ts';

let t: TestApp;
let organiser: TestClient;
let lead: TestClient;
let coLead: TestClient;
let speaker: TestClient;
let otherPlanner: TestClient;
let member: TestClient;
let eventA: string;
let eventB: string;

async function createEvent(client: TestClient, title: string): Promise<string> {
  const res = await client.post('/organise/events', { title, type: 'seminar' });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
  return idFrom(res.headers.location, '/plan');
}

async function join(eventId: string, by: TestClient, who: TestClient, email: string, role: string, perspective = '') {
  expect((await by.post(`/plan/${eventId}/members`, { email, role })).statusCode).toBe(303);
  const answered = await who.post(`/plan/${eventId}/invitation`, { answer: 'yes', perspective });
  expect(answered.statusCode, answered.body.slice(0, 300)).toBe(303);
}

const readyDetails = {
  title: 'Housing and distress',
  type: 'round_table',
  summary: 'A round table.',
  description: 'We talk about **housing**.',
  format: 'in_person',
  startDate: '2027-01-20',
  startTime: '10:00',
  endDate: '',
  endTime: '15:00',
  venueName: 'Friends Meeting House',
  venueAddress: '6 Mount Street, Manchester',
  capacity: '30',
  accessInfo: 'Step-free throughout; accessible toilets on every floor.',
  stepFreeAccess: 'yes',
  quietRoom: 'yes',
};

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'org@example.org');
  lead = await t.signedIn('lead@example.org');
  coLead = await t.signedIn('colead@example.org');
  speaker = await t.signedIn('speaker@example.org');
  otherPlanner = await t.signedIn('other@example.org');
  member = await t.signedIn('member@example.org');
  await coLead.post('/account', { displayName: 'Sam Okafor' });
  eventA = await createEvent(organiser, 'Event A');
  eventB = await createEvent(organiser, 'Event B');
  await join(eventA, organiser, lead, 'lead@example.org', 'lead');
  await join(eventB, organiser, otherPlanner, 'other@example.org', 'lead', 'lived_experience');
});
afterAll(async () => {
  await t.close();
});

// Parameters that are a choice (not an id) get one of their values, so the route is reached.
const choices: Record<string, string> = { audience: 'attendees', change: 'up' };

function concrete(url: string, eventId: string): string {
  return url.replace(':eventId', eventId).replace(/:([A-Za-z]+)/g, (_m, name: string) => choices[name] ?? randomUUID());
}

describe('who may use the planning workspace', () => {
  const planRoutes = () => t.app.routeAccess.filter((r) => r.url.startsWith('/plan/:eventId') && (r.method === 'GET' || r.method === 'POST'));

  it('covers every planning route', () => {
    expect(planRoutes().length).toBeGreaterThan(20);
  });

  it('sends anonymous people to sign in on every planning route', async () => {
    const anonymous = t.client();
    for (const r of planRoutes()) {
      const url = concrete(r.url, eventA);
      const res = r.method === 'GET' ? await anonymous.get(url) : await anonymous.post(url, {});
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(303);
      expect(res.headers.location).toMatch(/^\/sign-in/);
    }
  });

  it('refuses members and planners of another event on every planning route', async () => {
    for (const client of [member, otherPlanner]) {
      for (const r of planRoutes()) {
        const url = concrete(r.url, eventA);
        const res =
          r.method === 'GET' ? await client.get(url) : await client.post(url, { title: 'x', role: 'lead', email: 'x@example.org', done: 'yes', answer: 'yes' });
        // The invitation page is personal: there is simply no invitation for them.
        const expected = r.url.endsWith('/invitation') ? 404 : 403;
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(expected);
        expect(res.body).not.toContain('Event A');
      }
    }
    // Nothing changed on event A.
    const [a] = await t.db.select().from(events).where(eq(events.id, eventA));
    expect(a!.title).toBe('Event A');
  });

  it('lets the planning group and organisers in', async () => {
    expect((await lead.get(`/plan/${eventA}`)).statusCode).toBe(200);
    expect((await organiser.get(`/plan/${eventA}/programme`)).statusCode).toBe(200);
    expect((await otherPlanner.get(`/plan/${eventB}`)).statusCode).toBe(200);
  });
});

describe('the planning group', () => {
  it('invites by email; the invitee accepts and declares a perspective seen only inside the group', async () => {
    await join(eventA, lead, coLead, 'colead@example.org', 'co_lead', 'lived_experience');
    const invite = (await mailTo(t.db, 'colead@example.org', 'planning-invitation')).at(-1)!;
    expect(invite.data).toMatchObject({ invitationPath: `/plan/${eventA}/invitation`, roleLabel: 'co-lead' });
    // Inside the group the perspective shows.
    expect((await lead.get(`/plan/${eventA}`)).body).toContain('Lived experience / survivor');
    // An organiser outside the group sees the event is co-produced, but not who declared what.
    const outsider = await signedInOrganiser(t, 'org2@example.org');
    const asOrganiser = await outsider.get(`/plan/${eventA}`);
    expect(asOrganiser.statusCode).toBe(200);
    expect(asOrganiser.body).toContain('Co-produced');
    expect(asOrganiser.body).not.toContain('Lived experience / survivor');
  });

  it('lets an invitee decline, and only leads change the group', async () => {
    expect((await lead.post(`/plan/${eventA}/members`, { email: 'speaker@example.org', role: 'speaker' })).statusCode).toBe(303);
    expect((await speaker.get(`/plan/${eventA}`)).statusCode).toBe(403);
    expect((await speaker.post(`/plan/${eventA}/invitation`, { answer: 'yes', perspective: 'academic' })).statusCode).toBe(303);
    expect((await speaker.post(`/plan/${eventA}/members`, { email: 'someone@example.org', role: 'speaker' })).statusCode).toBe(403);
    expect((await speaker.post(`/plan/${eventA}/details`, readyDetails)).statusCode).toBe(403);
    expect((await speaker.post(`/plan/${eventA}/publish`, {})).statusCode).toBe(403);
    expect((await lead.post(`/plan/${eventA}/members`, { email: 'no@example.org', role: 'speaker' })).statusCode).toBe(303);
    const no = await t.signedIn('no@example.org');
    expect((await no.post(`/plan/${eventA}/invitation`, { answer: 'no' })).statusCode).toBe(303);
    expect((await no.get(`/plan/${eventA}`)).statusCode).toBe(403);
  });
});

describe('changing the group', () => {
  it('lets a member change their own perspective, and leads change roles or remove people', async () => {
    const eventE = await createEvent(organiser, 'Event E');
    await join(eventE, organiser, lead, 'lead@example.org', 'speaker');
    expect(await t.db.query.planningMembers.findFirst({ where: (m, { and, eq }) => and(eq(m.eventId, eventE), eq(m.perspective, 'carer')) })).toBeUndefined();
    expect((await lead.post(`/plan/${eventE}/perspective`, { perspective: 'carer' })).statusCode).toBe(303);
    expect((await lead.get(`/plan/${eventE}`)).body).toContain('Co-produced</dt><dd class="govuk-summary-list__value">Yes');
    const [row] = await t.db.query.planningMembers.findMany({ where: (m, { and, eq }) => and(eq(m.eventId, eventE), eq(m.perspective, 'carer')) });
    // A speaker cannot change roles; a lead (here the organiser) can.
    expect((await lead.post(`/plan/${eventE}/members/${row!.id}/role`, { role: 'lead' })).statusCode).toBe(403);
    expect((await organiser.post(`/plan/${eventE}/members/${row!.id}/role`, { role: 'access_lead' })).statusCode).toBe(303);
    const [changed] = await t.db.query.planningMembers.findMany({ where: (m, { eq }) => eq(m.id, row!.id) });
    expect(changed!.role).toBe('access_lead');
    // A member id from another event is not found through this one.
    expect((await organiser.post(`/plan/${eventB}/members/${row!.id}/remove`)).statusCode).toBe(404);
    // Removing asks first: the group page links to a question whose button posts; only leads see it.
    const removeUrl = `/plan/${eventE}/members/${row!.id}/remove`;
    const group = (await organiser.get(`/plan/${eventE}`)).body;
    expect(group).toContain(`href="${removeUrl}"`);
    expect(group).not.toContain(`action="${removeUrl}"`);
    const ask = await organiser.get(removeUrl);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('from the planning group?');
    expect(ask.body).toContain(`action="${removeUrl}"`);
    expect((await lead.get(removeUrl)).statusCode).toBe(403);
    expect((await organiser.post(removeUrl)).statusCode).toBe(303);
    expect((await lead.get(`/plan/${eventE}`)).statusCode).toBe(403);
  });
});

describe('details, readiness and publishing', () => {
  it('refuses to publish until ready, for planners; stores London wall-clock as UTC', async () => {
    const blocked = await lead.post(`/plan/${eventA}/publish`, {});
    expect(blocked.statusCode).toBe(409);
    expect(blocked.headers['x-error-code']).toBe('event_not_ready');
    expect(blocked.body).toContain('not ready to publish');
    const bad = await lead.post(`/plan/${eventA}/details`, { ...readyDetails, startDate: '2027-13-45', capacity: 'many' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter the start date');
    expect(bad.body).toContain('Places must be a whole number');
    expect((await lead.post(`/plan/${eventA}/details`, readyDetails)).statusCode).toBe(303);
    const [a] = await t.db.select().from(events).where(eq(events.id, eventA));
    // January: London is on GMT.
    expect(a!.startsAt!.toISOString()).toBe('2027-01-20T10:00:00.000Z');
    expect(a!.endsAt!.toISOString()).toBe('2027-01-20T15:00:00.000Z');
    expect(a!.stepFreeAccess).toBe(true);
    expect(a!.hearingLoop).toBe(false);
    // Nothing on sale yet: people would have no way to get a place.
    const noPlaces = await lead.post(`/plan/${eventA}/publish`, {});
    expect(noPlaces.statusCode).toBe(409);
    expect(noPlaces.headers['x-error-code']).toBe('event_not_ready');
    expect(noPlaces.body).toContain('a kind of place on sale');
    await t.db.insert(ticketTypes).values({ eventId: eventA, name: 'Free place' });
    const published = await lead.post(`/plan/${eventA}/publish`, {});
    expect(published.statusCode).toBe(303);
    const [after] = await t.db.select().from(events).where(eq(events.id, eventA));
    expect(after!.status).toBe('published');
    expect(after!.sequence).toBeGreaterThan(a!.sequence);
    expect((await t.client().get('/events')).body).toContain('Housing and distress');
  });

  it('needs no kind of place on sale when the organisers say booking is not needed or happens elsewhere', async () => {
    const eventE = await createEvent(organiser, 'Event E');
    await join(eventE, organiser, lead, 'lead@example.org', 'lead', 'carer');
    // A carer makes the event co-produced, and the readiness list says so in those words.
    expect((await lead.get(`/plan/${eventE}`)).body).toContain('A planning-group member who has declared lived experience or being a carer');
    expect((await lead.post(`/plan/${eventE}/details`, { ...readyDetails, title: 'Event E' })).statusCode).toBe(303);
    expect((await lead.post(`/plan/${eventE}/publish`, {})).body).toContain('a kind of place on sale');
    await t.db.insert(registrationSettings).values({ eventId: eventE, bookingMode: 'not_needed' });
    expect((await lead.post(`/plan/${eventE}/publish`, {})).statusCode).toBe(303);
    const [e] = await t.db.select().from(events).where(eq(events.id, eventE));
    const page = await t.client().get(`/events/${e!.slug}`);
    expect(page.body).toContain('You do not need to book: just come along.');
    expect(page.body).not.toContain('Book a place');
  });

  it('lets an organiser override missing items with a recorded reason, never a missing date', async () => {
    const eventC = await createEvent(organiser, 'Event C');
    const noDate = await organiser.post(`/plan/${eventC}/publish`, { overrideReason: 'Announcing early' });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.body).toContain('cannot be published without a date');
    await organiser.post(`/plan/${eventC}/details`, {
      title: 'Event C',
      type: 'webinar',
      format: 'online',
      startDate: '2027-02-01',
      startTime: '18:00',
      endTime: '19:00',
    });
    expect((await organiser.post(`/plan/${eventC}/publish`, {})).statusCode).toBe(400);
    expect((await organiser.post(`/plan/${eventC}/publish`, { overrideReason: 'Speakers confirmed; platform booked tomorrow' })).statusCode).toBe(303);
    const [override] = await t.db.select().from(publishOverrides).where(eq(publishOverrides.eventId, eventC));
    expect(override!.reason).toBe('Speakers confirmed; platform booked tomorrow');
    expect(override!.missing).toEqual(expect.arrayContaining(['place', 'capacity', 'places', 'access', 'livedExperience']));
    const audit = await t.db.select().from(auditEntries).where(eq(auditEntries.subjectId, eventC));
    expect(audit.map((a) => a.action)).toContain('event.published');
  });

  it('moves a published event: registrants are emailed with a calendar update and the sequence rises', async () => {
    await t.db.insert(registrations).values([
      { eventId: eventA, status: 'confirmed', name: 'Ada', email: 'ada@example.org' },
      { eventId: eventA, status: 'waitlisted', name: 'Bo', email: 'bo@example.org' },
      { eventId: eventA, status: 'cancelled', name: 'Cy', email: 'cy@example.org' },
    ]);
    const [before] = await t.db.select().from(events).where(eq(events.id, eventA));
    expect((await lead.post(`/plan/${eventA}/details`, { ...readyDetails, startDate: '2027-01-27' })).statusCode).toBe(303);
    const [after] = await t.db.select().from(events).where(eq(events.id, eventA));
    expect(after!.sequence).toBe(before!.sequence + 1);
    const ada = (await mailTo(t.db, 'ada@example.org', 'event-changed')).at(-1)!;
    expect(ada.data).toMatchObject({
      kind: 'changed',
      when: 'Wednesday 27 January 2027, 10am to 3pm',
      changes: [{ what: 'Date and time', before: 'Wednesday 20 January 2027, 10am to 3pm', after: 'Wednesday 27 January 2027, 10am to 3pm' }],
    });
    expect(ada.attachments[0]!.content).toContain(`UID:event-${eventA}@convene`);
    expect(ada.attachments[0]!.content).toContain(`SEQUENCE:${after!.sequence}`);
    expect(await mailTo(t.db, 'bo@example.org', 'event-changed')).toHaveLength(1);
    expect(await mailTo(t.db, 'cy@example.org', 'event-changed')).toHaveLength(0);
  });

  it('unpublishes back to planning, and only organisers cancel, with a reason everyone registered is told', async () => {
    expect((await lead.post(`/plan/${eventA}/unpublish`)).statusCode).toBe(303);
    expect((await t.client().get('/events')).body).not.toContain('Housing and distress');
    expect((await lead.post(`/plan/${eventA}/cancel`, { reason: 'Venue closed' })).statusCode).toBe(403);
    expect((await organiser.post(`/plan/${eventA}/cancel`, { reason: '' })).statusCode).toBe(400);
    expect((await organiser.post(`/plan/${eventA}/cancel`, { reason: 'The venue has closed for repairs.' })).statusCode).toBe(303);
    const [a] = await t.db.select().from(events).where(eq(events.id, eventA));
    expect(a!.status).toBe('cancelled');
    const mail = (await mailTo(t.db, 'ada@example.org', 'event-changed')).at(-1)!;
    expect(mail.data).toMatchObject({ kind: 'cancelled', reason: 'The venue has closed for repairs.' });
    // Registrants were sent a publication, so the cancellation is one too: the same UID, a higher
    // SEQUENCE and STATUS:CANCELLED (an iTIP CANCEL would match nothing they hold).
    expect(mail.attachments[0]!.content).toContain('METHOD:PUBLISH');
    expect(mail.attachments[0]!.content).toContain('STATUS:CANCELLED');
    expect((await lead.post(`/plan/${eventA}/details`, readyDetails)).statusCode).toBe(409);
  });
});

describe('programme, tasks, discussion and meetings', () => {
  let eventD: string;
  beforeAll(async () => {
    eventD = await createEvent(organiser, 'Event D');
    await join(eventD, organiser, lead, 'lead@example.org', 'lead', 'carer');
    await join(eventD, lead, coLead, 'colead@example.org', 'co_lead');
    await lead.post(`/plan/${eventD}/details`, { ...readyDetails, title: 'Event D', startDate: '2027-05-05' });
  });

  it('adds, changes and removes programme sessions with group and guest speakers', async () => {
    const coLeadId = await personId(t.db, 'colead@example.org');
    const bad = await lead.post(`/plan/${eventD}/programme`, { title: '', sessionDate: '2027-05-05', sessionStart: '11:00', sessionEnd: '10:00' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter the session’s title');
    expect(
      (
        await lead.post(`/plan/${eventD}/programme`, {
          title: 'Welcome',
          sessionDate: '2027-05-05',
          sessionStart: '10:00',
          sessionEnd: '10:30',
          speakerIds: coLeadId,
          guestSpeakers: 'Dr Rao',
        })
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await lead.post(`/plan/${eventD}/programme`, {
          title: 'Not a member',
          sessionDate: '2027-05-05',
          sessionStart: '11:00',
          sessionEnd: '12:00',
          speakerIds: await personId(t.db, 'member@example.org'),
        })
      ).statusCode,
    ).toBe(400);
    const page = await lead.get(`/plan/${eventD}/programme`);
    expect(page.body).toContain('Welcome');
    expect(page.body).toContain('Sam Okafor, Dr Rao');
    const sessionId = /programme\/([0-9a-f-]{36})"/.exec(page.body)![1]!;
    expect(
      (
        await coLead.post(`/plan/${eventD}/programme/${sessionId}`, {
          title: 'Welcome and introductions',
          sessionDate: '2027-05-05',
          sessionStart: '10:00',
          sessionEnd: '10:45',
        })
      ).statusCode,
    ).toBe(303);
    expect((await lead.get(`/plan/${eventD}/programme`)).body).toContain('Welcome and introductions');
    // Another event's planner cannot touch this session, even with its id.
    expect((await otherPlanner.post(`/plan/${eventB}/programme/${sessionId}/remove`)).statusCode).toBe(404);
    expect((await lead.post(`/plan/${eventD}/programme/${sessionId}/remove`)).statusCode).toBe(303);
    expect((await lead.get(`/plan/${eventD}/programme`)).body).not.toContain('Welcome and introductions');
  });

  it('keeps tasks with owner and due date, highlighting overdue ones', async () => {
    const leadId = await personId(t.db, 'lead@example.org');
    expect((await lead.post(`/plan/${eventD}/tasks`, { taskTitle: 'Book interpreters', ownerId: leadId, dueOn: '2020-01-01' })).statusCode).toBe(303);
    expect((await lead.post(`/plan/${eventD}/tasks`, { taskTitle: 'Send papers', dueOn: '2099-01-01' })).statusCode).toBe(303);
    const page = await lead.get(`/plan/${eventD}/tasks`);
    expect(page.body).toMatch(/convene-overdue[\s\S]*Book interpreters[\s\S]*Overdue/);
    expect(page.body).not.toMatch(/Send papers <strong class="govuk-tag govuk-tag--red">Overdue/);
    const taskId = /tasks\/([0-9a-f-]{36})"/.exec(page.body)![1]!;
    expect((await coLead.post(`/plan/${eventD}/tasks/${taskId}`, { done: 'yes' })).statusCode).toBe(303);
    expect((await lead.get(`/plan/${eventD}/tasks`)).body).toContain('Done');
  });

  it('keeps a discussion thread and a decision log', async () => {
    expect((await coLead.post(`/plan/${eventD}/discussion`, { body: 'Shall we have **two** breaks?' })).statusCode).toBe(303);
    expect(
      (await lead.post(`/plan/${eventD}/decisions`, { decision: 'Two breaks of 20 minutes', decidedBy: 'The whole group', decidedOn: '2026-11-20' }))
        .statusCode,
    ).toBe(303);
    expect((await lead.post(`/plan/${eventD}/decisions`, { decision: '', decidedBy: '', decidedOn: 'soon' })).statusCode).toBe(400);
    // A day the month does not have is a message on the form, not a 500 from the database.
    const impossible = await lead.post(`/plan/${eventD}/decisions`, { decision: 'Lunch', decidedBy: 'All', decidedOn: '2026-02-30' });
    expect(impossible.statusCode).toBe(400);
    expect(impossible.body).toContain('Enter the date it was decided');
    const page = await lead.get(`/plan/${eventD}/discussion`);
    expect(page.body).toContain('<strong>two</strong>');
    expect(page.body).toContain('Two breaks of 20 minutes');
    expect(page.body).toContain('Friday 20 November 2026');
  });

  it('sends meetings as calendar invitations; updates and cancellations keep the UID and raise SEQUENCE', async () => {
    const res = await lead.post(`/plan/${eventD}/meetings`, {
      meetingTitle: 'First meeting',
      meetingDate: '2027-02-03',
      meetingStart: '14:00',
      meetingEnd: '15:00',
      joinUrl: 'https://meet.example.org/abc',
    });
    expect(res.statusCode).toBe(303);
    const [meeting] = await t.db.select().from(planningMeetings).where(eq(planningMeetings.eventId, eventD));
    const first = (await mailTo(t.db, 'colead@example.org', 'planning-meeting')).at(-1)!;
    expect(first.data.kind).toBe('new');
    const ics = first.attachments[0]!;
    expect(ics.contentType).toContain('method=REQUEST');
    expect(ics.content).toContain('METHOD:REQUEST');
    expect(ics.content).toContain(`UID:${meeting!.uid}`);
    expect(ics.content).toContain('SEQUENCE:0');
    expect(ics.content.replace(/\r\n[ \t]/g, '')).toMatch(/ATTENDEE[^\r\n]*colead@example.org/);
    // Both members are invited.
    expect(await mailTo(t.db, 'lead@example.org', 'planning-meeting')).toHaveLength(1);

    expect(
      (
        await coLead.post(`/plan/${eventD}/meetings/${meeting!.id}`, {
          meetingTitle: 'First meeting',
          meetingDate: '2027-02-03',
          meetingStart: '15:00',
          meetingEnd: '16:00',
          joinUrl: 'https://meet.example.org/abc',
        })
      ).statusCode,
    ).toBe(303);
    const update = (await mailTo(t.db, 'colead@example.org', 'planning-meeting')).at(-1)!;
    expect(update.data.kind).toBe('updated');
    expect(update.attachments[0]!.content).toContain(`UID:${meeting!.uid}`);
    expect(update.attachments[0]!.content).toContain('SEQUENCE:1');

    expect((await lead.post(`/plan/${eventD}/meetings/${meeting!.id}/cancel`)).statusCode).toBe(303);
    const cancel = (await mailTo(t.db, 'colead@example.org', 'planning-meeting')).at(-1)!;
    expect(cancel.data.kind).toBe('cancelled');
    expect(cancel.attachments[0]!.content).toContain('METHOD:CANCEL');
    expect(cancel.attachments[0]!.content).toContain(`UID:${meeting!.uid}`);
    expect(cancel.attachments[0]!.content).toContain('SEQUENCE:2');
    expect(cancel.attachments[0]!.content).toContain('STATUS:CANCELLED');
  });

  it('keeps a 4PI record with Presence computed from declared perspectives', async () => {
    expect(
      (
        await coLead.post(`/plan/${eventD}/4pi`, {
          principles: 'Nothing about us without us.',
          purpose: 'To change local housing policy.',
          preMeetings: 'yes',
          expensesInAdvance: 'yes',
        })
      ).statusCode,
    ).toBe(303);
    const page = await lead.get(`/plan/${eventD}/4pi`);
    expect(page.body).toContain('Nothing about us without us.');
    expect(page.body).toContain('1 of the 3 people in the group (33%)');
    expect(page.body).toMatch(/id="preMeetings"[^>]*checked/);
    expect(page.body).not.toMatch(/id="accessiblePapers"[^>]*checked/);
  });

  it('renders every planning email', async () => {
    for (;;) {
      const result = await t.app.mail.deliverDue();
      expect(result.retrying + result.failed).toBe(0);
      if (result.sent === 0) break;
    }
    const sent = new Set((await t.db.query.outboxMessages.findMany({ where: (m, { eq }) => eq(m.status, 'sent') })).map((m) => m.template));
    for (const name of ['planning-invitation', 'planning-meeting', 'event-changed']) expect(sent).toContain(name);
  });
});
