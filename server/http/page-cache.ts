// A short-lived cache of public responses (event pages, lists, feeds) for anonymous visitors.
//
// A popular event brings many people to the same few pages in the same minute, and calendar
// apps poll feeds all day. Routes opt in with `config: { publicCache: true }`. A response is
// stored only when the visitor is anonymous (no session and no one-off notice cookie), the
// answer is a 200, and it sets no cookie, so nothing personal is ever kept or shown to someone
// else; public pages therefore carry no CSRF token for anonymous visitors (they have no POST
// forms). Any state change handled by this process (every successful POST) empties the cache at
// once; other processes see the change within PAGE_CACHE_SECONDS, as do changes made by
// background jobs. A stored ETag or Last-Modified answers If-None-Match or If-Modified-Since
// with 304 without touching the database.
// A hit is answered by the HTTP server before Fastify routes the request (serverWithPageCache),
// compressed (brotli or gzip, made once when stored) for clients that accept it, as every
// browser and calendar app does: a page a tenth the size matters to people on pay-as-you-go
// mobile data, and costs the server nothing per visit. Hits are therefore not in the request log.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FLASH_COOKIE } from './pages.ts';
import { SESSION_COOKIE } from './security.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Anonymous 200 answers may be served from the page cache (see server/http/page-cache.ts). */
    publicCache?: boolean;
  }
  interface FastifyRequest {
    /** True when this request may be answered from, and stored in, the page cache. */
    cacheable: boolean;
    /** A missed request's If-None-Match and If-Modified-Since, checked against the answer once it is stored. */
    pageCacheCondition: { ifNoneMatch: string | null; ifModifiedSince: string | null } | null;
    /** The cache's generation when the request arrived: an answer begun before a change is not stored. */
    pageCacheGeneration: number;
    /** Set on the one request that builds a missing page; others for that page wait for it. */
    pageCacheBuilt: (() => void) | null;
  }
}

type Encoding = 'br' | 'gzip' | 'identity';

interface Variant {
  body: Buffer;
  headers: Record<string, string>;
  /** Headers of a 304 answer: only those a cache updates its copy with. */
  notModified: Record<string, string>;
}

interface Stored {
  /** The answer as the route gave it, and compressed once for clients that accept it. */
  variants: Partial<Record<Encoding, Variant>> & { identity: Variant };
  size: number;
}

// Everything the first answer carried (security headers included) except what is per response.
const NOT_KEPT = new Set(['set-cookie', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'x-page-cache']);
// A 304 carries only what updates a cache's stored copy (RFC 9110, section 15.4.5).
const NOT_MODIFIED_HEADERS = new Set(['etag', 'last-modified', 'cache-control', 'expires', 'vary', 'x-page-cache']);
// Worth compressing: HTML and calendars shrink to a tenth, which matters on pay-as-you-go data.
const COMPRESSIBLE = /^(text\/|application\/(json|xml))/;
const MIN_COMPRESS_BYTES = 1024;
const STALE_BUILD_MS = 5000;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
// Remembers the answer for the few Accept-Encoding values browsers really send; a bounded cache,
// since anyone can send any value.
const encodings = new Negotiator<Encoding>({ supportedValues: ['br', 'gzip', 'identity'], cache: new LRUCache<string, string>({ max: 64 }) });
const MAX_ACCEPT_ENCODING = 256;

/** Anonymous: no session and no one-off notice, read from the raw header before cookies are parsed. */
export function isAnonymous(request: FastifyRequest): boolean {
  return anonymousCookie(request.headers.cookie);
}

// Cookie parsers trim spaces around names ("convene_session =x" is still a session), so must this;
// on an HTTPS site the session cookie is __Host-convene_session.
const PERSONAL_COOKIE = new RegExp(`(?:^|;)\\s*(?:(?:__Host-)?${SESSION_COOKIE}|${FLASH_COOKIE})\\s*=`);

function anonymousCookie(cookie: string | undefined): boolean {
  return !cookie || !PERSONAL_COOKIE.test(cookie);
}

function etagMatches(header: string | undefined, etag: string | undefined): boolean {
  if (!etag || !header) return false;
  return header === '*' || header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));
}

