// Invoice mode from end to end, through the real routes: a numbered invoice (PDF attached,
// downloadable from the manage page and by organisers), payment recorded, reminders, a release
// with warning, credit notes on cancelling and refunding, and a refund recorded as paid.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditNotes, invoices, payments, people, registrations } from '../../db/schema/index.ts';
import { erasePerson } from '../../server/accounts/erase.ts';
import { forgetOldPayers, payerRetentionCutoff } from '../../server/invoices/service.ts';
import { grantRole } from '../../server/accounts/people.ts';
import { renderEmail } from '../../emails/render.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { latestManagePath, mailsTo, makeEvent, makeTicketType } from '../registration/fixtures.ts';
import { attachedPdfText, pdfText } from './support.ts';

let t: TestApp;
let organiser: TestClient;
const DAY = 86_400_000;
const site = { siteName: 'Social Perspectives Hub', baseUrl: 'https://hub.example' };

beforeAll(async () => {
  t = await startTestApp({
    env: { INVOICE_PAYMENT_DAYS: '10', INVOICE_REMINDER_DAYS_BEFORE: '3', INVOICE_RELEASE_DAYS_AFTER_DUE: '5', INVOICE_WARNING_DAYS_BEFORE: '2' },
  });
  organiser = await t.signedIn('invoice-treasurer@example.org');
  const [me] = await t.db.select().from(people).where(eq(people.email, 'invoice-treasurer@example.org'));
  await grantRole(t.db, null, me!.id, 'organiser');
});
afterAll(async () => {
  await t.close();
});

/** A signed-in member books a £40 place, giving who pays. The event is 40 days away, so places can be released. */
async function bookByInvoice(email: string, options: { capacity?: number; payer?: Record<string, string> } = {}) {
  const event = await makeEvent(t.db, { capacity: options.capacity ?? 5, startsAt: new Date(Math.floor((Date.now() + 40 * DAY) / 60_000) * 60_000) });
  const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });
  const booker = await t.signedIn(email);
  const response = await booker.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Ines Voice', email, ...options.payer });
  expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
  const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, email));
  const [invoice] = await t.db.select().from(invoices).where(eq(invoices.registrationId, registration!.id));
  return { event, type, booker, registration: registration!, invoice: invoice!, managePath: await latestManagePath(t.db, email, 'registration-invoice') };
}

const numberText = (n: number) => `INV-${String(n).padStart(5, '0')}`;

