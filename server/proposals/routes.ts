// Proposals, as the people proposing see them: start one, keep it as a draft, change it, send it
// to the steering group, withdraw it, and follow its timeline and every message about it. Also
// the private invitation link a co-proposer accepts (or declines) before they are added.
import { ProposalParams, TokenParams } from '../http/params.ts';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { NotFoundError } from '../errors.ts';
import { type FormState, formState } from '../http/forms.ts';
import { submit } from '../http/form-route.ts';
import { text, textForm } from '../http/form-values.ts';
import { formatOptions, typeOptions } from '../event-labels.ts';
import { DATE_OPTIONS, proposalFormValues, readProposalForm } from './form.ts';
import {
  acceptInvitation,
  addComment,
  createProposal,
  declineInvitation,
  listMyProposals,
  MAX_CO_PROPOSERS,
  openInvitation,
  pendingInvitations,
  proposalForProposer,
  submitProposal,
  updateProposal,
  withdrawProposal,
} from './service.ts';
import { proposalListItem, proposalView } from './view-models.ts';

const fieldTitles: Record<string, { title: string; maxLength?: number }> = {
  title: { title: 'Title', maxLength: 200 },
  type: { title: 'Kind of event', maxLength: 40 },
  summary: { title: 'Summary' },
  purpose: { title: 'Purpose and aims' },
  audience: { title: 'Who it is for' },
  format: { title: 'Format', maxLength: 40 },
  place: { title: 'Place or online platform' },
  expectedNumbers: { title: 'Expected number of people', maxLength: 20 },
  accessibilityPlan: { title: 'Accessibility plan' },
  coproductionPlan: { title: 'Co-production plan' },
  budgetNeeds: { title: 'Budget needs' },
  bursaryBudget: { title: 'Bursary budget', maxLength: 20 },
  coProposerEmails: { title: 'Email addresses of co-proposers to invite', maxLength: 3000 },
  send: { title: 'Send to the steering group', maxLength: 10 },
};
for (let i = 1; i <= DATE_OPTIONS; i++) {
  fieldTitles[`option${i}Date`] = { title: `Date option ${i}`, maxLength: 20 };
  fieldTitles[`option${i}Start`] = { title: `Start time of date option ${i}`, maxLength: 10 };
  fieldTitles[`option${i}End`] = { title: `End time of date option ${i}`, maxLength: 10 };
}
const ProposalForm = textForm(fieldTitles);
const SENT = 'Your proposal has been sent to the steering group.';
const MessageForm = textForm({ message: { title: 'Message to the steering group', maxLength: 5000 } });

