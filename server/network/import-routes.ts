// Organisers' pages for importing an older mailing list: upload a CSV file, check the preview
// (each row's problem, and who will be asked to confirm), start it, and follow its progress.
// The progress page works without JavaScript: it says how far the import has got and has a link
// to look again (a page that refreshed itself would move under someone reading it).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { formState, type FormState } from '../http/forms.ts';
import { submit } from '../http/form-route.ts';
import { Uuid } from '../http/ids.ts';
import { signedIn } from '../http/signed-in.ts';
import { acceptUploads, readFieldsBeforeFile, readUploadedFile } from '../http/uploads.ts';
import { scheduleJob } from '../jobs.ts';
import { importLimits, importListItem, importPage } from './directory-view-models.ts';
import {
  cancelImport,
  dropStalePreviews,
  getImport,
  importSummary,
  listRecentImports,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  previewImport,
  rowsWithProblems,
  runImports,
  startImport,
  undatedConsentRows,
} from './import.ts';

const UploadForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  file: Type.Optional(Type.Unknown({ title: 'CSV file' })),
});
const IdParams = Type.Object({ id: Uuid });

export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await acceptUploads(app, { maxFileBytes: MAX_IMPORT_BYTES, fields: 2 });

  // Works through running imports a batch at a time; starting one nudges it.
  const job = scheduleJob(app, {
    name: 'mailing list import',
    firstAfterMs: 2_000,
    everyMs: Math.max(app.config.outboxIntervalMs, 1_000),
    run: async () => {
      await dropStalePreviews(app.db);
      const done = await runImports(app.db);
      if (done > 0) {
        app.mail.nudge();
        job.nudge();
      }
    },
  });

  const uploadPage = async (reply: FastifyReply, form: FormState, status = 200) =>
    reply.page(
      'network/import',
      {
        title: 'Import a mailing list',
        form,
        ...importLimits(MAX_IMPORT_BYTES, MAX_IMPORT_ROWS),
        imports: (await listRecentImports(app.db)).map(importListItem),
      },
      status,
    );

  app.get('/organise/list/import', { config: { access: 'organiser' } }, async (_request, reply) => uploadPage(reply, formState()));

  app.post(
    '/organise/list/import',
    { config: { access: 'organiser' }, schema: { body: UploadForm }, attachValidation: true, preValidation: readFieldsBeforeFile },
    async (request, reply) => {
      const file = await readUploadedFile(request);
      return submit(request, reply, {
        again: (form, status) => uploadPage(reply, form, status),
        run: () => previewImport(app.db, signedIn(request).id, { filename: file?.filename ?? '', data: file?.data ?? Buffer.alloc(0) }),
        done: (id) => ({ to: `/organise/list/imports/${id}`, notice: 'The file is read. Check what will happen, then start the import.' }),
      });
    },
  );

  app.get('/organise/list/imports/:id', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    const record = await getImport(app.db, id);
    const [summary, problems, undated] = await Promise.all([importSummary(app.db, id), rowsWithProblems(app.db, id), undatedConsentRows(app.db, id)]);
    const view = importPage(record, summary, problems, undated);
    const title = record.status === 'previewed' ? `Check the import: ${record.filename}` : `Import of ${record.filename}`;
    return reply.page('network/import-show', { title, view });
  });

  app.post('/organise/list/imports/:id/start', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    return submit(request, reply, {
      run: async () => {
        await startImport(app.db, id, signedIn(request).id);
        job.nudge();
      },
      conflict: { to: `/organise/list/imports/${id}` },
      done: { to: `/organise/list/imports/${id}`, notice: 'The import has started. This page shows how far it has got.' },
    });
  });

  app.post('/organise/list/imports/:id/cancel', { config: { access: 'organiser' }, schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params;
    return submit(request, reply, {
      run: () => cancelImport(app.db, id, signedIn(request).id),
      conflict: { to: `/organise/list/imports/${id}` },
      done: { to: '/organise/list/import', notice: 'The import is cancelled. Nobody was added or emailed, and its addresses are deleted.' },
    });
  });
};
