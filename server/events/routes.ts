// Public event pages. (Registration, programmes and resources extend these pages.)
import { SlugParams } from '../http/params.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { publicBursaryOffer } from '../bursaries/funds.ts';
import { addToCalendarLinks } from '../calendar/add-to-calendar.ts';
import { NotFoundError } from '../errors.ts';
import { publicCoproduction } from '../planning/public.ts';
import { cohostsOf } from '../network/directory.ts';
import { eventLibraryCards } from '../library/public.ts';
import { eventPlaces } from '../registration/public.ts';
import { EVENTS_PER_PAGE, findEvents, findPublicEvent, listChoices } from './queries.ts';
import {
  EventListQuery,
  eventListFilters,
  eventListPages,
  eventListTitle,
  eventPageView,
  listedEventCards,
  readEventListQuery,
  unknownOrganisation,
} from './view-models.ts';

export const eventsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/events', { config: { access: 'public', publicCache: true }, schema: { querystring: EventListQuery } }, async (request, reply) => {
    const asked = readEventListQuery(request.query);
    const { query } = asked;
    const past = query.when === 'past';
    const filter = {
      type: query.type || undefined,
      format: query.format || undefined,
      month: query.month || undefined,
      q: query.q,
      organisation: query.organisation || undefined,
      past,
      page: query.page,
    };
    let [found, choices] = await Promise.all([findEvents(app.db, filter), listChoices(app.db, { past })]);
    if (filter.organisation && !choices.organisations.some((o) => o.id === filter.organisation)) {
      // Unknown, or not (or no longer) approved: say so, and show what the other filters find.
      asked.errors.push(unknownOrganisation);
      query.organisation = filter.organisation = undefined;
      found = await findEvents(app.db, filter);
    }
    const ids = found.events.map((e) => e.id);
    // The co-produced and invitation-only marks come with the rows (one statement for the page).
    const cohosts = await cohostsOf(app.db, ids);
    const pages = eventListPages(query, found.total, EVENTS_PER_PAGE);
    const title = eventListTitle(past, pages);
    return reply.page(
      'events/list',
      {
        title,
        events: listedEventCards(found.events, cohosts),
        total: found.total,
        pages,
        ...eventListFilters(asked, choices),
      },
      asked.errors.length ? 400 : 200,
    );
  });

  app.get('/events/:slug', { config: { access: 'public', publicCache: true }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    const event = await findPublicEvent(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event. It may have moved or not be published yet.');
    // Each feature's part of the page is read at the same time, not one after another.
    const [places, coproduction, cohosts, bursary, library] = await Promise.all([
      eventPlaces(app.db, event),
      publicCoproduction(app.db, event),
      cohostsOf(app.db, [event.id]),
      publicBursaryOffer(app.db, event),
      eventLibraryCards(app.db, event.id),
    ]);
    return reply.page('events/show', {
      title: event.title,
      addToCalendar: addToCalendarLinks(event, app.config.baseUrl),
      places: { ...places, organiseUrl: request.me?.isOrganiser ? `/organise/events/${event.slug}/attendees` : '' },
      coproduction,
      cohosts: cohosts.get(event.id) ?? [],
      cohostsUrl: request.me?.isOrganiser ? `/organise/events/${event.slug}/co-hosts` : '',
      bursary,
      library,
      event: eventPageView(event),
    });
  });
};
