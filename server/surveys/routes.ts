// Feedback surveys: the page a private link opens (one answer, works without JavaScript), and the
// event's feedback pages in its planning workspace: shape the survey, see the results as charts
// and tables, clear written answers for quoting, export CSV. Leads, co-leads and organisers shape
// and read the attendees' survey; the planning group's own survey is read by organisers only, so
// planners can say freely how working with the leads felt.
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { surveyAudiences, surveyQuestionKinds } from '../../db/schema/index.ts';
import { ConflictError, InvalidInputError } from '../errors.ts';
import { submit } from '../http/form-route.ts';
import { formState, type FormState } from '../http/forms.ts';
import { Uuid } from '../http/ids.ts';
import { EventParams, TokenParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { planningAccess, requireLead, requireOrganiser } from '../planning/access.ts';
import { compareWithSeries, resultsTable, setApproved, surveyResults } from './results.ts';
import { answerFields, audienceWords, otherSurveyLinks, seriesWords, shapeQuestionRows } from './view-models.ts';
import {
  addQuestion,
  changeQuestion,
  changeSettings,
  MAX_TEXT,
  ensureSurvey,
  listQuestions,
  responseCount,
  asksConsentToQuote,
  submitResponse,
  surveyForToken,
  type OpenSurvey,
} from './service.ts';

const Audience = Type.Union(surveyAudiences.map((a) => Type.Literal(a)));
const SurveyParams = Type.Object({ eventId: Uuid, audience: Audience });
const QuestionParams = Type.Object({
  eventId: Uuid,
  audience: Audience,
  questionId: Uuid,
  change: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('remove')]),
});
const AnswerParams = Type.Object({ eventId: Uuid, audience: Audience, answerId: Uuid });
/** A request to one of an event's survey pages, /plan/:eventId/feedback/:audience/…. */
type SurveyRequest = FastifyRequest<{ Params: Static<typeof SurveyParams> }>;
// Answers arrive as q_<id> fields, checked against the survey's questions by the service.
// Only a cap against abuse, far above the page's limit: a longer answer is refused by
// submitResponse with a message on the page and every answer kept (MAX_TEXT, which the page's
// character count shows). A schema limit of its own refused it with a bare 400 and lost them all.
const AnswerForm = Type.Record(Type.String(), Type.String({ maxLength: MAX_TEXT * 25 }));
const QuestionForm = Type.Object({
  kind: Type.Union(
    surveyQuestionKinds.map((k) => Type.Literal(k)),
    { title: 'Kind of question', errorMessage: 'Select the kind of question' },
  ),
  label: Type.String({ title: 'Question', minLength: 1, maxLength: 300 }),
  options: Type.Optional(Type.String({ title: 'Choices', maxLength: 3000 })),
});
const SettingsForm = Type.Object({
  enabled: Type.Optional(
    Type.Union([Type.Literal('yes'), Type.Literal('no')], { title: 'Send this survey', errorMessage: 'Select whether to send this survey' }),
  ),
  anonymous: Type.Union([Type.Literal('yes'), Type.Literal('no')], { title: 'Anonymous', errorMessage: 'Select whether answers are anonymous' }),
  sendAfterHours: Type.String({
    title: 'Hours after the event',
    pattern: '^\\d{1,3}$',
    errorMessage: 'Enter the hours after the event as a whole number, like 2',
  }),
});
const ApproveForm = Type.Object({ approved: Type.Union([Type.Literal('yes'), Type.Literal('no')]) });

