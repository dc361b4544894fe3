// Involvement payments: a planner logs time and chooses how to be paid for each item; each
// person sees their running total per tax year and may set a cap; organisers set the Hub's rate
// and mark items paid.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventRequest } from '../http/params.ts';
import { EventParams } from '../http/params.ts';
import { signedIn } from '../http/signed-in.ts';
import { Type } from 'typebox';
import { involvementActivities, involvementChoices } from '../../db/schema/index.ts';
import { InvalidInputError, type FieldError } from '../errors.ts';
import { formState, validationErrors, type FormState } from '../http/forms.ts';
import { submit } from '../http/form-route.ts';
import { planningAccess } from './access.ts';
import { oneOf, pounds, text, textForm } from '../http/form-values.ts';
import { capOf, changeChoice, hubRate, listItems, logItem, markPaid, myItems, personTotal, setHubRate, setMyCap, taxYearOf } from './involvement.ts';
import { isIsoDate, londonToday } from '../london-time.ts';
import {
  activityOptions,
  capNotice,
  choiceOptions,
  involvementItemView,
  involvementMoney,
  myInvolvementModel,
  poundsValue,
  rateNotice,
  workspaceFrame,
} from './view-models.ts';

const ItemParams = Type.Object({ eventId: Type.String({ format: 'uuid' }), itemId: Type.String({ format: 'uuid' }) });
const ItemForm = textForm({
  activity: { title: 'What you did', maxLength: 40 },
  description: { title: 'Details', maxLength: 1000 },
  occurredOn: { title: 'Date', maxLength: 20 },
  hours: { title: 'Hours', maxLength: 5 },
  mins: { title: 'Minutes', maxLength: 5 },
  choice: { title: 'How you would like to be paid', maxLength: 40 },
  organisationName: { title: 'Organisation', maxLength: 300 },
});
const ChoiceForm = textForm({ choice: { title: 'How you would like to be paid', maxLength: 40 }, organisationName: { title: 'Organisation', maxLength: 300 } });
const CapForm = textForm({ cap: { title: 'Your limit', maxLength: 20 } });
const RateForm = textForm({ rate: { title: 'Hourly rate', maxLength: 20 } });

