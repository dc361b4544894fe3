// The mailing list's public pages: join (then confirm from the email), choose what to hear about,
// and leave. Everything past the join form is reached only by a private link from an email.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { type Static, Type } from 'typebox';
import type { FieldError } from '../errors.ts';
import { clientKey } from '../http/client-address.ts';
import { submit } from '../http/form-route.ts';
import { type FormState, formState, validationErrors } from '../http/forms.ts';
import { TokenParams } from '../http/params.ts';
import {
  askToJoin,
  confirmJoin,
  JOIN_REQUEST_DAYS,
  JOIN_WORDING,
  joinRequestState,
  leaveList,
  preferencesPath,
  isGenuineToken,
  subscriberByToken,
  subscriberToken,
  updatePreferences,
  type SubscriberRow,
} from './list.ts';
import { interestChoices, interestsFrom, type InterestFields } from './interests.ts';

const Choices = (title: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })], { title }));

const JoinForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  email: Type.String({ title: 'Email address', format: 'email', maxLength: 254 }),
  name: Type.Optional(Type.String({ title: 'Your name', maxLength: 120 })),
  types: Choices('Kinds of event'),
  formats: Choices('How you would take part'),
  regions: Choices('Where in the UK'),
});

const PreferencesForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  name: Type.Optional(Type.String({ title: 'Your name', maxLength: 120 })),
  types: Choices('Kinds of event'),
  formats: Choices('How you would take part'),
  regions: Choices('Where in the UK'),
});

/** What arrived: with attachValidation, a body that failed its schema still reaches the handler. */
type Sent<Form extends typeof JoinForm | typeof PreferencesForm> = Partial<Static<Form>> & InterestFields;

const choices = interestChoices;

