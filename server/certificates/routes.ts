// Certificates of attendance: the person's page to correct their name and download it (from their
// booking's private link, or signed in from "Your bookings"), the public page that checks a code,
// and the organisers' page to set hours of learning and issue certificates in bulk.
import type { Me } from '../me.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ConflictError, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import { tookPlace } from '../event-over.ts';
import { submit } from '../http/form-route.ts';
import { formState, validationErrors } from '../http/forms.ts';
import { Uuid } from '../http/ids.ts';
import { SlugIdParams, SlugParams, TokenParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { registrationIdForToken } from '../registration/links.ts';
import { getBookingParty, getEvent, getEventBySlug, ownBookingId } from '../registration/queries.ts';
import { groupedCode, normaliseCode } from './codes.ts';
import { certificatePdf } from './pdf.ts';
import { certificateEventView, hoursFormValues, organiseCertificatesView } from './view-models.ts';
import {
  certificateFacts,
  certificateForOrganiser,
  certificatesAt,
  correctCertificateName,
  currentCertificate,
  issueAll,
  issueCertificate,
  learningHours,
  parseHours,
  setLearningHours,
  verifyCertificate,
  type CertificateRow,
} from './service.ts';

const NameForm = Type.Object({ name: Type.String({ title: 'Your name as it should appear on the certificate', minLength: 1, maxLength: 120 }) });
const OrganiserNameForm = Type.Object({ name: Type.String({ title: 'Name as it should appear on the certificate', minLength: 1, maxLength: 120 }) });
// Session hours arrive as session_<id> fields, checked against the event's sessions.
const HoursForm = Type.Object(
  { hours: Type.Optional(Type.String({ title: 'Hours of learning for the whole event', maxLength: 10 })) },
  { additionalProperties: Type.String({ maxLength: 200 }) },
);

export const certificateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The checked-in booking (never a companion's link) a manage link opens. */
  async function attendedBooking(token: string, viewer: Me | null) {
    const registrationId = await registrationIdForToken(app.db, token, { daysAfterEvent: app.config.manageLinkDaysAfterEvent, viewer });
    const party = registrationId ? await getBookingParty(app.db, registrationId) : null;
    if (!party || party.main.companionOfId) throw new NotFoundError('This booking link does not work. Check you copied all of it from the email.');
    if (party.main.status !== 'attended') throw new NotFoundError('A certificate of attendance is for people checked in at the event.');
    return party.main;
  }

  async function sendPdf(reply: FastifyReply, certificate: CertificateRow) {
    const pdf = await certificatePdf(await certificateFacts(app.db, certificate, app.config.baseUrl));
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', 'attachment; filename="certificate-of-attendance.pdf"')
      .header('cache-control', 'no-store')
      .send(pdf);
  }

  async function bookingPage(reply: FastifyReply, token: string, form = formState(), status = 200) {
    const booking = await attendedBooking(token, reply.request.me);
    const event = (await getEvent(app.db, booking.eventId))!;
    const certificate = await currentCertificate(app.db, { registrationId: booking.id });
    const name = certificate?.name ?? booking.name;
    const hours = await learningHours(app.db, event);
    return reply.page(
      'certificates/booking',
      {
        title: 'Your certificate of attendance',
        base: `/bookings/${token}`,
        ...certificateEventView(event, hours, certificate?.code ?? null),
        // Checked in early (check-in opens before the day): nothing to download or rename yet.
        ready: tookPlace(event, new Date()),
        form: form.values.name === undefined ? formState({ name }, form.errors) : form,
      },
      status,
    );
  }

  app.get('/bookings/:token/certificate', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    return bookingPage(reply, token);
  });

  app.post(
    '/bookings/:token/certificate',
    { config: { access: 'public' }, schema: { params: TokenParams, body: NameForm }, attachValidation: true },
    async (request, reply) => {
      const { token } = request.params;
      const body: { name?: string } = request.body ?? {};
      return submit(request, reply, {
        values: body,
        again: (form, status) => bookingPage(reply, token, form, status),
        run: async () => {
          const booking = await attendedBooking(token, request.me);
          await issueCertificate(app.db, { registrationId: booking.id, name: body.name ?? '' });
        },
        done: { to: `/bookings/${token}/certificate`, notice: 'Your name is saved. Download your certificate below.' },
      });
    },
  );

  app.get('/bookings/:token/certificate.pdf', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const booking = await attendedBooking(token, request.me);
    return sendPdf(reply, await issueCertificate(app.db, { registrationId: booking.id }));
  });

  // Signed in: from "Your bookings", scoped to bookings made by them or with their address.
  app.get('/account/bookings/:id/certificate.pdf', { config: { access: 'member' }, schema: { params: Type.Object({ id: Uuid }) } }, async (request, reply) => {
    const me = signedIn(request);
    const { id } = request.params;
    const registrationId = await ownBookingId(app.db, id, me, { attended: true });
    if (!registrationId) throw new NotFoundError('We could not find a certificate for that booking.');
    return sendPdf(reply, await issueCertificate(app.db, { registrationId }));
  });

  // ---- Anyone: check a certificate ----

  app.get(
    '/certificates',
    { config: { access: 'public' }, schema: { querystring: Type.Object({ code: Type.Optional(Type.String({ maxLength: 100 })) }) } },
    async (request, reply) => {
      const { code } = request.query;
      if (code !== undefined) {
        const normal = normaliseCode(code);
        if (normal) return reply.redirect(`/certificates/${groupedCode(normal)}`, 303);
        return reply.page(
          'certificates/check',
          {
            title: 'Check a certificate of attendance',
            form: formState({ code }, [{ field: 'code', message: 'Enter the code as it is printed on the certificate, like 1A2B-3C4D-…' }]),
          },
          400,
        );
      }
      return reply.page('certificates/check', { title: 'Check a certificate of attendance', form: formState() });
    },
  );

  app.get(
    '/certificates/:code',
    { config: { access: 'public' }, schema: { params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 100 }) }) } },
    async (request, reply) => {
      const { code } = request.params;
      const verified = await verifyCertificate(app.db, code);
      // Search engines need not list who attended what.
      reply.header('x-robots-tag', 'noindex');
      return reply.page(
        'certificates/verified',
        { title: verified ? 'This certificate is valid' : 'We cannot confirm this certificate', verified, code },
        verified ? 200 : 404,
      );
    },
  );

  // ---- Organisers ----

  async function organiserPage(reply: FastifyReply, slug: string, form = formState(), status = 200) {
    const event = await getEventBySlug(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event.');
    const hours = await learningHours(app.db, event);
    const { people, erased } = await certificatesAt(app.db, event.id);
    const values = form.values.hours !== undefined ? form.values : hoursFormValues(hours);
    return reply.page(
      'certificates/organise',
      {
        title: `Certificates: ${event.title}`,
        base: `/organise/events/${event.slug}`,
        eventTitle: event.title,
        ...organiseCertificatesView(event, hours, people, erased),
        form: formState(values, form.errors),
      },
      status,
    );
  }

  app.get('/organise/events/:slug/certificates', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    return organiserPage(reply, slug);
  });

  app.post(
    '/organise/events/:slug/certificates/hours',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: HoursForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Record<string, string | undefined> = request.body ?? {};
      const errors = validationErrors(request);
      if (errors.length) return organiserPage(reply, slug, formState(body, errors), 400);
      const event = await getEventBySlug(app.db, slug);
      if (!event) throw new NotFoundError('We could not find that event.');
      const sessionIds = (await learningHours(app.db, event)).sessions.map((s) => s.id);
      const fieldErrors: FieldError[] = [];
      const read = (field: string) => {
        try {
          return parseHours(body[field] ?? '', field);
        } catch (error) {
          if (error instanceof InvalidInputError) fieldErrors.push(...error.fieldErrors);
          return null;
        }
      };
      const eventMinutes = read('hours');
      const sessions = new Map(sessionIds.map((id) => [id, read(`session_${id}`)]));
      if (fieldErrors.length) return organiserPage(reply, slug, formState(body, fieldErrors), 400);
      await setLearningHours(app.db, event.id, { eventMinutes, sessions }, signedIn(request));
      return reply.notice('Hours of learning saved. Certificates show them from now on.').redirect(`/organise/events/${slug}/certificates`, 303);
    },
  );

  app.post('/organise/events/:slug/certificates/issue', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    const event = await getEventBySlug(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event.');
    if (event.status === 'cancelled') throw new ConflictError('event_cancelled', 'This event was cancelled, so there is nobody to give a certificate to.');
    const count = await issueAll(app.db, event.id, signedIn(request));
    return reply
      .notice(count ? `${count} ${count === 1 ? 'certificate' : 'certificates'} issued.` : 'Everyone checked in already has a certificate.')
      .redirect(`/organise/events/${slug}/certificates`, 303);
  });

  // An organiser downloads a place's certificate: to print for someone booked without an email
  // address, or to pass on.
  app.get(
    '/organise/events/:slug/certificates/:id/certificate.pdf',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const event = await getEventBySlug(app.db, slug);
      if (!event) throw new NotFoundError('We could not find that event.');
      return sendPdf(reply, await certificateForOrganiser(app.db, event.id, id));
    },
  );

  // An organiser corrects the name on a certificate: the only way for a companion's.
  async function namePage(reply: FastifyReply, slug: string, id: string, form = formState(), status = 200) {
    const event = await getEventBySlug(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event.');
    const place = (await certificatesAt(app.db, event.id)).people.find((p) => p.registrationId === id);
    if (!place) throw new NotFoundError('We could not find anyone checked in with that place at this event.');
    return reply.page(
      'certificates/organise-name',
      {
        title: `Correct the name on a certificate: ${event.title}`,
        base: `/organise/events/${event.slug}`,
        eventTitle: event.title,
        id,
        currentName: place.name,
        issued: place.code !== null,
        form: form.values.name === undefined ? formState({ name: place.name }, form.errors) : form,
      },
      status,
    );
  }

  app.get('/organise/events/:slug/certificates/:id/name', { config: { access: 'organiser' }, schema: { params: SlugIdParams } }, async (request, reply) => {
    const { slug, id } = request.params;
    return namePage(reply, slug, id);
  });

  app.post(
    '/organise/events/:slug/certificates/:id/name',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams, body: OrganiserNameForm }, attachValidation: true },
    async (request, reply) => {
      const { slug, id } = request.params;
      const body: { name?: string } = request.body ?? {};
      return submit(request, reply, {
        values: body,
        again: (form, status) => namePage(reply, slug, id, form, status),
        run: async () => {
          const event = await getEventBySlug(app.db, slug);
          if (!event) throw new NotFoundError('We could not find that event.');
          await correctCertificateName(app.db, event.id, id, body.name ?? '', signedIn(request));
        },
        done: {
          to: `/organise/events/${slug}/certificates`,
          notice: 'The name is corrected. The certificate shows it, with a new code; the old code no longer checks.',
        },
      });
    },
  );
};