export const surveyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // ---- Answering, from the emailed link ----

  function answerPage(reply: FastifyReply, token: string, open: OpenSurvey, form: FormState, status = 200) {
    return reply.page(
      'surveys/answer',
      {
        title: open.survey.audience === 'planners' ? `How was planning ${open.eventTitle}?` : `What did you think of ${open.eventTitle}?`,
        action: `/surveys/${token}`,
        anonymous: open.survey.anonymous,
        noShow: open.survey.audience === 'no_shows',
        asksConsent: asksConsentToQuote(open.survey, open.questions),
        questions: answerFields(open.questions),
        maxText: MAX_TEXT,
        form,
      },
      status,
    );
  }

  const usedLink = (reply: FastifyReply) =>
    reply.page(
      'errors/problem',
      {
        title: 'This link has been used',
        message: 'Each feedback link works once, and this one has already been used to answer (or it does not work). Thank you if it was you who answered.',
      },
      410,
    );

  app.get('/surveys/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const open = await surveyForToken(app.db, token);
    if (!open) return usedLink(reply);
    return answerPage(reply, token, open, formState());
  });

  app.post('/surveys/:token', { config: { access: 'public' }, schema: { params: TokenParams, body: AnswerForm } }, async (request, reply) => {
    const { token } = request.params;
    const body = request.body ?? {};
    const open = await surveyForToken(app.db, token);
    if (!open) return usedLink(reply);
    try {
      await submitResponse(app.db, token, body);
    } catch (error) {
      if (error instanceof InvalidInputError) return answerPage(reply, token, open, formState(body, error.fieldErrors), 400);
      if (error instanceof ConflictError) return usedLink(reply);
      throw error;
    }
    return reply.page('surveys/thanks', { title: 'Thank you for your feedback', anonymous: open.survey.anonymous });
  });

  // ---- The event's feedback pages ----

  async function surveyFor(request: SurveyRequest, options: { results?: boolean } = {}) {
    const { eventId, audience } = request.params;
    const access = await planningAccess(app.db, eventId, signedIn(request));
    requireLead(access);
    if (options.results && audience === 'planners') requireOrganiser(access);
    const survey = await ensureSurvey(app.db, eventId, audience);
    return { access, survey, base: `/plan/${eventId}/feedback/${audience}` };
  }

  async function shapePage(request: SurveyRequest, reply: FastifyReply, forms: { question?: FormState; settings?: FormState } = {}, status = 200) {
    const { access, survey, base } = await surveyFor(request);
    const questions = await listQuestions(app.db, survey.id);
    const answered = await responseCount(app.db, survey.id);
    const settings =
      forms.settings ??
      formState({ enabled: survey.enabled ? 'yes' : 'no', anonymous: survey.anonymous ? 'yes' : 'no', sendAfterHours: String(survey.sendAfterHours) });
    const question = forms.question ?? formState({ kind: 'rating' });
    return reply.page(
      'surveys/shape',
      {
        title: `Feedback: ${access.event.title}`,
        eventTitle: access.event.title,
        planPath: `/plan/${access.event.id}`,
        base,
        audience: survey.audience,
        audienceWords: audienceWords[survey.audience],
        others: otherSurveyLinks(access.event.id, survey.audience),
        optional: survey.audience === 'no_shows',
        enabled: survey.enabled,
        canSeeResults: survey.audience !== 'planners' || access.isOrganiser,
        answered,
        locked: answered > 0,
        questions: shapeQuestionRows(questions),
        kinds: [
          { value: 'rating', label: 'A rating on a scale' },
          { value: 'choice', label: 'A choice of answers' },
          { value: 'text', label: 'A written answer' },
        ],
        settings,
        question,
        errors: [...settings.errors, ...question.errors],
      },
      status,
    );
  }

  app.get('/plan/:eventId/feedback', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => {
    const { eventId } = request.params;
    // Only those who may shape the survey are sent on; anyone else is refused here, as there.
    requireLead(await planningAccess(app.db, eventId, signedIn(request)));
    return reply.redirect(`/plan/${eventId}/feedback/attendees`, 303);
  });

  app.get('/plan/:eventId/feedback/:audience', { config: { access: 'member' }, schema: { params: SurveyParams } }, async (request, reply) =>
    shapePage(request, reply),
  );

  app.post(
    '/plan/:eventId/feedback/:audience/settings',
    { config: { access: 'member' }, schema: { params: SurveyParams, body: SettingsForm }, attachValidation: true },
    async (request, reply) => {
      const body = request.body;
      const base = `/plan/${request.params.eventId}/feedback/${request.params.audience}`;
      return submit(request, reply, {
        values: body,
        again: (form, status) => shapePage(request, reply, { settings: form }, status),
        run: async () => {
          const { survey } = await surveyFor(request);
          // Only the no-shows' survey can be turned off; the others always go.
          const enabled = survey.audience === 'no_shows' ? body.enabled === 'yes' : true;
          await changeSettings(
            app.db,
            survey,
            { anonymous: body.anonymous === 'yes', sendAfterHours: Number(body.sendAfterHours), enabled },
            signedIn(request),
          );
        },
        conflict: { to: base },
        done: { to: base, notice: 'Survey settings saved.' },
      });
    },
  );

  app.post(
    '/plan/:eventId/feedback/:audience/questions',
    { config: { access: 'member' }, schema: { params: SurveyParams, body: QuestionForm }, attachValidation: true },
    async (request, reply) => {
      const body = request.body;
      const base = `/plan/${request.params.eventId}/feedback/${request.params.audience}`;
      return submit(request, reply, {
        values: body,
        again: (form, status) => shapePage(request, reply, { question: form }, status),
        run: async () => {
          const { survey } = await surveyFor(request);
          await addQuestion(app.db, survey, { kind: body.kind, label: body.label, options: body.options ?? '' }, signedIn(request));
        },
        conflict: { to: base },
        done: { to: base, notice: 'Question added.' },
      });
    },
  );

  app.post(
    '/plan/:eventId/feedback/:audience/questions/:questionId/:change',
    { config: { access: 'member' }, schema: { params: QuestionParams } },
    async (request, reply) => {
      const { eventId, audience, questionId, change } = request.params;
      const base = `/plan/${eventId}/feedback/${audience}`;
      return submit(request, reply, {
        run: async () => {
          const { survey } = await surveyFor(request);
          await changeQuestion(app.db, survey, questionId, change, signedIn(request));
        },
        conflict: { to: base },
        done: { to: `${base}#questions`, notice: change === 'remove' ? 'Question removed.' : 'Question moved.' },
      });
    },
  );

  app.get('/plan/:eventId/feedback/:audience/results', { config: { access: 'member' }, schema: { params: SurveyParams } }, async (request, reply) => {
    const { access, survey, base } = await surveyFor(request, { results: true });
    const results = await surveyResults(app.db, survey);
    const series = await compareWithSeries(app.db, survey, access.event, seriesWords[access.event.type]);
    return reply.page('surveys/results', {
      title: `Feedback results: ${access.event.title}`,
      eventTitle: access.event.title,
      base,
      audienceWords: audienceWords[survey.audience],
      anonymous: survey.anonymous,
      responses: results.responses,
      questions: results.questions,
      series,
      quotable: survey.audience !== 'planners',
      afterPath: `/plan/${access.event.id}/after`,
    });
  });

  app.get('/plan/:eventId/feedback/:audience/results.csv', { config: { access: 'member' }, schema: { params: SurveyParams } }, async (request, reply) => {
    const { access, survey } = await surveyFor(request, { results: true });
    const rows = await resultsTable(app.db, survey);
    // Spreadsheets read UTF-8 only when the file starts with a byte-order mark.
    const csv = `\uFEFF${stringify(rows, { cast: { string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value) } })}`;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${access.event.slug}-feedback-${survey.audience}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });

  app.post(
    '/plan/:eventId/feedback/:audience/answers/:answerId',
    { config: { access: 'member' }, schema: { params: AnswerParams, body: ApproveForm }, attachValidation: true },
    async (request, reply) => {
      const { answerId } = request.params;
      // Who may read the results is checked before what was sent, so others are refused alike.
      const { survey, base } = await surveyFor(request, { results: true });
      const approved = request.body?.approved === 'yes';
      return submit(request, reply, {
        run: () => setApproved(app.db, survey, answerId, approved),
        conflict: { to: `${base}/results#written` },
        done: { to: `${base}/results#written`, notice: approved ? 'The answer may now be quoted in public.' : 'The answer will not be quoted.' },
      });
    },
  );
};
