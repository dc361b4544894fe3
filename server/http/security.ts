// The security baseline: strict headers, cookies, form parsing, CSRF on every state change and a
// coarse rate limit. Sign-in has its own, database-backed limits (see accounts/sign-in.ts).
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { clientKey } from './client-address.ts';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isHttps, type Config } from '../config.ts';

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * On an HTTPS site a cookie named __Host-… is refused by browsers unless it is Secure, for the
 * whole site and for this host only, so another site on a sibling subdomain (or a man in the
 * middle on plain HTTP) cannot plant one.
 */
export function cookieName(config: Config, name: string): string {
  return isHttps(config) ? `__Host-${name}` : name;
}

const CSRF_COOKIE = 'convene_csrf';
/** The session cookie's name on a plain-HTTP site; on HTTPS it is __Host-convene_session (accounts/sessions.ts). */
export const SESSION_COOKIE = 'convene_session';

/**
 * What a CSRF token is bound to besides the cookie's secret: the session, so a token taken from
 * one session (or planted with its cookie before someone signs in) is refused in any other.
 */
export function csrfUserInfo(request: FastifyRequest): string {
  return request.me ? `session:${request.me.sessionHash}` : 'anonymous';
}

// The plugin hashes the user info with this key into the token. It need not be secret: the
// binding holds because the session id is secret; every process must use the same one.
const CSRF_HMAC_KEY = 'convene csrf user info';

declare module 'fastify' {
  interface FastifyReply {
    /** Drops this browser's CSRF secret, so the next page starts a new one (sign-in, sign-out). */
    rotateCsrf(): FastifyReply;
  }
}

function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  // Parsed forms and queries are plain objects (fast-querystring's have no Object prototype);
  // uploaded files arrive as Buffers and are left alone.
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    for (const [key, field] of Object.entries(value)) (value as Record<string, unknown>)[key] = withoutNul(field);
  }
  return value;
}

export const securityPlugin = fp(
  async (app) => {
    const https = isHttps(app.config);
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          // Stripe Checkout is reached by a redirect after a form post, which form-action governs.
          formAction: app.config.stripeSecretKey ? ["'self'", 'https://checkout.stripe.com'] : ["'self'"],
          frameAncestors: ["'none'"],
          ...(https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: https ? undefined : false,
      crossOriginEmbedderPolicy: false,
    });
    await app.register(cookie);
    await app.register(formbody, { bodyLimit: 256 * 1024 });
    const csrfCookie = cookieName(app.config, CSRF_COOKIE);
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: csrfCookie,
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: https },
      getUserInfo: csrfUserInfo,
      csrfOpts: { hmacKey: CSRF_HMAC_KEY },
    });
    app.decorateReply('rotateCsrf', function (this: FastifyReply) {
      delete this.request.cookies[csrfCookie];
      return this.clearCookie(csrfCookie, { path: '/', secure: https, sameSite: 'lax', httpOnly: true });
    });
    await app.register(rateLimit, {
      max: app.config.rateLimitPerMinute,
      timeWindow: '1 minute',
      // An IPv6 /64 is one client (see client-address.ts).
      keyGenerator: (request) => clientKey(request.ip),
      // Handled by the error handler, which shows a page.
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'too_many_requests',
        message: `Too many requests. Try again in ${context.after}.`,
      }),
    });

    // PostgreSQL cannot store the NUL character in text, and no person types one: remove it from
    // every field and query value before anything else sees them.
    app.addHook('preValidation', async (request) => {
      request.body = withoutNul(request.body);
      request.query = withoutNul(request.query);
    });

    // Checked before the handler and after the body is parsed (the token is a form field).
    app.addHook('preHandler', (request, reply, done) => {
      if (!stateChanging.has(request.method) || request.routeOptions.config.csrf === false) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'security' },
);