/** Not modified since the client's copy (RFC 9110 13.1.3): only a valid date, and only to the second. */
function unmodifiedSince(header: string | undefined, lastModified: string | undefined): boolean {
  if (!header || !lastModified) return false;
  const since = Date.parse(header);
  const modified = Date.parse(lastModified);
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

/**
 * Whether the client's copy is current (RFC 9110 13.2.2): If-None-Match when it is sent, else
 * If-Modified-Since (calendar apps send either or both).
 */
function clientIsCurrent(conditions: { ifNoneMatch?: string | null; ifModifiedSince?: string | null }, headers: Record<string, string>): boolean {
  if (conditions.ifNoneMatch) return etagMatches(conditions.ifNoneMatch, headers.etag);
  return unmodifiedSince(conditions.ifModifiedSince ?? undefined, headers['last-modified']);
}

async function store(reply: FastifyReply, payload: string | Buffer): Promise<Stored> {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined && !NOT_KEPT.has(name) && !name.startsWith('x-ratelimit')) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  headers['x-page-cache'] = 'hit';
  const variant = (bytes: Buffer, encoding: Encoding): Variant => {
    const own: Record<string, string> = { ...headers, 'content-length': String(bytes.length) };
    if (encoding !== 'identity') {
      own['content-encoding'] = encoding;
      // Another representation of the same content: the validator becomes weak (RFC 9110, 8.8.1).
      if (own.etag && !own.etag.startsWith('W/')) own.etag = `W/${own.etag}`;
    }
    const notModified = Object.fromEntries(Object.entries(own).filter(([name]) => NOT_MODIFIED_HEADERS.has(name)));
    return { body: bytes, headers: own, notModified };
  };
  const stored: Stored = {
    variants: { identity: variant(body, 'identity') },
    size: body.length,
  };
  if (body.length >= MIN_COMPRESS_BYTES && COMPRESSIBLE.test(headers['content-type'] ?? '')) {
    const [br, gz] = await Promise.all([brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }), gzip(body)]);
    stored.variants.br = variant(br, 'br');
    stored.variants.gzip = variant(gz, 'gzip');
    stored.size += br.length + gz.length;
  }
  return stored;
}

/** Writes a stored answer: 304 when the client's copy is current, else the best encoding it accepts. */
function writeHit(req: IncomingMessage, res: ServerResponse, hit: Stored): void {
  const accept = req.headers['accept-encoding'];
  const chosen = (accept && accept.length <= MAX_ACCEPT_ENCODING && hit.variants[encodings.negotiate(accept) ?? 'identity']) || hit.variants.identity;
  if (clientIsCurrent({ ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] }, chosen.headers)) {
    res.writeHead(304, chosen.notModified).end();
  } else res.writeHead(200, chosen.headers).end(req.method === 'HEAD' ? undefined : chosen.body);
}

/** Lets the route answer. A conditional GET is answered in full so that the answer can be stored. */
function miss(request: FastifyRequest, done: () => void): void {
  // The conditions are checked against the stored answer on the way out (onSend). Without this,
  // a feed polled only conditionally would never be stored.
  const ifNoneMatch = request.headers['if-none-match'];
  const ifModifiedSince = request.headers['if-modified-since'];
  if (request.method === 'GET' && (ifNoneMatch || ifModifiedSince)) {
    request.pageCacheCondition = { ifNoneMatch: ifNoneMatch ?? null, ifModifiedSince: ifModifiedSince ?? null };
    delete request.headers['if-none-match'];
    delete request.headers['if-modified-since'];
  }
  done();
}

export interface PageCache {
  readonly seconds: number;
  /**
   * Answers a request from the cache straight from the HTTP server, before Fastify routes it,
   * makes its request objects or logger, or runs any hook. Returns false when it cannot.
   */
  answer(req: IncomingMessage, res: ServerResponse): boolean;
  clear(): void;
  /** How many requests answer() has served since the process started. */
  readonly servedByServer: number;
}

interface PageCacheInternals extends PageCache {
  cache: LRUCache<string, Stored>;
  generation(): number;
  /** Pages being built, by URL, with when the build began. */
  building: Map<string, { done: Promise<void>; since: number }>;
}

export function createPageCache(seconds: number): PageCache {
  const cache = new LRUCache<string, Stored>({ max: 2000, maxSize: 32 * 1024 * 1024, sizeCalculation: (s) => s.size + 2000, ttl: Math.max(1, seconds) * 1000 });
  let generation = 0;
  let served = 0;
  const internals: PageCacheInternals = {
    seconds,
    get servedByServer() {
      return served;
    },
    cache,
    building: new Map(),
    generation: () => generation,
    clear() {
      generation++;
      cache.clear();
    },
    answer(req, res) {
      if (seconds === 0 || (req.method !== 'GET' && req.method !== 'HEAD') || !anonymousCookie(req.headers.cookie)) return false;
      const hit = cache.get(req.url ?? '');
      if (!hit) return false;
      writeHit(req, res, hit);
      served++;
      return true;
    },
  };
  return internals;
}