export const proposalsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const context = { mailBudget: { perDay: app.config.mailBudgetPerDay } };
  // Private invitation links must not leak to other sites through the Referer header.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/proposals/invitations/')) reply.header('referrer-policy', 'no-referrer');
  });

  const renderForm = (reply: FastifyReply, model: { proposalId: string | null; form: FormState; coProposers?: string[]; invited?: string[] }, status = 200) =>
    reply.page(
      'proposals/form',
      {
        title: model.proposalId ? 'Change your proposal' : 'Propose an event',
        proposalId: model.proposalId,
        action: model.proposalId ? `/proposals/${model.proposalId}/edit` : '/proposals',
        form: model.form,
        typeOptions,
        formatOptions,
        dateOptionCount: DATE_OPTIONS,
        coProposers: model.coProposers ?? [],
        invited: model.invited ?? [],
        maxCoProposers: MAX_CO_PROPOSERS,
      },
      status,
    );

  app.get('/proposals', { config: { access: 'member' } }, async (request, reply) => {
    const rows = await listMyProposals(app.db, signedIn(request));
    return reply.page('proposals/mine', { title: 'Your event proposals', proposals: rows.map((p) => proposalListItem(p, '/proposals')) });
  });

  app.get('/proposals/new', { config: { access: 'member' } }, async (_request, reply) => {
    // Nothing is chosen for them: a draft shows only what its author picked (GOV.UK: radios start unselected).
    return renderForm(reply, { proposalId: null, form: formState() });
  });

  app.post('/proposals', { config: { access: 'member' }, schema: { body: ProposalForm }, attachValidation: true }, async (request, reply) => {
    const { values, input, errors, send } = readProposalForm(request.body);
    return submit(request, reply, {
      values,
      errors,
      again: (form, status) => renderForm(reply, { proposalId: null, form }, status),
      tooMany: { field: 'coProposerEmails' },
      run: async () => {
        const id = await createProposal(app.db, input, signedIn(request), context);
        if (send) await submitProposal(app.db, id, signedIn(request), context);
        return id;
      },
      done: (id) => ({ to: `/proposals/${id}`, notice: send ? SENT : 'Your proposal is saved as a draft. Send it to the steering group when you are ready.' }),
    });
  });

  app.get('/proposals/:proposalId', { config: { access: 'member' }, schema: { params: ProposalParams } }, async (request, reply) => {
    const { proposalId } = request.params;
    const detail = await proposalForProposer(app.db, proposalId, signedIn(request));
    const invited = await pendingInvitations(app.db, proposalId);
    return reply.page('proposals/show', { title: detail.proposal.title, proposal: proposalView(detail), invited, form: formState() });
  });

  // Withdrawing cannot be undone, so the proposal page links here to confirm it first.
  app.get('/proposals/:proposalId/withdraw', { config: { access: 'member' }, schema: { params: ProposalParams } }, async (request, reply) => {
    const { proposalId } = request.params;
    const detail = await proposalForProposer(app.db, proposalId, signedIn(request));
    const proposal = proposalView(detail);
    if (!proposal.canWithdraw) return reply.notice('This proposal cannot be withdrawn now.', 'important').redirect(`/proposals/${proposalId}`, 303);
    return reply.page('confirm', {
      title: `Withdraw ${detail.proposal.title}`,
      heading: 'Are you sure you want to withdraw the proposal?',
      caption: detail.proposal.title,
      warning: 'It cannot be sent again afterwards. You can always propose something new.',
      postUrl: `/proposals/${proposalId}/withdraw`,
      yesLabel: 'Yes, withdraw it',
      backUrl: `/proposals/${proposalId}`,
      backLabel: 'Back to your proposal',
      noLabel: 'No, keep it',
    });
  });

  app.get('/proposals/:proposalId/edit', { config: { access: 'member' }, schema: { params: ProposalParams } }, async (request, reply) => {
    const { proposalId } = request.params;
    const detail = await proposalForProposer(app.db, proposalId, signedIn(request));
    if (!proposalView(detail).canEdit) return reply.notice('This proposal cannot be changed now.', 'important').redirect(`/proposals/${proposalId}`, 303);
    return renderForm(reply, { proposalId, form: formState(proposalFormValues(detail)), ...(await coProposersOf(detail)) });
  });

  async function coProposersOf(detail: Awaited<ReturnType<typeof proposalForProposer>>) {
    return {
      coProposers: detail.proposers.filter((p) => !p.isAuthor).map((p) => p.displayName || p.email),
      invited: await pendingInvitations(app.db, detail.proposal.id),
    };
  }

  app.post(
    '/proposals/:proposalId/edit',
    { config: { access: 'member' }, schema: { params: ProposalParams, body: ProposalForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params;
      const { values, input, errors, send } = readProposalForm(request.body);
      return submit(request, reply, {
        values,
        errors,
        again: async (form, status) => {
          const people = await coProposersOf(await proposalForProposer(app.db, proposalId, signedIn(request)));
          return renderForm(reply, { proposalId, form, ...people }, status);
        },
        tooMany: { field: 'coProposerEmails' },
        run: async () => {
          await updateProposal(app.db, proposalId, input, signedIn(request), context);
          if (send) await submitProposal(app.db, proposalId, signedIn(request), context);
        },
        done: { to: `/proposals/${proposalId}`, notice: send ? SENT : 'Your changes are saved.' },
      });
    },
  );

  app.post('/proposals/:proposalId/submit', { config: { access: 'member' }, schema: { params: ProposalParams } }, async (request, reply) => {
    const { proposalId } = request.params;
    return submit(request, reply, {
      // Shows the form with what still needs filling in, beside each field.
      again: async (form, status) => {
        const detail = await proposalForProposer(app.db, proposalId, signedIn(request));
        return renderForm(reply, { proposalId, form: formState(proposalFormValues(detail), form.errors), ...(await coProposersOf(detail)) }, status);
      },
      tooMany: { to: `/proposals/${proposalId}` },
      run: () => submitProposal(app.db, proposalId, signedIn(request), context),
      done: { to: `/proposals/${proposalId}`, notice: SENT },
    });
  });

  app.post('/proposals/:proposalId/withdraw', { config: { access: 'member' }, schema: { params: ProposalParams } }, async (request, reply) => {
    const { proposalId } = request.params;
    return submit(request, reply, {
      run: () => withdrawProposal(app.db, proposalId, signedIn(request)),
      done: { to: `/proposals/${proposalId}`, notice: 'Your proposal has been withdrawn.' },
    });
  });

  app.post(
    '/proposals/:proposalId/messages',
    { config: { access: 'member' }, schema: { params: ProposalParams, body: MessageForm }, attachValidation: true },
    async (request, reply) => {
      const { proposalId } = request.params;
      const message = text(request.body, 'message');
      return submit(request, reply, {
        values: { message },
        again: async (form, status) => {
          const detail = await proposalForProposer(app.db, proposalId, signedIn(request));
          return reply.page('proposals/show', { title: detail.proposal.title, proposal: proposalView(detail), form }, status);
        },
        run: () => addComment(app.db, proposalId, message, signedIn(request)),
        done: { to: `/proposals/${proposalId}#messages`, notice: 'Your message has been added.' },
      });
    },
  );

  // --- Invitations to co-propose: the link is the invitee's proof of their address ----------

  app.get('/proposals/invitations/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const invitation = await openInvitation(app.db, token);
    if (!invitation) throw new NotFoundError('This invitation link does not work. It may have expired, been answered already, or been copied only in part.');
    const me = request.me;
    return reply.page('proposals/invitation', {
      title: 'Invitation to co-propose an event',
      base: `/proposals/invitations/${token}`,
      invitation,
      signedInAsSomeoneElse: me && me.email !== invitation.email ? me.email : '',
    });
  });

  app.post('/proposals/invitations/:token/accept', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const { proposalId, email } = await acceptInvitation(app.db, token, request.me);
    if (request.me) return reply.notice('You are now one of the people proposing this event.').redirect(`/proposals/${proposalId}`, 303);
    return reply
      .notice(`You are now one of the people proposing this event. Sign in with ${email} to see it.`)
      .redirect(`/sign-in?next=${encodeURIComponent(`/proposals/${proposalId}`)}`, 303);
  });

  app.post('/proposals/invitations/:token/decline', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    await declineInvitation(app.db, token);
    return reply.notice('You have declined the invitation. We will not add you to the proposal.').redirect('/', 303);
  });
};
