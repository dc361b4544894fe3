// Organiser pages that give out places by hand (all `access: 'organiser'`): booking for someone
// who phoned or wrote (with a confirmation page to print for someone without email), a hybrid
// event's online places, and places reserved for a group behind a code.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DateTime } from 'luxon';
import { Type } from 'typebox';
import { NotFoundError } from '../errors.ts';
import { text, type Body } from '../http/form-values.ts';
import { submit } from '../http/form-route.ts';
import { formState, type FormState } from '../http/forms.ts';
import { SlugIdParams, SlugParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { UuidOrEmpty } from '../http/ids.ts';
import { availability } from './holds.ts';
import { setOnlineCapacity } from './organiser.ts';
import { answersFor, getBookingParty, getEventBySlug, listQuestions, listTicketTypes } from './queries.ts';
import { endReservation, hasReservations, listReservations, reservePlaces } from './reserved-places.ts';
import { AnswersFields, paidMode, registrationFromBody, short } from './routes.ts';
import { bookForSomeone, requireNotOver } from './service.ts';
import { attendanceChoices, confirmationModel, perspectiveOptions, questionFields, reservationRows, ticketOptions } from './view-models.ts';

const ForSomeoneForm = Type.Object({
  ticketTypeId: Type.Optional(UuidOrEmpty({ title: 'Kind of place', errorMessage: 'Select the kind of place' })),
  attendance: Type.Optional(Type.String({ title: 'How will they attend?', maxLength: 20 })),
  name: short('Their name'),
  email: Type.Optional(Type.String({ title: 'Their email address (optional)', maxLength: 320 })),
  companion: Type.Optional(Type.String({ maxLength: 10 })),
  code: Type.Optional(Type.String({ title: 'Code for reserved places (optional)', maxLength: 40 })),
  ...AnswersFields,
  companionName: short('Their companion’s name'),
});
const OnlineForm = Type.Object({ onlineCapacity: Type.Optional(Type.String({ title: 'Online places', maxLength: 7 })) });
const ReserveForm = Type.Object({
  groupName: Type.Optional(Type.String({ title: 'Who the places are for', maxLength: 200 })),
  places: Type.Optional(Type.String({ title: 'Places', maxLength: 5 })),
  expiresAt: Type.Optional(Type.String({ title: 'Code stops working', maxLength: 20 })),
  attendance: Type.Optional(Type.String({ title: 'Which places', maxLength: 20 })),
});

/** A whole number typed in a form: null when empty, -1 (refused by the service) when not a number. */
function wholeOrNull(raw: string): number | null {
  const trimmed = raw.trim();
  return trimmed === '' ? null : /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : -1;
}

export const organiserBookingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = (slug: string) => `/organise/events/${slug}`;

  async function eventFor(slug: string) {
    const event = await getEventBySlug(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event.');
    return event;
  }

  // --- Booking for someone ----------------------------------------------------------------

  async function forSomeoneModel(slug: string, form?: FormState) {
    const event = await eventFor(slug);
    const now = new Date();
    requireNotOver(event, now, 'book');
    const [types, questions, avail, askCode] = await Promise.all([
      listTicketTypes(app.db, event.id),
      listQuestions(app.db, event.id),
      availability(app.db, event.id, now),
      hasReservations(app.db, event.id),
    ]);
    // Paid places are for the person to book and pay for themselves.
    const tickets = ticketOptions(types, avail, now).filter((t) => t.onSale && t.free);
    const values: Record<string, unknown> = {};
    if (tickets.length === 1) values.ticketTypeId = tickets[0]!.id;
    return {
      title: `Book a place for someone: ${event.title}`,
      event: { title: event.title, slug: event.slug, published: event.status === 'published' },
      base: base(slug),
      tickets,
      attendance: attendanceChoices(avail),
      askCode,
      questions: questionFields(questions),
      perspectives: perspectiveOptions(),
      forSomeone: true,
      form: form ?? formState(values),
    };
  }

  app.get('/organise/events/:slug/attendees/book', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    return reply.page('registration/book-for-someone', await forSomeoneModel(slug));
  });

  app.post(
    '/organise/events/:slug/attendees/book',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: ForSomeoneForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const event = await eventFor(slug);
      return submit(request, reply, {
        values: body,
        again: async (form, status) => reply.page('registration/book-for-someone', await forSomeoneModel(slug, form), status),
        conflict: { field: 'form' },
        run: () => bookForSomeone(app.db, event.id, registrationFromBody(body), signedIn(request), { baseUrl: app.config.baseUrl, paidMode: paidMode(app) }),
        done: ({ kind, registrationId }) => ({
          to: `${base(slug)}/attendees/${registrationId}/confirmation`,
          notice:
            kind === 'waitlisted'
              ? 'There is no place free, so they are on the waiting list. We have emailed them, and will email them if a place is offered.'
              : text(body, 'email').trim()
                ? 'The place is booked. We have emailed them the details.'
                : 'The place is booked. They have no email address, so print this page or read it to them.',
        }),
      });
    },
  );

  app.get(
    '/organise/events/:slug/attendees/:id/confirmation',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const event = await eventFor(slug);
      const party = await getBookingParty(app.db, id);
      // Scoped by the event: another event's booking is not found here.
      if (!party || party.main.eventId !== event.id || party.main.companionOfId) throw new NotFoundError('We could not find that booking for this event.');
      const [types, questions, answers] = await Promise.all([
        listTicketTypes(app.db, event.id, { includeWithdrawn: true }),
        listQuestions(app.db, event.id, { includeWithdrawn: true }),
        answersFor(app.db, [id]),
      ]);
      return reply.page('registration/booking-confirmation', {
        ...confirmationModel({ event, party, types, questions, answers, contactEmail: app.config.contactEmail }),
        backUrl: `${base(slug)}/attendees`,
      });
    },
  );

  // --- A hybrid event's online places ------------------------------------------------------

  async function onlineModel(slug: string, form?: FormState) {
    const event = await eventFor(slug);
    if (event.format !== 'hybrid') throw new NotFoundError('Only an event that is both in person and online has online places of its own.');
    return {
      title: `Online places: ${event.title}`,
      event: { title: event.title, slug: event.slug, capacity: event.capacity },
      base: base(slug),
      form: form ?? formState({ onlineCapacity: event.onlineCapacity === null ? '' : String(event.onlineCapacity) }),
    };
  }

  app.get('/organise/events/:slug/places/online', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    return reply.page('registration/online-places', await onlineModel(slug));
  });

  app.post(
    '/organise/events/:slug/places/online',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: OnlineForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const event = await eventFor(slug);
      return submit(request, reply, {
        values: body,
        again: async (form, status) => reply.page('registration/online-places', await onlineModel(slug, form), status),
        conflict: { field: 'onlineCapacity' },
        run: () => setOnlineCapacity(app.db, event.id, wholeOrNull(text(body, 'onlineCapacity')), signedIn(request)),
        done: { to: `${base(slug)}/places`, notice: 'Online places saved.' },
      });
    },
  );

  // --- Reserved places ---------------------------------------------------------------------

  async function reservedModel(slug: string, form?: FormState) {
    const event = await eventFor(slug);
    const now = new Date();
    const [rows, avail] = await Promise.all([listReservations(app.db, event.id), availability(app.db, event.id, now)]);
    return {
      title: `Reserved places: ${event.title}`,
      event: { title: event.title, slug: event.slug },
      base: base(slug),
      reservations: reservationRows(rows, now),
      attendance: attendanceChoices(avail),
      form: form ?? formState({ attendance: 'in_person' }),
    };
  }

  app.get('/organise/events/:slug/places/reserved', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    return reply.page('registration/reserved-places', await reservedModel(slug));
  });

  app.post(
    '/organise/events/:slug/places/reserved',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: ReserveForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const event = await eventFor(slug);
      const raw = text(body, 'expiresAt').trim();
      const parsed = raw ? DateTime.fromISO(raw, { zone: 'Europe/London' }) : null;
      const attendance = text(body, 'attendance');
      return submit(request, reply, {
        values: body,
        errors: parsed && !parsed.isValid ? [{ field: 'expiresAt', message: 'Enter a date and time, like 2026-12-01 09:00' }] : [],
        again: async (form, status) => reply.page('registration/reserved-places', await reservedModel(slug, form), status),
        run: () =>
          reservePlaces(
            app.db,
            event.id,
            {
              groupName: text(body, 'groupName'),
              places: wholeOrNull(text(body, 'places')) ?? -1,
              expiresAt: parsed?.toJSDate() ?? null,
              attendance: attendance === 'online' ? 'online' : attendance === 'in_person' ? 'in_person' : null,
            },
            signedIn(request),
          ),
        done: ({ code }) => ({ to: `${base(slug)}/places/reserved`, notice: `Places reserved. Their code is ${code}: pass it on to the group.` }),
      });
    },
  );

  app.post('/organise/events/:slug/places/reserved/:id/end', { config: { access: 'organiser' }, schema: { params: SlugIdParams } }, async (request, reply) => {
    const { slug, id } = request.params;
    const event = await eventFor(slug);
    return submit(request, reply, {
      run: () => endReservation(app.db, event.id, id, signedIn(request)),
      done: (ended) => ({
        to: `${base(slug)}/places/reserved`,
        notice: ended ? 'The code no longer works. Its unused places are free for everyone.' : 'That code had already stopped working.',
      }),
    });
  });
};
