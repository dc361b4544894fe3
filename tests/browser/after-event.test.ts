/// <reference lib="dom" />
// After the event, as people would meet it in Chromium: the feedback survey from its email, the
// certificate page and download from the thank-you email, the public check of its code, and the
// organisers' results (charts and table view), certificates and survey pages, with the three
// accessibility engines over each.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, registrations } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { eq } from 'drizzle-orm';
import { expectAccessible, signInWithEmail, startBrowser, type BrowserHarness } from './support.ts';

let h: BrowserHarness;
let eventId: string;
const guest = 'newcomer@example.org';

/** The text of the newest email to an address whose subject starts with `subject`. */
async function emailText(address: string, subject: string): Promise<string> {
  await h.app.mail.deliverDue();
  for (const file of fs.readdirSync(h.outboxDir).sort().reverse()) {
    const mail = await simpleParser(fs.readFileSync(path.join(h.outboxDir, file)));
    const to = Array.isArray(mail.to) ? mail.to.flatMap((t) => t.value) : (mail.to?.value ?? []);
    if (to.some((t) => t.address === address) && mail.subject?.startsWith(subject)) return mail.text ?? '';
  }
  throw new Error(`No “${subject}” email to ${address}`);
}

beforeAll(async () => {
  h = await startBrowser();
  const startsAt = new Date(Date.now() - 6 * 3_600_000);
  const [event] = await h.database.db
    .insert(events)
    .values({
      slug: 'after-walk',
      title: 'Working with families',
      type: 'seminar',
      status: 'published',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 3 * 3_600_000),
      publishedAt: new Date(),
    })
    .returning();
  eventId = event!.id;
  await h.database.db.insert(registrations).values({ eventId, status: 'attended', name: 'Nia Newcomer', email: guest, attendedAt: new Date() });
  await h.app.afterEventJobs.runDue();
});
afterAll(async () => {
  await h?.close();
});

describe('after the event in Chromium', () => {
  it('answers the survey from its email, then downloads the certificate and checks its code', async () => {
    const survey = /https?:\/\/\S+\/surveys\/[A-Za-z0-9_-]+/.exec(await emailText(guest, 'What did you think'))![0];
    await h.page.goto(survey);
    await expectAccessible(h);
    await h.page.getByLabel('Very good').check();
    await h.page.getByRole('group', { name: 'I felt heard' }).getByLabel('Strongly agree').check();
    await h.page.getByLabel('What difference has the event made').fill('I listen to families differently now.');
    await h.page.getByRole('button', { name: 'Send your feedback' }).click();
    await h.page.waitForLoadState('load');
    expect(await h.page.textContent('h1')).toContain('Thank you for your feedback');
    await expectAccessible(h);

    const thanks = await emailText(guest, 'Thank you for coming');
    const manage = /https?:\/\/\S+\/bookings\/[A-Za-z0-9_-]+/.exec(thanks)![0];
    await h.page.goto(`${manage}/certificate`);
    await expectAccessible(h);
    const download = h.page.waitForEvent('download');
    await h.page.getByRole('link', { name: /Download your certificate/ }).click();
    expect((await download).suggestedFilename()).toBe('certificate-of-attendance.pdf');

    await h.page.goto(`${h.baseUrl}/certificates`);
    await expectAccessible(h);
    const code = /verification code is (\S+)\./.exec(thanks)![1]!;
    await h.page.getByLabel('Verification code').fill(code.toLowerCase());
    await h.page.getByRole('button', { name: 'Check the certificate' }).click();
    await h.page.waitForURL(`**/certificates/${code}`);
    expect(await h.page.textContent('main')).toContain('Nia Newcomer');
    await expectAccessible(h);
  });

  it('shows organisers the results as charts and as a table, and their certificate and survey pages', async () => {
    await signInWithEmail(h, 'after-organiser@example.org');
    const [me] = await h.database.db.select().from(people).where(eq(people.email, 'after-organiser@example.org'));
    await grantRole(h.database.db, null, me!.id, 'organiser');
    await h.page.goto(`${h.baseUrl}/plan/${eventId}/feedback/attendees/results`);
    expect(await h.page.locator('svg[role="img"]').count()).toBeGreaterThan(0);
    await expectAccessible(h);
    await h.page.getByText('Show the numbers as a table').first().click();
    expect(await h.page.locator('details[open] table').first().textContent()).toContain('5. Very good');
    await expectAccessible(h);
    for (const page of [`/plan/${eventId}/feedback/attendees`, '/organise/events/after-walk/certificates']) {
      await h.page.goto(`${h.baseUrl}${page}`);
      await expectAccessible(h);
    }
  });
});
