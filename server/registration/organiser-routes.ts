// Organiser pages for one event's places and bookings (all `access: 'organiser'`): places and
// questions, attendees with filters and CSV, the venue's access and dietary summary, messages
// to attendees, check-in on a phone, and payments (invoice paid, refund).
import { SlugIdParams, SlugParams } from '../http/params.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { list, text, type Body } from '../http/form-values.ts';
import { submit } from '../http/form-route.ts';
import { DateTime } from 'luxon';
import { type Static, Type } from 'typebox';
import { registrationStatuses, type BookingMode } from '../../db/schema/index.ts';
import { ERROR_CODE_HEADER, InvalidInputError, NotFoundError, type FieldError } from '../errors.ts';
import type { Me } from '../me.ts';
import { isOwnBooking, ownBookingMessage } from './own-booking.ts';
import { sendCsv, spreadsheetCsv } from '../http/csv.ts';
import { formState } from '../http/forms.ts';
import { availability } from './holds.ts';
import {
  addQuestion,
  auditAttendeeExport,
  addTicketType,
  attendeePage,
  attendeeTallies,
  listAttendees,
  messageAttendees,
  paymentStatuses,
  saveSettings,
  setAttended,
  setTicketTypeWithdrawn,
  updateTicketType,
  withdrawQuestion,
  type TicketTypeInput,
} from './organiser.ts';
import { answersFor, getEventBySlug, getSettings, listQuestions, listTicketTypes, type EventRow } from './queries.ts';
import { bookingState } from './booking-state.ts';
import { checkInState, openCheckInEarly } from './check-in.ts';
import { CANCELLED_BY_ORGANISER, cancelRegistration, requireNotOver } from './service.ts';
import {
  attendeeCsv,
  ATTENDEES_PER_PAGE,
  attendeeListPlace,
  attendeeRows,
  attendeesModel,
  checkInClosed,
  checkInPeople,
  confirmActionModel,
  messagePeople,
  needsModel,
  paymentModeWords,
  placesSummary,
  questionRows,
  refundNotice,
  cancelledNotice,
  refundPaidNotice,
  ticketTypeRows,
  ticketTypeValues,
} from './view-models.ts';
import { UuidOrEmpty } from '../http/ids.ts';
import { parsePounds } from '../money.ts';

const AttendeeQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal(''), ...registrationStatuses.map((s) => Type.Literal(s))])),
  ticket: Type.Optional(UuidOrEmpty({ title: 'Kind of place' })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});
const TicketTypeForm = Type.Object({
  name: Type.Optional(Type.String({ title: 'Name', maxLength: 120 })),
  description: Type.Optional(Type.String({ title: 'Description', maxLength: 1000 })),
  price: Type.Optional(Type.String({ title: 'Price', maxLength: 12 })),
  capacity: Type.Optional(Type.String({ title: 'Places', maxLength: 7 })),
  salesStartAt: Type.Optional(Type.String({ title: 'On sale from', maxLength: 20 })),
  salesEndAt: Type.Optional(Type.String({ title: 'On sale until', maxLength: 20 })),
  eligibility: Type.Optional(Type.String({ title: 'Who may choose it', maxLength: 300 })),
});
const QuestionForm = Type.Object({
  kind: Type.Optional(Type.String({ maxLength: 20 })),
  label: Type.Optional(Type.String({ title: 'Question', maxLength: 300 })),
  hint: Type.Optional(Type.String({ title: 'Hint', maxLength: 500 })),
  options: Type.Optional(Type.String({ title: 'Answers to choose from', maxLength: 3000 })),
  required: Type.Optional(Type.String({ maxLength: 10 })),
});
const SettingsForm = Type.Object({
  offerHours: Type.Optional(Type.String({ title: 'Hours to accept a waiting-list offer', maxLength: 4 })),
  registrationOpen: Type.Optional(Type.String({ maxLength: 10 })),
  bookingMode: Type.Optional(
    Type.Union([Type.Literal('here'), Type.Literal('not_needed'), Type.Literal('elsewhere'), Type.Literal('invitation')], { title: 'How people get a place' }),
  ),
});
const MessageForm = Type.Object({
  subject: Type.Optional(Type.String({ title: 'Subject', maxLength: 150 })),
  message: Type.Optional(Type.String({ title: 'Message', maxLength: 10_000 })),
  to: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: 5000 })])),
  includeWaiting: Type.Optional(Type.String({ maxLength: 10 })),
});
const CheckInQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) });
const CheckInForm = Type.Object({ attended: Type.Union([Type.Literal('yes'), Type.Literal('no')]), q: Type.Optional(Type.String({ maxLength: 100 })) });

