// Public booking pages: the booking form for an event, and the private manage page each booking
// gets (reached by the link in its emails, no account needed): view, change answers, cancel or
// leave the waiting list, accept an offer, download the calendar file. Signed-in people also
// see all their bookings at /account/bookings.
import { SlugParams, TokenParams } from '../http/params.ts';
import { clientKey } from '../http/client-address.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Me } from '../me.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { text, type Body } from '../http/form-values.ts';
import { submit } from '../http/form-route.ts';
import { Type } from 'typebox';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formState } from '../http/forms.ts';
import { availability, liveHoldFor } from './holds.ts';
import { ATTENDEE_ICS_TYPE, attendeeIcs } from './ics.ts';
import { mintManagePath, registrationIdForToken } from './links.ts';
import { documentsOf, termsFromConfig } from '../invoices/service.ts';
import { bookingDocuments } from '../invoices/view-models.ts';
import { waitingListPosition } from './offers.ts';
import {
  activeBookingOf,
  answersFor,
  eventFacts,
  getBookingParty,
  getEvent,
  getEventBySlug,
  getSettings,
  listQuestions,
  listTicketTypes,
  paymentFor,
  bookingsOfPerson,
  ownBookingId,
} from './queries.ts';
import {
  addressProven,
  BookingRequestEndedError,
  bookingClosedReason,
  CANCELLED_BY_REGISTRANT,
  bookingRequestFor,
  cancelRegistration,
  claimOffer,
  confirmBookingRequest,
  register,
  SignInToBookError,
  resendBookingLink,
  updateAnswers,
  type AnswersInput,
  type RegistrationInput,
  type RegistrationOutcome,
} from './service.ts';
import { bookingState } from './booking-state.ts';
import {
  attendanceChoices,
  cancelBookingModel,
  invoicePaidBy,
  confirmRequestModel,
  manageModel,
  myBookingRows,
  perspectiveOptions,
  questionFields,
  ticketOptions,
} from './view-models.ts';
import { hasReservations } from './reserved-places.ts';
import { UuidOrEmpty } from '../http/ids.ts';

export const short = (title: string) => Type.Optional(Type.String({ title, maxLength: 300 }));
export const long = (title: string) => Type.Optional(Type.String({ title, maxLength: 5000 }));

// Custom questions arrive as q_<id> fields, checked by the service against the event's questions.
export const AnswersFields = {
  organisation: short('Organisation'),
  perspective: Type.Optional(Type.String({ title: 'How would you describe your perspective?', maxLength: 40 })),
  accessRequirements: long('Access requirements'),
  dietaryNeeds: long('Dietary needs'),
  consentFutureEvents: Type.Optional(Type.String({ maxLength: 10 })),
  companionName: short('Your companion’s name'),
};
// Who pays, for a place sold by invoice (server/invoices/payer.ts checks them).
const PayerFields = {
  payerName: Type.Optional(Type.String({ title: 'Name or organisation to invoice (optional)', maxLength: 300 })),
  payerAddress: Type.Optional(Type.String({ title: 'Invoice address (optional)', maxLength: 500 })),
  purchaseOrder: Type.Optional(Type.String({ title: 'Purchase order number (optional)', maxLength: 100 })),
  invoiceEmail: Type.Optional(Type.String({ title: 'Email address for the invoice (optional)', maxLength: 320 })),
};
const BookingForm = Type.Object({
  ticketTypeId: Type.Optional(UuidOrEmpty({ title: 'Kind of place', errorMessage: 'Select the kind of place you want' })),
  name: short('Your name'),
  email: Type.Optional(Type.String({ title: 'Email address', maxLength: 320 })),
  companion: Type.Optional(Type.String({ maxLength: 10 })),
  ...PayerFields,
  attendance: Type.Optional(Type.String({ title: 'How will you attend?', maxLength: 20 })),
  code: Type.Optional(Type.String({ title: 'Code for reserved places (optional)', maxLength: 40 })),
  ...AnswersFields,
});
const AnswersForm = Type.Object(AnswersFields);
const LinkAgainForm = Type.Object({ email: Type.Optional(Type.String({ title: 'Email address', maxLength: 320 })) });

