// Public event pages. (Registration, programmes and resources extend these pages.)
import { SlugParams } from '../http/params.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { publicBursaryOffer } from '../bursaries/funds.ts';
import { addToCalendarLinks } from '../calendar/add-to-calendar.ts';
import { NotFoundError } from '../errors.ts';
import { publicCoproduction } from '../planning/public.ts';
import { cohostingOrganisations, cohostsOf } from '../network/directory.ts';
import { eventLibraryCards } from '../library/public.ts';
import { eventPlaces } from '../registration/public.ts';
import { EVENTS_PER_PAGE, findEvents, findPublicEvent } from './queries.ts';
import { EventListQuery, eventListFilters, eventListPages, eventListTitle, eventPageView, listedEventCards } from './view-models.ts';

export const eventsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/events', { config: { access: 'public', publicCache: true }, schema: { querystring: EventListQuery } }, async (request, reply) => {
    const query = request.query;
    const past = query.when === 'past';
    const found = await findEvents(app.db, {
      type: query.type || undefined,
      format: query.format || undefined,
      month: query.month || undefined,
      q: query.q,
      organisation: query.organisation || undefined,
      past,
      page: query.page,
    });
    const ids = found.events.map((e) => e.id);
    // The co-produced and invitation-only marks come with the rows (one statement for the page).
    const [cohosts, organisations] = await Promise.all([cohostsOf(app.db, ids), cohostingOrganisations(app.db)]);
    const pages = eventListPages(query, found.total, EVENTS_PER_PAGE);
    const title = eventListTitle(past, pages);
    return reply.page('events/list', {
      title,
      events: listedEventCards(found.events, cohosts),
      total: found.total,
      pages,
      ...eventListFilters(query, organisations),
    });
  });

  app.get('/events/:slug', { config: { access: 'public', publicCache: true }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    const event = await findPublicEvent(app.db, slug);
    if (!event) throw new NotFoundError('We could not find that event. It may have moved or not be published yet.');
    return reply.page('events/show', {
      title: event.title,
      addToCalendar: addToCalendarLinks(event, app.config.baseUrl),
      places: { ...(await eventPlaces(app.db, event)), organiseUrl: request.me?.isOrganiser ? `/organise/events/${event.slug}/attendees` : '' },
      coproduction: await publicCoproduction(app.db, event),
      cohosts: (await cohostsOf(app.db, [event.id])).get(event.id) ?? [],
      cohostsUrl: request.me?.isOrganiser ? `/organise/events/${event.slug}/co-hosts` : '',
      bursary: await publicBursaryOffer(app.db, event),
      library: await eventLibraryCards(app.db, event.id),
      event: eventPageView(event),
    });
  });
};
