/// <reference lib="dom" />
// The co-production walk in Chromium with only the keyboard: a member proposes a seminar, an
// organiser asks for changes, the member sends it again, the organiser accepts; the planning group
// adds a co-lead with lived experience, two programme sessions, a task and a meeting, publishes,
// and the event shows in the public list with its programme and the co-produced mark. axe checks
// every page on the way.
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, people, planningMembers, proposals, ticketTypes } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import {
  expectAccessible,
  expectErrorSummaryFocused,
  expectKeyboardUsable,
  expectReflow,
  expectScreenReaderForm,
  expectTextSpacingFits,
  signInWithEmail,
  startBrowser,
  tabAndType,
  tabTo,
  type BrowserHarness,
  loadsNextPage,
} from './support.ts';

let h: BrowserHarness;
let page: Page;
let proposalId = '';
let eventId = '';

const MEMBER = 'sam@example.org';
const ORGANISER = 'steering@example.org';
const CO_LEAD = 'ali@example.org';

beforeAll(async () => {
  h = await startBrowser();
  page = h.page;
});
afterAll(async () => {
  await h?.close();
});

async function signInAs(email: string) {
  await h.context.clearCookies();
  // Deliver other mail first, so the newest email to this address is the sign-in link.
  while ((await h.app.mail.deliverDue()).sent > 0);
  await signInWithEmail(h, email);
  // A first sign-in goes on to the account page to ask for a name; wait until it has landed.
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** Presses Enter on a control reached by Tab, and waits for the next page. */
async function activate(selector: string) {
  await tabTo(page, selector, 200);
  await loadsNextPage(page, () => page.keyboard.press('Enter'));
}

/** Types a date into a native date field, in the order the browser's locale shows its parts. */
async function typeDate(selector: string, iso: string) {
  await tabTo(page, selector, 200);
  const order = await page.evaluate(() =>
    new Intl.DateTimeFormat(navigator.language)
      .formatToParts(new Date(2027, 2, 10))
      .filter((p) => p.type !== 'literal')
      .map((p) => p.type),
  );
  const [y, m, d] = iso.split('-') as [string, string, string];
  for (const part of order) await page.keyboard.type(part === 'year' ? y : part === 'month' ? m : d);
  expect(await page.inputValue(selector)).toBe(iso);
}

/** Types a time into a native time field, 12- or 24-hour as the browser shows it. */
async function typeTime(selector: string, hhmm: string) {
  await tabTo(page, selector, 200);
  const hour12 = await page.evaluate(() => new Intl.DateTimeFormat(navigator.language, { hour: 'numeric' }).resolvedOptions().hour12 === true);
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  if (hour12) {
    const h12 = hh % 12 === 0 ? 12 : hh % 12;
    await page.keyboard.type(String(h12).padStart(2, '0'));
    await page.keyboard.type(String(mm).padStart(2, '0'));
    await page.keyboard.type(hh < 12 ? 'A' : 'P');
  } else {
    await page.keyboard.type(String(hh).padStart(2, '0') + String(mm).padStart(2, '0'));
  }
  expect(await page.inputValue(selector)).toBe(hhmm);
}

async function mainText() {
  return (await page.textContent('main')) ?? '';
}

describe('co-producing an event, by keyboard', () => {
  it('a member proposes a seminar and sends it to the steering group', async () => {
    await signInAs(MEMBER);
    await page.goto(h.baseUrl);
    await activate('main a[href="/proposals/new"]');
    await expectAccessible(h);
    await expectKeyboardUsable(page);
    await expectReflow(page);
    await expectTextSpacingFits(page);
    // Sent empty first: every missing answer is listed at once, and focus goes to the summary.
    await activate('form[action="/proposals"] button[name=send]');
    await expectErrorSummaryFocused(page);
    await expectTextSpacingFits(page);
    // Nothing was chosen for them, so the kind and format are among what is missing.
    expect(await page.locator('.govuk-error-summary__list li').count()).toBe(9);
    await expectScreenReaderForm(page, [
      'Title',
      'Kind of event',
      'Summary',
      'Purpose and aims',
      'Who it is for',
      'Format',
      'Date option 1',
      'Place or online platform',
      'Accessibility plan',
      'Co-production plan',
      'Bursary budget',
    ]);
    await tabAndType(page, '#title', 'Poverty, housing and distress');
    // Radios by keyboard: Tab reaches the group, an arrow key moves to and chooses the next one.
    await tabTo(page, '#type');
    await page.keyboard.press('ArrowDown');
    expect(await page.isChecked('#type-seminar')).toBe(true);
    await tabAndType(page, '#summary', 'An afternoon seminar on the social causes of distress.');
    await tabAndType(page, '#purpose', 'To plan local action together.');
    await tabAndType(page, '#audience', 'Survivors, carers and practitioners.');
    await tabTo(page, '#format');
    await page.keyboard.press('Space');
    expect(await page.isChecked('#format')).toBe(true);
    await typeDate('#option1Date', '2027-03-10');
    await typeTime('#option1Start', '13:00');
    await typeTime('#option1End', '16:30');
    await tabAndType(page, '#place', 'Leeds');
    await tabAndType(page, '#accessibilityPlan', 'Step-free venue, quiet room, papers in advance.');
    await tabAndType(page, '#coproductionPlan', 'Two survivor researchers co-lead.');
    await activate('form[action="/proposals"] button[type=submit]');
    expect(await mainText()).toContain('saved as a draft');
    await expectAccessible(h);
    proposalId = /\/proposals\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await activate(`form[action="/proposals/${proposalId}/submit"] button`);
    expect(await mainText()).toContain('sent to the steering group');
    await expectAccessible(h);
  });

  it('an organiser reviews it and asks for changes', async () => {
    await signInAs(ORGANISER);
    const [org] = await h.database.db.select({ id: people.id }).from(people).where(eq(people.email, ORGANISER));
    await grantRole(h.database.db, null, org!.id, 'organiser');
    await page.goto(h.baseUrl);
    await activate('a[href="/organise"]');
    await expectAccessible(h);
    await activate('main a[href="/organise/proposals"]');
    await expectAccessible(h);
    await activate(`main a[href="/organise/proposals/${proposalId}"]`);
    await expectAccessible(h);
    await expectKeyboardUsable(page);
    await expectReflow(page);
    // Score it first, then decide.
    for (const name of ['purpose', 'coproduction', 'accessibility', 'feasibility']) {
      await tabTo(page, `#${name}`, 200);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
    }
    await tabTo(page, `form[action$="/score"] button`, 50);
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    expect(await mainText()).toContain('Your score is saved');
    await expectAccessible(h);
    await tabTo(page, '#decision', 300);
    await page.keyboard.press('ArrowDown');
    await tabAndType(page, '#decisionMessage', 'Please say who will chair each part.');
    await activate('form[action$="/decision"] button');
    expect(await mainText()).toContain('asked for changes');
    await expectAccessible(h);
    const [row] = await h.database.db.select({ status: proposals.status }).from(proposals).where(eq(proposals.id, proposalId));
    expect(row!.status).toBe('changes_requested');
  });

  it('the member changes the proposal and sends it again', async () => {
    await signInAs(MEMBER);
    await page.goto(`${h.baseUrl}/proposals/${proposalId}`);
    expect(await mainText()).toContain('Please say who will chair each part.');
    await expectAccessible(h);
    await activate(`main a[href="/proposals/${proposalId}/edit"]`);
    await tabTo(page, '#coproductionPlan', 200);
    await page.keyboard.press('End');
    await page.keyboard.type(' Sam and Ali co-chair.');
    await activate(`form[action="/proposals/${proposalId}/edit"] button[type=submit]`);
    await activate(`form[action="/proposals/${proposalId}/submit"] button`);
    expect(await mainText()).toContain('sent to the steering group');
  });

  it('the organiser accepts it, which creates the event with the proposer as its lead', async () => {
    await signInAs(ORGANISER);
    await page.goto(`${h.baseUrl}/organise/proposals/${proposalId}`);
    await expectScreenReaderForm(page, ['What has the steering group decided?', 'Accept', 'Message to the proposers']);
    await tabTo(page, '#decision', 300);
    await page.keyboard.press('Space');
    await tabAndType(page, '#decisionMessage', 'Yes, with pleasure.');
    await activate('form[action$="/decision"] button');
    expect(await mainText()).toContain('accepted');
    // The notice that it worked is focused, so a screen reader reads it out first.
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('govuk-notification-banner') ?? false)).toBe(true);
    await expectAccessible(h);
    eventId = /\/plan\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const [event] = await h.database.db.select().from(events).where(eq(events.id, eventId));
    expect(event!.status).toBe('planning');
  });

  it('the lead invites a co-lead, fills in the details, two sessions, a task and a meeting', async () => {
    await signInAs(MEMBER);
    await page.goto(`${h.baseUrl}/plan/${eventId}`);
    await expectAccessible(h);
    await tabAndType(page, 'form[action$="/members"] #email', CO_LEAD);
    await tabTo(page, 'form[action$="/members"] input[name=role]:checked', 20);
    await page.keyboard.press('ArrowUp');
    await activate('form[action$="/members"] button');
    expect(await mainText()).toContain(`emailed an invitation to ${CO_LEAD}`);

    await activate(`nav a[href="/plan/${eventId}/details"]`);
    await expectAccessible(h);
    await tabAndType(page, '#venueName', 'Leeds Civic Hall');
    await tabAndType(page, '#capacity', '40');
    await tabTo(page, '#stepFreeAccess', 200);
    await page.keyboard.press('Space');
    await tabAndType(page, '#accessInfo', 'Step-free throughout, with a quiet room and breaks every hour.');
    await activate(`form[action="/plan/${eventId}/details"] button[type=submit]`);
    expect(await mainText()).toContain('The details are saved');

    await activate(`nav a[href="/plan/${eventId}/programme"]`);
    await expectAccessible(h);
    for (const [title, start, end] of [
      ['Welcome and introductions', '13:00', '13:30'],
      ['What needs to change', '13:30', '15:00'],
    ] as const) {
      await tabAndType(page, '#title', title);
      await typeTime('#sessionStart', start);
      await typeTime('#sessionEnd', end);
      await activate(`form[action="/plan/${eventId}/programme"] button[type=submit]`);
      expect(await mainText()).toContain('added to the programme');
    }
    expect(await mainText()).toContain('What needs to change');
    await expectAccessible(h);

    await activate(`nav a[href="/plan/${eventId}/tasks"]`);
    await tabAndType(page, '#taskTitle', 'Book the hearing loop');
    await activate(`form[action="/plan/${eventId}/tasks"] button[type=submit]`);
    expect(await mainText()).toContain('Book the hearing loop');
    await expectAccessible(h);

    await activate(`nav a[href="/plan/${eventId}/meetings"]`);
    await tabAndType(page, '#meetingTitle', 'First planning meeting');
    await typeDate('#meetingDate', '2027-01-15');
    await typeTime('#meetingStart', '10:00');
    await typeTime('#meetingEnd', '11:00');
    await tabAndType(page, '#place', 'Online');
    await activate(`form[action="/plan/${eventId}/meetings"] button[type=submit]`);
    expect(await mainText()).toContain('calendar invitation');
    await expectAccessible(h);
  });

  it('the co-lead accepts, declaring lived experience', async () => {
    await signInAs(CO_LEAD);
    await page.goto(`${h.baseUrl}/plan`);
    await expectAccessible(h);
    await activate(`main a[href="/plan/${eventId}/invitation"]`);
    await expectAccessible(h);
    await tabTo(page, '#answer', 100);
    await page.keyboard.press('Space');
    await tabTo(page, '#perspective', 20);
    await page.keyboard.press('ArrowDown');
    await activate(`form[action="/plan/${eventId}/invitation"] button`);
    expect(await mainText()).toContain('Welcome to the planning group');
    await expectAccessible(h);
    const [me] = await h.database.db
      .select({ perspective: planningMembers.perspective, role: planningMembers.role })
      .from(planningMembers)
      .innerJoin(people, eq(people.id, planningMembers.personId))
      .where(eq(people.email, CO_LEAD));
    expect(me).toEqual({ perspective: 'lived_experience', role: 'co_lead' });
  });

  it('the lead publishes, and the public list shows it with its programme and the co-produced mark', async () => {
    // A kind of place on sale (organisers set these up on the places page).
    await h.database.db.insert(ticketTypes).values({ eventId, name: 'Free place' });
    await signInAs(MEMBER);
    await page.goto(`${h.baseUrl}/plan/${eventId}`);
    expect(await page.textContent('#publish ~ ul')).not.toContain('Missing');
    await activate(`form[action="/plan/${eventId}/publish"] button`);
    expect(await mainText()).toContain('The event is published');
    await expectAccessible(h);

    await h.context.clearCookies();
    await page.goto(`${h.baseUrl}/events`);
    const card = page.locator('.convene-event-card', { hasText: 'Poverty, housing and distress' });
    expect(await card.textContent()).toContain('Co-produced');
    await expectAccessible(h);
    await tabTo(page, 'main a[href^="/events/poverty-housing-and-distress"]', 100);
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    const text = await mainText();
    expect(text).toContain('Co-produced');
    expect(text).toContain('Welcome and introductions');
    expect(text).toContain('What needs to change');
    expect(text).not.toContain('Lived experience / survivor');
    await expectAccessible(h);
  });

  it('keeps every other co-production page accessible, with errors shown, and usable at 320 pixels', async () => {
    await signInAs(MEMBER);
    for (const path of [
      '/proposals',
      `/plan/${eventId}/discussion`,
      `/plan/${eventId}/4pi`,
      `/plan/${eventId}/involvement`,
      `/plan/${eventId}/after`,
      '/involvement',
      '/library',
    ]) {
      await page.goto(h.baseUrl + path);
      await expectAccessible(h);
    }
    // A form sent with mistakes shows the error summary, and axe is still content.
    await page.goto(`${h.baseUrl}/plan/${eventId}/tasks`);
    await tabAndType(page, '#dueOn', '1');
    await activate(`form[action="/plan/${eventId}/tasks"] button[type=submit]`);
    expect(await page.textContent('.govuk-error-summary')).toContain('Enter what needs doing');
    await expectAccessible(h);
    await page.setViewportSize({ width: 320, height: 640 });
    for (const path of [`/plan/${eventId}`, `/plan/${eventId}/details`, `/plan/${eventId}/programme`, '/proposals/new', `/proposals/${proposalId}`]) {
      await page.goto(h.baseUrl + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1024, height: 800 });

    await signInAs(ORGANISER);
    for (const path of [
      '/organise',
      '/organise/proposals?status=accepted',
      `/organise/proposals/${proposalId}`,
      '/organise/events/new',
      '/organise/involvement-rate',
      `/plan/${eventId}/involvement`,
    ]) {
      await page.goto(h.baseUrl + path);
      await expectAccessible(h);
    }
    await page.setViewportSize({ width: 320, height: 640 });
    for (const path of [`/organise/proposals/${proposalId}`, '/organise/proposals?status=accepted', `/plan/${eventId}`]) {
      await page.goto(h.baseUrl + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1024, height: 800 });
  });
});
