// The panel's forms for money owed back: recording a repayment and writing an overpayment off.
// Registered from routes.ts (bursariesRoutes), and re-rendering its review page on bad input.
// Access is 'member'; the per-fund panel right and the refusal to act on one's own application
// are checked in the services (repayments.ts), as for every other panel action.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { submit } from '../http/form-route.ts';
import { text } from '../http/form-values.ts';
import { formState, type FormState } from '../http/forms.ts';
import { signedIn } from '../http/signed-in.ts';
import { reviewPath } from './applications.ts';
import type { Actor } from './panel.ts';
import { recordRepayment, writeOff } from './repayments.ts';

export interface ReviewForms {
  decision?: FormState;
  payment?: FormState;
  returnClaim?: FormState;
  repayment?: FormState;
  writeOff?: FormState;
}

type RenderReview = (
  request: FastifyRequest,
  reply: FastifyReply,
  fundId: string,
  applicationId: string,
  forms?: ReviewForms,
  status?: number,
) => Promise<FastifyReply>;

const Uuid = Type.String({ format: 'uuid' });
const Params = Type.Object({ fundId: Uuid, applicationId: Uuid });
const Text = (max: number, title: string) => Type.String({ maxLength: max, title });
const Csrf = { _csrf: Type.Optional(Type.String()) };
const RepaymentBody = Type.Object({
  ...Csrf,
  repaidAmount: Text(20, 'Amount paid back'),
  repaidOn: Text(20, 'Date paid back'),
  repaidMethod: Text(100, 'How it was paid back'),
  repaidReference: Type.Optional(Text(200, 'Reference')),
});
const WriteOffBody = Type.Object({
  ...Csrf,
  writeOffAmount: Type.Optional(Text(20, 'Amount to write off')),
  writeOffReason: Text(2000, 'Why the Hub is writing this off'),
});

/** The two forms' starting values: the whole amount still owed, and today. */
export function owedForms(view: { balance: { stillOwedPounds: string } }, forms: ReviewForms, today: string) {
  return {
    repaymentForm:
      forms.repayment ?? formState({ repaidAmount: view.balance.stillOwedPounds, repaidOn: today, repaidMethod: 'Bank transfer', repaidReference: '' }),
    writeOffForm: forms.writeOff ?? formState({ writeOffAmount: view.balance.stillOwedPounds, writeOffReason: '' }),
  };
}

type App = Parameters<FastifyPluginAsyncTypebox>[0];

function actorOf(request: FastifyRequest): Actor {
  const me = signedIn(request);
  return { id: me.id, isOrganiser: me.isOrganiser, isAdmin: me.isAdmin };
}

export function ledgerRoutes(app: App, renderReview: RenderReview): void {
  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/repayments',
    { config: { access: 'member' }, schema: { params: Params, body: RepaymentBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      const values = {
        repaidAmount: text(request.body, 'repaidAmount'),
        repaidOn: text(request.body, 'repaidOn'),
        repaidMethod: text(request.body, 'repaidMethod'),
        repaidReference: text(request.body, 'repaidReference'),
      };
      return submit(request, reply, {
        values,
        again: (form, status) => renderReview(request, reply, fundId, applicationId, { repayment: form }, status),
        run: () =>
          recordRepayment(
            app.db,
            fundId,
            applicationId,
            { amount: values.repaidAmount, paidOn: values.repaidOn, method: values.repaidMethod, reference: values.repaidReference },
            actorOf(request),
          ),
        conflict: { to: reviewPath(fundId, applicationId) },
        done: { to: reviewPath(fundId, applicationId), notice: 'The repayment has been recorded and the applicant has been emailed.' },
      });
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/write-off',
    { config: { access: 'member' }, schema: { params: Params, body: WriteOffBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      const values = { writeOffAmount: text(request.body, 'writeOffAmount'), writeOffReason: text(request.body, 'writeOffReason') };
      return submit(request, reply, {
        values,
        again: (form, status) => renderReview(request, reply, fundId, applicationId, { writeOff: form }, status),
        run: () => writeOff(app.db, fundId, applicationId, { amount: values.writeOffAmount, reason: values.writeOffReason }, actorOf(request)),
        conflict: { to: reviewPath(fundId, applicationId) },
        done: { to: reviewPath(fundId, applicationId), notice: 'The write-off has been recorded and the applicant has been emailed.' },
      });
    },
  );
}
