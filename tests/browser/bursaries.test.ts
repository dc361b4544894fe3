/// <reference lib="dom" />
// The bursary journey by keyboard in Chromium: a carer applies for travel and replacement care
// with an advance, a panel member approves part of it and pays an advance, the carer uploads a
// receipt and claims, and the panel approves the claim and records the payment. The budget
// figures are checked at each step, and axe checks every page.
import { eq } from 'drizzle-orm';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bursaryApplications, bursaryFunds, bursaryItems, events, people } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { decideApplication, saveDraft, startApplication, submitApplication } from '../../server/bursaries/applications.ts';
import { recordPayment, submitClaim } from '../../server/bursaries/claims.ts';
import {
  expectAccessible,
  expectErrorSummaryFocused,
  expectKeyboardUsable,
  expectReflow,
  expectScreenReaderForm,
  expectTextSpacingFits,
  loadsNextPage,
  signInWithEmail,
  startBrowser,
  tabAndType,
  tabTo,
  type BrowserHarness,
} from './support.ts';

let h: BrowserHarness;
let fundId: string;
const slug = 'carers-voices-day';

beforeAll(async () => {
  h = await startBrowser();
  const db = h.database.db;
  const [event] = await db
    .insert(events)
    .values({
      slug,
      title: 'Carers’ voices day',
      type: 'seminar',
      status: 'published',
      startsAt: new Date(Date.now() + 20 * 86_400_000),
      endsAt: new Date(Date.now() + 20 * 86_400_000 + 5 * 3_600_000),
    })
    .returning({ id: events.id });
  const [fund] = await db
    .insert(bursaryFunds)
    .values({
      eventId: event!.id,
      name: 'Carers’ voices bursaries',
      budgetPence: 15_000,
      eligibility: 'Carers and people who use services',
      covers: 'Travel, care and support',
    })
    .returning({ id: bursaryFunds.id });
  fundId = fund!.id;
  const [panel] = await db.insert(people).values({ email: 'panel@example.org', displayName: 'Pat Panel' }).returning({ id: people.id });
  await grantRole(db, null, panel!.id, 'organiser');
});
afterAll(async () => {
  await h?.close();
});

/** Presses Enter on a link or button reached by Tab, and waits for the page it leads to. */
async function press(selector: string) {
  await tabTo(h.page, selector);
  await loadsNextPage(h.page, () => h.page.keyboard.press('Enter'));
}

