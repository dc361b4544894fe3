// Calendar feeds: subscribable iCalendar for everyone (all events, each event type, one event)
// and a private feed per person, plus the page that explains how to subscribe. Public and private
// feeds are built by separate functions so that private details never reach a shared calendar.
import { SlugParams } from '../http/params.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { NotFoundError } from '../errors.ts';
import { feedLinks, madeOnText, publicFeedsView } from './view-models.ts';
import { eventEntriesOf, eventEntry, meetingEntry, sessionEntry } from './entries.ts';
import { publicFeeds, type PublicFeed } from './feeds.ts';
import { sendCalendar } from './http.ts';
import { buildCalendar, buildCalendarFrom, installCalendarSite } from './ics.ts';
import { listPlaces, listPlanningMeetings, privateFeedVersion } from './private-queries.ts';
import { findPrivateFeed, findPrivateFeedOwner, makePrivateFeedToken, PRIVATE_FEED_FILE, privateFeedPath } from './private-feeds.ts';
import { buildFromFeedEvents, findFeedEvent, lastPublicChange, later, listProgrammeSessions, programmeVersion, publicFeedVersion } from './queries.ts';

const EventFeedQuery = Type.Object({
  /** "yes": each programme session as its own entry as well. */
  sessions: Type.Optional(Type.Union([Type.Literal('yes'), Type.Literal('no')])),
});

const PrivateFeedParams = Type.Object({ file: Type.String({ minLength: 44, maxLength: 64, pattern: PRIVATE_FEED_FILE.source }) });

export const calendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const baseUrl = app.config.baseUrl;
  installCalendarSite({ mailFrom: app.config.mailFrom, baseUrl });

  function servePublicFeed(feed: PublicFeed) {
    app.get(feed.path, { config: { access: 'public', publicCache: true } }, async (request, reply) => {
      const now = new Date();
      return sendCalendar(request, reply, {
        key: feed.path,
        version: await publicFeedVersion(app.db, feed.type, now),
        now,
        isPrivate: false,
        filename: feed.path.split('/').pop()!,
        build: () =>
          buildFromFeedEvents(app.db, feed.type, now, (slices) =>
            buildCalendarFrom({ name: feed.name, description: feed.description, url: `${baseUrl}${feed.path}` }, eventEntriesOf(slices, { baseUrl })),
          ),
      });
    });
  }
  for (const feed of publicFeeds) servePublicFeed(feed);

  app.get(
    '/events/:slug/calendar.ics',
    { config: { access: 'public', publicCache: true }, schema: { params: SlugParams, querystring: EventFeedQuery } },
    async (request, reply) => {
      const { slug } = request.params;
      const withSessions = request.query.sessions === 'yes';
      const event = await findFeedEvent(app.db, slug);
      if (!event?.startsAt) throw new NotFoundError('We could not find that event. It may have moved or not be published yet.');
      const startsAt = event.startsAt;
      const now = new Date();
      const path = `/events/${slug}/calendar.ics${withSessions ? '?sessions=yes' : ''}`;
      const programme = withSessions ? await programmeVersion(app.db, event.id) : null;
      return sendCalendar(request, reply, {
        key: path,
        version: {
          lastChange: later(lastPublicChange(event), programme?.lastChange),
          tag: `${event.sequence}:${event.status}${programme ? `:${programme.tag}` : ''}`,
        },
        now,
        isPrivate: false,
        filename: `${slug}.ics`,
        build: async () => {
          const entries = [eventEntry({ ...event, startsAt }, { baseUrl })];
          if (withSessions) {
            for (const session of await listProgrammeSessions(app.db, event.id)) entries.push(sessionEntry(event, session, baseUrl));
          }
          return buildCalendar(
            {
              name: event.title,
              description: `${event.title}, an event of the Social Perspectives Hub${withSessions ? ', with each programme session' : ''}.`,
              url: `${baseUrl}${path}`,
            },
            entries,
          );
        },
      });
    },
  );

  app.get('/calendar/private/:file', { config: { access: 'public' }, schema: { params: PrivateFeedParams } }, async (request, reply) => {
    const token = PRIVATE_FEED_FILE.exec(request.params.file)?.[1];
    const owner = token ? await findPrivateFeedOwner(app.db, token) : null;
    // The same answer for a token that never existed and one that was replaced.
    if (!owner) throw new NotFoundError('This private calendar link does not work. It may have been replaced by a newer one.');
    const now = new Date();
    const version = await privateFeedVersion(app.db, owner, now);
    const changedAt = later(later(version.lastChange, owner.changedAt), owner.createdAt)!;
    return sendCalendar(request, reply, {
      key: `private:${owner.personId}:${owner.createdAt.toISOString()}`,
      version: { lastChange: changedAt, tag: version.tag },
      now,
      isPrivate: true,
      filename: 'my-hub-calendar.ics',
      build: async () => {
        const places = await listPlaces(app.db, owner, now);
        const meetings = await listPlanningMeetings(app.db, owner.personId, now);
        const entries = [
          ...places.map((place) =>
            eventEntry(place.event, {
              baseUrl,
              joinUrl: place.joinUrl || undefined,
              offered: place.registrationStatus === 'offered',
              placeChangedAt: place.placeChangedAt,
            }),
          ),
          ...meetings.map(meetingEntry),
        ].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
        return buildCalendar(
          {
            name: 'My Social Perspectives Hub calendar',
            description: 'Events you have a place at or have been offered one, and planning meetings of groups you belong to. Private: do not share this link.',
            url: `${baseUrl}/calendar/private`,
          },
          entries,
        );
      },
    });
  });

  app.get('/calendar', { config: { access: 'public', publicCache: true } }, async (request, reply) => {
    return reply.page('calendar/index', {
      title: 'Calendar feeds',
      ...publicFeedsView(baseUrl),
      signedIn: Boolean(request.me),
    });
  });

  app.get('/calendar/private', { config: { access: 'member' } }, async (request, reply) => {
    const state = await findPrivateFeed(app.db, signedIn(request).id);
    return reply.page('calendar/private', {
      title: 'Your private calendar feed',
      madeOn: madeOnText(state),
      newLink: null,
    });
  });

  // The new link is shown on the answer to this post rather than after a redirect: only its hash
  // is kept, so this is the one moment the link can be shown.
  app.post('/calendar/private', { config: { access: 'member' } }, async (request, reply) => {
    const { token, replaced } = await makePrivateFeedToken(app.db, signedIn(request));
    const state = await findPrivateFeed(app.db, signedIn(request).id);
    return reply.page('calendar/private', {
      title: 'Your private calendar feed',
      madeOn: madeOnText(state),
      newLink: { ...feedLinks(baseUrl, privateFeedPath(token)), replaced },
    });
  });
};
