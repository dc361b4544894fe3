/// <reference lib="dom" />
// Registration by keyboard in Chromium: book a free seminar, get the confirmation with its .ics,
// cancel through the private link, and the first person waiting gets the offer and claims it.
// axe checks every page on the way.
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { events, people, registrations, registrationSettings, ticketTypes } from '../../db/schema/index.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { makeEvent } from '../registration/fixtures.ts';
import {
  expectAccessible,
  expectErrorSummaryFocused,
  expectKeyboardUsable,
  expectReflow,
  expectScreenReaderForm,
  expectTextSpacingFits,
  latestEmailTo,
  signInWithEmail,
  startBrowser,
  tabAndType,
  tabTo,
  type BrowserHarness,
  loadsNextPage,
} from './support.ts';

let h: BrowserHarness;
let eventId = '';
const slug = 'keyboard-seminar';

beforeAll(async () => {
  h = await startBrowser();
  const startsAt = new Date(Math.floor((Date.now() + 12 * 86_400_000) / 60_000) * 60_000);
  const [event] = await h.database.db
    .insert(events)
    .values({
      slug,
      title: 'Keyboard seminar on peer support',
      type: 'seminar',
      status: 'published',
      venueName: 'Hub rooms',
      venueAddress: '2 Park Row, Leeds',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
      capacity: 1,
      stepFreeAccess: true,
      publishedAt: new Date(),
    })
    .returning();
  eventId = event!.id;
  await h.database.db.insert(ticketTypes).values({ eventId, name: 'Free place', pricePence: 0 });
});
afterAll(async () => {
  await h?.close();
});

async function bookByKeyboard(name: string, email: string) {
  const { page } = h;
  await page.goto(`${h.baseUrl}/events/${slug}`);
  await tabTo(page, `main a[href="/events/${slug}/book"]`);
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/events/${slug}/book`);
  await tabTo(page, '#name');
  await page.keyboard.type(name);
  await tabTo(page, '#email');
  await page.keyboard.type(email);
  await tabTo(page, 'main form button[type=submit]', 120);
  await page.keyboard.press('Enter');
  // Without signing in, the page only says to check the email; the link to confirm comes in it.
  await page.waitForURL(`**/events/${slug}/book/check-your-email`);
  expect(await page.textContent('main')).toContain('Check your email');
  await expectAccessible(h);
  const mail = await latestEmailTo(h, email);
  await page.goto(linkIn(mail.text, '/bookings/confirm/'));
  expect(await page.textContent('main')).toContain('Confirm your booking');
  await expectAccessible(h);
  await tabTo(page, 'main form button[type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/bookings\/(?!confirm\/)[A-Za-z0-9_-]+$/);
}

function linkIn(text: string | undefined, pathStart: string): string {
  const link = new RegExp(`https?://\\S+${pathStart}[A-Za-z0-9_-]+`).exec(text ?? '')?.[0];
  if (!link) throw new Error(`No ${pathStart} link in the email`);
  return link;
}