export function answersFromBody(body: Body): AnswersInput {
  const answers: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('q_') && typeof value === 'string') answers[key.slice(2)] = value;
  }
  return {
    organisation: text(body, 'organisation'),
    perspective: text(body, 'perspective'),
    accessRequirements: text(body, 'accessRequirements'),
    dietaryNeeds: text(body, 'dietaryNeeds'),
    consentFutureEvents: body.consentFutureEvents === 'yes',
    answers,
  };
}

/** A booking form as the service takes it (custom questions arrive as q_<id> fields). */
export function registrationFromBody(body: Body): RegistrationInput {
  return {
    ...answersFromBody(body),
    ticketTypeId: text(body, 'ticketTypeId'),
    name: text(body, 'name'),
    email: text(body, 'email'),
    companion: body.companion === 'yes',
    companionName: text(body, 'companionName'),
    attendance: text(body, 'attendance'),
    code: text(body, 'code'),
    payer: {
      payerName: text(body, 'payerName'),
      payerAddress: text(body, 'payerAddress'),
      purchaseOrder: text(body, 'purchaseOrder'),
      invoiceEmail: text(body, 'invoiceEmail'),
    },
  };
}

export function paidMode(app: FastifyInstance): 'stripe' | 'invoice' {
  return app.config.stripeSecretKey && app.config.stripeWebhookSecret ? 'stripe' : 'invoice';
}

/** How paid places are taken, and invoice mode's terms. */
function paymentContext(app: FastifyInstance) {
  return { baseUrl: app.config.baseUrl, paidMode: paidMode(app), invoiceTerms: termsFromConfig(app.config) };
}

/**
 * Where each booking outcome goes next. `direct` only for someone who has proved the address
 * (signed in with it, or holding the booking's link): anyone else is told to check their email,
 * whatever happened, so a booking's private page reaches only its address and the answer says
 * nothing about whether the address had booked already.
 */
export async function followOutcome(app: FastifyInstance, reply: FastifyReply, outcome: RegistrationOutcome, slug: string, direct: boolean) {
  app.mail.nudge();
  if (!direct) return reply.redirect(`/events/${slug}/book/check-your-email`, 303);
  switch (outcome.kind) {
    case 'emailed':
      return reply.redirect(`/events/${slug}/book/check-your-email`, 303);
    case 'duplicate':
      return reply.notice('You have already booked this event. Here is your booking.', 'important').redirect(outcome.managePath, 303);
    case 'booked':
      return reply.notice('Your place is booked. We have emailed you the details.').redirect(outcome.managePath, 303);
    case 'waitlisted':
      return reply
        .notice(
          outcome.inRoom
            ? 'The room is full, so you are on the waiting list for a place in it. We have emailed you.'
            : 'The event is full, so you are on the waiting list. We have emailed you.',
        )
        .redirect(outcome.managePath, 303);
    case 'invoice':
      return reply.notice('Your place is reserved. We have emailed you your invoice; you can also download it here.').redirect(outcome.managePath, 303);
    case 'checkout':
      return reply.redirect(await app.payments.checkoutUrl(outcome.paymentId, outcome.managePath), 303);
  }
}

