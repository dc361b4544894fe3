// "Delete your account" (UK GDPR Article 17): a page that says plainly what goes at once and what
// the Hub keeps and why, and a button that erases the person (server/accounts/erase.ts) and signs
// them out. Admins see each deletion in the audit log ("account.deleted").
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { upcomingBookingRows } from './view-models.ts';
import { SESSION_COOKIE } from '../http/security.ts';
import { erasePerson, upcomingBookingsOf } from './erase.ts';

export const accountDeletionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/account/delete', { config: { access: 'member' } }, async (request, reply) => {
    const me = signedIn(request);
    const bookings = await upcomingBookingsOf(app.db, me);
    return reply.page('accounts/delete', {
      title: 'Delete your account',
      email: me.email,
      bookings: upcomingBookingRows(bookings),
    });
  });

  app.post('/account/delete', { config: { access: 'member' } }, async (request, reply) => {
    // Erasing deletes every session of the person, this one included.
    await erasePerson(app.db, signedIn(request).id);
    app.mail.nudge();
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).notice('Your account has been deleted. Thank you for being part of the Hub.').redirect('/', 303);
  });
};