describe('an invoice booking', () => {
  it('emails a numbered invoice PDF with who pays, downloadable from the manage page and by organisers', async () => {
    const { event, booker, registration, invoice, managePath } = await bookByInvoice('ines@example.org', {
      payer: { payerName: 'Mind in Camden', payerAddress: '1 High Street\nLondon NW1 1AA', purchaseOrder: 'PO-7731', invoiceEmail: 'Finance@Mind.example' },
    });
    expect(registration.status).toBe('pending_payment');
    expect(invoice).toMatchObject({
      payerName: 'Mind in Camden',
      purchaseOrder: 'PO-7731',
      invoiceEmail: 'finance@mind.example',
      amountPence: 4000,
      status: 'open',
    });
    expect(invoice.dueAt.getTime() - invoice.issuedAt.getTime()).toBe(10 * DAY);
    expect(invoice.releaseAt!.getTime() - invoice.dueAt.getTime()).toBe(5 * DAY);

    const [mail] = (await mailsTo(t.db, 'ines@example.org')).filter((m) => m.template === 'registration-invoice');
    expect(mail!.data.invoiceNumber).toBe(numberText(invoice.number));
    const attached = await attachedPdfText(mail!.attachments, 'invoice-');
    expect(attached.filename).toBe(`invoice-${numberText(invoice.number)}.pdf`);
    for (const words of [numberText(invoice.number), '£40', 'Mind in Camden', 'PO-7731', 'NW1 1AA', event.title]) expect(attached.text).toContain(words);
    // Nothing goes to the typed invoice address: only the booker's address is proven.
    expect(await mailsTo(t.db, 'finance@mind.example')).toHaveLength(0);
    const rendered = renderEmail('registration-invoice', mail!.data as never, site);
    expect(rendered.text).toContain(`Your invoice, ${numberText(invoice.number)}, is attached`);
    expect(rendered.text).not.toContain('We will send you an invoice');

    const page = await booker.get(managePath);
    expect(page.body).toContain(`Invoice ${numberText(invoice.number)} (PDF)`);
    const download = await booker.get(`${managePath}/documents/invoice-${numberText(invoice.number)}.pdf`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(await pdfText(download.rawPayload)).toContain(numberText(invoice.number));

    const list = await organiser.get(`/organise/events/${event.slug}/invoices`);
    expect(list.body).toContain(numberText(invoice.number));
    expect(list.body).toContain('PO-7731');
    const organiserCopy = await organiser.get(`/organise/events/${event.slug}/invoices/invoice-${numberText(invoice.number)}.pdf`);
    expect(organiserCopy.statusCode).toBe(200);
    expect(await pdfText(organiserCopy.rawPayload)).toContain('Mind in Camden');
  });

  it('opens no other booking’s or event’s invoice by changing the number in the address', async () => {
    const first = await bookByInvoice('first-payer@example.org');
    const second = await bookByInvoice('second-payer@example.org');
    const other = `invoice-${numberText(first.invoice.number)}.pdf`;
    expect((await second.booker.get(`${second.managePath}/documents/${other}`)).statusCode).toBe(404);
    expect((await organiser.get(`/organise/events/${second.event.slug}/invoices/${other}`)).statusCode).toBe(404);
    expect((await t.client().get(`/organise/events/${first.event.slug}/invoices/${other}`)).statusCode).not.toBe(200);
  });

  it('refuses a malformed invoice address on the page, keeping what was typed, and books nothing', async () => {
    const event = await makeEvent(t.db, { capacity: 5 });
    const type = await makeTicketType(t.db, event.id, { name: 'Professional', pricePence: 4000 });
    const booker = await t.signedIn('typo@example.org');
    const response = await booker.post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Typo',
      email: 'typo@example.org',
      payerName: 'Hearing Voices Network',
      invoiceEmail: 'accounts at hvn',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Enter the email address for the invoice in the right format');
    expect(response.body).toContain('Hearing Voices Network');
    expect(await t.db.select().from(registrations).where(eq(registrations.email, 'typo@example.org'))).toHaveLength(0);
  });

  it('is recorded paid by an organiser: the invoice is paid and the booking confirmed', async () => {
    const { event, registration, invoice } = await bookByInvoice('pays@example.org');
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/invoice-paid`)).statusCode).toBe(303);
    const [after] = await t.db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(after!.status).toBe('paid');
    expect((await mailsTo(t.db, 'pays@example.org'))[0]!.template).toBe('registration-confirmed');
  });
});

describe('credit notes', () => {
  it('cancel an unpaid invoice when the booker cancels, attached to the email', async () => {
    const { booker, invoice, managePath } = await bookByInvoice('changes-mind@example.org');
    expect((await booker.post(`${managePath}/cancel`)).statusCode).toBe(303);
    const [note] = await t.db.select().from(creditNotes).where(eq(creditNotes.invoiceId, invoice.id));
    expect(note!.refundDue).toBe(0);
    const [mail] = await mailsTo(t.db, 'changes-mind@example.org');
    expect(mail!.template).toBe('registration-cancelled');
    const cn = `CN-${String(note!.number).padStart(5, '0')}`;
    const attached = await attachedPdfText(mail!.attachments, 'credit-note-');
    expect(attached.text).toContain(cn);
    expect(attached.text).toContain(numberText(invoice.number));
    expect(attached.text).toContain('£40');
    expect(renderEmail('registration-cancelled', mail!.data as never, site).text).toContain(
      `Credit note ${cn}, attached, cancels invoice ${numberText(invoice.number)}: you do not need to pay it.`,
    );
    expect((await booker.get(managePath)).body).toContain(`Credit note ${cn} (PDF)`);
  });

  it('on a refund say "we will pay back", then "we have" once an organiser records it', async () => {
    const { event, registration, invoice } = await bookByInvoice('refund-invoice@example.org');
    await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/invoice-paid`);
    const refunded = await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/refund`);
    expect(refunded.statusCode).toBe(303);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    expect(payment!.status).toBe('refund_due');
    const [note] = await t.db.select().from(creditNotes).where(eq(creditNotes.invoiceId, invoice.id));
    expect(note!.refundDue).toBe(4000);
    const [cancelled] = await mailsTo(t.db, 'refund-invoice@example.org');
    expect(cancelled!.template).toBe('registration-cancelled');
    const words = renderEmail('registration-cancelled', cancelled!.data as never, site).text;
    expect(words).toContain('The Hub will pay back the £40');
    expect(words).not.toContain('We have refunded');
    expect((await attachedPdfText(cancelled!.attachments, 'credit-note-')).text).toContain('the Hub will pay back £40');

    const list = await organiser.get(`/organise/events/${event.slug}/attendees`);
    expect(list.body).toContain('Record refund paid');
    expect(list.body).toContain('Invoice: Refund to pay back');
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/refund-paid`)).statusCode).toBe(303);
    const [after] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    expect(after!.status).toBe('refunded');
    const [told] = await mailsTo(t.db, 'refund-invoice@example.org');
    expect(told!.template).toBe('payment-refunded');
    expect(renderEmail('payment-refunded', told!.data as never, site).text).toContain('We have paid back the £40');
    const again = await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/refund-paid`);
    expect(again.statusCode).toBe(303);
    expect(again.headers['x-error-code']).toBe('no_refund_due');
    expect((await organiser.get(String(again.headers.location))).body).toContain('There is no refund waiting to be recorded on this booking.');
  });
});

describe('a booker cancelling a place whose invoice was paid', () => {
  it('gets a credit note at once, "we will pay back", then "we have" once an organiser records it', async () => {
    const { event, booker, registration, invoice, managePath } = await bookByInvoice('paid-then-cancels@example.org');
    await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/invoice-paid`);
    const confirmedPath = await latestManagePath(t.db, 'paid-then-cancels@example.org', 'registration-confirmed');
    const page = await booker.get(`${confirmedPath}/cancel`);
    expect(page.body).toContain('we will send you a credit note for it and pay the £40 back');

    expect((await booker.post(`${managePath}/cancel`)).statusCode).toBe(303);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    expect(payment!.status).toBe('refund_due');
    const [note] = await t.db.select().from(creditNotes).where(eq(creditNotes.invoiceId, invoice.id));
    expect(note!.refundDue).toBe(4000);
    const [credited] = await t.db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(credited!.status).toBe('credited');
    const cn = `CN-${String(note!.number).padStart(5, '0')}`;
    const [cancelled] = await mailsTo(t.db, 'paid-then-cancels@example.org');
    expect(cancelled!.template).toBe('registration-cancelled');
    const words = renderEmail('registration-cancelled', cancelled!.data as never, site).text;
    expect(words).toContain('The Hub will pay back the £40');
    expect(words).toContain(`Credit note ${cn}, attached, cancels invoice ${numberText(invoice.number)}.`);
    expect(words).not.toContain('We have');
    const notePdf = (await attachedPdfText(cancelled!.attachments, 'credit-note-')).text;
    expect(notePdf).toContain(cn);
    // Issued before the money goes back: the credit note, kept for good, must not say "refunded".
    expect(notePdf).toContain('to be refunded');
    expect(notePdf).not.toMatch(/cancelled and refunded/i);
    const after = await booker.get(managePath);
    expect(after.body).toContain('The Hub will pay back the £40 you paid');
    expect(after.body).toContain(`Credit note ${cn} (PDF)`);
    expect(after.body).not.toContain('cancelled and refunded');

    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/refund-paid`)).statusCode).toBe(303);
    const [told] = await mailsTo(t.db, 'paid-then-cancels@example.org');
    expect(told!.template).toBe('payment-refunded');
    expect(renderEmail('payment-refunded', told!.data as never, site).text).toContain('We have paid back the £40');
    expect((await booker.get(managePath)).body).toContain('The Hub has paid back the £40');
  });
});

describe('an organiser cancelling a place whose invoice was paid', () => {
  it('says beforehand that a credit note and a refund follow, and issues them', async () => {
    const { event, registration, invoice } = await bookByInvoice('org-cancels-paid@example.org');
    await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/invoice-paid`);
    const ask = await organiser.get(`/organise/events/${event.slug}/attendees/${registration.id}/cancel`);
    expect(ask.body).toContain('They paid £40 by invoice: a credit note will cancel it');
    expect((await organiser.post(`/organise/events/${event.slug}/attendees/${registration.id}/cancel`)).statusCode).toBe(303);
    const [payment] = await t.db.select().from(payments).where(eq(payments.registrationId, registration.id));
    expect(payment!.status).toBe('refund_due');
    const [note] = await t.db.select().from(creditNotes).where(eq(creditNotes.invoiceId, invoice.id));
    expect(note!.refundDue).toBe(4000);
    expect((await organiser.get(`/organise/events/${event.slug}/attendees`)).body).toContain('Record refund paid');
  });
});

