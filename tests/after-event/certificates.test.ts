// Certificates of attendance: only for people checked in; the PDF carries their chosen name and
// the event; its code verifies publicly, and stops verifying when the check-in is undone or the
// name is corrected; the thank-you job sends each person theirs once; organisers set hours.
import { eq } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, events, outboxMessages, registrations } from '../../db/schema/index.ts';
import { mintManagePath } from '../../server/registration/links.ts';
import { signedInOrganiser } from '../proposals/support.ts';
import { makeEvent, makeTicketType, mailsTo } from '../registration/fixtures.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';

let t: TestApp;
let organiser: TestClient;

beforeAll(async () => {
  t = await startTestApp();
  organiser = await signedInOrganiser(t, 'cert-organiser@example.org');
});
afterAll(async () => {
  await t.close();
});

async function pdfText(bytes: Buffer | Uint8Array): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

/** An event that ended two hours ago, with one person checked in and one who did not come. */
async function pastEvent(title: string) {
  const startsAt = new Date(Date.now() - 5 * 3_600_000);
  const event = await makeEvent(t.db, { title, startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000) });
  const type = await makeTicketType(t.db, event.id);
  const tag = event.slug.slice(-8);
  const [came] = await t.db
    .insert(registrations)
    .values({ eventId: event.id, ticketTypeId: type.id, status: 'attended', attendedAt: new Date(), name: 'Zoe OBrien', email: `came-${tag}@example.org` })
    .returning();
  const [absent] = await t.db
    .insert(registrations)
    .values({ eventId: event.id, ticketTypeId: type.id, status: 'confirmed', name: 'Absent Person', email: `absent-${tag}@example.org` })
    .returning();
  return { event, came: came!, absent: absent!, comePath: await mintManagePath(t.db, came!.id), absentPath: await mintManagePath(t.db, absent!.id) };
}

const codeIn = (text: string) => /Verification code: ([0-9A-Z-]+)/.exec(text)?.[1];

