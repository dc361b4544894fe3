// A visitor for app.inject: keeps cookies between requests, and posts forms the way a browser
// does, with the CSRF token the page gave it.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { latestSignInPath } from './outbox.ts';

export type FormFields = Record<string, string | number | boolean | string[] | undefined>;

/**
 * Every page any test opens must give each id once: a heading and a form field sharing an id
 * leave the field without a name for screen readers and make its label click the heading.
 */
function assertUniqueIds(response: LightMyRequestResponse) {
  if (!String(response.headers['content-type'] ?? '').startsWith('text/html')) return;
  const seen = new Set<string>();
  for (const [, id] of response.body.matchAll(/\sid="([^"]*)"/g)) {
    if (seen.has(id!)) throw new Error(`The page gives id="${id}" more than once`);
    seen.add(id!);
  }
}

export class TestClient {
  readonly app: FastifyInstance;
  readonly cookies = new Map<string, string>();
  private csrf: string | null = null;

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  private cookieHeaders(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  private remember(response: LightMyRequestResponse) {
    assertUniqueIds(response);
    for (const c of response.cookies) {
      const expired = c.maxAge === 0 || (c.expires instanceof Date && c.expires.getTime() <= Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
      // Tokens are bound to the CSRF cookie and the session: a new one of either needs a new token.
      if (/csrf|session/.test(c.name)) this.csrf = null;
    }
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(response.body)?.[1];
    if (token) this.csrf = token;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { ...headers, ...this.cookieHeaders() } });
    this.remember(response);
    return response;
  }

  /** A CSRF token, fetched from a page if no page has given one yet. */
  async csrfToken(): Promise<string> {
    // Public pages may be cached without a token; the sign-in page (anonymous) and the account
    // page (signed in) always carry one.
    if (!this.csrf) await this.get('/sign-in');
    if (!this.csrf) await this.get('/account');
    if (!this.csrf) throw new Error('No CSRF token on the page');
    return this.csrf;
  }

  async post(url: string, fields: FormFields = {}, options: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    if (options.csrf !== false) body.append('_csrf', await this.csrfToken());
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, String(v));
    }
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeaders() },
    });
    this.remember(response);
    return response;
  }

  /** Signs in through the real flow: ask for a link, open it, press "Sign in". */
  async signIn(email: string): Promise<void> {
    const asked = await this.post('/sign-in', { email });
    if (asked.statusCode !== 303) throw new Error(`Asking for a sign-in link answered ${asked.statusCode}`);
    const link = await latestSignInPath(this.app.db, email.trim());
    await this.get(link);
    const done = await this.post(link);
    if (done.statusCode !== 303) throw new Error(`Signing in answered ${done.statusCode}: ${done.body.slice(0, 200)}`);
  }
}
