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

// Everything the first answer carried (security headers included) except what is per response.
const NOT_KEPT = new Set(['set-cookie', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'x-page-cache']);

/** Anonymous: no session and no one-off notice, read from the raw header before cookies are parsed. */
export function isAnonymous(request: FastifyRequest): boolean {
  const cookie = request.headers.cookie;
  return !cookie || (!cookie.includes(`${SESSION_COOKIE}=`) && !cookie.includes(`${FLASH_COOKIE}=`));
}

function etagMatches(request: FastifyRequest, etag: string | undefined): boolean {
  const header = request.headers['if-none-match'];
  if (!etag || !header) return false;
  return header === '*' || header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));
}

export const pageCachePlugin = fp(
  async (app) => {
    const seconds = app.config.pageCacheSeconds;
    const cache = new LRUCache<string, Stored>({ max: 2000, maxSize: 64 * 1024 * 1024, sizeCalculation: (s) => s.body.length + 2000, ttl: seconds * 1000 });
    app.decorateRequest('cacheable', false);
    app.decorate('pageCache', { clear: () => cache.clear() });

    // Registered before every other plugin, so a hit is answered before cookies are parsed,
    // sessions looked up or rate limits counted: a stored public page costs almost nothing.
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
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined && !NOT_KEPT.has(name) && !name.startsWith('x-ratelimit')) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      cache.set(request.url, { body: payload, headers });
      return payload;
    });
  },
  { name: 'page-cache' },
);

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: { clear(): void };
  }
}
