// Bursaries: service users, survivors and carers ask for help with the costs of coming to an
// event; a panel (organisers, plus the people organisers add to that fund's panel) decides
// within the fund's budget; the applicant claims actual costs with receipts and the Hub records
// payments. The data is health-related (UK GDPR special category), so only the applicant, the
// event's panel and admins may see an application, every view, decision and download is audited,
// and a retention job erases personal details after the retention period.
//
// Routes are 'member' (or 'organiser' for managing funds and their panels); the per-fund panel
// right, and the refusal to act on one's own application, are checked in the services.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { signedIn } from '../http/signed-in.ts';
import { noticeOnConflict, submit } from '../http/form-route.ts';
import { checked, text, type Body } from '../http/form-values.ts';
import { Type } from 'typebox';
import { bursaryCategories, bursaryPaymentKinds, type BursaryCategory, type BursaryPaymentKind } from '../../db/schema/index.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { installDataKeys, loadDataKeys } from '../data-keys.ts';
import { bankDetailsSummary, bankDetailsToPay, hasBankDetails } from './bank-details.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { scheduleJob } from '../jobs.ts';
import { londonToday } from '../london-time.ts';
import { Uuid, UuidOrEmpty } from '../http/ids.ts';
import { SlugParams } from '../http/params.ts';
import { acceptUploads, readFieldsBeforeFile, readUploadedFile } from '../http/uploads.ts';
import {
  itemSlots,
  decideApplication,
  deleteApplication,
  listOwnApplications,
  readItems,
  loadFundQueue,
  reviewPath,
  saveDraft,
  startApplication,
  submitApplication,
  viewApplication,
  whyNotWithdrawable,
  withdrawApplication,
  type DecisionOutcome,
  type DraftInput,
  type LoadedApplication,
} from './applications.ts';
import {
  approveClaim,
  returnClaim,
  checkReceiptUpload,
  closeApplication,
  downloadReceipt,
  MAX_RECEIPT_BYTES,
  recordPayment,
  submitClaim,
  uploadReceipt,
} from './claims.ts';
import {
  createFund,
  eventFundFor,
  eventsOpenForApplications,
  eventsWithoutFund,
  fundFigures,
  getFund,
  listFunds,
  updateFund,
  type FundInput,
} from './funds.ts';
import { bursarySettings } from './money.ts';
import { addPanelMember, isOnPanel, listPanel, ownApplicationMessage, panelFundIds, removePanelMember, type Actor } from './panel.ts';
import { getNoticeMode, sendPanelDigests, setNoticeMode } from './notices.ts';
import { auditFundOpened, fundReport, reportCsv } from './reporting.ts';
import { sendCsv } from '../http/csv.ts';
import { ledgerRoutes, owedForms, type ReviewForms } from './ledger-routes.ts';
import { deleteStaleDrafts, eraseExpiredApplications } from './retention.ts';
import { placeNow } from './places.ts';
import {
  applicationView,
  categoryRows,
  claimFormValues,
  decisionFormValues,
  draftFormValues,
  fundDeadlineHint,
  fundFormValues,
  figuresView,
  fundQueueView,
  fundView,
  mileageRate,
  panelApplicationView,
  panelMembers,
  placeView,
  receiptFormErrors,
  ownApplicationItem,
  openFundItem,
  reportView,
} from './view-models.ts';

const ApplicationParams = Type.Object({ applicationId: Uuid });
const FundParams = Type.Object({ fundId: Uuid });
const FundQueueQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) });
const FundApplicationParams = Type.Object({ fundId: Uuid, applicationId: Uuid });
const PanelMemberParams = Type.Object({ fundId: Uuid, memberId: Uuid });
const Text = (max: number, title?: string) => Type.String({ maxLength: max, ...(title ? { title } : {}) });
const Csrf = { _csrf: Type.Optional(Type.String()) };

const NoticesBody = Type.Object({
  ...Csrf,
  mode: Type.Optional(Type.String({ maxLength: 20, title: 'When an application or a claim is sent to a panel you sit on' })),
});
const ReturnClaimBody = Type.Object({ ...Csrf, reason: Type.Optional(Text(5000, 'Reason')) });

const FundBody = Type.Object({
  ...Csrf,
  eventId: Type.Optional(UuidOrEmpty({ title: 'Event', errorMessage: 'Select an event' })),
  name: Text(200, 'Name of the fund'),
  budget: Text(20, 'Budget'),
  eligibility: Text(5000, 'Who can apply'),
  covers: Text(5000, 'What it covers'),
  deadline: Text(20, 'Deadline'),
});