export interface ServerTimeouts {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * An HTTP server whose requests meet the page cache first, then Fastify (its serverFactory).
 * It is the only server Convene has, so it carries the timeouts that stop a client holding a
 * connection open by sending a byte now and then: Node answers 408 and closes a request whose
 * headers or body take too long, and closes an idle kept-alive connection.
 */
export function serverWithPageCache(pageCache: PageCache, timeouts: ServerTimeouts) {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
    const server = http.createServer(
      {
        requestTimeout: timeouts.requestTimeoutMs,
        headersTimeout: timeouts.headersTimeoutMs,
        keepAliveTimeout: timeouts.keepAliveTimeoutMs,
        // Node looks for requests past their time this often (30 s unless told): a quarter of the
        // shortest timeout keeps a cut-off close to the time set.
        connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(timeouts.headersTimeoutMs / 4))),
      },
      (req, res) => {
        if (!pageCache.answer(req, res)) handler(req, res);
      },
    );
    return server;
  };
}

export const pageCachePlugin = fp<{ pageCache: PageCache }>(
  async (app, options) => {
    // Made by buildApp before Fastify, so that its HTTP server can answer hits (serverWithPageCache).
    const pageCache = options.pageCache as PageCacheInternals;
    const { seconds, cache, building } = pageCache;
    app.decorateRequest('cacheable', false);
    app.decorateRequest('pageCacheCondition', null);
    app.decorateRequest('pageCacheGeneration', 0);
    app.decorateRequest('pageCacheBuilt', null);
    app.decorate('pageCache', pageCache);

    // Hits are normally answered by the HTTP server before Fastify sees them (see above); this
    // hook answers them for app.inject(), and for every miss decides whether the answer may be
    // stored. It is registered before every other plugin, so a hit is answered before cookies
    // are parsed, sessions looked up or rate limits counted.
    app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (seconds === 0 || !request.routeOptions.config.publicCache) return done();
      if ((request.method !== 'GET' && request.method !== 'HEAD') || !isAnonymous(request)) return done();
      request.cacheable = true;
      request.pageCacheGeneration = pageCache.generation();
      const serve = (hit: Stored) => {
        reply.hijack();
        writeHit(request.raw, reply.raw, hit);
      };
      const hit = cache.get(request.url);
      if (hit) return serve(hit);
      // When a page expires under load, one request builds it and the rest wait for that (a few
      // milliseconds) instead of all building it at once. A build older than a few seconds is
      // forgotten, so that one that never reports back cannot hold a page up for good.
      const pending = building.get(request.url);
      if (pending && Date.now() - pending.since > STALE_BUILD_MS) building.delete(request.url);
      else if (pending) {
        // Waits at most a second: a build that never finishes must not hold anyone up for long.
        const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
        void Promise.race([pending.done, timeout]).then(() => {
          const built = cache.get(request.url);
          if (built) serve(built);
          else miss(request, done);
        });
        return;
      }
      if (request.method === 'GET') {
        let finished = () => {};
        building.set(request.url, { done: new Promise<void>((resolve) => (finished = resolve)), since: Date.now() });
        const entry = building.get(request.url);
        request.pageCacheBuilt = () => {
          if (building.get(request.url) === entry) building.delete(request.url);
          request.pageCacheBuilt = null;
          finished();
        };
      }
      miss(request, done);
    });

    // The builder's answer may not be storable (an error, a 404, a cookie) and its visitor may
    // leave before it is sent: either way, those waiting go on (onSend below covers the rest).
    app.addHook('onResponse', async (request) => {
      request.pageCacheBuilt?.();
    });
    app.addHook('onRequestAbort', async (request) => {
      request.pageCacheBuilt?.();
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'POST' && reply.statusCode < 400) pageCache.clear();
      const storable =
        request.cacheable &&
        request.method === 'GET' &&
        reply.statusCode === 200 &&
        !reply.hasHeader('set-cookie') &&
        // Signed in after all (a cookie the raw check did not see): never keep what they saw.
        !request.me &&
        request.cookies?.[SESSION_COOKIE] === undefined &&
        request.cookies?.[`__Host-${SESSION_COOKIE}`] === undefined &&
        request.cookies?.[FLASH_COOKIE] === undefined &&
        (typeof payload === 'string' || Buffer.isBuffer(payload));
      if (!storable) {
        request.pageCacheBuilt?.();
        return payload;
      }
      // The same URL may be answered compressed or not, so shared caches must tell them apart.
      const vary = reply.getHeader('vary');
      reply.header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
      const stored = await store(reply, payload as string | Buffer);
      // Read before a change this process made since the request arrived: serve it, keep nothing.
      if (request.pageCacheGeneration === pageCache.generation()) cache.set(request.url, stored);
      request.pageCacheBuilt?.();
      if (request.pageCacheCondition && clientIsCurrent(request.pageCacheCondition, stored.variants.identity.headers)) {
        reply.code(304).removeHeader('content-type').removeHeader('content-disposition');
        return '';
      }
      return payload;
    });
  },
  { name: 'page-cache' },
);

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: PageCache;
  }
}
