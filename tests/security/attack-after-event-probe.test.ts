// Attacks that held on the mailing list's private links, announcements' access, certificates
// and survey results (THREATS 3, 4, 5, 9): kept as regression tests.
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages, planningMembers, registrations } from '../../db/schema/index.ts';
import { issueCertificate } from '../../server/certificates/service.ts';
import { personId } from '../proposals/support.ts';
import { makeEvent } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emailData } from '../support/outbox.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function joined(address: string): Promise<string> {
  const visitor = t.client();
  await visitor.post('/list/join', { email: address });
  const [mail] = await t.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, address)).orderBy(desc(outboxMessages.createdAt));
  return String((await visitor.post(String(emailData(mail!).confirmPath))).headers.location);
}

describe('the mailing list’s private links', () => {
  it('refuse a cross-site change of choices, a changed link, and leave with a multipart one-click POST', async () => {
    const preferences = await joined('probe-prefs@example.org');
    const token = preferences.split('/')[2]!;
    // No cookie, no CSRF token: a page on another site posting the preferences form.
    const forged = await t.app.inject({
      method: 'POST',
      url: preferences,
      payload: 'name=Changed&regions=Wales',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.statusCode).toBe(403);
    // Each character changed in turn opens nothing (and never a 500).
    for (const i of [0, 10, 21, 30, token.length - 1]) {
      const changed = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      const res = await t.app.inject({ method: 'GET', url: `/list/${changed}` });
      expect([404, 400]).toContain(res.statusCode);
      expect(res.body).not.toContain('probe-prefs@example.org');
    }
    // RFC 8058 allows multipart/form-data for the one-click POST.
    const boundary = 'xyzBOUNDARY';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    // Read as nothing, a multipart body changes no choices (no CSRF token) …
    const viaMultipart = await t.app.inject({
      method: 'POST',
      url: preferences,
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(viaMultipart.statusCode).toBe(403);
    // … but a mail program's one-click leave works (it was a 415).
    const left = await t.app.inject({
      method: 'POST',
      url: `${preferences}/leave`,
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(left.statusCode).toBe(200);
    expect(left.body).toContain('You have left the mailing list');
  });
});

describe('announcements', () => {
  it('are for organisers only', async () => {
    const member = await t.signedIn('probe-member@example.org');
    for (const url of ['/organise/announcements', '/organise/announcements/new']) {
      const res = await member.get(url);
      expect([403, 404]).toContain(res.statusCode);
    }
    const posted = await member.post('/organise/announcements', { subject: 'Hi', body: 'x' });
    expect([403, 404]).toContain(posted.statusCode);
  });
});

describe('certificates and survey results', () => {
  it('open only one’s own certificate, and a planner never reads the planning group’s feedback', async () => {
    const event = await makeEvent(t.db, { startsAt: new Date('2026-10-01T10:00:00Z'), endsAt: new Date('2026-10-01T15:00:00Z') });
    const [other] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'attended', name: 'Other Person', email: 'probe-other@example.org' })
      .returning();
    const first = await issueCertificate(t.db, { registrationId: other!.id });
    const nosy = await t.signedIn('probe-nosy@example.org');
    const pdf = await nosy.get(`/account/bookings/${other!.id}/certificate.pdf`);
    expect(pdf.statusCode).toBe(404);
    // A name corrected: the old code no longer verifies.
    await issueCertificate(t.db, { registrationId: other!.id, name: 'Other P. Person' });
    expect((await t.client().get(`/certificates/${first.code}`)).statusCode).toBe(404);
    for (const code of ['x', '%00', 'A'.repeat(100), '../../etc/passwd']) {
      const res = await t.client().get(`/certificates/${encodeURIComponent(code)}`);
      expect(res.statusCode).toBeLessThan(500);
    }

    const lead = await t.signedIn('probe-lead@example.org');
    await t.db
      .insert(planningMembers)
      .values({ eventId: event.id, personId: await personId(t.db, 'probe-lead@example.org'), role: 'lead', status: 'accepted' });
    const speaker = await t.signedIn('probe-speaker@example.org');
    await t.db
      .insert(planningMembers)
      .values({ eventId: event.id, personId: await personId(t.db, 'probe-speaker@example.org'), role: 'speaker', status: 'accepted' });
    for (const url of [`/plan/${event.id}/feedback/planners/results`, `/plan/${event.id}/feedback/planners/results.csv`]) {
      expect([403, 404]).toContain((await lead.get(url)).statusCode);
    }
    for (const url of [
      `/plan/${event.id}/feedback/attendees/results`,
      `/plan/${event.id}/feedback/attendees/results.csv`,
      `/plan/${event.id}/feedback/attendees`,
    ]) {
      expect([403, 404]).toContain((await speaker.get(url)).statusCode);
    }
    expect((await lead.get(`/plan/${event.id}/feedback/attendees/results`)).statusCode).toBe(200);
  });
});