describe('an unpaid invoice over time', () => {
  it('is reminded before it is due, warned before release, then released with a credit note and the place passed on', async () => {
    const { event, type, registration, invoice } = await bookByInvoice('slow-invoice@example.org', { capacity: 1 });
    const waiting = await t.signedIn('waiting-invoice@example.org');
    await waiting.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Waiting', email: 'waiting-invoice@example.org' });
    const now = invoice.issuedAt.getTime();

    // Other tests' invoices share the database: look at this booking's emails, not the counts.
    const templates = async () => (await mailsTo(t.db, 'slow-invoice@example.org')).map((m) => m.template);
    const status = async () =>
      (await t.db.select({ status: registrations.status }).from(registrations).where(eq(registrations.id, registration.id)))[0]!.status;
    await t.app.paymentJobs.runDue(new Date(now + 6 * DAY));
    expect(await templates()).not.toContain('invoice-reminder');
    await t.app.paymentJobs.runDue(new Date(now + 7 * DAY + 60_000));
    await t.app.paymentJobs.runDue(new Date(now + 8 * DAY));
    expect((await templates()).filter((n) => n === 'invoice-reminder')).toHaveLength(1);
    const [reminder] = await mailsTo(t.db, 'slow-invoice@example.org');
    expect(reminder!.template).toBe('invoice-reminder');
    expect((await attachedPdfText(reminder!.attachments, 'invoice-')).text).toContain(numberText(invoice.number));

    // Release is due 15 days after issue; the warning goes 2 days before, and nothing is released before then.
    await t.app.paymentJobs.runDue(new Date(now + 12 * DAY));
    expect(await templates()).not.toContain('invoice-release-warning');
    await t.app.paymentJobs.runDue(new Date(now + 13 * DAY + 60_000));
    const [warning] = await mailsTo(t.db, 'slow-invoice@example.org');
    expect(warning!.template).toBe('invoice-release-warning');
    expect(await status()).toBe('pending_payment');

    await t.app.paymentJobs.runDue(new Date(now + 15 * DAY + 60_000));
    const [after] = await t.db.select().from(registrations).where(eq(registrations.id, registration.id));
    expect(after!.status).toBe('cancelled');
    const [released] = await mailsTo(t.db, 'slow-invoice@example.org');
    expect(released!.template).toBe('registration-cancelled');
    expect(released!.subject).toBe(`Your place has been released: ${event.title}`);
    expect(renderEmail('registration-cancelled', released!.data as never, site).text).toContain(`payment for invoice ${numberText(invoice.number)}`);
    expect((await attachedPdfText(released!.attachments, 'credit-note-')).text).toContain('Place released');
    expect((await mailsTo(t.db, 'waiting-invoice@example.org'))[0]!.template).toBe('registration-offer');
    await t.app.paymentJobs.runDue(new Date(now + 16 * DAY));
    expect((await templates()).filter((n) => n === 'registration-cancelled')).toHaveLength(1);
  });

  it('is never released once its event is near: no release date, no warning', async () => {
    const event = await makeEvent(t.db, { capacity: 5, startsAt: new Date(Date.now() + 4 * DAY) });
    const type = await makeTicketType(t.db, event.id, { pricePence: 1000 });
    const booker = await t.signedIn('soon@example.org');
    await booker.post(`/events/${event.slug}/book`, { ticketTypeId: type.id, name: 'Soon', email: 'soon@example.org' });
    const [registration] = await t.db.select().from(registrations).where(eq(registrations.email, 'soon@example.org'));
    const [invoice] = await t.db.select().from(invoices).where(eq(invoices.registrationId, registration!.id));
    expect(invoice!.dueAt.getTime()).toBe(event.startsAt!.getTime());
    expect(invoice!.releaseAt).toBeNull();
    await t.app.paymentJobs.runDue(new Date(Date.now() + 3 * DAY));
    expect((await mailsTo(t.db, 'soon@example.org')).map((m) => m.template)).not.toContain('invoice-release-warning');
  });
});