async function signIn(email: string) {
  // Send the bursary emails first, so the newest email is the sign-in link.
  await h.app.mail.deliverDue();
  await signInWithEmail(h, email);
  // The sign-in form's redirect may still be on its way.
  await h.page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

async function replace(selector: string, text: string) {
  await tabTo(h.page, selector);
  await h.page.keyboard.press('ControlOrMeta+A');
  await h.page.keyboard.type(text);
}

async function signOut() {
  await press('form[action="/sign-out"] button');
}

async function figures() {
  const text = async (id: string) => ((await h.page.textContent(`#${id}`)) ?? '').trim();
  return {
    total: await text('budget-total'),
    approved: await text('budget-approved'),
    paid: await text('budget-paid'),
    remaining: await text('budget-remaining'),
  };
}

async function application() {
  const [row] = await h.database.db.select({ id: bursaryApplications.id, status: bursaryApplications.status }).from(bursaryApplications);
  const items = await h.database.db
    .select({ id: bursaryItems.id, category: bursaryItems.category })
    .from(bursaryItems)
    .where(eq(bursaryItems.applicationId, row!.id));
  return { ...row!, travel: items.find((i) => i.category === 'travel')!.id, care: items.find((i) => i.category === 'care')!.id };
}

/** The application form's fields, as a screen reader names them. */
const applicationFields = [
  'What makes you eligible',
  'I am a carer',
  'How you will travel, and from where',
  'Miles by car, there and back',
  'Other travel costs in pounds',
  'What it is for',
  'Estimated cost in pounds',
  'I need some or all of the money before the event',
  'How you would like to be paid',
  'Bank transfer',
  'Name on the bank account',
  'Sort code',
  'Account number',
  'If not by bank transfer, how would you like to be paid?',
  'Anything else you would like the panel to know',
];

describe('a bursary, from application to payment, by keyboard', () => {
  it('a carer applies for travel and replacement care, with money in advance', async () => {
    await signIn('carer@example.org');
    await h.page.goto(`${h.baseUrl}/events/${slug}/bursary`);
    await expectAccessible(h);
    await press('main form button[type=submit]');
    expect(await h.page.textContent('h1')).toContain('Apply for help with costs');
    await expectAccessible(h);
    await expectKeyboardUsable(h.page);
    await expectReflow(h.page);
    await expectTextSpacingFits(h.page);
    await expectScreenReaderForm(h.page, applicationFields);

    await tabTo(h.page, '#perspective');
    await h.page.keyboard.press('ArrowDown');
    expect(await h.page.isChecked('#perspective-carer')).toBe(true);
    await tabAndType(h.page, '#travelDescription', 'Train from Sheffield, return');
    await tabAndType(h.page, '#travelAmount', '40');
    await tabAndType(h.page, '#careDescription', 'A sitter for my son for the day');
    await tabAndType(h.page, '#careAmount', '60');
    await tabTo(h.page, '#inAdvance');
    await h.page.keyboard.press('Space');
    await tabTo(h.page, '#paymentMethod');
    await h.page.keyboard.press('Space');
    await tabAndType(h.page, '#paymentName', 'Alex Carer');
    await tabAndType(h.page, '#sortCode', '30-94-57');
    await tabAndType(h.page, '#accountNumber', '31926819');
    // A slip on the way: the amount in words. The summary takes focus and says what to fix.
    await replace('#careAmount', 'sixty');
    await press('main form button[type=submit]');
    await expectErrorSummaryFocused(h.page);
    expect(await h.page.textContent('.govuk-error-summary')).toContain('amount');
    await expectScreenReaderForm(h.page, applicationFields);
    expect(await h.page.inputValue('#travelDescription')).toBe('Train from Sheffield, return');
    await expectKeyboardUsable(h.page);
    await expectTextSpacingFits(h.page);
    await replace('#careAmount', '60');
    await press('main form button[type=submit]');
    expect(await h.page.textContent('main')).toContain('Your application is saved');
    expect(await h.page.textContent('main')).toContain('£100');
    await expectAccessible(h);

    await press('form[action$="/submit"] button');
    expect(await h.page.textContent('main')).toContain('Your application has been sent');
    expect(await h.page.textContent('main')).toContain('Waiting for a decision');
    await expectAccessible(h);
    await signOut();
  });

  it('a panel member approves part of it and pays an advance; the budget follows', async () => {
    await signIn('panel@example.org');
    await h.page.goto(`${h.baseUrl}/bursaries`);
    await expectAccessible(h);
    await press(`a[href="/bursaries/funds/${fundId}"]`);
    expect(await figures()).toEqual({ total: '£150', approved: '£0', paid: '£0', remaining: '£150' });
    await expectAccessible(h);
    await press('main a[href*="/applications/"]');
    expect(await h.page.textContent('main')).toContain('A sitter for my son for the day');
    await expectAccessible(h);

    const app = await application();
    await tabTo(h.page, '#outcome');
    await h.page.keyboard.press('ArrowDown');
    expect(await h.page.isChecked('#outcome-part')).toBe(true);
    await replace(`#amount-${app.travel}`, '40');
    await replace(`#amount-${app.care}`, '45');
    await tabAndType(h.page, '#message', 'We can pay your train fare and £45 towards the sitter.');
    await press('form[action$="/decision"] button');
    expect(await h.page.textContent('main')).toContain('Your decision has been recorded');
    expect(await figures()).toEqual({ total: '£150', approved: '£85', paid: '£0', remaining: '£65' });
    await expectAccessible(h);

    // Before paying, the bank details, on their own page (each look is audited).
    await press('main a[href$="/bank-details"]');
    expect(await h.page.textContent('main')).toContain('31926819');
    await expectAccessible(h);
    await press('main a.govuk-back-link');

    // The advance the carer asked for.
    await tabTo(h.page, '#kind');
    expect(await h.page.isChecked('#kind')).toBe(true);
    await replace('#amount', '50');
    await replace('#reference', 'ADV-001');
    await press('form[action$="/payments"] button');
    expect(await h.page.textContent('main')).toContain('The payment has been recorded');
    expect(await figures()).toEqual({ total: '£150', approved: '£85', paid: '£50', remaining: '£65' });
    expect(await h.page.textContent('#balance-to-pay')).toBe('£35');
    expect(await h.page.textContent('#money-state')).toContain('Advance paid — waiting for the receipts and claim');
    await expectAccessible(h);
    await signOut();
  });

  it('the carer uploads a receipt and claims what it actually cost', async () => {
    await signIn('carer@example.org');
    await h.page.goto(`${h.baseUrl}/bursaries`);
    await press('main a[href^="/bursaries/applications/"]');
    expect(await h.page.textContent('main')).toContain('We can pay your train fare and £45 towards the sitter.');
    expect(await h.page.textContent('#balance-to-pay')).toBe('£35');
    expect(await h.page.textContent('#money-state')).toContain('Advance paid — waiting for your receipts');
    await expectAccessible(h);

    const app = await application();
    const receipt = path.join(h.app.config.dataDir, 'ticket.png');
    fs.writeFileSync(receipt, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'));
    await tabTo(h.page, '#itemId');
    await h.page.selectOption('#itemId', app.travel);
    // Choosing a file opens the system's dialog, outside the page; the rest is keyboard.
    await h.page.setInputFiles('#receipt', receipt);
    await press('form[action$="/receipts"] button');
    expect(await h.page.textContent('main')).toContain('Your receipt has been uploaded');
    await tabTo(h.page, '#itemId');
    await h.page.selectOption('#itemId', app.care);
    await h.page.setInputFiles('#receipt', receipt);
    await press('form[action$="/receipts"] button');
    await expectAccessible(h);

    await tabAndType(h.page, `#claim-${app.travel}`, '38.50');
    await tabAndType(h.page, `#claim-${app.care}`, '45');
    await press('form[action$="/claim"] button');
    expect(await h.page.textContent('main')).toContain('Your claim has been sent to the panel');
    await expectAccessible(h);
    await signOut();
  });

  it('the panel approves the claim and records the payment; the balance is settled', async () => {
    await signIn('panel@example.org');
    await h.page.goto(`${h.baseUrl}/bursaries/funds/${fundId}`);
    expect(await h.page.textContent('main')).toContain('Claims waiting for approval');
    await press('main a[href*="/applications/"]');
    await press('form[action$="/claim/approve"] button');
    expect(await h.page.textContent('main')).toContain('The claim has been approved');
    // Unclaimed money (£1.50 of travel) returns to the budget.
    expect(await figures()).toEqual({ total: '£150', approved: '£83.50', paid: '£50', remaining: '£66.50' });
    expect(await h.page.textContent('#balance-to-pay')).toBe('£33.50');
    expect(await h.page.textContent('#money-state')).toContain('Claim approved — £33.50 to pay');

    expect(await h.page.isChecked('#kind-settlement')).toBe(true);
    await replace('#amount', '33.50');
    await press('form[action$="/payments"] button');
    expect(await figures()).toEqual({ total: '£150', approved: '£83.50', paid: '£83.50', remaining: '£66.50' });
    expect((await h.page.textContent('#money-state'))?.trim()).toBe('Settled');
    await expectAccessible(h);

    await h.page.goto(`${h.baseUrl}/bursaries/funds/${fundId}/report`);
    await expectAccessible(h);
    const [row] = await h.database.db.select({ id: bursaryApplications.id, status: bursaryApplications.status }).from(bursaryApplications);
    expect(row!.status).toBe('part_approved');

    // At 320 CSS pixels (or 200% zoom) the pages reflow; only the data tables may scroll sideways.
    await h.page.setViewportSize({ width: 320, height: 640 });
    for (const url of [`/bursaries/funds/${fundId}`, `/bursaries/funds/${fundId}/applications/${row!.id}`, `/bursaries/funds/${fundId}/report`]) {
      await h.page.goto(h.baseUrl + url);
      await expectReflow(h.page);
      const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
    await h.page.setViewportSize({ width: 1024, height: 800 });
  });

  it('an organiser adds someone to the fund’s panel and removes them again', async () => {
    await h.page.goto(`${h.baseUrl}/bursaries/funds/${fundId}`);
    await press(`a[href="/bursaries/funds/${fundId}/panel"]`);
    expect(await h.page.textContent('main')).toContain('Nobody else yet');
    await expectAccessible(h);
    await tabAndType(h.page, '#email', 'not an address');
    await press(`form[action="/bursaries/funds/${fundId}/panel"] button`);
    expect(await h.page.textContent('main')).toContain('Enter an email address in the right format');
    await expectAccessible(h);
    await replace('#email', 'helper@example.org');
    await press(`form[action="/bursaries/funds/${fundId}/panel"] button`);
    expect(await h.page.textContent('main')).toContain('helper@example.org is now on the panel');
    await expectAccessible(h);
    await h.page.setViewportSize({ width: 320, height: 640 });
    const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await h.page.setViewportSize({ width: 1024, height: 800 });
    // Removing asks first; the question's button removes them.
    await press('main a[href$="/remove"]');
    expect(await h.page.textContent('h1')).toContain('Are you sure you want to remove');
    await expectAccessible(h);
    await press('form[action$="/remove"] button');
    expect(await h.page.textContent('main')).toContain('They are no longer on the panel');
  });
  it('a £2 overpayment is owed back kindly, written off with a reason, and the fund adds up', async () => {
    // A second application, made through the services: approved £40, a £40 advance, a £38 claim.
    const db = h.database.db;
    const [boss] = await db.select({ id: people.id }).from(people).where(eq(people.email, 'panel@example.org'));
    const panelActor = { id: boss!.id, isOrganiser: true, isAdmin: false };
    const [owner] = await db.insert(people).values({ email: 'owes@example.org', displayName: 'Sam' }).returning({ id: people.id });
    const applicant = { id: owner!.id, isOrganiser: false, isAdmin: false };
    const settings = { mileagePencePerMile: 45, receiptThresholdPence: 100_000, retentionMonths: 12 };
    const id = await startApplication(db, slug, applicant);
    await saveDraft(
      db,
      id,
      {
        perspective: 'service_user',
        inAdvance: true,
        hubBooksTickets: false,
        paymentMethod: 'other',
        paymentName: '',
        paymentArrangement: 'Cash',
        note: '',
        items: [{ category: 'travel', description: 'Train', amount: '40' }],
      },
      applicant,
      settings,
    );
    await submitApplication(db, id, applicant);
    await decideApplication(db, fundId, id, { outcome: 'approve_all', amounts: {}, message: 'Yes', overrideReason: '' }, panelActor);
    await recordPayment(db, fundId, id, { kind: 'advance', amount: '40', paidOn: '2026-11-20', method: 'Bank transfer', reference: '' }, panelActor);
    const [item] = await db.select({ id: bursaryItems.id }).from(bursaryItems).where(eq(bursaryItems.applicationId, id));
    await submitClaim(db, id, { [item!.id]: '38' }, applicant, settings);

    await h.page.goto(`${h.baseUrl}/bursaries/funds/${fundId}/applications/${id}`);
    await press('form[action$="/claim/approve"] button');
    expect(await h.page.textContent('#money-state')).toContain('£2 overpaid — to be paid back or written off');
    expect(await h.page.textContent('main')).toContain('Amounts under £5 are usually written off');
    await expectAccessible(h);
    fs.mkdirSync('/tmp/convene-shots', { recursive: true });
    await h.page.screenshot({ path: '/tmp/convene-shots/overpaid-panel.png', fullPage: true });
    // A reason is required, and the page says so.
    await press('form[action$="/write-off"] button');
    await expectErrorSummaryFocused(h.page);
    expect(await h.page.textContent('.govuk-error-summary')).toContain('Enter why the Hub is writing this off');
    await tabAndType(h.page, '#writeOffReason', 'Under £5: costs more to ask for than it is worth');
    await press('form[action$="/write-off"] button');
    expect(await h.page.textContent('#money-state')).toContain('£2 overpaid — the Hub has written this off');

    // The fund adds up: budget = still to pay + paid − paid back + remaining.
    await h.page.goto(`${h.baseUrl}/bursaries/funds/${fundId}`);
    const text = async (id: string) => ((await h.page.textContent(`#${id}`)) ?? '').trim();
    expect(await figures()).toEqual({ total: '£150', approved: '£123.50', paid: '£123.50', remaining: '£26.50' });
    expect(await text('budget-to-pay')).toBe('£0');
    expect(await text('budget-written-off')).toBe('£2');
    await expectAccessible(h);
    await h.page.screenshot({ path: '/tmp/convene-shots/fund.png', fullPage: true });

    await signOut();
    await signIn('owes@example.org');
    await h.page.goto(`${h.baseUrl}/bursaries/applications/${id}`);
    expect(await h.page.textContent('#money-state')).toContain('£2 overpaid — the Hub has written this off');
    await expectAccessible(h);
    await h.page.screenshot({ path: '/tmp/convene-shots/overpaid-applicant.png', fullPage: true });
  });
});
