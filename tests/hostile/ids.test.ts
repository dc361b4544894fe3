// Malformed ids, each where it once gave a 500: a path id is a missing page, a query id a bad
// request, a form field's id a message beside the field with what was typed kept.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryItems } from '../../db/schema/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { createEvent, idFrom, organiser, pngBytes, postMultipart, uuidIn } from '../bursaries/support.ts';

let t: TestApp;
let boss: TestClient;
let carer: TestClient;
let lead: TestClient;
let slug: string;
let applicationId: string;
let planningEventId: string;

beforeAll(async () => {
  t = await startTestApp();
  boss = await organiser(t, 'panel@example.org');
  const event = await createEvent(t.db, { title: 'Survivor research day' });
  slug = event.slug;
  const fundId = idFrom(
    (await boss.post('/bursaries/funds', { eventId: event.id, name: 'Fund', budget: '200', eligibility: '', covers: '', deadline: '' })).headers.location,
    uuidIn,
  );
  carer = await t.signedIn('carer@example.org');
  applicationId = idFrom((await carer.post(`/events/${slug}/bursary`)).headers.location, uuidIn);
  await carer.post(`/bursaries/applications/${applicationId}/edit`, {
    perspective: 'carer',
    paymentMethod: 'other',
    paymentArrangement: 'Cash',
    travelDescription: 'Train',
    travelAmount: '60',
  });
  await carer.post(`/bursaries/applications/${applicationId}/submit`);
  const [item] = await t.db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, applicationId));
  await boss.post(`/bursaries/funds/${fundId}/applications/${applicationId}/decision`, {
    outcome: 'approve_all',
    message: 'Yes.',
    [`amount-${item!.id}`]: '60',
  });
  planningEventId = idFrom((await boss.post('/organise/events', { title: 'Round table', type: 'round_table' })).headers.location, uuidIn);
  lead = await t.signedIn('lead@example.org');
  await boss.post(`/plan/${planningEventId}/members`, { email: 'lead@example.org', role: 'co_lead' });
  await lead.post(`/plan/${planningEventId}/invitation`, { answer: 'yes', perspective: 'carer' });
});
afterAll(async () => {
  await t.close();
});

describe('a malformed id', () => {
  it('in a path is a missing page, even one the uuid format of ajv-formats lets through', async () => {
    const response = await carer.get(`/bursaries/applications/urn:uuid:${applicationId}`);
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Page not found');
  });

  it('as the cost a receipt is for is a message on the form', async () => {
    const response = await postMultipart(
      carer,
      `/bursaries/applications/${applicationId}/receipts`,
      { itemId: '1 OR 1=1' },
      { field: 'receipt', filename: 'ticket.png', contentType: 'image/png', data: pngBytes },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Select which cost the receipt is for');
  });

  it('as the owner of a task is a message on the form, with the task kept', async () => {
    const response = await lead.post(`/plan/${planningEventId}/tasks`, { taskTitle: 'Book interpreters', ownerId: '-'.repeat(36) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Select who will do it from the planning group');
    expect(response.body).toContain('Book interpreters');
  });

  it('as the event of a fund is a message on the form, with the name kept', async () => {
    const response = await boss.post('/bursaries/funds', {
      eventId: 'not-an-event',
      name: 'Another fund',
      budget: '100',
      eligibility: '',
      covers: '',
      deadline: '',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Select an event');
    expect(response.body).toContain('Another fund');
  });

  it('as the kind of place in the attendee list is a bad request, not a 500', async () => {
    const response = await boss.get(`/organise/events/${slug}/attendees?ticket=x`);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/text\/html/);
  });

  it('control characters in where to go after signing in are dropped, not a 500', async () => {
    const response = await carer.get('/sign-in?next=%2F%07x');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/account');
  });
});
