// Server-rendered pages: Eta templates in views/, always given the same frame (who is signed in,
// a CSRF token for forms, a one-off notice after a redirect) plus the page's own view model.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import view from '@fastify/view';
import { Eta } from 'eta';
import fp from 'fastify-plugin';
import type { FastifyReply } from 'fastify';
import { csrfUserInfo } from './security.ts';
import { formatDate, formatDateTime, formatPence, formatTime, formatTimeRange } from '../format.ts';

const viewsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');
export const FLASH_COOKIE = 'convene_notice';
/** Marks a notice that tells of something not done (refused, or maybe done): never shown as "Done". */
const IMPORTANT_MARK = '!';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page template with the site frame; `model.title` names the page. */
    page(template: string, model: Record<string, unknown> & { title: string }, status?: number): FastifyReply;
    /**
     * Shows a short notice on the next page (post/redirect/get): 'done' (the default) says an
     * action succeeded; 'important' says something was refused, or may not have happened.
     */
    notice(message: string, kind?: 'done' | 'important'): FastifyReply;
  }
}

/** Helpers templates may call: formatting only, never data access. */
export const viewHelpers = { formatDate, formatDateTime, formatTime, formatTimeRange, formatPence };

export const pagesPlugin = fp(
  async (app) => {
    await app.register(view, {
      engine: { eta: new Eta() },
      root: viewsFolder,
      viewExt: 'eta',
      production: app.config.viewCache,
    });

    app.decorateReply('page', function (this: FastifyReply, template: string, model: Record<string, unknown> & { title: string }, status = 200) {
      const request = this.request;
      const flash = request.cookies[FLASH_COOKIE];
      if (flash) this.clearCookie(FLASH_COOKIE, { path: '/' });
      const important = flash?.startsWith(IMPORTANT_MARK) ?? false;
      const notice = important ? flash!.slice(IMPORTANT_MARK.length) : flash;
      // Pages that may be cached for anonymous visitors carry no token (they have no POST forms),
      // so no visitor's CSRF cookie is ever tied to a page someone else is shown.
      const csrfToken = request.cacheable ? null : this.generateCsrf({ userInfo: csrfUserInfo(request) });
      this.code(status).header('cache-control', 'no-store');
      return this.view(template, {
        ...model,
        me: request.me,
        csrfToken,
        notice: notice || null,
        noticeKind: important ? 'important' : 'done',
        path: request.url.split('?')[0],
        h: viewHelpers,
      });
    });

    app.decorateReply('notice', function (this: FastifyReply, message: string, kind: 'done' | 'important' = 'done') {
      return this.setCookie(FLASH_COOKIE, (kind === 'important' ? IMPORTANT_MARK : '') + message.slice(0, 300), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: app.config.baseUrl.startsWith('https:'),
        maxAge: 60,
      });
    });
  },
  { name: 'pages', dependencies: ['security'] },
);
