// Feedback surveys: the page a private link opens (one answer, works without JavaScript), and the
// event's feedback pages in its planning workspace: shape the survey, see the results as charts
// and tables, clear written answers for quoting, export CSV. Leads, co-leads and organisers shape
// and read the attendees' survey; the planning group's own survey is read by organisers only, so
// planners can say freely how working with the leads felt.
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { surveyAudiences, surveyQuestionKinds, type SurveyAudience } from '../../db/schema/index.ts';
import { ConflictError, InvalidInputError } from '../errors.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { noticeOnConflict } from '../http/pages.ts';
import { planningAccess, requireLead, requireOrganiser } from '../planning/access.ts';
import { resultsTable, setApproved, surveyResults } from './results.ts';
import { addQuestion, changeQuestion, changeSettings, ensureSurvey, listQuestions, responseCount, submitResponse, surveyForToken, type OpenSurvey } from './service.ts';

const TokenParams = Type.Object({ token: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) });
const Audience = Type.Union(surveyAudiences.map((a) => Type.Literal(a)));
const SurveyParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), audience: Audience });
const QuestionParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), audience: Audience, questionId: Type.String({ format: 'uuid' }), change: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('remove')]) });
const AnswerParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), audience: Audience, answerId: Type.String({ format: 'uuid' }) });
// Answers arrive as q_<id> fields, checked against the survey's questions by the service.
const AnswerForm = Type.Object({}, { additionalProperties: Type.String({ maxLength: 5000 }) });
const QuestionForm = Type.Object({
  kind: Type.Union(surveyQuestionKinds.map((k) => Type.Literal(k)), { title: 'Kind of question', errorMessage: 'Select the kind of question' }),
  label: Type.String({ title: 'Question', minLength: 1, maxLength: 300 }),
  options: Type.Optional(Type.String({ title: 'Choices', maxLength: 3000 })),
});
const SettingsForm = Type.Object({
  anonymous: Type.Union([Type.Literal('yes'), Type.Literal('no')], { title: 'Anonymous', errorMessage: 'Select whether answers are anonymous' }),
  sendAfterHours: Type.String({ title: 'Hours after the event', pattern: '^\\d{1,3}$', errorMessage: 'Enter the hours after the event as a whole number, like 2' }),
});
const ApproveForm = Type.Object({ approved: Type.Union([Type.Literal('yes'), Type.Literal('no')]) });

const audienceWords: Record<SurveyAudience, string> = { attendees: 'People who came', planners: 'The planning group' };

