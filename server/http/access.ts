// Who may use each route. Every route must say so in its config (`access`), and the app refuses
// to start if one does not. Finer rights (a planner of one event, a bursary reviewer) are
// checked by the feature's service, which knows the event.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * - public: anyone, signed in or not (routes guarded by a private token are public too);
 * - member: anyone signed in;
 * - organiser: the steering group (admins count as organisers);
 * - admin: admins only.
 */
export type Access = 'public' | 'member' | 'organiser' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Turn off CSRF checks for a route that is called by another server (webhooks). */
    csrf?: boolean;
    /** Errors on this route are answered as JSON rather than as a page. */
    json?: boolean;
  }
}

export function signInRedirect(request: FastifyRequest, reply: FastifyReply) {
  const next = request.method === 'GET' ? request.url : '/';
  return reply.redirect(`/sign-in?next=${encodeURIComponent(next)}`, 303);
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
  /** The field names the route's body schema declares (for tests that post to every form). */
  bodyFields: string[];
  /** The body schema itself (tests check each field's label and messages). */
  bodySchema?: unknown;
  /** The field names its querystring schema declares. */
  queryFields: string[];
  csrf: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route and who may use it; tests walk this list to prove others are refused. */
    routeAccess: RouteAccess[];
  }
}

export const accessPlugin = fp(
  async (app) => {
    const routes: RouteAccess[] = [];
    app.decorate('routeAccess', routes);
    app.addHook('onRoute', (route) => {
      // Static files are served by @fastify/static, which takes no route config.
      if (route.url.startsWith('/assets/')) return;
      const access = route.config?.access;
      if (!access) {
        throw new Error(`Route ${String(route.method)} ${route.url} must say who may use it (config.access)`);
      }
      const body = route.schema?.body as { properties?: Record<string, unknown> } | undefined;
      const bodyFields = Object.keys(body?.properties ?? {});
      const queryFields = Object.keys((route.schema?.querystring as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      for (const method of [route.method].flat()) {
        routes.push({ method: String(method), url: route.url, access, bodyFields, bodySchema: body, queryFields, csrf: route.config?.csrf !== false });
      }
    });

    app.addHook('onRequest', async (request, reply) => {
      const access = request.routeOptions.config.access ?? 'public';
      if (access === 'public') return;
      const me = request.me;
      if (!me) return signInRedirect(request, reply);
      if (access === 'organiser' && !me.isOrganiser) return reply.page('errors/forbidden', { title: 'You cannot see this page' }, 403);
      if (access === 'admin' && !me.isAdmin) return reply.page('errors/forbidden', { title: 'You cannot see this page' }, 403);
    });
  },
  { name: 'access', dependencies: ['sessions', 'pages'] },
);