/** A London wall-clock datetime-local value → UTC; "" → null. */
function londonTime(raw: string, field: string, errors: FieldError[]): Date | null {
  if (!raw.trim()) return null;
  const parsed = DateTime.fromISO(raw.trim(), { zone: 'Europe/London' });
  if (!parsed.isValid) {
    errors.push({ field, message: 'Enter a date and time, like 2026-12-01 09:00' });
    return null;
  }
  return parsed.toJSDate();
}

function ticketTypeInput(body: Body): TicketTypeInput {
  const errors: FieldError[] = [];
  const capacityRaw = text(body, 'capacity').trim();
  // Anything but digits becomes -1, which the service refuses with its message.
  const capacity = capacityRaw === '' ? null : /^\d+$/.test(capacityRaw) ? Number(capacityRaw) : -1;
  const input = {
    name: text(body, 'name'),
    description: text(body, 'description'),
    pricePence: parsePounds(text(body, 'price')) ?? 0,
    capacity,
    salesStartAt: londonTime(text(body, 'salesStartAt'), 'salesStartAt', errors),
    salesEndAt: londonTime(text(body, 'salesEndAt'), 'salesEndAt', errors),
    eligibility: text(body, 'eligibility'),
  };
  if (errors.length) throw new InvalidInputError(errors);
  return input;
}

