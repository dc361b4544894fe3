// The steering group's review of proposals: a queue with filters, messages to the proposers,
// private reviewer notes, a score per reviewer on the rubric, and the decision.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { eventFormats, eventTypes, proposalStatuses, rubricCriteria, type EventFormat, type EventType, type ProposalStatus } from '../../db/schema/index.ts';
import { InvalidInputError, type FieldError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { formState, validationErrors } from '../http/forms.ts';
import { renderMarkdown } from '../markdown.ts';
import { oneOf, text, textForm, type Body } from '../planning/form-values.ts';
import { formatOptions, typeOptions } from './form.ts';
import { proposalStatusLabels, rubricLabels } from './labels.ts';
import { ProposalParams } from './routes.ts';
import { addComment, addReviewerNote, decideProposal, listReviewQueue, proposalForReviewer, scoreProposal, type Decision, type ScoreInput } from './service.ts';
import { proposalListItem, proposalView } from './view-models.ts';

const QueueQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 40 })),
  type: Type.Optional(Type.String({ maxLength: 40 })),
  format: Type.Optional(Type.String({ maxLength: 40 })),
});
const MessageForm = textForm({ message: { title: 'Message to the proposers', maxLength: 5000 } });
const NoteForm = textForm({ note: { title: 'Private note', maxLength: 5000 } });
const ScoreForm = textForm(Object.fromEntries(rubricCriteria.map((c) => [c, { title: rubricLabels[c].label, maxLength: 2 }])));
const DecisionForm = textForm({ decision: { title: 'Decision', maxLength: 40 }, decisionMessage: { title: 'Message to the proposers', maxLength: 5000 } });

const decisions: Decision[] = ['accept', 'request_changes', 'decline'];

