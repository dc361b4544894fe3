// A short-lived cache of public responses (event pages, lists, feeds) for anonymous visitors.
//
// A popular event brings many people to the same few pages in the same minute, and calendar
// apps poll feeds all day. Routes opt in with `config: { publicCache: true }`. A response is
// stored only when the visitor is anonymous (no session and no one-off notice cookie), the
// answer is a 200, and it sets no cookie, so nothing personal is ever kept or shown to someone
// else; public pages therefore carry no CSRF token for anonymous visitors (they have no POST
// forms). Any state change handled by this process (every successful POST) empties the cache at
// once; other processes see the change within PAGE_CACHE_SECONDS, as do changes made by
// background jobs. A stored ETag answers If-None-Match with 304 without touching the database.
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../accounts/sessions.ts';
import { FLASH_COOKIE } from './pages.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Anonymous 200 answers may be served from the page cache (see server/http/page-cache.ts). */
    publicCache?: boolean;
  }
  interface FastifyRequest {
    /** True when this request may be answered from, and stored in, the page cache. */
    cacheable: boolean;
  }
}

interface Stored {
  body: string | Buffer;
  headers: Record<string, string>;
}

const KEPT_HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'content-disposition', 'referrer-policy', 'x-robots-tag'];

export function isAnonymous(request: FastifyRequest): boolean {
  return !request.cookies[SESSION_COOKIE] && !request.cookies[FLASH_COOKIE];
}

function etagMatches(request: FastifyRequest, etag: string | undefined): boolean {
  const header = request.headers['if-none-match'];
  if (!etag || !header) return false;
  return header === '*' || header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));
}

export const pageCachePlugin = fp(
  async (app) => {
    const seconds = app.config.pageCacheSeconds;
    const cache = new LRUCache<string, Stored>({ max: 2000, maxSize: 64 * 1024 * 1024, sizeCalculation: (s) => s.body.length + 200, ttl: seconds * 1000 });
    app.decorateRequest('cacheable', false);
    app.decorate('pageCache', { clear: () => cache.clear() });

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (seconds === 0 || !request.routeOptions.config.publicCache) return;
      if ((request.method !== 'GET' && request.method !== 'HEAD') || !isAnonymous(request)) return;
      request.cacheable = true;
      const hit = cache.get(request.url);
      if (!hit) return;
      reply.headers(hit.headers).header('x-page-cache', 'hit');
      if (etagMatches(request, hit.headers.etag)) return reply.code(304).send();
      return reply.code(200).send(hit.body);
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'POST' && reply.statusCode < 400) cache.clear();
      if (!request.cacheable || request.method !== 'GET' || reply.statusCode !== 200 || reply.hasHeader('set-cookie')) return payload;
      if (reply.getHeader('x-page-cache') === 'hit') return payload;
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      cache.set(request.url, { body: payload, headers });
      return payload;
    });
  },
  { name: 'page-cache', dependencies: ['pages'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: { clear(): void };
  }
}
