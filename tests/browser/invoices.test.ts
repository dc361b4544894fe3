/// <reference lib="dom" />
// Invoice mode in Chromium, as a newcomer: book a paid place saying who pays, get a numbered
// invoice PDF by email and on the booking's page; an organiser sees the event's invoices.
// axe and HTML_CodeSniffer check every page on the way.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, ticketTypes } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { expectAccessible, latestEmailTo, signInWithEmail, startBrowser, tabAndType, type BrowserHarness } from './support.ts';

let h: BrowserHarness;
const slug = 'invoiced-conference';

beforeAll(async () => {
  h = await startBrowser();
  const startsAt = new Date(Math.floor((Date.now() + 30 * 86_400_000) / 60_000) * 60_000);
  const [event] = await h.database.db
    .insert(events)
    .values({
      slug,
      title: 'Conference on peer-led crisis support',
      type: 'conference',
      status: 'published',
      venueName: 'Hub rooms',
      venueAddress: '2 Park Row, Leeds',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 6 * 3_600_000),
      capacity: 20,
      publishedAt: new Date(),
    })
    .returning();
  await h.database.db.insert(ticketTypes).values({ eventId: event!.id, name: 'Professional place', pricePence: 4000 });
});
afterAll(async () => {
  await h?.close();
});

describe('a place paid by invoice, in Chromium', () => {
  it('books with who pays, shows the numbered invoice, and lists it for organisers', async () => {
    const { page } = h;
    await signInWithEmail(h, 'nurse@example.org');
    await page.goto(`${h.baseUrl}/events/${slug}/book`);
    expect(await page.textContent('main')).toContain('Who pays the invoice?');
    await expectAccessible(h);
    await tabAndType(page, '#name', 'Nia Nurse');
    await tabAndType(page, '#payerName', 'Leeds Crisis Team');
    await tabAndType(page, '#payerAddress', '1 Infirmary Street, Leeds');
    await tabAndType(page, '#purchaseOrder', 'PO-5521');
    await page.click('main form button[type=submit]');
    await page.waitForURL(/\/bookings\/[A-Za-z0-9_-]+$/);
    const main = await page.textContent('main');
    expect(main).toMatch(/Invoice INV-\d{5} \(PDF\)/);
    await expectAccessible(h);
    const mail = await latestEmailTo(h, 'nurse@example.org');
    expect(mail.attachments.some((a) => /^invoice-INV-\d{5}\.pdf$/.test(a.filename ?? ''))).toBe(true);

    const [me] = await h.database.db.select({ id: people.id }).from(people).where(eq(people.email, 'nurse@example.org'));
    await grantRole(h.database.db, null, me!.id, 'organiser');
    await page.goto(`${h.baseUrl}/organise/events/${slug}/invoices`);
    expect(await page.textContent('main')).toContain('PO-5521');
    await expectAccessible(h);
  });
});