export const organiserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mode = () => paymentModeWords(app.payments.mode);

  async function eventFor(slug: string) {
    const event = await getEventBySlug(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event.');
    return event;
  }

  const base = (slug: string) => `/organise/events/${slug}`;

  // --- Places and questions ---------------------------------------------------------------

  async function placesModel(
    slug: string,
    forms: { ticket?: ReturnType<typeof formState>; question?: ReturnType<typeof formState>; settings?: ReturnType<typeof formState> } = {},
  ) {
    const event = await eventFor(slug);
    const [types, questions, avail, settings] = await Promise.all([
      listTicketTypes(app.db, event.id, { includeWithdrawn: true }),
      listQuestions(app.db, event.id),
      availability(app.db, event.id),
      getSettings(app.db, event.id),
    ]);
    return {
      title: `Places and questions: ${event.title}`,
      event: {
        title: event.title,
        slug: event.slug,
        capacity: event.capacity,
        hybrid: event.format === 'hybrid',
        onlineCapacity: event.onlineCapacity,
        placesText: placesSummary(avail),
      },
      base: base(slug),
      paymentMode: mode(),
      types: ticketTypeRows(types, avail),
      questions: questionRows(questions),
      ticketForm: forms.ticket ?? formState({ price: '0' }),
      questionForm: forms.question ?? formState({ kind: 'short_text' }),
      settingsForm:
        forms.settings ??
        formState({ offerHours: String(settings.offerHours), registrationOpen: settings.registrationOpen, bookingMode: settings.bookingMode }),
    };
  }

  app.get('/organise/events/:slug/places', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    return reply.page('registration/places', await placesModel(slug));
  });

  app.post(
    '/organise/events/:slug/places/ticket-types',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: TicketTypeForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const event = await eventFor(slug);
      return submit(request, reply, {
        values: body,
        again: async (form, status) => reply.page('registration/places', await placesModel(slug, { ticket: form }), status),
        run: () => addTicketType(app.db, event.id, ticketTypeInput(body), signedIn(request)),
        done: { to: `${base(slug)}/places`, notice: 'The kind of place has been added.' },
      });
    },
  );

  app.get('/organise/events/:slug/places/ticket-types/:id', { config: { access: 'organiser' }, schema: { params: SlugIdParams } }, async (request, reply) => {
    const { slug, id } = request.params;
    const event = await eventFor(slug);
    const type = (await listTicketTypes(app.db, event.id, { includeWithdrawn: true })).find((t) => t.id === id);
    if (!type) throw new NotFoundError('We could not find that kind of place.');
    return reply.page('registration/ticket-type', {
      title: `Change ${type.name}`,
      base: base(slug),
      id,
      withdrawn: type.withdrawn,
      eventTitle: event.title,
      form: formState(ticketTypeValues(type)),
    });
  });

  app.post(
    '/organise/events/:slug/places/ticket-types/:id',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams, body: TicketTypeForm }, attachValidation: true },
    async (request, reply) => {
      const { slug, id } = request.params;
      const body: Body = request.body ?? {};
      const event = await eventFor(slug);
      return submit(request, reply, {
        values: body,
        again: (form, status) =>
          reply.page(
            'registration/ticket-type',
            { title: 'Change a kind of place', base: base(slug), id, withdrawn: false, eventTitle: event.title, form },
            status,
          ),
        run: () => updateTicketType(app.db, event.id, id, ticketTypeInput(body), signedIn(request)),
        done: { to: `${base(slug)}/places`, notice: 'Your changes have been saved.' },
      });
    },
  );

  app.post(
    '/organise/events/:slug/places/ticket-types/:id/withdraw',
    {
      config: { access: 'organiser' },
      schema: { params: SlugIdParams, body: Type.Object({ withdrawn: Type.Union([Type.Literal('yes'), Type.Literal('no')]) }) },
    },
    async (request, reply) => {
      const { slug, id } = request.params;
      const { withdrawn } = request.body;
      const event = await eventFor(slug);
      return submit(request, reply, {
        run: () => setTicketTypeWithdrawn(app.db, event.id, id, withdrawn === 'yes', signedIn(request)),
        done: {
          to: `${base(slug)}/places`,
          notice: withdrawn === 'yes' ? 'That kind of place is no longer on offer.' : 'That kind of place is on offer again.',
        },
      });
    },
  );

  app.post(
    '/organise/events/:slug/places/questions',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: QuestionForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const event = await eventFor(slug);
      return submit(request, reply, {
        values: body,
        again: async (form, status) => reply.page('registration/places', await placesModel(slug, { question: form }), status),
        run: () =>
          addQuestion(
            app.db,
            event.id,
            {
              kind: text(body, 'kind'),
              label: text(body, 'label'),
              hint: text(body, 'hint'),
              options: text(body, 'options').split(/\r?\n/),
              required: body.required === 'yes',
            },
            signedIn(request),
          ),
        done: { to: `${base(slug)}/places`, notice: 'The question has been added.' },
      });
    },
  );

  app.post(
    '/organise/events/:slug/places/questions/:id/withdraw',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const event = await eventFor(slug);
      return submit(request, reply, {
        run: () => withdrawQuestion(app.db, event.id, id, signedIn(request)),
        done: { to: `${base(slug)}/places`, notice: 'The question has been removed. Answers already given are kept.' },
      });
    },
  );

  app.post(
    '/organise/events/:slug/places/settings',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: SettingsForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const event = await eventFor(slug);
      return submit(request, reply, {
        values: body,
        again: async (form, status) => reply.page('registration/places', await placesModel(slug, { settings: form }), status),
        // The schema allows only the booking modes there are.
        run: () =>
          saveSettings(
            app.db,
            event.id,
            {
              offerHours: Number(text(body, 'offerHours') || 'x'),
              registrationOpen: body.registrationOpen === 'yes',
              bookingMode: (body.bookingMode as BookingMode | undefined) ?? 'here',
            },
            signedIn(request),
          ),
        done: { to: `${base(slug)}/places`, notice: 'Booking settings saved.' },
      });
    },
  );

  // --- Attendees ------------------------------------------------------------------------

  /** The attendee list as shown: one page of what the filter matches, or every match for the spreadsheet. */
  async function attendeeList(event: EventRow, filter: { status?: string; ticket?: string; q?: string }, me: Me, page?: number) {
    const { rows, total } = await attendeePage(
      app.db,
      event.id,
      { status: filter.status || undefined, ticketTypeId: filter.ticket || undefined, search: filter.q },
      page ? { limit: ATTENDEES_PER_PAGE, offset: (page - 1) * ATTENDEES_PER_PAGE } : undefined,
    );
    return { rows: attendeeRows(event, rows, new Date(), me), total };
  }

  app.get(
    '/organise/events/:slug/attendees',
    { config: { access: 'organiser' }, schema: { params: SlugParams, querystring: AttendeeQuery } },
    async (request, reply) => {
      const { slug } = request.params;
      const query = request.query;
      const event = await eventFor(slug);
      const [tallies, types, avail, { rows, total }] = await Promise.all([
        attendeeTallies(app.db, event.id),
        listTicketTypes(app.db, event.id, { includeWithdrawn: true }),
        availability(app.db, event.id),
        attendeeList(event, query, signedIn(request), query.page ?? 1),
      ]);
      return reply.page(
        'registration/attendees',
        attendeesModel({
          event,
          avail,
          base: base(slug),
          paymentMode: mode(),
          stripeOn: app.payments.mode === 'stripe',
          query,
          types,
          tallies,
          now: new Date(),
          rows,
          total,
        }),
      );
    },
  );

  app.get(
    '/organise/events/:slug/attendees.csv',
    { config: { access: 'organiser' }, schema: { params: SlugParams, querystring: AttendeeQuery } },
    async (request, reply) => {
      const { slug } = request.params;
      const event = await eventFor(slug);
      const { rows } = await attendeeList(event, request.query, signedIn(request));
      const questions = await listQuestions(app.db, event.id, { includeWithdrawn: true });
      const answers = await answersFor(
        app.db,
        rows.map((r) => r.id),
      );
      const { heading, body } = attendeeCsv(rows, questions, answers);
      const csv = spreadsheetCsv(heading, body);
      await auditAttendeeExport(app.db, event.id, rows.length, signedIn(request));
      return sendCsv(reply, `${event.slug}-attendees.csv`, csv);
    },
  );

  app.get('/organise/events/:slug/attendees/needs', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    const event = await eventFor(slug);
    return reply.page('registration/needs', needsModel(event, await listAttendees(app.db, event.id), base(slug)));
  });

  /** Back to the list where the organiser was: its filters and page come with the action (attendeeListPlace). */
  const afterAction = (slug: string, query: Static<typeof AttendeeQuery> = {}) => `${base(slug)}/attendees${attendeeListPlace(query)}`;

  // Cancelling or refunding someone's booking is asked twice: a confirmation page names them.
  app.get(
    '/organise/events/:slug/attendees/:id/:action',
    {
      config: { access: 'organiser' },
      schema: {
        params: Type.Object({ ...SlugIdParams.properties, action: Type.Union([Type.Literal('cancel'), Type.Literal('refund')]) }),
        querystring: AttendeeQuery,
      },
    },
    async (request, reply) => {
      const { slug, id, action } = request.params;
      const event = await eventFor(slug);
      const rows = await listAttendees(app.db, event.id);
      const row = rows.find((r) => r.id === id && !r.companionOfId);
      if (!row) throw new NotFoundError('We could not find that booking for this event.');
      if (action === 'cancel') requireNotOver(event, new Date(), 'cancel');
      // Nobody refunds their own booking: said on the list, as the refund itself would be refused.
      if (action === 'refund' && isOwnBooking(row, signedIn(request)))
        return reply.header(ERROR_CODE_HEADER, 'own_booking').notice(ownBookingMessage('refund'), 'important').redirect(afterAction(slug, request.query), 303);
      const payment = (await paymentStatuses(app.db, event.id)).get(id);
      // At an event in person and online, a freed place goes to someone waiting for that kind of place.
      const someoneWaiting = rows.some(
        (r) =>
          r.status === 'waitlisted' && !r.companionOfId && (event.format !== 'hybrid' || (r.attendance ?? 'in_person') === (row.attendance ?? 'in_person')),
      );
      return reply.page(
        'registration/confirm-action',
        confirmActionModel({
          event,
          row,
          payment,
          action,
          base: base(slug),
          now: new Date(),
          someoneWaiting,
          own: isOwnBooking(row, signedIn(request)),
          listPlace: attendeeListPlace(request.query),
          companions: rows.filter((r) => r.companionOfId === row.id && bookingState(r, event).active).map((r) => r.name),
        }),
      );
    },
  );

  app.post(
    '/organise/events/:slug/attendees/:id/cancel',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams, querystring: AttendeeQuery } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const event = await eventFor(slug);
      const rows = await listAttendees(app.db, event.id);
      const row = rows.find((r) => r.id === id && !r.companionOfId);
      if (!row) throw new NotFoundError('We could not find that booking for this event.');
      if (!bookingState(row, event).active)
        return reply.page(
          'errors/problem',
          { title: 'This booking has already ended', message: 'There is nothing to cancel: the booking has ended, or the event was cancelled.' },
          409,
        );
      return submit(request, reply, {
        run: () => cancelRegistration(app.db, id, signedIn(request), { reason: CANCELLED_BY_ORGANISER }),
        done: { to: afterAction(slug, request.query), notice: cancelledNotice(event, new Date()) },
      });
    },
  );

  app.post(
    '/organise/events/:slug/attendees/:id/invoice-paid',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams, querystring: AttendeeQuery } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const event = await eventFor(slug);
      return submit(request, reply, {
        run: () => app.payments.markInvoicePaid(event.id, id, signedIn(request)),
        done: { to: afterAction(slug, request.query), notice: 'Marked as paid. The booking is confirmed and the confirmation email is on its way.' },
        // Nothing unpaid, or their own booking: said on the list, as the refund's refusals are.
        conflict: { to: afterAction(slug, request.query) },
      });
    },
  );

  app.post(
    '/organise/events/:slug/attendees/:id/refund',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams, querystring: AttendeeQuery } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const event = await eventFor(slug);
      return submit(request, reply, {
        run: () => app.payments.refund(event.id, id, signedIn(request)),
        done: (refunded) => ({ to: afterAction(slug, request.query), notice: refundNotice(refunded, event, new Date()) }),
        // Nothing to refund, or Stripe did not make it: said on the list, where they can try again.
        conflict: { to: afterAction(slug, request.query) },
      });
    },
  );

  app.post(
    '/organise/events/:slug/attendees/:id/refund-paid',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams, querystring: AttendeeQuery } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const event = await eventFor(slug);
      return submit(request, reply, {
        run: () => app.payments.recordInvoiceRefund(event.id, id, signedIn(request)),
        done: ({ amountPence, told }) => ({ to: afterAction(slug, request.query), notice: refundPaidNotice(amountPence, told) }),
        conflict: { to: afterAction(slug, request.query) },
      });
    },
  );

  // --- Messages ---------------------------------------------------------------------------

  async function messageModel(slug: string, form = formState({ to: [] })) {
    const event = await eventFor(slug);
    return {
      title: `Message attendees: ${event.title}`,
      event: { title: event.title, slug: event.slug },
      base: base(slug),
      people: messagePeople(event, await listAttendees(app.db, event.id)),
      form,
    };
  }

  app.get('/organise/events/:slug/message', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    return reply.page('registration/message', await messageModel(slug));
  });

  app.post(
    '/organise/events/:slug/message',
    { config: { access: 'organiser' }, schema: { params: SlugParams, body: MessageForm }, attachValidation: true },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const to = list(body, 'to').filter((v) => /^[0-9a-f-]{36}$/.test(v));
      const event = await eventFor(slug);
      return submit(request, reply, {
        values: { ...body, to },
        again: async (form, status) => reply.page('registration/message', await messageModel(slug, form), status),
        run: () =>
          messageAttendees(
            app.db,
            event.id,
            { subject: text(body, 'subject'), message: text(body, 'message'), registrationIds: to, includeWaiting: body.includeWaiting === 'yes' },
            signedIn(request),
          ),
        done: (sent) => ({ to: `${base(slug)}/attendees`, notice: `Your message is on its way to ${sent} ${sent === 1 ? 'person' : 'people'}.` }),
      });
    },
  );

  // --- Check-in ---------------------------------------------------------------------------

  app.get(
    '/organise/events/:slug/check-in',
    { config: { access: 'organiser' }, schema: { params: SlugParams, querystring: CheckInQuery } },
    async (request, reply) => {
      const { slug } = request.params;
      const { q = '' } = request.query;
      const event = await eventFor(slug);
      const state = await checkInState(app.db, event);
      const page = { title: `Check-in: ${event.title}`, event: { title: event.title, slug: event.slug }, base: base(slug), q };
      if (!state.open) {
        const closed = checkInClosed(state);
        return reply.page('registration/check-in', { ...page, closed, canOpenEarly: state.why === 'before_day', people: [] });
      }
      const all = await listAttendees(app.db, event.id);
      const matching = q ? await listAttendees(app.db, event.id, { search: q }) : all;
      return reply.page('registration/check-in', { ...page, closed: '', openedEarly: state.openedEarly, ...checkInPeople(event, all, matching) });
    },
  );

  app.post('/organise/events/:slug/check-in/open', { config: { access: 'organiser' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    const event = await eventFor(slug);
    return submit(request, reply, {
      run: () => openCheckInEarly(app.db, event, signedIn(request)),
      done: { to: `${base(slug)}/check-in`, notice: 'Check-in is open, before the day of the event.' },
    });
  });

  app.post(
    '/organise/events/:slug/check-in/:id',
    { config: { access: 'organiser' }, schema: { params: SlugIdParams, body: CheckInForm } },
    async (request, reply) => {
      const { slug, id } = request.params;
      const { attended, q } = request.body;
      const event = await eventFor(slug);
      return submit(request, reply, {
        run: () => setAttended(app.db, event.id, id, attended === 'yes', signedIn(request)),
        done: ({ name }) => ({
          to: `${base(slug)}/check-in${q ? `?q=${encodeURIComponent(q)}` : ''}#person-${id}`,
          notice: attended === 'yes' ? `${name} is checked in.` : `Check-in undone for ${name}.`,
        }),
      });
    },
  );
};