// One row per category, so the form works without JavaScript.
const draftFields: Record<string, ReturnType<typeof Type.Optional>> = {};
for (const c of bursaryCategories) {
  // More than one item per category: the first, then 'travelAmount2' … (see itemSlots).
  for (const slot of itemSlots) {
    draftFields[`${c}Description${slot}`] = Type.Optional(Text(2000, 'Description'));
    draftFields[`${c}Amount${slot}`] = Type.Optional(Text(20, 'Amount'));
  }
}
draftFields.travelMiles = Type.Optional(Text(10, 'Miles'));
const DraftBody = Type.Object({
  ...Csrf,
  perspective: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('service_user'), Type.Literal('carer')], { title: 'What makes you eligible' })),
  inAdvance: Type.Optional(Type.String({ maxLength: 10 })),
  hubBooksTickets: Type.Optional(Type.String({ maxLength: 10 })),
  paymentMethod: Type.Optional(
    Type.Union([Type.Literal(''), Type.Literal('bank_transfer'), Type.Literal('other')], { title: 'How you would like to be paid' }),
  ),
  paymentName: Type.Optional(Text(200, 'Name on the bank account')),
  sortCode: Type.Optional(Text(20, 'Sort code')),
  accountNumber: Type.Optional(Text(20, 'Account number')),
  paymentArrangement: Type.Optional(Text(2000, 'How you would like to be paid')),
  note: Type.Optional(Text(5000, 'Anything else')),
  ...draftFields,
});

const DecisionBody = Type.Object(
  {
    ...Csrf,
    outcome: Type.Union([Type.Literal('approve_all'), Type.Literal('approve_part'), Type.Literal('decline')], { title: 'Decision' }),
    message: Type.String({ title: 'Message to the applicant', minLength: 1, maxLength: 5000, errorMessage: 'Enter a message to the applicant' }),
    overrideReason: Type.Optional(Text(2000, 'Reason for going over the remaining budget')),
  },
  { additionalProperties: Type.String({ maxLength: 20 }) },
);

const ClaimBody = Type.Object({ ...Csrf }, { additionalProperties: Type.String({ maxLength: 20 }) });

const PaymentBody = Type.Object({
  ...Csrf,
  kind: Type.Union(
    bursaryPaymentKinds.map((k) => Type.Literal(k)),
    { title: 'Kind of payment' },
  ),
  amount: Text(20, 'Amount in pounds'),
  paidOn: Text(20, 'Date paid'),
  method: Text(100, 'How it was paid'),
  reference: Type.Optional(Text(200, 'Reference')),
});

// Multipart: the fields before the file are the body; the file is read by the handler.
const ReceiptBody = Type.Object({
  ...Csrf,
  itemId: Type.String({ format: 'uuid', title: 'Which cost', errorMessage: 'Select which cost the receipt is for' }),
  receipt: Type.Optional(Type.Unknown()),
});

const EmptyBody = Type.Object({ ...Csrf });

const PanelMemberBody = Type.Object({ ...Csrf, email: Type.String({ maxLength: 320, title: 'Email address' }) });

function actorOf(request: FastifyRequest): Actor {
  const me = signedIn(request);
  return { id: me.id, isOrganiser: me.isOrganiser, isAdmin: me.isAdmin };
}

/** What the fund form sent, as text (a failed validation still reaches the handler). */
function fundInput(body: Body | undefined): FundInput {
  const b = body ?? {};
  return {
    eventId: text(b, 'eventId'),
    name: text(b, 'name'),
    budget: text(b, 'budget'),
    eligibility: text(b, 'eligibility'),
    covers: text(b, 'covers'),
    deadline: text(b, 'deadline'),
  };
}

function pick(body: Record<string, unknown>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (key.startsWith(prefix) && typeof value === 'string') out[key.slice(prefix.length)] = value;
  return out;
}