export const surveyRoutes: FastifyPluginAsync = async (app) => {
  // ---- Answering, from the emailed link ----

  function answerPage(reply: FastifyReply, token: string, open: OpenSurvey, form: FormState, status = 200) {
    return reply.page(
      'surveys/answer',
      {
        title: open.survey.audience === 'planners' ? `How was planning ${open.eventTitle}?` : `What did you think of ${open.eventTitle}?`,
        action: `/surveys/${token}`,
        anonymous: open.survey.anonymous,
        questions: open.questions.map((q) => ({ field: `q_${q.id}`, kind: q.kind, label: q.label, options: q.options.map((o, i) => ({ value: q.kind === 'rating' ? String(i + 1) : o, label: o })) })),
        form,
      },
      status,
    );
  }

  const usedLink = (reply: FastifyReply) =>
    reply.page('errors/problem', { title: 'This link has been used', message: 'Each feedback link works once, and this one has already been used to answer (or it does not work). Thank you if it was you who answered.' }, 410);

  app.get('/surveys/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const open = await surveyForToken(app.db, token);
    if (!open) return usedLink(reply);
    return answerPage(reply, token, open, formState());
  });

  app.post('/surveys/:token', { config: { access: 'public' }, schema: { params: TokenParams, body: AnswerForm } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const body = (request.body ?? {}) as Record<string, string>;
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

  async function surveyFor(request: FastifyRequest, options: { results?: boolean } = {}) {
    const { eventId, audience } = request.params as { eventId: string; audience: SurveyAudience };
    const access = await planningAccess(app.db, eventId, request.me!);
    requireLead(access);
    if (options.results && audience === 'planners') requireOrganiser(access);
    const survey = await ensureSurvey(app.db, eventId, audience);
    return { access, survey, base: `/plan/${eventId}/feedback/${audience}` };
  }

  async function shapePage(request: FastifyRequest, reply: FastifyReply, forms: { question?: FormState; settings?: FormState } = {}, status = 200) {
    const { access, survey, base } = await surveyFor(request);
    const questions = await listQuestions(app.db, survey.id);
    const answered = await responseCount(app.db, survey.id);
    const settings = forms.settings ?? formState({ anonymous: survey.anonymous ? 'yes' : 'no', sendAfterHours: String(survey.sendAfterHours) });
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
        other: survey.audience === 'attendees' ? { path: `/plan/${access.event.id}/feedback/planners`, words: 'the planning group’s own survey' } : { path: `/plan/${access.event.id}/feedback/attendees`, words: 'the survey for people who came' },
        canSeeResults: survey.audience === 'attendees' || access.isOrganiser,
        answered,
        locked: answered > 0,
        questions: questions.map((q, i) => ({ id: q.id, label: q.label, kind: q.kind, options: q.options.join(', '), first: i === 0, last: i === questions.length - 1 })),
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

  app.get('/plan/:eventId/feedback', { config: { access: 'member' }, schema: { params: Type.Object({ eventId: Type.String({ format: 'uuid' }) }) } }, async (request, reply) => {
    const { eventId } = request.params as { eventId: string };
    return reply.redirect(`/plan/${eventId}/feedback/attendees`, 303);
  });

  app.get('/plan/:eventId/feedback/:audience', { config: { access: 'member' }, schema: { params: SurveyParams } }, async (request, reply) => shapePage(request, reply));

  app.post('/plan/:eventId/feedback/:audience/settings', { config: { access: 'member' }, schema: { params: SurveyParams, body: SettingsForm }, attachValidation: true }, async (request, reply) => {
    const body = (request.body ?? {}) as { anonymous?: string; sendAfterHours?: string };
    const errors = validationErrors(request);
    if (errors.length) return shapePage(request, reply, { settings: formState(body, errors) }, 400);
    const { survey, base } = await surveyFor(request);
    try {
      await changeSettings(app.db, survey, { anonymous: body.anonymous === 'yes', sendAfterHours: Number(body.sendAfterHours) }, request.me!);
    } catch (error) {
      return noticeOnConflict(reply, error, base);
    }
    return reply.notice('Survey settings saved.').redirect(base, 303);
  });

  app.post('/plan/:eventId/feedback/:audience/questions', { config: { access: 'member' }, schema: { params: SurveyParams, body: QuestionForm }, attachValidation: true }, async (request, reply) => {
    const body = (request.body ?? {}) as { kind?: string; label?: string; options?: string };
    const errors = validationErrors(request);
    if (errors.length) return shapePage(request, reply, { question: formState(body, errors) }, 400);
    const { survey, base } = await surveyFor(request);
    try {
      await addQuestion(app.db, survey, { kind: body.kind as 'rating' | 'choice' | 'text', label: body.label ?? '', options: body.options ?? '' }, request.me!);
    } catch (error) {
      if (error instanceof InvalidInputError) return shapePage(request, reply, { question: formState(body, error.fieldErrors) }, 400);
      return noticeOnConflict(reply, error, base);
    }
    return reply.notice('Question added.').redirect(base, 303);
  });

  app.post('/plan/:eventId/feedback/:audience/questions/:questionId/:change', { config: { access: 'member' }, schema: { params: QuestionParams } }, async (request, reply) => {
    const { questionId, change } = request.params as { questionId: string; change: 'up' | 'down' | 'remove' };
    const { survey, base } = await surveyFor(request);
    try {
      await changeQuestion(app.db, survey, questionId, change, request.me!);
    } catch (error) {
      return noticeOnConflict(reply, error, base);
    }
    return reply.notice(change === 'remove' ? 'Question removed.' : 'Question moved.').redirect(`${base}#questions`, 303);
  });

  app.get('/plan/:eventId/feedback/:audience/results', { config: { access: 'member' }, schema: { params: SurveyParams } }, async (request, reply) => {
    const { access, survey, base } = await surveyFor(request, { results: true });
    const results = await surveyResults(app.db, survey);
    return reply.page('surveys/results', {
      title: `Feedback results: ${access.event.title}`,
      eventTitle: access.event.title,
      base,
      audienceWords: audienceWords[survey.audience],
      anonymous: survey.anonymous,
      responses: results.responses,
      questions: results.questions,
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

  app.post('/plan/:eventId/feedback/:audience/answers/:answerId', { config: { access: 'member' }, schema: { params: AnswerParams, body: ApproveForm } }, async (request, reply) => {
    const { answerId } = request.params as { answerId: string };
    const { approved } = request.body as { approved: 'yes' | 'no' };
    const { survey, base } = await surveyFor(request, { results: true });
    await setApproved(app.db, survey, answerId, approved === 'yes');
    return reply.notice(approved === 'yes' ? 'The answer may now be quoted in public.' : 'The answer will not be quoted.').redirect(`${base}/results#written`, 303);
  });
};