export const involvementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const show = async (request: EventRequest, reply: FastifyReply, itemForm?: FormState, status = 200) => {
    const { eventId } = request.params;
    const me = signedIn(request);
    const access = await planningAccess(app.db, eventId, me);
    const [items, rate] = await Promise.all([listItems(app.db, eventId, me), hubRate(app.db)]);
    const year = taxYearOf(londonToday());
    const [total, cap] = access.membership ? await Promise.all([personTotal(app.db, me.id, year), capOf(app.db, me.id)]) : [0, null];
    const form = itemForm ?? formState({ occurredOn: londonToday(), activity: 'meeting', choice: 'paid', hours: '', mins: '' });
    return reply.page(
      'planning/involvement',
      {
        title: `Involvement payments: ${access.event.title}`,
        ...workspaceFrame(access, 'involvement'),
        ...involvementMoney(rate, year, total, cap),
        canLog: Boolean(access.membership),
        items: items.map((i) => involvementItemView(i, me.id)),
        activityOptions,
        choiceOptions,
        itemForm: form,
        allErrors: form.errors,
      },
      status,
    );
  };

  app.get('/plan/:eventId/involvement', { config: { access: 'member' }, schema: { params: EventParams } }, async (request, reply) => show(request, reply));

  app.post(
    '/plan/:eventId/involvement',
    { config: { access: 'member' }, schema: { params: EventParams, body: ItemForm }, attachValidation: true },
    async (request, reply) => {
      const { eventId } = request.params;
      const body = request.body;
      const values: Record<string, string> = {};
      for (const k of ['activity', 'description', 'occurredOn', 'hours', 'mins', 'choice', 'organisationName']) values[k] = text(body, k);
      const errors: FieldError[] = [];
      const activity = oneOf(values.activity!, involvementActivities);
      if (!activity) errors.push({ field: 'activity', message: 'Choose what you did' });
      const choice = oneOf(values.choice!, involvementChoices);
      if (!choice) errors.push({ field: 'choice', message: 'Choose how you would like to be paid' });
      if (!isIsoDate(values.occurredOn!)) errors.push({ field: 'occurredOn', message: 'Enter the date, for example 9 December 2026' });
      const hours = values.hours!.trim() === '' ? 0 : Number(values.hours);
      const mins = values.mins!.trim() === '' ? 0 : Number(values.mins);
      if (!Number.isInteger(hours) || hours < 0 || hours > 24) errors.push({ field: 'hours', message: 'Hours must be a whole number from 0 to 24' });
      else if (!Number.isInteger(mins) || mins < 0 || mins > 59) errors.push({ field: 'mins', message: 'Minutes must be a whole number from 0 to 59' });
      return submit(request, reply, {
        values,
        errors,
        again: (form, status) => show(request, reply, form, status),
        run: () =>
          logItem(
            app.db,
            eventId,
            {
              activity: activity!,
              choice: choice!,
              description: values.description!,
              occurredOn: values.occurredOn!,
              minutes: hours * 60 + mins,
              organisationName: values.organisationName!,
            },
            signedIn(request),
          ),
        done: { to: `/plan/${eventId}/involvement`, notice: 'Your time is logged.' },
      });
    },
  );

  app.post(
    '/plan/:eventId/involvement/:itemId/choice',
    { config: { access: 'member' }, schema: { params: ItemParams, body: ChoiceForm } },
    async (request, reply) => {
      const { eventId, itemId } = request.params;
      const body = request.body;
      const choice = oneOf(text(body, 'choice'), involvementChoices);
      // Rights on this event first, so nobody outside it learns anything from the answer.
      await planningAccess(app.db, eventId, signedIn(request));
      if (!choice) return reply.notice('Choose how you would like to be paid.', 'important').redirect(`/plan/${eventId}/involvement`, 303);
      try {
        await changeChoice(app.db, eventId, itemId, { choice, organisationName: text(body, 'organisationName') }, signedIn(request));
      } catch (error) {
        // The cap message is long and specific: show it as the next page's notice.
        if (error instanceof InvalidInputError) return reply.notice(error.fieldErrors[0]!.message, 'important').redirect(`/plan/${eventId}/involvement`, 303);
        throw error;
      }
      return reply.notice('Your choice is saved.').redirect(`/plan/${eventId}/involvement`, 303);
    },
  );

  app.post('/plan/:eventId/involvement/:itemId/paid', { config: { access: 'member' }, schema: { params: ItemParams } }, async (request, reply) => {
    const { eventId, itemId } = request.params;
    return submit(request, reply, {
      run: () => markPaid(app.db, eventId, itemId, signedIn(request)),
      conflict: { to: `/plan/${eventId}/involvement` },
      done: { to: `/plan/${eventId}/involvement`, notice: 'The item is marked as paid.' },
    });
  });

  // ---- A person's own totals and cap, across events ----

  const showMine = async (request: FastifyRequest, reply: FastifyReply, capForm?: FormState, status = 200) => {
    const me = signedIn(request);
    const year = taxYearOf(londonToday());
    const [items, total, cap] = await Promise.all([myItems(app.db, me), personTotal(app.db, me.id, year), capOf(app.db, me.id)]);
    const form = capForm ?? formState({ cap: poundsValue(cap) });
    return reply.page(
      'planning/my-involvement',
      {
        title: 'Your involvement payments',
        ...myInvolvementModel(items, year, total, cap),
        capForm: form,
      },
      status,
    );
  };

  app.get('/involvement', { config: { access: 'member' } }, async (request, reply) => showMine(request, reply));

  app.post('/involvement/cap', { config: { access: 'member' }, schema: { body: CapForm }, attachValidation: true }, async (request, reply) => {
    const body = request.body;
    const errors: FieldError[] = [];
    const cap = pounds(body, 'cap', 'Your limit', errors);
    return submit(request, reply, {
      values: { cap: text(body, 'cap') },
      errors,
      again: (form, status) => showMine(request, reply, form, status),
      run: () => setMyCap(app.db, cap, signedIn(request)),
      done: { to: '/involvement', notice: capNotice(cap) },
    });
  });

  // ---- The Hub's rate ----

  const showRate = async (reply: FastifyReply, form?: FormState, status = 200) =>
    reply.page('organise/involvement-rate', { title: 'Involvement rate', form: form ?? formState({ rate: poundsValue(await hubRate(app.db)) }) }, status);

  app.get('/organise/involvement-rate', { config: { access: 'organiser' } }, async (_request, reply) => showRate(reply));

  app.post('/organise/involvement-rate', { config: { access: 'organiser' }, schema: { body: RateForm }, attachValidation: true }, async (request, reply) => {
    const body = request.body;
    const errors: FieldError[] = [];
    const rate = pounds(body, 'rate', 'The hourly rate', errors);
    if (rate == null && !errors.length && !validationErrors(request).length)
      errors.push({ field: 'rate', message: 'Enter the hourly rate in pounds, like 25' });
    return submit(request, reply, {
      values: { rate: text(body, 'rate') },
      errors,
      again: (form, status) => showRate(reply, form, status),
      run: () => setHubRate(app.db, rate!, signedIn(request)),
      done: () => ({
        to: '/organise/involvement-rate',
        notice: rateNotice(rate!),
      }),
    });
  });
};
