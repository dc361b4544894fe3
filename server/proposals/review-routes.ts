// The steering group's review of proposals: a queue with filters, messages to the proposers,
// private reviewer notes, a score per reviewer on the rubric, and the decision.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ProposalRequest } from '../http/params.ts';
import { ProposalParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { eventFormats, eventTypes, proposalStatuses, type EventFormat, type EventType, type ProposalStatus } from '../../db/schema/index.ts';
import { type FormState, formState, validationErrors } from '../http/forms.ts';
import { submit } from '../http/form-route.ts';
import { oneOf, text, textForm } from '../http/form-values.ts';
import { formatOptions, typeOptions } from '../event-labels.ts';
import { readScoreForm, ScoreForm } from './form.ts';
import { addComment, addReviewerNote, decideProposal, listReviewQueue, proposalForReviewer, scoreProposal, type Decision } from './service.ts';
import { proposalView, queueItems, queueStatusOptions, reviewerView } from './view-models.ts';

const QueueQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 40 })),
  type: Type.Optional(Type.String({ maxLength: 40 })),
  format: Type.Optional(Type.String({ maxLength: 40 })),
});
const MessageForm = textForm({ message: { title: 'Message to the proposers', maxLength: 5000 } });
const NoteForm = textForm({ note: { title: 'Private note', maxLength: 5000 } });
const DecisionForm = textForm({ decision: { title: 'Decision', maxLength: 40 }, decisionMessage: { title: 'Message to the proposers', maxLength: 5000 } });

const decisions: Decision[] = ['accept', 'request_changes', 'decline'];

export const reviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organise/proposals', { config: { access: 'organiser' }, schema: { querystring: QueueQuery } }, async (request, reply) => {
    const q = request.query;
    const status = q.status === 'open' || !q.status ? 'open' : (oneOf<ProposalStatus>(q.status, proposalStatuses) ?? 'open');
    const type = q.type ? (oneOf<EventType>(q.type, eventTypes) ?? undefined) : undefined;
    const format = q.format ? (oneOf<EventFormat>(q.format, eventFormats) ?? undefined) : undefined;
    const rows = await listReviewQueue(app.db, { status, type, format }, signedIn(request));
    return reply.page('organise/queue', {
      title: 'Proposals to review',
      filters: { status, type: type ?? '', format: format ?? '' },
      statusOptions: queueStatusOptions(),
      typeOptions,
      formatOptions,
      proposals: queueItems(rows),
    });
  });

  const showReview = async (
    request: ProposalRequest,
    reply: FastifyReply,
    forms: { message?: FormState; note?: FormState; score?: FormState; decision?: FormState } = {},
    status = 200,
  ) => {
    const { proposalId } = request.params;
    const detail = await proposalForReviewer(app.db, proposalId, signedIn(request));
    const errors = [forms.message, forms.note, forms.score, forms.decision].flatMap((f) => f?.errors ?? []);
    const reviewer = reviewerView(detail);
    return reply.page(
      'organise/review',
      {
        title: `Review: ${detail.proposal.title}`,
        proposal: proposalView(detail),
        awaitingDecision: detail.proposal.status === 'submitted',
        notes: reviewer.notes,
        rubric: reviewer.rubric,
        myScore: detail.myScore,
        otherScores: detail.otherScores,
        otherScoreCount: detail.otherScoreCount,
        allErrors: errors,
        messageForm: forms.message ?? formState(),
        noteForm: forms.note ?? formState(),
        scoreForm: forms.score ?? formState(reviewer.myScoreValues),
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
      const { proposalId } = request.params;
      const message = text(request.body, 'message');
      return submit(request, reply, {
        values: { message },
        again: (form, status) => showReview(request, reply, { message: form }, status),
        run: () => addComment(app.db, proposalId, message, signedIn(request)),
        done: { to: `/organise/proposals/${proposalId}#messages`, notice: 'Your message has been sent to the proposers.' },
      });
    },
  );

  app.post(
    '/organise/proposals/:proposalId/notes',
    { config: { access: 'organiser' }, schema: { params: ProposalParams, body: NoteForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params;
      const note = text(request.body, 'note');
      return submit(request, reply, {
        values: { note },
        again: (form, status) => showReview(request, reply, { note: form }, status),
        run: () => addReviewerNote(app.db, proposalId, note, signedIn(request)),
        done: { to: `/organise/proposals/${proposalId}#notes`, notice: 'Your note has been added. Only the steering group can see it.' },
      });
    },
  );

  app.post(
    '/organise/proposals/:proposalId/score',
    { config: { access: 'organiser' }, schema: { params: ProposalParams, body: ScoreForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params;
      const body = request.body;
      const { values, score, errors } = readScoreForm(body, new Set(validationErrors(request).map((e) => e.field)));
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => showReview(request, reply, { score: form }, status),
        run: () => scoreProposal(app.db, proposalId, score, signedIn(request)),
        done: { to: `/organise/proposals/${proposalId}#scores`, notice: 'Your score is saved. You can now see the other reviewers’ scores.' },
      });
    },
  );

  app.post(
    '/organise/proposals/:proposalId/decision',
    { config: { access: 'organiser' }, schema: { params: ProposalParams, body: DecisionForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params;
      const body = request.body;
      const values = { decision: text(body, 'decision'), decisionMessage: text(body, 'decisionMessage') };
      const decision = oneOf(values.decision, decisions);
      // Asked for only once the form is otherwise well formed, as before.
      const errors = decision || validationErrors(request).length ? [] : [{ field: 'decision', message: 'Choose a decision' }];
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => showReview(request, reply, { decision: form }, status),
        run: () => decideProposal(app.db, proposalId, decision!, values.decisionMessage, signedIn(request)),
        done: (eventId) =>
          eventId
            ? { to: `/plan/${eventId}`, notice: 'The proposal is accepted and its event is now being planned. The proposers have been told.' }
            : {
                to: `/organise/proposals/${proposalId}`,
                notice: decision === 'decline' ? 'The proposal is declined. The proposers have been told.' : 'The proposers have been asked for changes.',
              },
      });
    },
  );
};