export const reviewRoutes: FastifyPluginAsync = async (app) => {
  app.get('/organise/proposals', { config: { access: 'organiser' }, schema: { querystring: QueueQuery } }, async (request, reply) => {
    const q = request.query as { status?: string; type?: string; format?: string };
    const status = q.status === 'open' || !q.status ? 'open' : oneOf<ProposalStatus>(q.status, proposalStatuses) ?? 'open';
    const type = q.type ? oneOf<EventType>(q.type, eventTypes) ?? undefined : undefined;
    const format = q.format ? oneOf<EventFormat>(q.format, eventFormats) ?? undefined : undefined;
    const rows = await listReviewQueue(app.db, { status, type, format }, request.me!);
    return reply.page('organise/queue', {
      title: 'Proposals to review',
      filters: { status, type: type ?? '', format: format ?? '' },
      statusOptions: [
        { value: 'open', label: 'Waiting for a decision' },
        ...proposalStatuses.filter((s) => s !== 'draft' && s !== 'submitted').map((s) => ({ value: s, label: proposalStatusLabels[s] })),
      ],
      typeOptions,
      formatOptions,
      proposals: rows.map((r) => ({ ...proposalListItem(r, '/organise/proposals'), scoreCount: r.scoreCount, scoredByMe: r.scoredByMe })),
    });
  });

  const showReview = async (request: FastifyRequest, reply: FastifyReply, forms: { message?: ReturnType<typeof formState>; note?: ReturnType<typeof formState>; score?: ReturnType<typeof formState>; decision?: ReturnType<typeof formState> } = {}, status = 200) => {
    const { proposalId } = request.params as { proposalId: string };
    const detail = await proposalForReviewer(app.db, proposalId, request.me!);
    const errors = [forms.message, forms.note, forms.score, forms.decision].flatMap((f) => f?.errors ?? []);
    return reply.page(
      'organise/review',
      {
        title: `Review: ${detail.proposal.title}`,
        proposal: proposalView(detail),
        awaitingDecision: detail.proposal.status === 'submitted',
        notes: detail.notes.map((n) => ({ author: n.authorName, when: formatDateTime(n.at), bodyHtml: renderMarkdown(n.body) })),
        rubric: rubricCriteria.map((c) => ({ name: c, ...rubricLabels[c] })),
        myScore: detail.myScore,
        otherScores: detail.otherScores,
        otherScoreCount: detail.otherScoreCount,
        allErrors: errors,
        messageForm: forms.message ?? formState(),
        noteForm: forms.note ?? formState(),
        scoreForm: forms.score ?? formState(detail.myScore ? Object.fromEntries(Object.entries(detail.myScore).map(([k, v]) => [k, String(v)])) : {}),
        decisionForm: forms.decision ?? formState(),
      },
      status,
    );
  };

  app.get('/organise/proposals/:proposalId', { config: { access: 'organiser' }, schema: { params: ProposalParams } }, async (request, reply) => {
    return showReview(request, reply);
  });

  app.post(
    '/organise/proposals/:proposalId/messages',
    { config: { access: 'organiser' }, schema: { params: ProposalParams, body: MessageForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params as { proposalId: string };
      const message = text(request.body as Body, 'message');
      const fail = (errors: FieldError[]) => showReview(request, reply, { message: formState({ message }, errors) }, 400);
      const errors = validationErrors(request);
      if (errors.length) return fail(errors);
      try {
        await addComment(app.db, proposalId, message, request.me!);
      } catch (error) {
        if (error instanceof InvalidInputError) return fail(error.fieldErrors);
        throw error;
      }
      app.mail.nudge();
      return reply.notice('Your message has been sent to the proposers.').redirect(`/organise/proposals/${proposalId}#messages`, 303);
    },
  );

  app.post(
    '/organise/proposals/:proposalId/notes',
    { config: { access: 'organiser' }, schema: { params: ProposalParams, body: NoteForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params as { proposalId: string };
      const note = text(request.body as Body, 'note');
      const fail = (errors: FieldError[]) => showReview(request, reply, { note: formState({ note }, errors) }, 400);
      const errors = validationErrors(request);
      if (errors.length) return fail(errors);
      try {
        await addReviewerNote(app.db, proposalId, note, request.me!);
      } catch (error) {
        if (error instanceof InvalidInputError) return fail(error.fieldErrors);
        throw error;
      }
      return reply.notice('Your note has been added. Only the steering group can see it.').redirect(`/organise/proposals/${proposalId}#notes`, 303);
    },
  );

  app.post(
    '/organise/proposals/:proposalId/score',
    { config: { access: 'organiser' }, schema: { params: ProposalParams, body: ScoreForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params as { proposalId: string };
      const body = request.body as Body;
      const values = Object.fromEntries(rubricCriteria.map((c) => [c, text(body, c)]));
      const errors: FieldError[] = [...validationErrors(request)];
      for (const c of rubricCriteria) {
        if (!/^[1-5]$/.test(values[c]!) && !errors.some((e) => e.field === c)) errors.push({ field: c, message: `Choose a score from 1 to 5 for ${rubricLabels[c].label.toLowerCase()}` });
      }
      if (errors.length) return showReview(request, reply, { score: formState(values, errors) }, 400);
      const score = Object.fromEntries(rubricCriteria.map((c) => [c, Number(values[c])])) as ScoreInput;
      await scoreProposal(app.db, proposalId, score, request.me!);
      return reply.notice('Your score is saved. You can now see the other reviewers’ scores.').redirect(`/organise/proposals/${proposalId}#scores`, 303);
    },
  );

  app.post(
    '/organise/proposals/:proposalId/decision',
    { config: { access: 'organiser' }, schema: { params: ProposalParams, body: DecisionForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params as { proposalId: string };
      const body = request.body as Body;
      const values = { decision: text(body, 'decision'), decisionMessage: text(body, 'decisionMessage') };
      const fail = (errors: FieldError[]) => showReview(request, reply, { decision: formState(values, errors) }, 400);
      const errors = validationErrors(request);
      if (errors.length) return fail(errors);
      const decision = oneOf(values.decision, decisions);
      if (!decision) return fail([{ field: 'decision', message: 'Choose a decision' }]);
      let eventId: string | null;
      try {
        eventId = await decideProposal(app.db, proposalId, decision, values.decisionMessage, request.me!);
      } catch (error) {
        if (error instanceof InvalidInputError) return fail(error.fieldErrors);
        throw error;
      }
      app.mail.nudge();
      if (eventId) return reply.notice('The proposal is accepted and its event is now being planned. The proposers have been told.').redirect(`/plan/${eventId}`, 303);
      return reply.notice(decision === 'decline' ? 'The proposal is declined. The proposers have been told.' : 'The proposers have been asked for changes.').redirect(`/organise/proposals/${proposalId}`, 303);
    },
  );
};
