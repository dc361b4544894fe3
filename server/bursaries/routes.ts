// Bursaries: service users, survivors and carers ask for help with the costs of coming to an
// event; a panel (organisers, plus the people organisers add to that fund's panel) decides
// within the fund's budget; the applicant claims actual costs with receipts and the Hub records
// payments. The data is health-related (UK GDPR special category), so only the applicant, the
// event's panel and admins may see an application, every view, decision and download is audited,
// and a retention job erases personal details after the retention period.
//
// Routes are 'member' (or 'organiser' for managing funds and their panels); the per-fund panel
// right, and the refusal to act on one's own application, are checked in the services.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { bursaryApplications, bursaryCategories, bursaryFunds, bursaryPaymentKinds, events, type BursaryCategory, type BursaryPaymentKind } from '../../db/schema/index.ts';
import { recordAudit } from '../audit.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { noticeOnConflict } from '../http/pages.ts';
import { UuidOrEmpty } from '../http/ids.ts';
import { acceptUploads, readFieldsBeforeFile, readUploadedFile } from '../http/uploads.ts';
import {
  itemSlots,
  decideApplication,
  deleteApplication,
  listOwnApplications,
  loadApplications,
  reviewPath,
  saveDraft,
  startApplication,
  submitApplication,
  viewApplication,
  withdrawApplication,
  type DecisionOutcome,
  type DraftInput,
  type LoadedApplication,
} from './applications.ts';
import { approveClaim, returnClaim, checkReceiptUpload, closeApplication, downloadReceipt, MAX_RECEIPT_BYTES, recordPayment, submitClaim, uploadReceipt } from './claims.ts';
import { createFund, eventsOpenForApplications, fundFigures, fundForEvent, getFund, listFunds, updateFund, type FundInput } from './funds.ts';
import { statusLabelFor, statusLabels } from './labels.ts';
import { bursarySettings } from './money.ts';
import { formatPence as money, poundsField } from '../money.ts';
import { addPanelMember, isOnPanel, listPanel, ownApplicationMessage, panelFundIds, removePanelMember, type Actor } from './panel.ts';
import { getNoticeMode, sendPanelDigests, setNoticeMode } from './notices.ts';
import { fundReport, reportCsv } from './reporting.ts';
import { sendCsv } from '../http/csv.ts';
import { ledgerRoutes, owedForms, type ReviewForms } from './ledger-routes.ts';
import { deleteStaleDrafts, eraseExpiredApplications } from './retention.ts';
import { placeNow } from './places.ts';
import { applicationView, categoryRows, draftFormValues, figuresView, fundView, mileageRate, panelApplicationView } from './view-models.ts';

const Uuid = Type.String({ format: 'uuid' });
const ApplicationParams = Type.Object({ applicationId: Uuid });
const FundParams = Type.Object({ fundId: Uuid });
const FundApplicationParams = Type.Object({ fundId: Uuid, applicationId: Uuid });
const PanelMemberParams = Type.Object({ fundId: Uuid, memberId: Uuid });
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 120, pattern: '^[a-z0-9-]+$' }) });
const Text = (max: number, title?: string) => Type.String({ maxLength: max, ...(title ? { title } : {}) });
const Csrf = { _csrf: Type.Optional(Type.String()) };

const NoticesBody = Type.Object({ ...Csrf, mode: Type.Optional(Type.String({ maxLength: 20, title: 'How you hear' })) });
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
  paymentMethod: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('bank_transfer'), Type.Literal('other')], { title: 'How you would like to be paid' })),
  paymentName: Type.Optional(Text(200, 'Name on the bank account')),
  paymentArrangement: Type.Optional(Text(2000, 'How you would like to be paid')),
  note: Type.Optional(Text(5000, 'Anything else')),
  ...draftFields,
});

const DecisionBody = Type.Object(
  {
    ...Csrf,
    outcome: Type.Union([Type.Literal('approve_all'), Type.Literal('approve_part'), Type.Literal('decline')], { title: 'Decision' }),
    message: Text(5000, 'Message to the applicant'),
    overrideReason: Type.Optional(Text(2000, 'Reason for going over budget')),
  },
  { additionalProperties: Type.String({ maxLength: 20 }) },
);