export const networkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // RFC 8058: a mail program's one-click POST SHOULD be multipart/form-data. Only its URL
  // matters (the leave route reads no body), so such a body is read as nothing; any other form
  // here then fails its CSRF check or its schema, as it would with no body.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) => done(null, {}));
  const joinPage = (reply: FastifyReply, form: FormState, status = 200) =>
    reply.page(
      'network/join',
      { title: form.errors.length ? 'Error: Get emails about new events' : 'Get emails about new events', form, choices, wording: JOIN_WORDING },
      status,
    );

  app.get('/list/join', { config: { access: 'public' } }, async (_request, reply) => joinPage(reply, formState({ types: [], formats: [], regions: [] })));

  app.post(
    '/list/join',
    {
      // A per-process guard against floods; the limits that matter are counted in the database.
      config: { access: 'public', rateLimit: { max: app.config.formRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: { body: JoinForm },
      attachValidation: true,
    },
    async (request, reply) => {
      const body: Sent<typeof JoinForm> = request.body ?? {};
      const interests = interestsFrom(body);
      const values = { email: String(body.email ?? ''), name: String(body.name ?? ''), ...interests };
      return submit(request, reply, {
        values,
        again: (form, status) => joinPage(reply, form, status),
        run: () =>
          askToJoin(app.db, {
            email: values.email,
            name: values.name,
            interests,
            ip: clientKey(request.ip),
            perIpPerHour: app.config.bookingRequestsPerIpPerHour,
          }),
        tooMany: { field: 'email' },
        done: { to: '/list/join/check-your-email' },
      });
    },
  );

  app.get('/list/join/check-your-email', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('network/check-email', { title: 'Check your email', days: JOIN_REQUEST_DAYS }),
  );

  // A genuine link whose subscriber is gone: they left, and nothing of theirs is kept.
  const gone = (reply: FastifyReply, token: string) =>
    isGenuineToken(token) ? reply.page('network/left', { title: 'You have left the mailing list' }) : linkProblem(reply, 'unknown');

  const linkProblem = (reply: FastifyReply, problem: 'used' | 'expired' | 'unknown') => {
    if (problem === 'used')
      return reply.page(
        'errors/problem',
        {
          title: 'This link has been used',
          message:
            'This address was added to the list when the link was first used. Every email we send to the list has a link to your choices; if you have left since, you can join again at /list/join.',
        },
        410,
      );
    if (problem === 'expired')
      return reply.page(
        'errors/problem',
        { title: 'This link has run out', message: `Links to join the list work for ${JOIN_REQUEST_DAYS} days. Please fill in the form again: /list/join` },
        410,
      );
    return reply.page(
      'errors/problem',
      { title: 'This link does not work', message: 'Please check you copied the whole link from the email, or fill in the form again.' },
      404,
    );
  };

  // Opening the link changes nothing (mail scanners open links); the button does.
  app.get('/list/confirm/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const state = await joinRequestState(app.db, token);
    if (state.kind !== 'ready') return linkProblem(reply, state.kind);
    return reply.page('network/confirm', { title: 'Confirm you want emails from the Hub', email: state.email, postUrl: `/list/confirm/${token}` });
  });

  app.post('/list/confirm/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const result = await confirmJoin(app.db, token);
    if ('problem' in result) return linkProblem(reply, result.problem);
    return reply
      .notice('You are on the mailing list. You can change what you hear about below, now or from any email we send.')
      .redirect(preferencesPath(result.subscriberId), 303);
  });

  const preferencesPage = (reply: FastifyReply, subscriber: SubscriberRow, values: object, errors: FieldError[] = [], status = 200) =>
    reply.page(
      'network/preferences',
      {
        title: errors.length ? 'Error: Your mailing list choices' : 'Your mailing list choices',
        email: subscriber.email,
        subscribed: subscriber.status === 'subscribed',
        form: formState(values, errors),
        choices,
        postUrl: preferencesPath(subscriber.id),
        leaveUrl: `/list/${subscriberToken(subscriber.id)}/leave`,
      },
      status,
    );

  app.get('/list/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const subscriber = await subscriberByToken(app.db, token);
    if (!subscriber) return gone(reply, token);
    return preferencesPage(reply, subscriber, { name: subscriber.name, ...subscriber.interests });
  });

  app.post(
    '/list/:token',
    { config: { access: 'public' }, schema: { params: TokenParams, body: PreferencesForm }, attachValidation: true },
    async (request, reply) => {
      const { token } = request.params;
      const subscriber = await subscriberByToken(app.db, token);
      if (!subscriber) return gone(reply, token);
      const body: Sent<typeof PreferencesForm> = request.body ?? {};
      const interests = interestsFrom(body);
      const values = { name: String(body.name ?? ''), ...interests };
      const errors = validationErrors(request);
      if (errors.length) return preferencesPage(reply, subscriber, values, errors, 400);
      if (subscriber.status !== 'subscribed') return preferencesPage(reply, subscriber, values);
      await updatePreferences(app.db, subscriber.id, { name: values.name, interests });
      return reply.notice('Your choices are saved.').redirect(preferencesPath(subscriber.id), 303);
    },
  );

  app.get('/list/:token/leave', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const subscriber = await subscriberByToken(app.db, token);
    if (!subscriber) return gone(reply, token);
    if (subscriber.status !== 'subscribed') return reply.page('network/left', { title: 'You have left the mailing list' });
    return reply.page('network/leave', {
      title: 'Leave the mailing list',
      email: subscriber.email,
      postUrl: `/list/${token}/leave`,
      preferencesUrl: `/list/${token}`,
    });
  });

  // One-click unsubscribe (RFC 8058): a mail program POSTs "List-Unsubscribe=One-Click" to the
  // link in the List-Unsubscribe header, with no cookie and no CSRF token. The private link is
  // the proof, so this route alone takes no CSRF token; the leave page's button posts here too.
  app.post('/list/:token/leave', { config: { access: 'public', csrf: false }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const subscriber = await subscriberByToken(app.db, token);
    if (!subscriber) return gone(reply, token);
    await leaveList(app.db, subscriber.id);
    return reply.page('network/left', { title: 'You have left the mailing list' });
  });
};