describe('booking a free seminar in Chromium, by keyboard', () => {
  it('shows errors in a summary that is accessible, then books', async () => {
    const { page } = h;
    await page.goto(`${h.baseUrl}/events/${slug}`);
    await expectAccessible(h);
    await expectKeyboardUsable(page);
    await expectReflow(page);
    // "Book a place" is a link drawn as a button: Space follows it, as on a button.
    await tabTo(page, `main a[href="/events/${slug}/book"]`);
    await Promise.all([page.waitForURL(`**/events/${slug}/book`), page.keyboard.press('Space')]);
    await expectAccessible(h);
    await expectKeyboardUsable(page);
    await expectReflow(page);
    await expectTextSpacingFits(page);
    await tabTo(page, 'main form button[type=submit]', 120);
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    expect(await page.textContent('.govuk-error-summary')).toContain('Enter your name');
    await expectErrorSummaryFocused(page);
    // Heard as a screen reader hears it: every field by its label, and the summary as an alert.
    await expectScreenReaderForm(page, ['Your name', 'Email address', 'Add a free place for my support worker', 'Your companion’s name']);
    await expectAccessible(h);
    await expectTextSpacingFits(page);
    // The first Tab from the summary reaches its first link, which takes focus to the field.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('name');

    await bookByKeyboard('Robin Keys', 'robin@example.org');
    expect(await page.textContent('main')).toContain('Booked');
    await expectAccessible(h);
  });

  it('emails a confirmation with a valid calendar file', async () => {
    const mail = await latestEmailTo(h, 'robin@example.org');
    expect(mail.subject).toContain('Your place is booked');
    const ics = mail.attachments.find((a) => a.filename?.endsWith('.ics'));
    expect(ics).toBeTruthy();
    const vevent = new ICAL.Component(ICAL.parse(ics!.content.toString('utf8'))).getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('uid')).toBe(`event-${eventId}@convene`);
    expect(vevent.getFirstPropertyValue('summary')).toBe('Keyboard seminar on peer support');
  });

  it('puts the next person on the waiting list', async () => {
    await bookByKeyboard('Sasha Waits', 'sasha@example.org');
    expect(await h.page.textContent('main')).toContain('number 1 on the waiting list');
    await expectAccessible(h);
  });

  it('sends the booking link again from the "check your email" page', async () => {
    const { page } = h;
    await page.goto(`${h.baseUrl}/events/${slug}/book/check-your-email`);
    await tabTo(page, '#email');
    await page.keyboard.type('sasha@example.org');
    await tabTo(page, 'main form[action$="/book/link"] button');
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    expect(await page.textContent('body')).toContain('If that address has a booking for this event, we have emailed its link to it.');
    await expectAccessible(h);
    const mail = await latestEmailTo(h, 'sasha@example.org');
    expect(mail.subject).toContain('Your link to manage your booking');
    await page.goto(linkIn(mail.text, '/bookings/'));
    expect(await page.textContent('main')).toContain('Sasha Waits');
  });

  it('cancels through the private link, and the first person waiting gets the offer and claims it', async () => {
    const { page } = h;
    const confirmation = await latestEmailTo(h, 'robin@example.org');
    await page.goto(linkIn(confirmation.text, '/bookings/'));
    await tabTo(page, 'main a[href$="/cancel"]');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/cancel');
    await expectAccessible(h);
    await tabTo(page, 'main form button[type=submit]');
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    expect(await page.textContent('main')).toContain('Cancelled');

    const offer = await latestEmailTo(h, 'sasha@example.org');
    expect(offer.subject).toContain('A place is free for you');
    await page.goto(linkIn(offer.text, '/bookings/'));
    await expectAccessible(h);
    await tabTo(page, 'main form[action$="/accept"] button');
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    expect(await page.textContent('main')).toContain('Booked');
    await expectAccessible(h);
    const confirmed = await latestEmailTo(h, 'sasha@example.org');
    expect(confirmed.subject).toContain('Your place is booked');
  });

  it('reads well on a 320 pixel wide screen', async () => {
    await h.page.setViewportSize({ width: 320, height: 640 });
    for (const url of ['/events', `/events/${slug}`, `/events/${slug}/book`]) {
      await h.page.goto(h.baseUrl + url);
      const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
    await h.page.setViewportSize({ width: 1024, height: 800 });
  });
});