const ClaimBody = Type.Object({ ...Csrf }, { additionalProperties: Type.String({ maxLength: 20 }) });

const PaymentBody = Type.Object({
  ...Csrf,
  kind: Type.Union(bursaryPaymentKinds.map((k) => Type.Literal(k)), { title: 'Kind of payment' }),
  amount: Text(20, 'Amount'),
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
  const me = request.me!;
  return { id: me.id, isOrganiser: me.isOrganiser, isAdmin: me.isAdmin };
}

function pick(body: Record<string, unknown>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (key.startsWith(prefix) && typeof value === 'string') out[key.slice(prefix.length)] = value;
  return out;
}

export const bursariesRoutes: FastifyPluginAsync = async (app) => {
  const settings = bursarySettings(app.config);

  // Uploads are accepted only in this plugin, and only as large as a receipt may be.
  await acceptUploads(app, { maxFileBytes: MAX_RECEIPT_BYTES, fields: 10 });

  // The retention job and the panel's daily digests run hourly in the process that runs the other
  // loops (tests call them directly).
  if (app.config.outboxIntervalMs > 0) {
    let timer: NodeJS.Timeout | null = null;
    const run = async () => {
      try {
        const now = new Date();
        const erased = await eraseExpiredApplications(app.db, { now, months: settings.retentionMonths });
        await deleteStaleDrafts(app.db, { now, months: settings.retentionMonths });
        if (erased.length) app.log.info(`bursaries: erased ${erased.length} applications past retention`);
        if (await sendPanelDigests(app.db, now)) app.mail.nudge();
      } catch (error) {
        app.log.error({ err: error }, 'bursary retention job failed');
      }
    };
    app.addHook('onReady', async () => {
      timer = setInterval(run, 60 * 60_000);
      timer.unref();
      setTimeout(run, 5_000).unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
    });
  }

  // ---- How a panel member hears of new applications and claims ----

  const renderNotices = async (request: FastifyRequest, reply: FastifyReply, form?: FormState, status = 200) => {
    const actor = actorOf(request);
    const onPanel = actor.isOrganiser || actor.isAdmin || (await panelFundIds(app.db, actor)).length > 0;
    return reply.page(
      'bursaries/notices',
      { title: 'How you hear from the bursary panel', onPanel, form: form ?? formState({ mode: await getNoticeMode(app.db, actor.id) }), errors: form?.errors ?? [] },
      status,
    );
  };

  app.get('/bursaries/notices', { config: { access: 'member' } }, async (request, reply) => renderNotices(request, reply));

  app.post('/bursaries/notices', { config: { access: 'member' }, schema: { body: NoticesBody }, attachValidation: true }, async (request, reply) => {
    const mode = ((request.body ?? {}) as { mode?: string }).mode ?? '';
    if (validationErrors(request).length || (mode !== 'at_once' && mode !== 'daily')) {
      return renderNotices(request, reply, formState({ mode }, [{ field: 'mode', message: 'Choose how you would like to hear about new applications and claims' }]), 400);
    }
    await setNoticeMode(app.db, request.me!.id, mode);
    return reply.notice(mode === 'daily' ? 'You will get one email a day about new applications and claims.' : 'You will get an email each time an application or claim is sent.').redirect('/bursaries/notices', 303);
  });

  // ---- The applicant ----

  app.get('/bursaries', { config: { access: 'member' } }, async (request, reply) => {
    const actor = actorOf(request);
    const mine = await listOwnApplications(app.db, actor);
    const panelFunds = actor.isOrganiser ? await listFunds(app.db) : await listFunds(app.db, await panelFundIds(app.db, actor));
    const open = await eventsOpenForApplications(app.db, new Date());
    return reply.page('bursaries/index', {
      title: 'Bursaries',
      applications: mine.map((a) => ({ url: `/bursaries/applications/${a.id}`, eventTitle: a.eventTitle, statusLabel: statusLabelFor(a.status, a.eventStatus).label, statusTag: statusLabelFor(a.status, a.eventStatus).tag })),
      openFunds: open.map((f) => ({ title: f.title, url: `/events/${f.slug}/bursary`, deadline: f.deadlineAt ? formatDateTime(f.deadlineAt) : null })),
      panelFunds: panelFunds.map(fundView),
      canManageFunds: actor.isOrganiser,
    });
  });

  app.get('/events/:slug/bursary', { config: { access: 'member' }, schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const [event] = await app.db.select({ id: events.id, title: events.title, status: events.status }).from(events).where(eq(events.slug, slug));
    if (event?.status !== 'published') throw new NotFoundError('We could not find that event.');
    const fund = await fundForEvent(app.db, event.id);
    const [existing] = await app.db
      .select({ id: bursaryApplications.id })
      .from(bursaryApplications)
      .where(and(eq(bursaryApplications.eventId, event.id), eq(bursaryApplications.applicantId, request.me!.id), inArray(bursaryApplications.status, ['draft', 'submitted'])));
    const closed = Boolean(fund?.deadlineAt && fund.deadlineAt < new Date());
    return reply.page('bursaries/event-fund', {
      title: `Help with costs: ${event.title}`,
      eventTitle: event.title,
      slug,
      fund: fund ? fundView(fund) : null,
      closed,
      existingUrl: existing ? `/bursaries/applications/${existing.id}` : null,
      mileageRate: mileageRate(settings),
    });
  });

  app.post('/events/:slug/bursary', { config: { access: 'member' }, schema: { params: SlugParams, body: EmptyBody } }, async (request, reply) => {
    const { slug } = request.params as { slug: string };
    try {
      const id = await startApplication(app.db, slug, actorOf(request));
      return reply.redirect(`/bursaries/applications/${id}/edit`, 303);
    } catch (error) {
      return noticeOnConflict(reply, error, `/events/${slug}/bursary`);
    }
  });

  const renderApplicantPage = async (request: FastifyRequest, reply: FastifyReply, applicationId: string, forms: { receipt?: FormState; claim?: FormState } = {}, status = 200) => {
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
    const claimValues: Record<string, unknown> = {};
    for (const item of loaded.items) if (item.claimedPence !== null) claimValues[`claim-${item.id}`] = poundsField(item.claimedPence);
    return reply.page(
      'bursaries/application',
      {
        title: `Your bursary application: ${loaded.eventTitle}`,
        application: view,
        place: place && { kind: place.kind, bookBy: place.kind === 'held' ? formatDateTime(place.bookBy) : '', bookUrl: `/events/${loaded.eventSlug}/book` },
        receiptForm: forms.receipt ?? formState({}),
        claimForm: forms.claim ?? formState(claimValues),
        errors: [...(forms.receipt?.errors ?? []), ...(forms.claim?.errors ?? [])],
      },
      status,
    );
  };

  app.get('/bursaries/applications/:applicationId', { config: { access: 'member' }, schema: { params: ApplicationParams } }, async (request, reply) => {
    const { applicationId } = request.params as { applicationId: string };
    return renderApplicantPage(request, reply, applicationId);
  });

  const renderDraftForm = (reply: FastifyReply, loaded: LoadedApplication, form: FormState, status = 200) =>
    reply.page(
      'bursaries/application-form',
      {
        title: `Apply for help with costs: ${loaded.eventTitle}`,
        application: { id: loaded.id, eventTitle: loaded.eventTitle, url: `/bursaries/applications/${loaded.id}` },
        categories: categoryRows(settings, form.values),
        form,
      },
      status,
    );

  app.get('/bursaries/applications/:applicationId/edit', { config: { access: 'member' }, schema: { params: ApplicationParams } }, async (request, reply) => {
    const { applicationId } = request.params as { applicationId: string };
    const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'applicant');
    if (loaded.status !== 'draft') return reply.redirect(`/bursaries/applications/${applicationId}`, 303);
    return renderDraftForm(reply, loaded, formState(draftFormValues(loaded, settings)));
  });

  app.post(
    '/bursaries/applications/:applicationId/edit',
    { config: { access: 'member' }, schema: { params: ApplicationParams, body: DraftBody }, attachValidation: true },
    async (request, reply) => {
      const { applicationId } = request.params as { applicationId: string };
      const body = request.body as Record<string, string | undefined>;
      const values = { ...body, inAdvance: body.inAdvance === 'yes', hubBooksTickets: body.hubBooksTickets === 'yes' };
      const input: DraftInput = {
        perspective: (body.perspective ?? '') as DraftInput['perspective'],
        inAdvance: body.inAdvance === 'yes',
        hubBooksTickets: body.hubBooksTickets === 'yes',
        paymentMethod: (body.paymentMethod ?? '') as DraftInput['paymentMethod'],
        paymentName: body.paymentName ?? '',
        paymentArrangement: body.paymentArrangement ?? '',
        note: body.note ?? '',
        items: bursaryCategories.flatMap((category: BursaryCategory) =>
          itemSlots.map((slot) => ({
            category,
            slot,
            description: body[`${category}Description${slot}`] ?? '',
            amount: body[`${category}Amount${slot}`] ?? '',
            miles: category === 'travel' && slot === '' ? (body.travelMiles ?? '') : undefined,
          })),
        ),
      };
      const errors = validationErrors(request);
      try {
        if (errors.length) throw new InvalidInputError(errors);
        await saveDraft(app.db, applicationId, input, actorOf(request), settings);
      } catch (error) {
        if (error instanceof InvalidInputError) {
          const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'applicant');
          return renderDraftForm(reply, loaded, formState(values, error.fieldErrors), 400);
        }
        return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
      }
      return reply.notice('Your application is saved. Check it, then send it when you are ready.').redirect(`/bursaries/applications/${applicationId}`, 303);
    },
  );

  app.post('/bursaries/applications/:applicationId/submit', { config: { access: 'member' }, schema: { params: ApplicationParams, body: EmptyBody } }, async (request, reply) => {
    const { applicationId } = request.params as { applicationId: string };
    try {
      const { placeHeld } = await submitApplication(app.db, applicationId, actorOf(request));
      app.mail.nudge();
      const place = placeHeld === true ? ' We are holding a place at the event for you until we decide.' : placeHeld === false ? ' The event is full at the moment, so we could not hold a place for you.' : '';
      return reply.notice(`Your application has been sent. We will email you when the panel has decided.${place}`).redirect(`/bursaries/applications/${applicationId}`, 303);
    } catch (error) {
      if (error instanceof InvalidInputError) {
        const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'applicant');
        return renderDraftForm(reply, loaded, formState(draftFormValues(loaded, settings), error.fieldErrors), 400);
      }
      return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
    }
  });

  app.post('/bursaries/applications/:applicationId/withdraw', { config: { access: 'member' }, schema: { params: ApplicationParams, body: EmptyBody } }, async (request, reply) => {
    const { applicationId } = request.params as { applicationId: string };
    try {
      await withdrawApplication(app.db, applicationId, actorOf(request));
    } catch (error) {
      return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
    }
    return reply.notice('Your application has been withdrawn. You can delete it now if you wish.').redirect(`/bursaries/applications/${applicationId}`, 303);
  });

  app.post('/bursaries/applications/:applicationId/delete', { config: { access: 'member' }, schema: { params: ApplicationParams, body: EmptyBody } }, async (request, reply) => {
    const { applicationId } = request.params as { applicationId: string };
    try {
      await deleteApplication(app.db, applicationId, actorOf(request));
    } catch (error) {
      return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
    }
    return reply.notice('Your application has been deleted.').redirect('/bursaries', 303);
  });

  app.post(
    '/bursaries/applications/:applicationId/receipts',
    {
      config: { access: 'member' },
      schema: { params: ApplicationParams, body: ReceiptBody },
      attachValidation: true,
      preValidation: readFieldsBeforeFile,
      // After the CSRF check and before the file is read: may this person add a receipt here now?
      preHandler: async (request, reply) => {
        const { applicationId } = request.params as { applicationId: string };
        try {
          await checkReceiptUpload(app.db, applicationId, actorOf(request));
        } catch (error) {
          return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
        }
      },
    },
    async (request, reply) => {
      const { applicationId } = request.params as { applicationId: string };
      const body = (request.body ?? {}) as { itemId?: string };
      const itemId = typeof body.itemId === 'string' ? body.itemId : '';
      try {
        const file = await readUploadedFile(request);
        const errors = validationErrors(request);
        if (errors.length) throw new InvalidInputError(errors.map((e) => ({ ...e, field: e.field === 'receipt' ? 'receipt' : 'itemId' })));
        await uploadReceipt(app.db, applicationId, { itemId, filename: file?.filename ?? '', data: file?.data ?? null }, actorOf(request));
      } catch (error) {
        if (error instanceof InvalidInputError) return renderApplicantPage(request, reply, applicationId, { receipt: formState({ itemId }, error.fieldErrors) }, 400);
        return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
      }
      return reply.notice('Your receipt has been uploaded.').redirect(`/bursaries/applications/${applicationId}#claim`, 303);
    },
  );

  app.post(
    '/bursaries/applications/:applicationId/claim',
    { config: { access: 'member' }, schema: { params: ApplicationParams, body: ClaimBody }, attachValidation: true },
    async (request, reply) => {
      const { applicationId } = request.params as { applicationId: string };
      const body = (request.body ?? {}) as Record<string, string>;
      try {
        await submitClaim(app.db, applicationId, pick(body, 'claim-'), actorOf(request), settings);
      } catch (error) {
        if (error instanceof InvalidInputError) return renderApplicantPage(request, reply, applicationId, { claim: formState(body, error.fieldErrors) }, 400);
        return noticeOnConflict(reply, error, `/bursaries/applications/${applicationId}`);
      }
      return reply.notice('Your claim has been sent to the panel.').redirect(`/bursaries/applications/${applicationId}`, 303);
    },
  );

  app.get(
    '/bursaries/receipts/:key',
    { config: { access: 'member' }, schema: { params: Type.Object({ key: Type.String({ minLength: 10, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }) } },
    async (request, reply) => {
      const { key } = request.params as { key: string };
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
    const eventOptions = fundId
      ? []
      : await app.db
          .select({ id: events.id, title: events.title })
          .from(events)
          .leftJoin(bursaryFunds, eq(bursaryFunds.eventId, events.id))
          .where(isNull(bursaryFunds.id))
          .orderBy(asc(events.title));
    return reply.page('bursaries/fund-form', { title: fundId ? 'Change the bursary fund' : 'Set up a bursary fund', form, fundId, eventOptions }, status);
  };

  app.get('/bursaries/funds/new', { config: { access: 'organiser' } }, async (_request, reply) => renderFundForm(reply, formState({ eventId: '' }), null));

  app.post('/bursaries/funds', { config: { access: 'organiser' }, schema: { body: FundBody }, attachValidation: true }, async (request, reply) => {
    const body = request.body as FundInput;
    try {
      const errors = validationErrors(request);
      if (errors.length) throw new InvalidInputError(errors);
      const id = await createFund(app.db, { ...body, eventId: body.eventId ?? '' }, actorOf(request));
      return reply.notice('The bursary fund has been set up.').redirect(`/bursaries/funds/${id}`, 303);
    } catch (error) {
      if (error instanceof InvalidInputError) return renderFundForm(reply, formState(body, error.fieldErrors), null, 400);
      throw error;
    }
  });

  app.get('/bursaries/funds/:fundId/edit', { config: { access: 'organiser' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params as { fundId: string };
    const fund = await getFund(app.db, fundId);
    const deadline = fund.deadlineAt ? new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(fund.deadlineAt) : '';
    return renderFundForm(reply, formState({ name: fund.name, budget: poundsField(fund.budgetPence), eligibility: fund.eligibility, covers: fund.covers, deadline }), fundId);
  });

  app.post('/bursaries/funds/:fundId/edit', { config: { access: 'organiser' }, schema: { params: FundParams, body: FundBody }, attachValidation: true }, async (request, reply) => {
    const { fundId } = request.params as { fundId: string };
    const body = request.body as FundInput;
    try {
      const errors = validationErrors(request);
      if (errors.length) throw new InvalidInputError(errors);
      await updateFund(app.db, fundId, body, actorOf(request));
    } catch (error) {
      if (error instanceof InvalidInputError) return renderFundForm(reply, formState(body, error.fieldErrors), fundId, 400);
      throw error;
    }
    return reply.notice('The bursary fund has been changed.').redirect(`/bursaries/funds/${fundId}`, 303);
  });

  // ---- The panel ----

  const panelFund = async (request: FastifyRequest, fundId: string) => {
    const fund = await getFund(app.db, fundId);
    if (!(await isOnPanel(app.db, actorOf(request), fund.id))) throw new ForbiddenError();
    return fund;
  };

  app.get('/bursaries/funds/:fundId', { config: { access: 'member' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params as { fundId: string };
    const fund = await panelFund(request, fundId);
    const figures = await fundFigures(app.db, fundId);
    const now = new Date();
    const loaded = await loadApplications(app.db, { fundId });
    const list = loaded.map((a) => panelApplicationView(a, settings, request.me!.id, now));
    await recordAudit(app.db, { actorId: request.me!.id, action: 'bursary.fund.queue_viewed', subjectType: 'bursary_fund', subjectId: fundId });
    return reply.page('bursaries/fund', {
      title: `Bursaries: ${fund.name}`,
      fund: fundView(fund),
      figures: figuresView(figures),
      waiting: list.filter((a) => a.status === 'submitted').map((a) => ({ ...a, reviewUrl: reviewPath(fundId, a.id) })),
      claims: list.filter((a) => a.claim?.status === 'submitted').map((a) => ({ ...a, reviewUrl: reviewPath(fundId, a.id) })),
      decided: list.filter((a) => a.status !== 'submitted').map((a) => ({ ...a, reviewUrl: reviewPath(fundId, a.id) })),
      canEdit: request.me!.isOrganiser,
    });
  });

  const renderReview = async (request: FastifyRequest, reply: FastifyReply, fundId: string, applicationId: string, forms: ReviewForms = {}, status = 200) => {
    const loaded = await viewApplication(app.db, applicationId, actorOf(request), 'panel', fundId);
    const fund = await getFund(app.db, fundId);
    const figures = await fundFigures(app.db, fundId);
    const view = panelApplicationView(loaded, settings, request.me!.id);
    const decisionValues: Record<string, unknown> = { outcome: '' };
    for (const item of loaded.items) decisionValues[`amount-${item.id}`] = poundsField(item.estimatePence);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    return reply.page(
      'bursaries/review',
      {
        title: `Bursary application ${view.reference}`,
        fund: fundView(fund),
        figures: figuresView(figures),
        application: { ...view, base: reviewPath(fundId, applicationId) },
        ownApplicationMessage,
        decisionForm: forms.decision ?? formState(decisionValues),
        paymentForm: forms.payment ?? formState({ kind: loaded.claim && loaded.claim.status !== 'submitted' ? 'settlement' : 'advance', paidOn: today, method: 'Bank transfer' }),
        returnClaimForm: forms.returnClaim ?? formState({ reason: '' }),
        ...owedForms(view, forms, today),
        errors: [...(forms.decision?.errors ?? []), ...(forms.payment?.errors ?? []), ...(forms.returnClaim?.errors ?? []), ...(forms.repayment?.errors ?? []), ...(forms.writeOff?.errors ?? [])],
        isOrganiser: request.me!.isOrganiser,
      },
      status,
    );
  };

  // Repayments and write-offs (server/bursaries/ledger-routes.ts) re-render the same page.
  ledgerRoutes(app, renderReview);

  // ---- Who sits on a fund's panel: organisers and admins only ----

  const renderPanel = async (request: FastifyRequest, reply: FastifyReply, fundId: string, form: FormState = formState({ email: '' }), status = 200) => {
    const fund = await getFund(app.db, fundId);
    const members = await listPanel(app.db, fundId);
    return reply.page(
      'bursaries/panel',
      { title: `Bursary panel: ${fund.name}`, fund: fundView(fund), members: members.map((m) => ({ ...m, isMe: m.personId === request.me!.id })), form, errors: form.errors ?? [] },
      status,
    );
  };

  app.get('/bursaries/funds/:fundId/panel', { config: { access: 'organiser' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params as { fundId: string };
    return renderPanel(request, reply, fundId);
  });

  app.post(
    '/bursaries/funds/:fundId/panel',
    { config: { access: 'organiser' }, schema: { params: FundParams, body: PanelMemberBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId } = request.params as { fundId: string };
      const body = (request.body ?? {}) as { email?: unknown };
      const email = typeof body.email === 'string' ? body.email : '';
      try {
        const errors = validationErrors(request);
        if (errors.length) throw new InvalidInputError(errors);
        await addPanelMember(app.db, fundId, { email }, actorOf(request));
      } catch (error) {
        if (error instanceof InvalidInputError) return renderPanel(request, reply, fundId, formState({ email }, error.fieldErrors), 400);
        throw error;
      }
      app.mail.nudge();
      return reply.notice(`${email.trim()} is now on the panel. The organisers have been emailed.`).redirect(`/bursaries/funds/${fundId}/panel`, 303);
    },
  );

  app.post(
    '/bursaries/funds/:fundId/panel/:memberId/remove',
    { config: { access: 'organiser' }, schema: { params: PanelMemberParams, body: EmptyBody } },
    async (request, reply) => {
      const { fundId, memberId } = request.params as { fundId: string; memberId: string };
      try {
        await removePanelMember(app.db, fundId, memberId, actorOf(request));
      } catch (error) {
        return noticeOnConflict(reply, error, `/bursaries/funds/${fundId}/panel`);
      }
      app.mail.nudge();
      return reply.notice('They are no longer on the panel. The organisers have been emailed.').redirect(`/bursaries/funds/${fundId}/panel`, 303);
    },
  );

  app.get('/bursaries/funds/:fundId/applications/:applicationId', { config: { access: 'member' }, schema: { params: FundApplicationParams } }, async (request, reply) => {
    const { fundId, applicationId } = request.params as { fundId: string; applicationId: string };
    return renderReview(request, reply, fundId, applicationId);
  });

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/decision',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: DecisionBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params as { fundId: string; applicationId: string };
      const body = (request.body ?? {}) as Record<string, string>;
      try {
        const errors = validationErrors(request);
        if (errors.length) throw new InvalidInputError(errors);
        await decideApplication(
          app.db,
          fundId,
          applicationId,
          { outcome: body.outcome as DecisionOutcome, amounts: pick(body, 'amount-'), message: body.message ?? '', overrideReason: body.overrideReason ?? '' },
          actorOf(request),
        );
      } catch (error) {
        if (error instanceof InvalidInputError) return renderReview(request, reply, fundId, applicationId, { decision: formState(body, error.fieldErrors) }, 400);
        return noticeOnConflict(reply, error, reviewPath(fundId, applicationId));
      }
      app.mail.nudge();
      return reply.notice('Your decision has been recorded and the applicant has been emailed.').redirect(reviewPath(fundId, applicationId), 303);
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/claim/approve',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: EmptyBody } },
    async (request, reply) => {
      const { fundId, applicationId } = request.params as { fundId: string; applicationId: string };
      try {
        await approveClaim(app.db, fundId, applicationId, actorOf(request));
      } catch (error) {
        return noticeOnConflict(reply, error, reviewPath(fundId, applicationId));
      }
      app.mail.nudge();
      return reply.notice('The claim has been approved and the applicant has been emailed.').redirect(reviewPath(fundId, applicationId), 303);
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/claim/return',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: ReturnClaimBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params as { fundId: string; applicationId: string };
      const reason = ((request.body ?? {}) as { reason?: string }).reason ?? '';
      try {
        const errors = validationErrors(request);
        if (errors.length) throw new InvalidInputError(errors);
        await returnClaim(app.db, fundId, applicationId, reason, actorOf(request));
      } catch (error) {
        if (error instanceof InvalidInputError) return renderReview(request, reply, fundId, applicationId, { returnClaim: formState({ reason }, error.fieldErrors) }, 400);
        return noticeOnConflict(reply, error, reviewPath(fundId, applicationId));
      }
      app.mail.nudge();
      return reply.notice('The claim has gone back to the applicant with your reason.').redirect(reviewPath(fundId, applicationId), 303);
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/payments',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: PaymentBody }, attachValidation: true },
    async (request, reply) => {
      const { fundId, applicationId } = request.params as { fundId: string; applicationId: string };
      const body = (request.body ?? {}) as Record<string, string>;
      try {
        const errors = validationErrors(request);
        if (errors.length) throw new InvalidInputError(errors);
        await recordPayment(
          app.db,
          fundId,
          applicationId,
          { kind: body.kind as BursaryPaymentKind, amount: body.amount ?? '', paidOn: body.paidOn ?? '', method: body.method ?? '', reference: body.reference ?? '' },
          actorOf(request),
        );
      } catch (error) {
        if (error instanceof InvalidInputError) return renderReview(request, reply, fundId, applicationId, { payment: formState(body, error.fieldErrors) }, 400);
        return noticeOnConflict(reply, error, reviewPath(fundId, applicationId));
      }
      app.mail.nudge();
      return reply.notice('The payment has been recorded.').redirect(reviewPath(fundId, applicationId), 303);
    },
  );

  app.post(
    '/bursaries/funds/:fundId/applications/:applicationId/close',
    { config: { access: 'member' }, schema: { params: FundApplicationParams, body: EmptyBody } },
    async (request, reply) => {
      const { fundId, applicationId } = request.params as { fundId: string; applicationId: string };
      try {
        await closeApplication(app.db, fundId, applicationId, actorOf(request));
      } catch (error) {
        return noticeOnConflict(reply, error, reviewPath(fundId, applicationId));
      }
      return reply.notice('The application is closed. Anything not paid has returned to the budget.').redirect(reviewPath(fundId, applicationId), 303);
    },
  );

  app.get('/bursaries/funds/:fundId/report', { config: { access: 'member' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params as { fundId: string };
    const fund = await panelFund(request, fundId);
    const [report, figures] = await Promise.all([fundReport(app.db, fundId), fundFigures(app.db, fundId)]);
    await recordAudit(app.db, { actorId: request.me!.id, action: 'bursary.fund.report_viewed', subjectType: 'bursary_fund', subjectId: fundId });
    return reply.page('bursaries/report', {
      title: `Bursary report: ${fund.name}`,
      fund: fundView(fund),
      figures: figuresView(figures),
      byCategory: report.byCategory.map((c) => ({ label: categoryRows(settings).find((r) => r.category === c.category)!.label, asked: money(c.askedPence), approved: money(c.approvedPence), claimed: money(c.claimedPence) })),
      byStatus: report.byStatus.map((s) => ({ label: statusLabels[s.status as keyof typeof statusLabels].label, applications: s.applications, asked: money(s.askedPence), approved: money(s.approvedPence) })),
      paid: money(report.paidPence),
    });
  });

  app.get('/bursaries/funds/:fundId/report.csv', { config: { access: 'member' }, schema: { params: FundParams } }, async (request, reply) => {
    const { fundId } = request.params as { fundId: string };
    await panelFund(request, fundId);
    const report = await fundReport(app.db, fundId);
    await recordAudit(app.db, { actorId: request.me!.id, action: 'bursary.fund.report_exported', subjectType: 'bursary_fund', subjectId: fundId });
    return sendCsv(reply, `bursaries-${fundId.slice(0, 8)}.csv`, reportCsv(report));
  });
};
