/// <reference lib="dom" />
// After the event, as people would meet it in Chromium: the feedback survey from its email, the
// certificate page and download from the thank-you email, the public check of its code, and the
// organisers' results (charts and table view), certificates and survey pages, with the three
// accessibility engines over each.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFParse } from 'pdf-parse';
import { events, people, registrations, surveyAnswers, surveyResponses } from '../../db/schema/index.ts';
import { ensureSurvey, listQuestions } from '../../server/surveys/service.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { eq } from 'drizzle-orm';
import { expectAccessible, signInWithEmail, startBrowser, type BrowserHarness, loadsNextPage } from './support.ts';

let h: BrowserHarness;
let eventId: string;
const guest = 'newcomer@example.org';

/** A screenshot for a person to look at, when SCREENSHOTS names a folder. */
async function shot(name: string, fullPage = false): Promise<void> {
  const dir = process.env.SCREENSHOTS;
  if (dir) await h.page.screenshot({ path: path.join(dir, `${name}.png`), fullPage });
}

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
  // An earlier seminar with its answers, for the comparison across the series.
  const earlier = new Date(Date.now() - 100 * 86_400_000);
  const [before] = await h.database.db
    .insert(events)
    .values({
      slug: 'earlier-seminar',
      title: 'An earlier seminar',
      type: 'seminar',
      status: 'completed',
      startsAt: earlier,
      endsAt: earlier,
      publishedAt: earlier,
    })
    .returning();
  const survey = await ensureSurvey(h.database.db, before!.id, 'attendees');
  const [overall] = await listQuestions(h.database.db, survey.id);
  for (const value of ['3', '4', '4']) {
    const [response] = await h.database.db.insert(surveyResponses).values({ surveyId: survey.id }).returning();
    await h.database.db.insert(surveyAnswers).values({ responseId: response!.id, questionId: overall!.id, value });
  }
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
    await h.page.getByLabel('Yes, you may quote me without my name').check();
    await shot('survey-answer');
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Send your feedback' }).click());
    expect(await h.page.textContent('h1')).toContain('Thank you for your feedback');
    await expectAccessible(h);

    const thanks = await emailText(guest, 'Thank you for coming');
    const manage = /https?:\/\/\S+\/bookings\/[A-Za-z0-9_-]+/.exec(thanks)![0];
    await h.page.goto(`${manage}/certificate`);
    await expectAccessible(h);
    const download = h.page.waitForEvent('download');
    await h.page.getByRole('link', { name: /Download your certificate/ }).click();
    const pdf = await download;
    expect(pdf.suggestedFilename()).toBe('certificate-of-attendance.pdf');
    // The code printed on the downloaded certificate is the one checked, as someone shown it would.
    const parser = new PDFParse({ data: new Uint8Array(fs.readFileSync((await pdf.path())!)) });
    const printed = (await parser.getText()).text;
    await parser.destroy();
    expect(printed).toContain('Nia Newcomer');
    const code = /Verification code: ([0-9A-Z-]+)/.exec(printed)![1]!;
    expect(thanks).toContain(code);

    await h.page.goto(`${h.baseUrl}/certificates`);
    await expectAccessible(h);
    await h.page.getByLabel('Verification code').fill(code.toLowerCase());
    await h.page.getByRole('button', { name: 'Check the certificate' }).click();
    await h.page.waitForURL(`**/certificates/${code}`);
    const verified = await h.page.textContent('main');
    expect(verified).toContain('Nia Newcomer');
    expect(verified).toContain('Working with families');
    // Only the name, the event and its date (the hours are on the certificate itself).
    expect(verified).not.toContain('Hours of learning');
    await shot('certificate-verified');
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
    // Compared with the earlier seminar.
    expect(await h.page.textContent('#series')).toContain('Compared with other seminars');
    await h.page.getByText('Show the averages as a table').first().click();
    expect(await h.page.locator('details[open] table').last().textContent()).toContain('An earlier seminar');
    await shot('results', true);
    await expectAccessible(h);

    // The answer's author agreed to be quoted: cleared, chosen for the note, sent, and public.
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Clear it to quote in public' }).click());
    await h.page.goto(`${h.baseUrl}/plan/${eventId}/after`);
    await h.page.getByLabel('Impact note').fill('You said families should be heard first: the next seminar starts with them.');
    await h.page.getByLabel(/I listen to families differently now/).check();
    await shot('impact-note', true);
    await expectAccessible(h);
    await loadsNextPage(h.page, () => h.page.getByRole('button', { name: 'Send the note' }).click());
    await h.page.goto(`${h.baseUrl}/events/after-walk`);
    const publicPage = await h.page.textContent('main');
    expect(publicPage).toContain('You said, we did');
    expect(publicPage).toContain('I listen to families differently now.');
    expect(publicPage).not.toContain('Nia Newcomer');
    await expectAccessible(h);

    for (const page of [`/plan/${eventId}/feedback/attendees`, `/plan/${eventId}/feedback/no_shows`, '/organise/events/after-walk/certificates']) {
      await h.page.goto(`${h.baseUrl}${page}`);
      await expectAccessible(h);
    }
    await shot('certificates-organise', true);
    // Everyone checked in has a certificate: the bulk button is gone.
    expect(await h.page.getByRole('button', { name: 'Issue certificates to everyone checked in' }).count()).toBe(0);
  });
});