export const bursariesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const settings = bursarySettings(app.config);
  // Bank details are encrypted under these (DATA_KEY, or DATA_DIR/data.key for the embedded database).
  installDataKeys(loadDataKeys(app.config));

  // Uploads are accepted only in this plugin, and only as large as a receipt may be.
  await acceptUploads(app, { maxFileBytes: MAX_RECEIPT_BYTES, fields: 10 });

  // The retention job and the panel's daily digests run hourly in the process that runs the other
  // loops (tests call them directly).
  scheduleJob(app, {
    name: 'bursary retention job',
    firstAfterMs: 5_000,
    everyMs: 60 * 60_000,
    run: async () => {
      const now = new Date();
      const erased = await eraseExpiredApplications(app.db, { now, months: settings.retentionMonths });
      await deleteStaleDrafts(app.db, { now, months: settings.retentionMonths });
      if (erased.length) app.log.info(`bursaries: erased ${erased.length} applications past retention`);
      if (await sendPanelDigests(app.db, now)) app.mail.nudge();
    },
  });

  // ---- How a panel member hears of new applications and claims ----

  const renderNotices = async (request: FastifyRequest, reply: FastifyReply, form?: FormState, status = 200) => {
    const actor = actorOf(request);
    const onPanel = actor.isOrganiser || actor.isAdmin || (await panelFundIds(app.db, actor)).length > 0;
    return reply.page(
      'bursaries/notices',
      {
        title: 'How you hear from the bursary panel',
        onPanel,
        form: form ?? formState({ mode: await getNoticeMode(app.db, actor.id) }),
        errors: form?.errors ?? [],
      },
      status,
    );
  };

  app.get('/bursaries/notices', { config: { access: 'member' } }, async (request, reply) => renderNotices(request, reply));

  app.post('/bursaries/notices', { config: { access: 'member' }, schema: { body: NoticesBody }, attachValidation: true }, async (request, reply) => {
    const mode = text(request.body ?? {}, 'mode');
    if (validationErrors(request).length || (mode !== 'at_once' && mode !== 'daily')) {
      return renderNotices(
        request,
        reply,
        formState({ mode }, [{ field: 'mode', message: 'Choose how you would like to hear about new applications and claims' }]),
        400,
      );
    }
    return submit(request, reply, {
      run: () => setNoticeMode(app.db, signedIn(request).id, mode),
      done: {
        to: '/bursaries/notices',
        notice:
          mode === 'daily'
            ? 'You will get one email a day about new applications and claims.'
            : 'You will get an email each time an application or claim is sent.',
      },
    });
  });

  // ---- The applicant ----

  app.get('/bursaries', { config: { access: 'member' } }, async (request, reply) => {
    const actor = actorOf(request);
    const mine = await listOwnApplications(app.db, actor);
    const panelFunds = actor.isOrganiser ? await listFunds(app.db) : await listFunds(app.db, await panelFundIds(app.db, actor));
    const open = await eventsOpenForApplications(app.db, new Date());
    return reply.page('bursaries/index', {
      title: 'Bursaries',
      applications: mine.map(ownApplicationItem),
      openFunds: open.map(openFundItem),
      panelFunds: panelFunds.map(fundView),
      canManageFunds: actor.isOrganiser,
    });
  });

  app.get('/events/:slug/bursary', { config: { access: 'member' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params;
    const found = await eventFundFor(app.db, slug, signedIn(request).id);
    if (!found) throw new NotFoundError('We could not find that event.');
    const { event, fund, openApplicationId } = found;
    const closed = Boolean(fund?.deadlineAt && fund.deadlineAt < new Date());
    return reply.page('bursaries/event-fund', {
      title: `Help with costs: ${event.title}`,
      eventTitle: event.title,
      slug,
      fund: fund ? fundView(fund) : null,
      closed,
      existingUrl: openApplicationId ? `/bursaries/applications/${openApplicationId}` : null,
      mileageRate: mileageRate(settings),
    });
  });

  app.post('/events/:slug/bursary', { config: { access: 'member' }, schema: { params: SlugParams, body: EmptyBody } }, async (request, reply) => {
    const { slug } = request.params;
    return submit(request, reply, {
      run: () => startApplication(app.db, slug, actorOf(request)),
      conflict: { to: `/events/${slug}/bursary` },
      done: (id) => ({ to: `/bursaries/applications/${id}/edit` }),
    });
  });

  const renderApplicantPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    applicationId: string,
    forms: { receipt?: FormState; claim?: FormState } = {},
    status = 200,
  ) => {
    const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'applicant');
    const view = applicationView(loaded, settings);
    // The page says where their place stands, as the decision email did, so nobody loses a kept place.
    const place = await placeNow(app.db, {
      applicationId,
      eventId: loaded.eventId,
      eventStatus: loaded.eventStatus,
      applicant: loaded.applicantId && loaded.applicantEmail ? { id: loaded.applicantId, email: loaded.applicantEmail } : null,
      approved: view.isApproved,
    });
    return reply.page(
      'bursaries/application',
      {
        title: `Your bursary application: ${loaded.eventTitle}`,
        application: view,
        bankDetails: await bankDetailsSummary(app.db, applicationId),
        place: placeView(place, loaded.eventSlug),
        receiptForm: forms.receipt ?? formState({}),
        claimForm: forms.claim ?? formState(claimFormValues(loaded)),
        errors: [...(forms.receipt?.errors ?? []), ...(forms.claim?.errors ?? [])],
      },
      status,
    );
  };

  app.get('/bursaries/applications/:applicationId', { config: { access: 'member' }, schema: { params: ApplicationParams } }, async (request, reply) => {
    const { applicationId } = request.params;
    return renderApplicantPage(request, reply, applicationId);
  });

  const renderDraftForm = async (reply: FastifyReply, loaded: LoadedApplication, form: FormState, status = 200) =>
    reply.page(
      'bursaries/application-form',
      {
        title: `Apply for help with costs: ${loaded.eventTitle}`,
        application: { id: loaded.id, eventTitle: loaded.eventTitle, url: `/bursaries/applications/${loaded.id}` },
        bankDetails: await bankDetailsSummary(app.db, loaded.id),
        categories: categoryRows(settings, form.values),
        form,
      },
      status,
    );

  app.get('/bursaries/applications/:applicationId/edit', { config: { access: 'member' }, schema: { params: ApplicationParams } }, async (request, reply) => {
    const { applicationId } = request.params;
    const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'applicant');
    if (loaded.status !== 'draft') return reply.redirect(`/bursaries/applications/${applicationId}`, 303);
    return renderDraftForm(reply, loaded, formState(draftFormValues(loaded, settings)));
  });

  app.post(
    '/bursaries/applications/:applicationId/edit',
    { config: { access: 'member' }, schema: { params: ApplicationParams, body: DraftBody }, attachValidation: true },
    async (request, reply) => {
      const { applicationId } = request.params;
      const body: Body = request.body;
      const values = { ...body, inAdvance: checked(body, 'inAdvance'), hubBooksTickets: checked(body, 'hubBooksTickets') };
      const input: DraftInput = {
        // The schema allows only these choices.
        perspective: text(body, 'perspective') as DraftInput['perspective'],
        inAdvance: checked(body, 'inAdvance'),
        hubBooksTickets: checked(body, 'hubBooksTickets'),
        paymentMethod: text(body, 'paymentMethod') as DraftInput['paymentMethod'],
        paymentName: text(body, 'paymentName'),
        sortCode: text(body, 'sortCode'),
        accountNumber: text(body, 'accountNumber'),
        paymentArrangement: text(body, 'paymentArrangement'),
        note: text(body, 'note'),
        items: bursaryCategories.flatMap((category: BursaryCategory) =>
          itemSlots.map((slot) => ({
            category,
            slot,
            description: text(body, `${category}Description${slot}`),
            amount: text(body, `${category}Amount${slot}`),
            miles: category === 'travel' && slot === '' ? text(body, 'travelMiles') : undefined,
          })),
        ),
      };
      return submit(request, reply, {
        values,
        // The costs' messages with the schema's, so one round shows them all.
        errors: readItems(input.items, settings).errors,
        again: async (form, status) => renderDraftForm(reply, await viewApplication(app.db, applicationId, actorOf(request), 'applicant'), form, status),
        conflict: { to: `/bursaries/applications/${applicationId}` },
        run: () => saveDraft(app.db, applicationId, input, actorOf(request), settings),
        done: { to: `/bursaries/applications/${applicationId}`, notice: 'Your application is saved. Check it, then send it when you are ready.' },
      });
    },
  );

  app.post(
    '/bursaries/applications/:applicationId/submit',
    { config: { access: 'member' }, schema: { params: ApplicationParams, body: EmptyBody } },
    async (request, reply) => {
      const { applicationId } = request.params;
      return submit(request, reply, {
        // Shows the saved draft with what still needs filling in, beside each field.
        again: async (form, status) => {
          const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'applicant');
          return renderDraftForm(reply, loaded, formState(draftFormValues(loaded, settings), form.errors), status);
        },
        conflict: { to: `/bursaries/applications/${applicationId}` },
        run: () => submitApplication(app.db, applicationId, actorOf(request)),
        done: ({ placeHeld, onlineLeft }) => {
          const place =
            placeHeld === true
              ? ' We are holding a place at the event for you until we decide.'
              : placeHeld === false && onlineLeft
                ? ' The room is full at the moment, so we could not hold a place in the room for you. There are still places online.'
                : placeHeld === false
                  ? ' The event is full at the moment, so we could not hold a place for you.'
                  : '';
          return {
            to: `/bursaries/applications/${applicationId}`,
            notice: `Your application has been sent. We will email you when the panel has decided.${place}`,
          };
        },
      });
    },
  );

  // Withdrawing and deleting cannot be undone, so the application page links to a page that asks first.
  app.get(
    '/bursaries/applications/:applicationId/withdraw',
    { config: { access: 'member' }, schema: { params: ApplicationParams } },
    async (request, reply) => {
      const { applicationId } = request.params;
      const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'applicant');
      const view = applicationView(loaded, settings);
      const refusal = whyNotWithdrawable(loaded.status);
      if (refusal) return reply.notice(refusal, 'important').redirect(view.url, 303);
      return reply.page('confirm', {
        title: `Withdraw your application: ${view.eventTitle}`,
        heading: 'Are you sure you want to withdraw your application?',
        caption: view.eventTitle,
        paragraphs: ['The panel will not decide it, and any place we are holding for you at the event will be given up.'],
        warning: 'A withdrawn application cannot be sent again.',
        postUrl: `${view.url}/withdraw`,
        yesLabel: 'Yes, withdraw it',
        backUrl: view.url,
        backLabel: 'Back to your application',
        noLabel: 'No, keep it',
      });
    },
  );

  app.get('/bursaries/applications/:applicationId/delete', { config: { access: 'member' }, schema: { params: ApplicationParams } }, async (request, reply) => {
    const { applicationId } = request.params;
    const view = applicationView(await viewApplication(app.db, applicationId, actorOf(request), 'applicant'), settings);
    if (!view.canDelete) return reply.notice('This application cannot be deleted now.', 'important').redirect(view.url, 303);
    return reply.page('confirm', {
      title: `Delete your application: ${view.eventTitle}`,
      heading: 'Are you sure you want to delete your application?',
      caption: view.eventTitle,
      warning: 'This removes the application and everything in it straight away. It cannot be undone.',
      postUrl: `${view.url}/delete`,
      yesLabel: 'Yes, delete it',
      backUrl: view.url,
      backLabel: 'Back to your application',
      noLabel: 'No, keep it',
    });
  });

  app.post(
    '/bursaries/applications/:applicationId/withdraw',
    { config: { access: 'member' }, schema: { params: ApplicationParams, body: EmptyBody } },
    async (request, reply) => {
      const { applicationId } = request.params;
      return submit(request, reply, {
        run: () => withdrawApplication(app.db, applicationId, actorOf(request)),
        conflict: { to: `/bursaries/applications/${applicationId}` },
        done: { to: `/bursaries/applications/${applicationId}`, notice: 'Your application has been withdrawn. You can delete it now if you wish.' },
      });
    },
  );

  app.post(
    '/bursaries/applications/:applicationId/delete',
    { config: { access: 'member' }, schema: { params: ApplicationParams, body: EmptyBody } },
    async (request, reply) => {
      const { applicationId } = request.params;
      return submit(request, reply, {
        run: () => deleteApplication(app.db, applicationId, actorOf(request)),
        conflict: { to: `/bursaries/applications/${applicationId}` },
        done: { to: '/bursaries', notice: 'Your application has been deleted.' },
      });
    },
  );

  app.post(
    '/bursaries/applications/:applicationId/receipts',
    {
      config: { access: 'member' },
      schema: { params: ApplicationParams, body: ReceiptBody },
      attachValidation: true,
      preValidation: readFieldsBeforeFile,
      // After the CSRF check and before the file is read: may this person add a receipt here now?
      preHandler: async (request, reply) => {
        const { applicationId } = request.params;
        try {
          await checkReceiptUpload(app.db, applicationId, actorOf(request));
        } catch (error) {
          return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
        }
      },
    },
    async (request, reply) => {
      const { applicationId } = request.params;
      const itemId = text(request.body ?? {}, 'itemId');
      const file = await readUploadedFile(request);
      return submit(request, reply, {
        values: { itemId },
        again: (form, status) =>
          renderApplicantPage(
            request,
            reply,
            applicationId,
            {
              receipt: formState({ itemId }, receiptFormErrors(form.errors)),
            },
            status,
          ),
        conflict: { to: `/bursaries/applications/${applicationId}` },
        run: () => uploadReceipt(app.db, applicationId, { itemId, filename: file?.filename ?? '', data: file?.data ?? null }, actorOf(request)),
        done: { to: `/bursaries/applications/${applicationId}#claim`, notice: 'Your receipt has been uploaded.' },
      });
    },
  );

  app.post(
    '/bursaries/applications/:applicationId/claim',
    { config: { access: 'member' }, schema: { params: ApplicationParams, body: ClaimBody }, attachValidation: true },
    async (request, reply) => {
      const { applicationId } = request.params;
      const body: Body = request.body ?? {};
      return submit(request, reply, {
        values: body,
        again: (form, status) => renderApplicantPage(request, reply, applicationId, { claim: form }, status),
        conflict: { to: `/bursaries/applications/${applicationId}` },
        run: () => submitClaim(app.db, applicationId, pick(body, 'claim-'), actorOf(request), settings),
        done: { to: `/bursaries/applications/${applicationId}`, notice: 'Your claim has been sent to the panel.' },
      });
    },
  );

  app.get(
    '/bursaries/receipts/:key',
    { config: { access: 'member' }, schema: { params: Type.Object({ key: Type.String({ minLength: 10, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }) } },
    async (request, reply) => {
      const { key } = request.params;
      const file = await downloadReceipt(app.db, key, actorOf(request));
      // Always a download, never shown inline, and never sniffed into something else.
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(file.content);
    },
  );

  // ---- Organisers: funds ----

  const renderFundForm = async (reply: FastifyReply, form: FormState, fundId: string | null, status = 200) => {
    const eventOptions = fundId ? [] : await eventsWithoutFund(app.db);
    const deadlineHint = fundDeadlineHint(fundId ? (await getFund(app.db, fundId)).deadlineAt : null);
    return reply.page(
      'bursaries/fund-form',
      { title: fundId ? 'Change the bursary fund' : 'Set up a bursary fund', form, fundId, eventOptions, deadlineHint },
      status,
    );
  };

  app.get('/bursaries/funds/new', { config: { access: 'organiser' } }, async (_request, reply) => renderFundForm(reply, formState({ eventId: '' }), null));

  app.post('/bursaries/funds', { config: { access: 'organiser' }, schema: { body: FundBody }, attachValidation: true }, async (request, reply) => {
    const input = fundInput(request.body);
    return submit(request, reply, {
      values: input,
      again: (form, status) => renderFundForm(reply, form, null, status),
      run: () => createFund(app.db, input, actorOf(request)),
      done: (id) => ({ to: `/bursaries/funds/${id}`, notice: 'The bursary fund has been set up.' }),
    });
  });

  app.get('/bursaries/funds/:fundId/edit', { config: { access: 'organiser' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params;
    const fund = await getFund(app.db, fundId);
    return renderFundForm(reply, formState(fundFormValues(fund)), fundId);
  });

  app.post(
    '/bursaries/funds/:fundId/edit',
    { config: { access: 'organiser' }, schema: { params: FundParams, body: FundBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId } = request.params;
      const input = fundInput(request.body);
      return submit(request, reply, {
        values: input,
        again: (form, status) => renderFundForm(reply, form, fundId, status),
        run: () => updateFund(app.db, fundId, input, actorOf(request)),
        done: { to: `/bursaries/funds/${fundId}`, notice: 'The bursary fund has been changed.' },
      });
    },
  );

  // ---- The panel ----

  const panelFund = async (request: FastifyRequest, fundId: string) => {
    const fund = await getFund(app.db, fundId);
    if (!(await isOnPanel(app.db, actorOf(request), fund.id))) throw new ForbiddenError();
    return fund;
  };

  app.get('/bursaries/funds/:fundId', { config: { access: 'member' }, schema: { params: FundParams, querystring: FundQueueQuery } }, async (request, reply) => {
    const { fundId } = request.params;
    const page = request.query.page ?? 1;
    const fund = await panelFund(request, fundId);
    const [figures, queue] = await Promise.all([fundFigures(app.db, fundId), loadFundQueue(app.db, fundId, page)]);
    await auditFundOpened(app.db, fundId, 'queue_viewed', signedIn(request));
    return reply.page('bursaries/fund', fundQueueView({ fund, figures, queue, viewer: signedIn(request), now: new Date(), page }));
  });

  const renderReview = async (request: FastifyRequest, reply: FastifyReply, fundId: string, applicationId: string, forms: ReviewForms = {}, status = 200) => {
    const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'panel', fundId);
    const fund = await getFund(app.db, fundId);
    const figures = await fundFigures(app.db, fundId);
    const view = panelApplicationView(loaded, settings, signedIn(request).id);
    const today = londonToday();
    return reply.page(
      'bursaries/review',
      {
        title: `Bursary application ${view.reference}`,
        fund: fundView(fund),
        figures: figuresView(figures),
        application: { ...view, base: reviewPath(fundId, applicationId) },
        // Only a yes or no here: the details themselves open on their own page, for paying.
        hasBankDetails: await hasBankDetails(app.db, applicationId),
        ownApplicationMessage,
        decisionForm: forms.decision ?? formState(decisionFormValues(loaded)),
        paymentForm:
          forms.payment ??
          formState({ kind: loaded.claim && loaded.claim.status !== 'submitted' ? 'settlement' : 'advance', paidOn: today, method: 'Bank transfer' }),
        returnClaimForm: forms.returnClaim ?? formState({ reason: '' }),
        ...owedForms(view, forms, today),
        errors: [
          ...(forms.decision?.errors ?? []),
          ...(forms.payment?.errors ?? []),
          ...(forms.returnClaim?.errors ?? []),
          ...(forms.repayment?.errors ?? []),
          ...(forms.writeOff?.errors ?? []),
        ],
        isOrganiser: signedIn(request).isOrganiser,
      },
      status,
    );
  };

  // Repayments and write-offs (server/bursaries/ledger-routes.ts) re-render the same page.
  ledgerRoutes(app, renderReview);

  // The bank details, for a panel member about to pay (not the applicant, not after settling).
  app.get(
    '/bursaries/funds/:fundId/applications/:applicationId/bank-details',
    { config: { access: 'member' }, schema: { params: FundApplicationParams } },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      try {
        const details = await bankDetailsToPay(app.db, fundId, applicationId, actorOf(request));
        reply.header('cache-control', 'no-store');
        return reply.page('bursaries/bank-details', {
          title: 'Bank details to pay',
          backUrl: reviewPath(fundId, applicationId),
          details,
        });
      } catch (error) {
        return noticeOnConflict(reply, error, reviewPath(fundId, applicationId));
      }
    },
  );

  // ---- Who sits on a fund's panel: organisers and admins only ----

  const renderPanel = async (request: FastifyRequest, reply: FastifyReply, fundId: string, form: FormState = formState({ email: '' }), status = 200) => {
    const fund = await getFund(app.db, fundId);
    const members = await listPanel(app.db, fundId);
    return reply.page(
      'bursaries/panel',
      {
        title: `Bursary panel: ${fund.name}`,
        fund: fundView(fund),
        members: panelMembers(members, signedIn(request).id),
        form,
        errors: form.errors ?? [],
      },
      status,
    );
  };

  app.get('/bursaries/funds/:fundId/panel', { config: { access: 'organiser' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params;
    return renderPanel(request, reply, fundId);
  });

  app.post(
    '/bursaries/funds/:fundId/panel',
    { config: { access: 'organiser' }, schema: { params: FundParams, body: PanelMemberBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId } = request.params;
      const email = text(request.body ?? {}, 'email');
      return submit(request, reply, {
        values: { email },
        again: (form, status) => renderPanel(request, reply, fundId, form, status),
        run: () => addPanelMember(app.db, fundId, { email }, actorOf(request)),
        done: { to: `/bursaries/funds/${fundId}/panel`, notice: `${email.trim()} is now on the panel. The organisers have been emailed.` },
      });
    },
  );

  app.get(
    '/bursaries/funds/:fundId/panel/:memberId/remove',
    { config: { access: 'organiser' }, schema: { params: PanelMemberParams } },
    async (request, reply) => {
      const { fundId, memberId } = request.params;
      const fund = await getFund(app.db, fundId);
      const member = (await listPanel(app.db, fundId)).find((m) => m.id === memberId);
      const panelUrl = `/bursaries/funds/${fundId}/panel`;
      if (!member) return reply.notice('They are not on this fund’s panel.', 'important').redirect(panelUrl, 303);
      return reply.page('confirm', {
        title: `Remove ${member.name} from the panel: ${fund.name}`,
        heading: `Are you sure you want to remove ${member.name} from the panel?`,
        caption: fund.name,
        paragraphs: ['They will no longer see this fund’s applications, notes or receipts. The organisers will be emailed.'],
        postUrl: `${panelUrl}/${memberId}/remove`,
        yesLabel: 'Yes, remove them',
        backUrl: panelUrl,
        backLabel: 'Back to the panel',
        noLabel: 'No, keep them on the panel',
      });
    },
  );

  app.post(
    '/bursaries/funds/:fundId/panel/:memberId/remove',
    { config: { access: 'organiser' }, schema: { params: PanelMemberParams, body: EmptyBody } },
    async (request, reply) => {
      const { fundId, memberId } = request.params;
      return submit(request, reply, {
        run: () => removePanelMember(app.db, fundId, memberId, actorOf(request)),
        conflict: { to: `/bursaries/funds/${fundId}/panel` },
        done: { to: `/bursaries/funds/${fundId}/panel`, notice: 'They are no longer on the panel. The organisers have been emailed.' },
      });
    },
  );

  app.get(
    '/bursaries/funds/:fundId/applications/:applicationId',
    { config: { access: 'member' }, schema: { params: FundApplicationParams } },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      return renderReview(request, reply, fundId, applicationId);
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/decision',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: DecisionBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      const body: Body = request.body ?? {};
      return submit(request, reply, {
        values: body,
        again: (form, status) => renderReview(request, reply, fundId, applicationId, { decision: form }, status),
        conflict: { to: reviewPath(fundId, applicationId) },
        run: () =>
          decideApplication(
            app.db,
            fundId,
            applicationId,
            // The schema allows only the outcomes there are.
            {
              outcome: text(body, 'outcome') as DecisionOutcome,
              amounts: pick(body, 'amount-'),
              message: text(body, 'message'),
              overrideReason: text(body, 'overrideReason'),
            },
            actorOf(request),
          ),
        done: { to: reviewPath(fundId, applicationId), notice: 'Your decision has been recorded and the applicant has been emailed.' },
      });
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/claim/approve',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: EmptyBody } },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      return submit(request, reply, {
        run: () => approveClaim(app.db, fundId, applicationId, actorOf(request)),
        conflict: { to: reviewPath(fundId, applicationId) },
        done: { to: reviewPath(fundId, applicationId), notice: 'The claim has been approved and the applicant has been emailed.' },
      });
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/claim/return',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: ReturnClaimBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      const reason = text(request.body ?? {}, 'reason');
      return submit(request, reply, {
        values: { reason },
        again: (form, status) => renderReview(request, reply, fundId, applicationId, { returnClaim: form }, status),
        conflict: { to: reviewPath(fundId, applicationId) },
        run: () => returnClaim(app.db, fundId, applicationId, reason, actorOf(request)),
        done: { to: reviewPath(fundId, applicationId), notice: 'The claim has gone back to the applicant with your reason.' },
      });
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/payments',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: PaymentBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      const body: Body = request.body ?? {};
      return submit(request, reply, {
        values: body,
        again: (form, status) => renderReview(request, reply, fundId, applicationId, { payment: form }, status),
        conflict: { to: reviewPath(fundId, applicationId) },
        run: () =>
          recordPayment(
            app.db,
            fundId,
            applicationId,
            // The schema allows only the kinds there are.
            {
              kind: text(body, 'kind') as BursaryPaymentKind,
              amount: text(body, 'amount'),
              paidOn: text(body, 'paidOn'),
              method: text(body, 'method'),
              reference: text(body, 'reference'),
            },
            actorOf(request),
          ),
        done: { to: reviewPath(fundId, applicationId), notice: 'The payment has been recorded.' },
      });
    },
  );

  // Closing gives back to the budget what was not paid, and cannot be undone: ask first.
  app.get(
    '/bursaries/funds/:fundId/applications/:applicationId/close',
    { config: { access: 'member' }, schema: { params: FundApplicationParams } },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      const view = panelApplicationView(await viewApplication(app.db, applicationId, actorOf(request), 'panel', fundId), settings, signedIn(request).id);
      const back = reviewPath(fundId, applicationId);
      if (!view.canClose) return reply.notice('This application cannot be closed now.', 'important').redirect(back, 303);
      return reply.page('confirm', {
        title: `Close bursary application ${view.reference}`,
        heading: 'Are you sure you want to close this application?',
        caption: `Bursary application ${view.reference}`,
        paragraphs: ['Close it when nothing more will be paid. Anything approved but not paid goes back to the budget.'],
        warning: 'A closed application cannot be paid or claimed on again.',
        postUrl: `${back}/close`,
        yesLabel: 'Yes, close it',
        backUrl: back,
        backLabel: 'Back to the application',
        noLabel: 'No, keep it open',
      });
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/close',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: EmptyBody } },
    async (request, reply) => {
      const { fundId, applicationId } = request.params;
      return submit(request, reply, {
        run: () => closeApplication(app.db, fundId, applicationId, actorOf(request)),
        conflict: { to: reviewPath(fundId, applicationId) },
        done: { to: reviewPath(fundId, applicationId), notice: 'The application is closed. Anything not paid has returned to the budget.' },
      });
    },
  );

  app.get('/bursaries/funds/:fundId/report', { config: { access: 'member' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params;
    const fund = await panelFund(request, fundId);
    const [report, figures] = await Promise.all([fundReport(app.db, fundId), fundFigures(app.db, fundId)]);
    await auditFundOpened(app.db, fundId, 'report_viewed', signedIn(request));
    return reply.page('bursaries/report', {
      title: `Bursary report: ${fund.name}`,
      fund: fundView(fund),
      figures: figuresView(figures),
      ...reportView(report, settings),
    });
  });

  app.get('/bursaries/funds/:fundId/report.csv', { config: { access: 'member' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params;
    await panelFund(request, fundId);
    const report = await fundReport(app.db, fundId);
    await auditFundOpened(app.db, fundId, 'report_exported', signedIn(request));
    return sendCsv(reply, `bursaries-${fundId.slice(0, 8)}.csv`, reportCsv(report));
  });
};
