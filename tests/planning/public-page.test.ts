// What the public sees of co-production: the programme, the co-produced mark and the 4PI
// statements once the event is published; never who declared which perspective.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketTypes } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { idFrom, signedInOrganiser } from '../proposals/support.ts';

let t: TestApp;
let organiser: TestClient;
let survivor: TestClient;
let eventId: string;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'org@example.org');
  survivor = await t.signedIn('survivor@example.org');
  await survivor.post('/account', { displayName: 'Jo Survivor-Researcher' });
  eventId = idFrom((await organiser.post('/organise/events', { title: 'Voices round table', type: 'round_table' })).headers.location, '/plan');
  await organiser.post(`/plan/${eventId}/members`, { email: 'survivor@example.org', role: 'co_lead' });
  await survivor.post(`/plan/${eventId}/invitation`, { answer: 'yes', perspective: 'lived_experience' });
  await organiser.post(`/plan/${eventId}/details`, {
    title: 'Voices round table',
    type: 'round_table',
    format: 'online',
    startDate: '2027-04-14',
    startTime: '10:00',
    endTime: '12:00',
    onlinePlatform: 'Zoom',
    capacity: '25',
    accessInfo: 'Live captions and breaks every 45 minutes.',
    liveCaptions: 'yes',
  });
  await survivor.post(`/plan/${eventId}/programme`, {
    title: 'Opening circle',
    sessionDate: '2027-04-14',
    sessionStart: '10:00',
    sessionEnd: '10:20',
    guestSpeakers: 'Ama Boateng',
  });
  await survivor.post(`/plan/${eventId}/4pi`, { principles: 'Lived experience leads.', purpose: 'To hear from people rarely heard.' });
});
afterAll(async () => {
  await t.close();
});

describe('the public event page', () => {
  it('shows nothing while the event is being planned', async () => {
    expect((await t.client().get('/events')).body).not.toContain('Voices round table');
  });

  it('shows the programme, the co-produced mark and the 4PI statements once published', async () => {
    await t.db.insert(ticketTypes).values({ eventId, name: 'Free place' });
    expect((await survivor.post(`/plan/${eventId}/publish`, {})).statusCode).toBe(303);
    const list = await t.client().get('/events');
    expect(list.body).toMatch(/Voices round table[\s\S]*?convene-tag--coproduced">Co-produced/);
    expect((await t.client().get('/')).body).toMatch(/Voices round table[\s\S]*?convene-tag--coproduced">Co-produced/);
    const slugPath = /href="(\/events\/voices-round-table[^"]*)"/.exec(list.body)![1]!;
    const page = await t.client().get(slugPath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('convene-tag--coproduced');
    expect(page.body).toContain('Opening circle');
    expect(page.body).toContain('Ama Boateng');
    expect(page.body).toContain('Lived experience leads.');
    expect(page.body).toContain('To hear from people rarely heard.');
    // Declared perspectives stay inside the group.
    expect(page.body).not.toContain('Lived experience / survivor');
    expect(page.body).not.toContain('Jo Survivor-Researcher');
  });

  it('drops the mark when nobody in the group has declared lived experience', async () => {
    const other = idFrom((await organiser.post('/organise/events', { title: 'Plain webinar', type: 'webinar' })).headers.location, '/plan');
    await organiser.post(`/plan/${other}/details`, {
      title: 'Plain webinar',
      type: 'webinar',
      format: 'online',
      startDate: '2027-04-15',
      startTime: '10:00',
      endTime: '11:00',
      onlinePlatform: 'Zoom',
      capacity: '25',
      accessInfo: 'Captions.',
    });
    expect((await organiser.post(`/plan/${other}/publish`, { overrideReason: 'A short update webinar run by staff' })).statusCode).toBe(303);
    const list = await t.client().get('/events');
    expect(list.body).toContain('Plain webinar');
    expect(list.body).not.toMatch(/Plain webinar<\/a><\/h[23]>\s*<p[^>]*>[^\n]*Co-produced/);
    const page = await t.client().get('/events/plain-webinar');
    expect(page.body).not.toContain('convene-tag--coproduced');
  });
});