describe('certificates of attendance', () => {
  it('are for people checked in: the PDF has the chosen name and the event, and its code verifies publicly', async () => {
    const { event, comePath, absentPath } = await pastEvent('Voices in crisis care');
    const visitor = t.client();

    expect((await visitor.get(`${absentPath}/certificate.pdf`)).statusCode).toBe(404);
    expect((await visitor.get(`${absentPath}/certificate`)).statusCode).toBe(404);
    const booking = await visitor.get(comePath);
    expect(booking.body).toContain(`${comePath}/certificate`);

    const page = await visitor.get(`${comePath}/certificate`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="Zoe OBrien"');
    // The name is corrected before downloading; an empty one is refused on the page, kept as typed.
    const empty = await visitor.post(`${comePath}/certificate`, { name: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('There is a problem');
    expect((await visitor.post(`${comePath}/certificate`, { name: 'Zoë Ó Briain' })).statusCode).toBe(303);

    const pdf = await visitor.get(`${comePath}/certificate.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain('Zoë Ó Briain');
    expect(text).toContain(event.title);
    expect(text).toContain('3 hours');
    // Fonts are embedded: the PDF carries its font files.
    expect(pdf.rawPayload.includes('/FontFile2')).toBe(true);

    const code = codeIn(text)!;
    expect(code.replace(/-/g, '')).toHaveLength(26);
    const verified = await t.client().get(`/certificates/${code}`);
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain('This certificate is valid');
    expect(verified.body).toContain('Zoë Ó Briain');
    expect(verified.body).toContain(event.title);
    // Typed in lower case and without dashes, from the form, it is the same code.
    const typed = await t.client().get(`/certificates?code=${encodeURIComponent(code.replace(/-/g, ' ').toLowerCase())}`);
    expect(typed.headers.location).toBe(`/certificates/${code}`);
    // Only name, event and date: not the address or anything else of the booking.
    expect(verified.body).not.toContain('came-');
  });

  it('a corrected name gives a new code; an undone check-in revokes the certificate, and the page leaks nothing', async () => {
    const { event, came, comePath } = await pastEvent('Recovery colleges');
    const visitor = t.client();
    const first = codeIn(await pdfText((await visitor.get(`${comePath}/certificate.pdf`)).rawPayload))!;
    expect((await visitor.post(`${comePath}/certificate`, { name: 'Zed Brien' })).statusCode).toBe(303);
    const second = codeIn(await pdfText((await visitor.get(`${comePath}/certificate.pdf`)).rawPayload))!;
    expect(second).not.toBe(first);
    const old = await t.client().get(`/certificates/${first}`);
    expect(old.statusCode).toBe(404);
    expect(old.body).not.toContain('Zoe OBrien');
    expect((await t.client().get(`/certificates/${second}`)).statusCode).toBe(200);

    expect((await organiser.post(`/organise/events/${event.slug}/check-in/${came.id}`, { attended: 'no' })).statusCode).toBe(303);
    const revoked = await t.client().get(`/certificates/${second}`);
    expect(revoked.statusCode).toBe(404);
    expect(revoked.body).toContain('does not match a valid certificate');
    expect(revoked.body).not.toContain('Zed Brien');
    expect(revoked.body).not.toContain(event.title);
    // The same words as for a code that never existed.
    const never = await t.client().get('/certificates/0000-0000-0000-0000-0000-0000-00');
    const main = (body: string) => /<main[\s\S]*<\/main>/.exec(body)![0];
    expect(main(never.body)).toBe(main(revoked.body));
    expect((await visitor.get(`${comePath}/certificate.pdf`)).statusCode).toBe(404);
  });

  it('thanks each person checked in once after the event, with their certificate attached', async () => {
    const { came, absent } = await pastEvent('Peer support today');
    await t.db.delete(outboxMessages);
    const ran = await t.app.afterEventJobs.runDue();
    expect(ran.thanked).toBeGreaterThanOrEqual(1);
    const thanks = async () => (await mailsTo(t.db, came.email)).filter((m) => m.template === 'certificate-thank-you');
    const [mail] = await thanks();
    expect(mail!.template).toBe('certificate-thank-you');
    expect(mail!.attachments[0]!.contentType).toBe('application/pdf');
    const text = await pdfText(Buffer.from(mail!.attachments[0]!.content, 'base64'));
    expect(text).toContain('Zoe OBrien');
    expect(text).toContain('Peer support today');
    expect((await mailsTo(t.db, absent.email)).filter((m) => m.template === 'certificate-thank-you')).toHaveLength(0);
    // Once per person, even after the name is corrected.
    await t.app.afterEventJobs.runDue();
    expect(await thanks()).toHaveLength(1);
  });

  it('organisers set hours of learning and issue certificates in bulk; members download theirs from Your bookings', async () => {
    const { event, came } = await pastEvent('Hearing voices');
    const refused = await organiser.post(`/organise/events/${event.slug}/certificates/hours`, { hours: 'lots' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('value="lots"');
    const saved = await organiser.post(`/organise/events/${event.slug}/certificates/hours`, { hours: '2.5' });
    expect(saved.statusCode, saved.body.slice(saved.body.indexOf('<main'), saved.body.indexOf('<main') + 1500)).toBe(303);
    expect((await organiser.post(`/organise/events/${event.slug}/certificates/issue`)).statusCode).toBe(303);
    const issued = await t.db.select().from(certificates).where(eq(certificates.eventId, event.id));
    expect(issued.map((c) => c.name)).toEqual(['Zoe OBrien']);
    const page = await organiser.get(`/organise/events/${event.slug}/certificates`);
    expect(page.body).toContain('2.5 hours');

    const member = await t.signedIn(came.email);
    const list = await member.get('/account/bookings');
    expect(list.body).toContain(`/account/bookings/${came.id}/certificate.pdf`);
    const pdf = await member.get(`/account/bookings/${came.id}/certificate.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(await pdfText(pdf.rawPayload)).toContain('Hours of learning (CPD): 2.5 hours');
    // Someone else cannot reach it by changing the id.
    const other = await t.signedIn('someone-else@example.org');
    expect((await other.get(`/account/bookings/${came.id}/certificate.pdf`)).statusCode).toBe(404);

    // Erased means erased: deleting the account removes the certificate and its name.
    const code = issued[0]!.code;
    expect((await member.post('/account/delete')).statusCode).toBe(303);
    expect(await t.db.select().from(certificates).where(eq(certificates.registrationId, came.id))).toHaveLength(0);
    expect((await t.client().get(`/certificates/${code}`)).statusCode).toBe(404);
  });

  it('a place without an email address gets a certificate to print and no email; an erased place gets neither', async () => {
    const { event, came } = await pastEvent('Carers in the room');
    const [margaret] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'attended', attendedAt: new Date(), name: 'Margaret Hill', email: '' })
      .returning();
    // Her support worker, booked with her: a companion has their booker's (empty) address.
    await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'attended', attendedAt: new Date(), name: 'Sam Support', email: '', companionOfId: margaret!.id });
    // A place whose details were erased after check-in, as account deletion leaves it.
    const [erased] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'attended', attendedAt: new Date(), name: '', email: 'booking@erased.invalid' })
      .returning();
    await t.db.delete(outboxMessages);

    await t.app.afterEventJobs.runDue();
    await t.app.afterEventJobs.runDue();
    const mails = await t.db.select().from(outboxMessages);
    // Only the person with an address is written to, once.
    expect(mails.map((m) => [m.template, m.toAddress]).filter(([template]) => template === 'certificate-thank-you')).toEqual([
      ['certificate-thank-you', came.email],
    ]);
    expect(mails.every((m) => m.toAddress === came.email)).toBe(true);
    const issued = await t.db.select().from(certificates).where(eq(certificates.eventId, event.id));
    expect(issued.map((c) => c.name).sort()).toEqual(['Margaret Hill', 'Sam Support', 'Zoe OBrien']);
    expect(issued.find((c) => c.name === 'Margaret Hill')!.thankedAt).toBeNull();
    expect(issued.some((c) => c.registrationId === erased!.id)).toBe(false);

    // The page says what happened: no email for Margaret, nothing for the erased place.
    const page = await organiser.get(`/organise/events/${event.slug}/certificates`);
    const row = (name: string) => new RegExp(`${name}[\\s\\S]*?</tr>`).exec(page.body)![0];
    expect(row('Margaret Hill')).toContain('No email address: download the certificate to print for them');
    expect(row('Margaret Hill')).not.toContain('Sent');
    expect(row('Zoe OBrien')).toContain('Sent');
    expect(page.body).toContain('3 of 3 people checked in have a certificate.');
    expect(page.body).toContain('1 place checked in belongs to people whose details were erased: it has no certificate and nobody is emailed.');

    const pdf = await organiser.get(`/organise/events/${event.slug}/certificates/${margaret!.id}/certificate.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(await pdfText(pdf.rawPayload)).toContain('Margaret Hill');
    // Neither the bulk button nor a download makes one for the erased place.
    expect((await organiser.post(`/organise/events/${event.slug}/certificates/issue`)).statusCode).toBe(303);
    expect((await organiser.get(`/organise/events/${event.slug}/certificates/${erased!.id}/certificate.pdf`)).statusCode).toBe(404);
    expect(await t.db.select().from(certificates).where(eq(certificates.registrationId, erased!.id))).toHaveLength(0);
  });

  it('an organiser corrects a companion’s name before the certificates go, and the certificate shows it', async () => {
    const { event, came } = await pastEvent('Advocacy and rights');
    const [companion] = await t.db
      .insert(registrations)
      .values({ eventId: event.id, status: 'attended', attendedAt: new Date(), name: 'Jo Smit', email: came.email, companionOfId: came.id })
      .returning();
    const page = await organiser.get(`/organise/events/${event.slug}/certificates`);
    expect(page.body).toContain(`/organise/events/${event.slug}/certificates/${companion!.id}/name`);
    const form = await organiser.get(`/organise/events/${event.slug}/certificates/${companion!.id}/name`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Jo Smit"');
    const empty = await organiser.post(`/organise/events/${event.slug}/certificates/${companion!.id}/name`, { name: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter the name as it should appear on the certificate');
    const saved = await organiser.post(`/organise/events/${event.slug}/certificates/${companion!.id}/name`, { name: 'Jo Smith-Patel' });
    expect(saved.statusCode).toBe(303);

    await t.db.delete(outboxMessages);
    await t.app.afterEventJobs.runDue();
    const thanks = (await mailsTo(t.db, came.email)).filter((m) => m.template === 'certificate-thank-you');
    const texts = await Promise.all(thanks.map((m) => pdfText(Buffer.from(m.attachments[0]!.content, 'base64'))));
    expect(texts.some((text) => text.includes('Jo Smith-Patel'))).toBe(true);
    expect(texts.some((text) => text.includes('Jo Smit\n'))).toBe(false);
    const code = codeIn(texts.find((text) => text.includes('Jo Smith-Patel'))!)!;
    expect((await t.client().get(`/certificates/${code}`)).body).toContain('Jo Smith-Patel');

    // Corrected again after it went: a new code, and the old one stops checking.
    expect((await organiser.post(`/organise/events/${event.slug}/certificates/${companion!.id}/name`, { name: 'Joanna Smith-Patel' })).statusCode).toBe(303);
    expect((await t.client().get(`/certificates/${code}`)).statusCode).toBe(404);
    const again = await organiser.get(`/organise/events/${event.slug}/certificates/${companion!.id}/certificate.pdf`);
    expect(await pdfText(again.rawPayload)).toContain('Joanna Smith-Patel');
  });
});

describe('no certificate before the event has ended', () => {
  // Check-in can open days early (the walk checked people in for a launch day 24 days away), and the
  // certificates page then issued certificates saying they had attended, which verified publicly.
  it('issues, offers and downloads nothing until the event has ended, to organisers or to the person', async () => {
    const { event, came, comePath } = await pastEvent('Launch still to come');
    const startsAt = new Date(Date.now() + 24 * 86_400_000);
    await t.db
      .update(events)
      .set({ startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000) })
      .where(eq(events.id, event.id));
    const base = `/organise/events/${event.slug}/certificates`;

    const page = await organiser.get(base);
    expect(page.body).toContain('Once the event has ended you can check and correct the names, issue the certificates and download them to print.');
    for (const offered of ['Issue certificates to everyone checked in', 'issue the certificates sooner', `${base}/${came.id}/name`, 'certificate.pdf'])
      expect(page.body).not.toContain(offered);
    const issue = await organiser.post(`${base}/issue`);
    expect(issue.statusCode).toBe(409);
    expect(issue.body).toContain('Certificates of attendance can be issued once the event has ended.');
    expect((await organiser.get(`${base}/${came.id}/certificate.pdf`)).statusCode).toBe(409);
    expect((await t.client().get(comePath)).body).not.toContain('Your certificate of attendance');
    expect((await t.client().get(`${comePath}/certificate.pdf`)).statusCode).toBe(409);
    // Its page, reached by its address, says when it will be ready, with nothing that cannot work yet.
    const early = await t.client().get(`${comePath}/certificate`);
    expect(early.body).toContain('will be ready here once the event has ended');
    for (const absent of ['You attended', 'Save the name', 'certificate.pdf']) expect(early.body).not.toContain(absent);
    const member = await t.signedIn(came.email);
    expect((await member.get('/account/bookings')).body).not.toContain('certificate.pdf');
    expect((await member.get(`/account/bookings/${came.id}/certificate.pdf`)).statusCode).toBe(409);
    await t.app.afterEventJobs.runDue(new Date(startsAt.getTime() - 3_600_000));
    expect(await t.db.select().from(certificates).where(eq(certificates.eventId, event.id))).toEqual([]);

    // Once it has ended, all of it.
    await t.db
      .update(events)
      .set({ startsAt: new Date(Date.now() - 4 * 3_600_000), endsAt: new Date(Date.now() - 3_600_000) })
      .where(eq(events.id, event.id));
    expect((await organiser.get(base)).body).toContain('Issue certificates to everyone checked in');
    expect((await organiser.post(`${base}/issue`)).statusCode).toBe(303);
    expect((await t.client().get(comePath)).body).toContain('Your certificate of attendance');
    expect((await t.client().get(`${comePath}/certificate.pdf`)).statusCode).toBe(200);
  });
});