describe('erasure', () => {
  it('takes the payer’s details off their invoices, keeping the number and amount', async () => {
    const { invoice } = await bookByInvoice('erase-me@example.org', {
      payer: { payerName: 'Erin Private', payerAddress: '2 Quiet Lane', purchaseOrder: 'PO-1', invoiceEmail: 'erin@work.example' },
    });
    const [person] = await t.db.select().from(people).where(eq(people.email, 'erase-me@example.org'));
    await erasePerson(t.db, person!.id);
    const [after] = await t.db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(after).toMatchObject({ number: invoice.number, amountPence: 4000, payerName: 'Erased', payerAddress: '', purchaseOrder: '', invoiceEmail: '' });
  });
});

describe('a paid place from the waiting list', () => {
  it('invoices the payer given when joining the waiting list, without asking again', async () => {
    const { event, type, booker: first, managePath: firstPath } = await bookByInvoice('first-payer@example.org', { capacity: 1 });
    const waiting = await t.signedIn('waiting-payer@example.org');
    const joined = await waiting.post(`/events/${event.slug}/book`, {
      ticketTypeId: type.id,
      name: 'Wai Ting',
      email: 'waiting-payer@example.org',
      payerName: 'Hearing Voices Leeds',
      payerAddress: '3 Park Row\nLeeds LS1 5HD',
      purchaseOrder: 'PO-4410',
      invoiceEmail: 'accounts@hvl.example',
    });
    expect(joined.statusCode).toBe(303);
    const [row] = await t.db.select().from(registrations).where(eq(registrations.email, 'waiting-payer@example.org'));
    expect(row!.status).toBe('waitlisted');
    expect(await t.db.select().from(invoices).where(eq(invoices.registrationId, row!.id))).toHaveLength(0);

    // The first booker cancels: the place is offered, and the offer page says who will be invoiced.
    expect((await first.post(`${firstPath}/cancel`)).statusCode).toBe(303);
    const offerPath = await latestManagePath(t.db, 'waiting-payer@example.org', 'registration-offer');
    const offerPage = await waiting.get(offerPath);
    expect(offerPage.body).toContain('made out to Hearing Voices Leeds, purchase order PO-4410');
    expect((await waiting.post(`${offerPath}/accept`)).statusCode).toBe(303);

    const [invoice] = await t.db.select().from(invoices).where(eq(invoices.registrationId, row!.id));
    expect(invoice).toMatchObject({
      payerName: 'Hearing Voices Leeds',
      payerAddress: '3 Park Row\nLeeds LS1 5HD',
      purchaseOrder: 'PO-4410',
      invoiceEmail: 'accounts@hvl.example',
      amountPence: 4000,
      status: 'open',
    });
    const [mail] = (await mailsTo(t.db, 'waiting-payer@example.org')).filter((m) => m.template === 'registration-invoice');
    const pdf = await attachedPdfText(mail!.attachments, 'invoice-');
    for (const words of ['Hearing Voices Leeds', 'PO-4410', 'LS1 5HD']) expect(pdf.text).toContain(words);
    // Kept only while waiting: the invoice holds it now.
    const [after] = await t.db.select().from(registrations).where(eq(registrations.id, row!.id));
    expect(after!.invoicePayer).toBeNull();
  });
});

