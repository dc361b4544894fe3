// Accounts: signing in by emailed link, signing out (here or everywhere), and the profile page.
import { clientKey } from '../http/client-address.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { checked, text, type Body } from '../http/form-values.ts';
import { formState } from '../http/forms.ts';
import { submit } from '../http/form-route.ts';
import { accountDeletionRoutes } from './deletion-routes.ts';
import { getProfile, updateProfile } from './people.ts';
import { endAllSessions, endSession } from './sessions.ts';
import { returnPath, returnPathOr } from '../http/return-path.ts';
import { completeSignIn, inspectSignInLink, LINK_MINUTES, requestSignInLink } from './sign-in.ts';

// Where to go after signing in. Anything unsafe in it (control characters, another site) is not
// an error for the person signing in: returnPath() drops it and they go to their account page.
const NextPath = Type.String({ maxLength: 2000 });

const SignInForm = Type.Object({
  email: Type.String({ title: 'Email address', minLength: 1, maxLength: 320, errorMessage: 'Enter your email address' }),
  next: Type.Optional(NextPath),
});

const ProfileForm = Type.Object({
  displayName: Type.String({ title: 'Your name', minLength: 1, maxLength: 120, errorMessage: 'Enter your name' }),
  pronouns: Type.Optional(Type.String({ title: 'Pronouns', maxLength: 40 })),
  wantsEventNews: Type.Optional(Type.String({ maxLength: 10 })),
  prefersPlainText: Type.Optional(Type.String({ maxLength: 10 })),
  contactNotes: Type.Optional(Type.String({ title: 'Anything we should know about contacting you', maxLength: 1000 })),
});

const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) });

const linkProblems = {
  unknown: 'This sign-in link is not valid. It may have been copied only in part.',
  used: 'This sign-in link has already been used. Each link works once.',
  expired: `This sign-in link has expired. Links work for ${LINK_MINUTES} minutes.`,
};

/** Whether the site's address is this machine (http://localhost:3000 and the like). */
function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

export const accountsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(accountDeletionRoutes);

  app.get('/sign-in', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: Type.Optional(NextPath) }) } }, async (request, reply) => {
    const { next } = request.query;
    if (request.me) return reply.redirect(returnPathOr(next, app.config.baseUrl), 303);
    return reply.page('accounts/sign-in', { title: 'Sign in', form: formState({ next: next ?? '' }) });
  });

  app.post(
    '/sign-in',
    {
      // A per-process guard against floods; the real limits are counted in the database.
      config: { access: 'public', rateLimit: { max: app.config.formRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: { body: SignInForm },
      attachValidation: true,
    },
    async (request, reply) => {
      // Read as loosely as it may have arrived: a failed validation still reaches here.
      const body: Body = request.body;
      const values = { email: text(body, 'email'), next: text(body, 'next') };
      return submit(request, reply, {
        values,
        again: (form, status) => reply.page('accounts/sign-in', { title: 'Sign in', form }, status),
        tooMany: { field: 'email' },
        run: () =>
          requestSignInLink(app.db, {
            email: values.email,
            nextPath: returnPathOr(values.next, app.config.baseUrl),
            ip: clientKey(request.ip),
            perIp: app.config.signInLinksPerIp,
          }),
        done: ({ signInPath }) => {
          // A convenience on a developer's own machine only: a link in a server's log is a key anyone reading it may use.
          if (!app.config.smtpUrl && isLoopback(app.config.baseUrl)) request.log.info(`No SMTP_URL set: sign in at ${app.config.baseUrl}${signInPath}`);
          return { to: '/sign-in/check-your-email' };
        },
      });
    },
  );

  app.get('/sign-in/check-your-email', { config: { access: 'public' } }, async (_request, reply) => {
    return reply.page('accounts/check-email', { title: 'Check your email', minutes: LINK_MINUTES });
  });

  // Opening the link shows a button rather than signing in at once: mail scanners that open
  // links in advance would otherwise use up the single-use link before the person can.
  app.get('/sign-in/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const state = await inspectSignInLink(app.db, token);
    reply.header('referrer-policy', 'no-referrer');
    if (!state.ok) return reply.page('accounts/link-problem', { title: 'This link does not work', problem: linkProblems[state.reason] }, 400);
    return reply.page('accounts/confirm-sign-in', { title: 'Continue to sign in', email: state.email, token });
  });

  app.post('/sign-in/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const result = await completeSignIn(app.db, token);
    if (!result.ok) return reply.page('accounts/link-problem', { title: 'This link does not work', problem: linkProblems[result.reason] }, 400);
    if (request.me) await endSession(app.db, request.me.sessionHash);
    await reply.startSession(result.personId);
    // Checked again: a link asked for before this check existed may carry any path.
    const nextPath = returnPathOr(result.nextPath, app.config.baseUrl);
    if (result.isNew) return reply.notice('Welcome. Tell us the name you would like us to use.').redirect(`/account?next=${encodeURIComponent(nextPath)}`, 303);
    return reply.notice('You are signed in.').redirect(nextPath, 303);
  });

  app.post('/sign-out', { config: { access: 'member' } }, async (request, reply) => {
    await endSession(app.db, signedIn(request).sessionHash);
    return reply.clearSession().notice('You have signed out.').redirect('/', 303);
  });

  app.post('/sign-out-everywhere', { config: { access: 'member' } }, async (request, reply) => {
    await endAllSessions(app.db, signedIn(request).id);
    return reply.clearSession().notice('You have signed out on every device.').redirect('/', 303);
  });

  app.get('/account', { config: { access: 'member' }, schema: { querystring: Type.Object({ next: Type.Optional(NextPath) }) } }, async (request, reply) => {
    const profile = await getProfile(app.db, signedIn(request).id);
    const { next } = request.query;
    return reply.page('accounts/profile', { title: 'Your account', profile, next: returnPath(next, app.config.baseUrl) ?? '', form: formState(profile) });
  });

  app.post(
    '/account',
    { config: { access: 'member' }, schema: { body: ProfileForm, querystring: Type.Object({ next: Type.Optional(NextPath) }) }, attachValidation: true },
    async (request, reply) => {
      // Read as loosely as it may have arrived: a failed validation still reaches here.
      const body: Body = request.body;
      const values = {
        displayName: text(body, 'displayName'),
        pronouns: text(body, 'pronouns'),
        wantsEventNews: checked(body, 'wantsEventNews'),
        prefersPlainText: checked(body, 'prefersPlainText'),
        contactNotes: text(body, 'contactNotes'),
      };
      const next = returnPathOr(request.query.next, app.config.baseUrl);
      return submit(request, reply, {
        values,
        again: async (form, status) => {
          const profile = await getProfile(app.db, signedIn(request).id);
          return reply.page('accounts/profile', { title: 'Your account', profile, next: '', form }, status);
        },
        run: () => updateProfile(app.db, signedIn(request), values),
        done: { to: next === '/account' ? '/account' : next, notice: 'Your details have been saved.' },
      });
    },
  );
};