export const registrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Private booking links must not leak to other sites through the Referer header.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/bookings/')) reply.header('referrer-policy', 'no-referrer');
  });

  async function bookingPage(slug: string, now = new Date()) {
    const event = await getEventBySlug(app.db, slug);
    if (!event || event.status === 'planning') throw new NotFoundError('We could not find that event.');
    const [types, questions, avail, settings, askCode] = await Promise.all([
      listTicketTypes(app.db, event.id),
      listQuestions(app.db, event.id),
      availability(app.db, event.id, now),
      getSettings(app.db, event.id),
      hasReservations(app.db, event.id),
    ]);
    const options = ticketOptions(types, avail, now).filter((t) => t.onSale);
    const closed = bookingClosedReason(event, settings, now) ?? (options.length === 0 ? 'No places are on sale at the moment.' : null);
    return {
      event,
      model: {
        title: `Book a place: ${event.title}`,
        event: { ...eventFacts(event), slug: event.slug, title: event.title },
        closed,
        tickets: options,
        // Every kind of place is full: the button says what pressing it does.
        allFull: options.length > 0 && options.every((t) => t.full),
        questions: questionFields(questions),
        perspectives: perspectiveOptions(),
        paidMode: paidMode(app),
        attendance: attendanceChoices(avail),
        askCode,
      },
    };
  }

  app.get('/events/:slug/book', { config: { access: 'public' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    const { event, model } = await bookingPage(slug);
    const me = request.me;
    // A signed-in person who has booked is shown their booking, not a form to book again.
    const booked = me ? await activeBookingOf(app.db, event.id, { personId: me.id, email: me.email }) : null;
    const existing = booked ? { id: booked.id, statusLabel: bookingState(booked, event).label } : null;
    const values: Record<string, unknown> = { name: me?.displayName ?? '', email: me?.email ?? '' };
    if (model.tickets.length === 1) values.ticketTypeId = model.tickets[0]!.id;
    return reply.page('registration/book', { ...model, existing, form: formState(values) });
  });

  app.post(
    '/events/:slug/book',
    {
      config: { access: 'public', rateLimit: { max: app.config.formRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: { params: SlugParams, body: BookingForm },
      attachValidation: true,
    },
    async (request, reply) => {
      const { slug } = request.params;
      const body: Body = request.body ?? {};
      const event = await getEventBySlug(app.db, slug);
      if (!event || event.status === 'planning') throw new NotFoundError('We could not find that event.');
      return submit(request, reply, {
        values: body,
        // The form is built again only when it has to be shown again; register() checks the rest.
        again: async (form, status) => {
          const { model } = await bookingPage(slug);
          if (model.closed) return reply.page('registration/book', { ...model, form: formState(body, [{ field: 'form', message: model.closed }]) }, 409);
          return reply.page('registration/book', { ...model, form }, status);
        },
        tooMany: { field: 'form' },
        conflict: { field: 'form' },
        run: () =>
          register(app.db, event.id, registrationFromBody(body), request.me, {
            ...paymentContext(app),
            ip: clientKey(request.ip),
            requestsPerIpPerHour: app.config.bookingRequestsPerIpPerHour,
            codeTriesPerIpPerHour: app.config.reservedCodeTriesPerIpPerHour,
          }),
        done: (outcome) => followOutcome(app, reply, outcome, slug, addressProven(request.me, text(body, 'email'))),
      });
    },
  );

  async function bookableEvent(slug: string) {
    const event = await getEventBySlug(app.db, slug);
    if (!event || event.status === 'planning') throw new NotFoundError('We could not find that event.');
    return event;
  }
  const checkEmailPage = (event: { slug: string; title: string }, form = formState()) => ({
    title: 'Check your email',
    eventTitle: event.title,
    slug: event.slug,
    eventPath: `/events/${event.slug}`,
    form,
  });

  app.get('/events/:slug/book/check-your-email', { config: { access: 'public' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    return reply.page('registration/check-email', checkEmailPage(await bookableEvent(slug)));
  });

  // "Send me my booking link again": the same answer for every address.
  app.post(
    '/events/:slug/book/link',
    {
      // A per-process guard against floods; the limits that matter are counted in the database.
      config: { access: 'public', rateLimit: { max: app.config.formRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: { params: SlugParams, body: LinkAgainForm },
      attachValidation: true,
    },
    async (request, reply) => {
      const { slug } = request.params;
      const event = await bookableEvent(slug);
      const values = { email: text(request.body ?? {}, 'email') };
      return submit(request, reply, {
        values,
        again: (form, status) => reply.page('registration/check-email', checkEmailPage(event, form), status),
        tooMany: { field: 'email' },
        run: () => resendBookingLink(app.db, { eventId: event.id, email: values.email, ip: clientKey(request.ip) }),
        done: {
          to: `/events/${slug}/book/check-your-email`,
          notice: 'If that address has a booking for this event, we have emailed its link to it.',
          kind: 'important',
        },
      });
    },
  );

  // --- Confirming a booking asked for by email ---------------------------------------------
  // Opening the link changes nothing (mail scanners open links); the button books.

  async function confirmPage(token: string) {
    const request = await bookingRequestFor(app.db, token);
    const event = (await getEvent(app.db, request.eventId))!;
    const types = await listTicketTypes(app.db, event.id, { includeWithdrawn: true });
    const type = types.find((t) => t.id === request.ticketTypeId);
    return confirmRequestModel({ token, event, type, email: request.email, asked: request.input });
  }

  const requestProblem = (reply: FastifyReply, error: unknown) => {
    if (error instanceof BookingRequestEndedError) {
      const title = error.reason === 'used' ? 'This link has been used' : 'This link has run out';
      return reply.page('errors/problem', { title, message: error.message }, 410);
    }
    if (error instanceof SignInToBookError)
      return reply.page('registration/sign-in-to-book', { title: 'Sign in to book your place', message: error.message, signInPath: error.signInPath }, 409);
    if (error instanceof InvalidInputError || error instanceof ConflictError) {
      return reply.page('errors/problem', { title: 'We could not make this booking', message: `${error.message} Please book again from the event page.` }, 409);
    }
    throw error;
  };

  app.get('/bookings/confirm/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    try {
      return reply.page('registration/confirm-booking', await confirmPage(token));
    } catch (error) {
      return requestProblem(reply, error);
    }
  });

  const ConfirmForm = Type.Object({
    _csrf: Type.Optional(Type.String()),
    joinList: Type.Optional(Type.String({ title: 'Email me about future Hub events (optional)', maxLength: 10 })),
  });

  app.post('/bookings/confirm/:token', { config: { access: 'public' }, schema: { params: TokenParams, body: ConfirmForm } }, async (request, reply) => {
    const { token } = request.params;
    try {
      const joinList = request.body?.joinList === 'yes';
      const { outcome, eventId } = await confirmBookingRequest(app.db, token, paymentContext(app), { joinList });
      const event = (await getEvent(app.db, eventId))!;
      // Holding the emailed link proves the address.
      return await followOutcome(app, reply, outcome, event.slug, true);
    } catch (error) {
      return requestProblem(reply, error);
    }
  });

  // --- The private manage page -------------------------------------------------------------

  /** The booking a link opens; `viewer`, signed in, still opens their own once the link has expired. */
  async function bookingFor(token: string, viewer: Me | null) {
    const registrationId = await registrationIdForToken(app.db, token, { daysAfterEvent: app.config.manageLinkDaysAfterEvent, viewer });
    const party = registrationId ? await getBookingParty(app.db, registrationId) : null;
    if (!party || party.main.companionOfId) throw new NotFoundError('This booking link does not work. Check you copied all of it from the email.');
    const event = (await getEvent(app.db, party.main.eventId))!;
    return { ...party, event };
  }

  async function managePage(token: string, viewer: Me | null, form = formState()) {
    const { main, companions, event } = await bookingFor(token, viewer);
    const [types, questions, answers, hold, position, payment, documents] = await Promise.all([
      listTicketTypes(app.db, event.id, { includeWithdrawn: true }),
      listQuestions(app.db, event.id),
      answersFor(app.db, [main.id]),
      liveHoldFor(app.db, main.id),
      main.status === 'waitlisted' ? waitingListPosition(app.db, event.id, main.id) : Promise.resolve(null),
      paymentFor(app.db, main.id),
      documentsOf(app.db, { registrationIds: [main.id] }),
    ]);
    return manageModel({
      token,
      main,
      companions,
      event,
      types,
      questions,
      answers,
      hold,
      position,
      payment,
      documents: bookingDocuments(documents, `/bookings/${token}`),
      paymentMode: app.payments.mode,
      form,
      now: new Date(),
      contactEmail: app.config.contactEmail,
      invoicePaidBy: invoicePaidBy(documents, main),
    });
  }

  app.get('/bookings/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    return reply.page('registration/manage', await managePage(token, request.me));
  });

  app.post(
    '/bookings/:token/answers',
    { config: { access: 'public' }, schema: { params: TokenParams, body: AnswersForm }, attachValidation: true },
    async (request, reply) => {
      const { token } = request.params;
      const body: Body = request.body ?? {};
      return submit(request, reply, {
        values: body,
        again: async (form, status) => reply.page('registration/manage', await managePage(token, request.me, form), status),
        run: async () => {
          const { main } = await bookingFor(token, request.me);
          await updateAnswers(app.db, main.id, { ...answersFromBody(body), companionName: text(body, 'companionName') }, request.me);
        },
        done: { to: `/bookings/${token}`, notice: 'Your answers have been saved.' },
      });
    },
  );

  app.get('/bookings/:token/cancel', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const { main, companions, event } = await bookingFor(token, request.me);
    const waiting = main.status === 'waitlisted' || main.status === 'offered';
    const payment = waiting ? null : await paymentFor(app.db, main.id);
    const paidBy = payment?.method === 'invoice' ? invoicePaidBy(await documentsOf(app.db, { registrationIds: [main.id] }), main) : '';
    return reply.page(
      'registration/cancel',
      cancelBookingModel({ token, main, companions, event, payment, contactEmail: app.config.contactEmail, invoicePaidBy: paidBy, now: new Date() }),
    );
  });

  app.post('/bookings/:token/cancel', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const { main, event } = await bookingFor(token, request.me);
    const waiting = main.status === 'waitlisted' || main.status === 'offered';
    // A cancelled event's bookings ended with it; "cancelling" one would only send a wrong email.
    if (!bookingState(main, event).active) return reply.redirect(`/bookings/${token}`, 303);
    return submit(request, reply, {
      run: () => cancelRegistration(app.db, main.id, request.me, { reason: CANCELLED_BY_REGISTRANT }),
      done: { to: `/bookings/${token}`, notice: waiting ? 'You have left the waiting list.' : 'Your booking is cancelled.' },
    });
  });

  app.post('/bookings/:token/accept', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const { main, event } = await bookingFor(token, request.me);
    return submit(request, reply, {
      // An offer that has ended (a ConflictError) is said on the problem page.
      run: () => claimOffer(app.db, main.id, request.me, paymentContext(app)),
      done: (outcome) =>
        outcome.kind === 'booked'
          ? { to: `/bookings/${token}`, notice: 'You have accepted the place. It is booked, and we have emailed you the details.' }
          : // Holding the booking's private link proves the address.
            followOutcome(app, reply, outcome, event.slug, true),
    });
  });

  app.get('/bookings/:token/calendar.ics', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const { main, event } = await bookingFor(token, request.me);
    if (!event.startsAt || !['confirmed', 'attended'].includes(main.status)) throw new NotFoundError('The calendar file is for booked places only.');
    const ics = attendeeIcs(event, { baseUrl: app.config.baseUrl, attendance: main.attendance })!;
    return reply
      .header('content-type', ATTENDEE_ICS_TYPE)
      .header('content-disposition', `attachment; filename="${event.slug}.ics"`)
      .header('cache-control', 'no-store')
      .send(ics);
  });

  // --- Signed-in people's bookings ------------------------------------------------------------

  app.get('/account/bookings', { config: { access: 'member' } }, async (request, reply) => {
    const me = signedIn(request);
    const rows = await bookingsOfPerson(app.db, { personId: me.id, email: me.email });
    return reply.page('registration/my-bookings', { title: 'Your bookings', bookings: myBookingRows(rows) });
  });

  // A signed-in person opens their booking's page without the emailed link.
  app.post(
    '/account/bookings/:id/link',
    { config: { access: 'member' }, schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } },
    async (request, reply) => {
      const me = signedIn(request);
      const { id } = request.params;
      const bookingId = await ownBookingId(app.db, id, me);
      if (!bookingId) throw new NotFoundError('We could not find that booking.');
      const path = await mintManagePath(app.db, bookingId);
      return reply.redirect(path, 303);
    },
  );
};