describe('organiser pages in Chromium', () => {
  it('are accessible, and check-in works by keyboard on a phone-sized screen', async () => {
    const { page } = h;
    await signInWithEmail(h, 'steering@example.org');
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    const [me] = await h.database.db.select({ id: people.id }).from(people).where(eq(people.email, 'steering@example.org'));
    await grantRole(h.database.db, null, me!.id, 'organiser');
    for (const url of ['attendees', 'attendees/needs', 'message', 'places']) {
      await page.goto(`${h.baseUrl}/organise/events/${slug}/${url}`);
      await expectAccessible(h);
      await expectReflow(page);
    }
    // An event that is over: its list says so, and offers no booking or cancelling.
    const over = await makeEvent(h.database.db, { startsAt: new Date('2025-03-13T10:00:00Z'), endsAt: new Date('2025-03-13T16:00:00Z') });
    await page.goto(`${h.baseUrl}/organise/events/${over.slug}/attendees`);
    await expectAccessible(h);
    if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/attendees-over.png`, fullPage: true });
    await page.goto(`${h.baseUrl}/organise`);
    await expectReflow(page);
    // Their own bookings, with a long title, reflow too (the table scrolls in its own box).
    const longTitle = await makeEvent(h.database.db, { title: 'A seminar with a rather long name about housing, benefits and distress' });
    await h.database.db.insert(registrations).values({ eventId: longTitle.id, status: 'confirmed', name: 'Steering Member', email: 'steering@example.org' });
    await page.goto(`${h.baseUrl}/account/bookings`);
    await expectAccessible(h);
    await expectReflow(page);
    await page.setViewportSize({ width: 320, height: 640 });
    // The seminar is days away: check-in opens on the day unless an organiser opens it early.
    await h.database.db
      .insert(registrationSettings)
      .values({ eventId, checkInOpenedEarlyAt: new Date() })
      .onConflictDoUpdate({ target: registrationSettings.eventId, set: { checkInOpenedEarlyAt: new Date() } });
    await page.goto(`${h.baseUrl}/organise/events/${slug}/check-in`);
    await expectAccessible(h);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await tabTo(page, '#q');
    await page.keyboard.type('Sasha');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/check-in?q=Sasha');
    await tabTo(page, 'main form[action*="/check-in/"] button');
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    expect(await page.textContent('main')).toContain('Arrived');
    expect(await page.textContent('main')).toContain('Undo check-in');
    await expectAccessible(h);
    await page.setViewportSize({ width: 1024, height: 800 });
  });
});

describe('hybrid places, reserved codes and booking for someone in Chromium', () => {
  it('books someone without email by keyboard, shows the page to print, and both sets of places', async () => {
    const { page } = h;
    const startsAt = new Date(Math.floor((Date.now() + 20 * 86_400_000) / 60_000) * 60_000);
    const [hybrid] = await h.database.db
      .insert(events)
      .values({
        slug: 'hybrid-keyboard-day',
        title: 'Hybrid day on peer support',
        type: 'seminar',
        status: 'published',
        format: 'hybrid',
        venueName: 'Hub rooms',
        venueAddress: '2 Park Row, Leeds',
        onlinePlatform: 'Zoom',
        startsAt,
        endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
        capacity: 2,
        onlineCapacity: 5,
        publishedAt: new Date(),
      })
      .returning();
    await h.database.db.insert(ticketTypes).values({ eventId: hybrid!.id, name: 'Free place', pricePence: 0 });
    // Still signed in as the organiser of the tests above.

    const base = `${h.baseUrl}/organise/events/hybrid-keyboard-day`;
    await page.goto(`${base}/places/reserved`);
    await expectAccessible(h);
    await tabAndType(page, '#groupName', 'Survivors’ Voices');
    await tabAndType(page, '#places', '1');
    await page.fill('#expiresAt', new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 16));
    await tabTo(page, 'main form button[type=submit]');
    // The answer comes back to the same address: wait for the navigation itself, not the page
    // already loaded.
    await loadsNextPage(page, () => page.keyboard.press('Enter'));
    expect(await page.textContent('main')).toContain('Their code is');
    await expectAccessible(h);
    await page.goto(`${base}/places/online`);
    await expectAccessible(h);

    await page.goto(`${base}/attendees/book`);
    await expectAccessible(h);
    await tabTo(page, '#attendance');
    await page.keyboard.press('Space');
    await tabAndType(page, '#name', 'Margaret Phoned');
    await tabTo(page, 'main form button[type=submit]', 120);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/confirmation');
    expect(await page.textContent('main')).toContain('Dear Margaret Phoned');
    expect(await page.textContent('main')).toContain('In person');
    await expectAccessible(h);
    await page.screenshot({ path: '/tmp/f14-confirmation.png', fullPage: true });

    // The room (2 places, 1 reserved, 1 booked) is full; online places remain.
    await page.goto(`${h.baseUrl}/events/hybrid-keyboard-day`);
    expect(await page.textContent('main')).toContain('In the room: full (waiting list). Online: 5 places left');
    await page.goto(`${h.baseUrl}/events/hybrid-keyboard-day/book`);
    expect(await page.textContent('main')).toContain('How will you attend?');
    expect(await page.textContent('main')).toContain('Code for reserved places');
    await expectAccessible(h);
    await page.screenshot({ path: '/tmp/f14-book.png', fullPage: true });
    await page.goto(`${base}/attendees`);
    expect(await page.textContent('main')).toContain('Booked for them by steering@example.org');
    await expectAccessible(h);
  });
});