describe('retention', () => {
  it('keeps an invoice’s payer for 6 financial years after its last entry, then keeps only the accounts', async () => {
    // Financial years end on 31 March: on 1 April 2026 the year to 31 March 2020 is 6 full years gone.
    expect(payerRetentionCutoff(new Date('2026-04-01T09:00:00Z'), 6).toISOString()).toBe('2020-03-31T22:59:59.999Z');
    expect(payerRetentionCutoff(new Date('2026-03-30T09:00:00Z'), 6).toISOString()).toBe('2019-03-31T22:59:59.999Z');

    const payer = { payerName: 'Old Payer Trust', payerAddress: '9 Archive Road', purchaseOrder: 'PO-OLD', invoiceEmail: 'old@payer.example' };
    const { invoice: old } = await bookByInvoice('old-invoice@example.org', { payer });
    const { invoice: recent } = await bookByInvoice('recent-invoice@example.org', { payer });
    // The old one was issued in the year to March 2020; the recent one paid in April 2020 (next year).
    await t.db
      .update(invoices)
      .set({ issuedAt: new Date('2019-05-01T10:00:00Z'), paidAt: new Date('2019-06-01T10:00:00Z') })
      .where(eq(invoices.id, old.id));
    await t.db
      .update(invoices)
      .set({ issuedAt: new Date('2020-03-01T10:00:00Z'), paidAt: new Date('2020-04-02T10:00:00Z') })
      .where(eq(invoices.id, recent.id));

    expect(await forgetOldPayers(t.db, { now: new Date('2026-04-01T09:00:00Z'), years: 6 })).toBe(1);
    const [oldAfter] = await t.db.select().from(invoices).where(eq(invoices.id, old.id));
    expect(oldAfter).toMatchObject({ number: old.number, amountPence: 4000, payerName: 'Erased', payerAddress: '', purchaseOrder: '', invoiceEmail: '' });
    expect(oldAfter!.description).toBe(old.description);
    const [recentAfter] = await t.db.select().from(invoices).where(eq(invoices.id, recent.id));
    expect(recentAfter!.payerName).toBe('Old Payer Trust');
    // A year later its turn comes; running again changes nothing more.
    expect(await forgetOldPayers(t.db, { now: new Date('2027-04-01T09:00:00Z'), years: 6 })).toBeGreaterThanOrEqual(1);
    expect((await t.db.select().from(invoices).where(eq(invoices.id, recent.id)))[0]!.payerName).toBe('Erased');
    expect(await forgetOldPayers(t.db, { now: new Date('2027-04-01T09:00:00Z'), years: 6 })).toBe(0);
  });
});
