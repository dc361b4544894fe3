// Answering calendar apps, which poll feeds for years: an ETag and Last-Modified from the feed's
// version, 304 Not Modified when nothing changed (checked before the feed is built), and a
// cache lifetime that matches the refresh interval we ask for.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fresh from 'fresh';
import { londonToday } from '../london-time.ts';
import { REFRESH_SECONDS } from './ics.ts';
import type { FeedVersion } from './queries.ts';

export interface CalendarResponse {
  /** Names the feed, so two feeds never share an ETag. */
  key: string;
  version: FeedVersion;
  now: Date;
  /** Private feeds must not be kept by shared caches. */
  isPrivate: boolean;
  filename: string;
  build(): Promise<string>;
}

export function feedEtag(key: string, version: FeedVersion, now: Date): string {
  const parts = [key, version.lastChange?.toISOString() ?? 'never', version.tag, londonToday(now)].join('\n');
  return `"${createHash('sha256').update(parts).digest('base64url').slice(0, 32)}"`;
}

// Feeds being built, by ETag (which names the feed and its version): people asking for the same
// feed at the same moment share one build, so a large feed is held in memory once, not once per
// request. Public feeds are the same for everyone, and a private feed's ETag is its owner's.
const building = new Map<string, Promise<string>>();

export function buildOnce(etag: string, build: () => Promise<string>): Promise<string> {
  let pending = building.get(etag);
  if (!pending) {
    pending = build().finally(() => building.delete(etag));
    building.set(etag, pending);
  }
  return pending;
}

export async function sendCalendar(request: FastifyRequest, reply: FastifyReply, response: CalendarResponse): Promise<FastifyReply> {
  const etag = feedEtag(response.key, response.version, response.now);
  reply.header('etag', etag);
  if (response.version.lastChange) reply.header('last-modified', response.version.lastChange.toUTCString());
  reply.header('cache-control', `${response.isPrivate ? 'private' : 'public'}, max-age=${REFRESH_SECONDS / 4}, must-revalidate`);
  if (response.isPrivate) {
    // The URL is the secret: keep it out of referrers and search engines.
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-robots-tag', 'noindex, nofollow');
  }
  const method = request.method;
  if ((method === 'GET' || method === 'HEAD') && fresh(request.headers, { etag, 'last-modified': reply.getHeader('last-modified') as string | undefined })) {
    return reply.code(304).send();
  }
  const body = await buildOnce(etag, response.build);
  return reply.code(200).type('text/calendar; charset=utf-8').header('content-disposition', `inline; filename="${response.filename}"`).send(body);
}
