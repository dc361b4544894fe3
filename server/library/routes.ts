// The library's pages: the public search with its filters, each item's page and file; the
// organisers' list, the form to add or change an item, and importing an existing archive (a
// spreadsheet and the files it names, uploaded together) with its preview and progress.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { libraryKinds } from '../../db/schema/index.ts';
import { sendCsv } from '../http/csv.ts';
import { submit } from '../http/form-route.ts';
import { type FormState, formState } from '../http/forms.ts';
import { Uuid, UuidOrEmpty } from '../http/ids.ts';
import { signedIn } from '../http/signed-in.ts';
import { listPublicResources } from '../planning/public.ts';
import { acceptUploads, readFieldsBeforeFile, readUploadedFile, readUploadedFiles, UploadsTooLargeError } from '../http/uploads.ts';
import { NotFoundError } from '../errors.ts';
import {
  discardImport,
  getImport,
  IMPORT_COLUMNS,
  importProgress,
  importRows,
  importTemplate,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_FILES,
  stageImport,
  startImport,
} from './import.ts';
import {
  ACCEPTED_TYPES_WORDS,
  eventChoices,
  eventsNamed,
  getItem,
  type ItemInput,
  libraryFacets,
  libraryFile,
  MAX_LIBRARY_FILE_BYTES,
  removeItem,
  saveItem,
  searchLibrary,
} from './service.ts';
import { eventOptions, eventResourcesMatching, importRowView, itemCard, kindChoices, LibraryQuery, progressWords, resultPages } from './view-models.ts';

const ItemParams = Type.Object({ itemId: Uuid });
const ImportParams = Type.Object({ importId: Uuid });

const ItemForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  title: Type.String({ title: 'Title', minLength: 1, maxLength: 200 }),
  summary: Type.Optional(Type.String({ title: 'Summary', maxLength: 2000 })),
  kind: Type.Union(
    libraryKinds.map((k) => Type.Literal(k)),
    { title: 'Kind of item' },
  ),
  topics: Type.Optional(Type.String({ title: 'Topics', maxLength: 500 })),
  year: Type.String({ title: 'Year published', minLength: 1, maxLength: 4 }),
  eventId: Type.Optional(UuidOrEmpty({ title: 'The event it came from' })),
  launchEventId: Type.Optional(UuidOrEmpty({ title: 'A later event where it is launched' })),
  url: Type.Optional(Type.String({ title: 'Or a link to it elsewhere', maxLength: 2000 })),
});

const ImportForm = Type.Object({ _csrf: Type.Optional(Type.String()) });

const text = (body: unknown, field: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : '';
};

function itemValues(body: unknown): ItemInput {
  return {
    title: text(body, 'title'),
    summary: text(body, 'summary'),
    kind: text(body, 'kind'),
    topics: text(body, 'topics'),
    year: text(body, 'year'),
    eventId: text(body, 'eventId'),
    launchEventId: text(body, 'launchEventId'),
    url: text(body, 'url'),
  };
}

export const libraryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await acceptUploads(app, { maxFileBytes: MAX_LIBRARY_FILE_BYTES, fields: 12, files: MAX_IMPORT_FILES + 2 });

  // ---- Public ----

  app.get('/library', { config: { access: 'public', publicCache: true }, schema: { querystring: LibraryQuery } }, async (request, reply) => {
    const query = request.query;
    const year = query.year ? Number(query.year) : undefined;
    const page = query.page ?? 1;
    const [found, facets, shared] = await Promise.all([
      searchLibrary(app.db, { q: query.q, topic: query.topic, kind: query.kind || undefined, year, page }),
      libraryFacets(app.db),
      listPublicResources(app.db),
    ]);
    const names = await eventsNamed(
      app.db,
      found.items.flatMap((i) => [i.eventId, i.launchEventId].filter((id): id is string => id !== null)),
      {},
    );
    const pages = resultPages({ q: query.q, topic: query.topic, kind: query.kind, year: query.year }, found.total, page);
    const filtered = Boolean(query.q || query.topic || query.kind || query.year);
    return reply.page('library/index', {
      title: `Library of reports and resources${pages.current > 1 ? ` (page ${pages.current} of ${pages.count})` : ''}`,
      items: found.items.map((i) => itemCard(i, names)),
      total: found.total,
      filtered,
      pages,
      values: { q: query.q ?? '', topic: query.topic ?? '', kind: query.kind ?? '', year: query.year ?? '' },
      topics: facets.topics,
      years: facets.years,
      kinds: kindChoices,
      // What planners shared on their events' pages after each event (files and links).
      fromEvents: page === 1 ? eventResourcesMatching(shared, { q: query.q, filteredOtherwise: Boolean(query.topic || query.kind || query.year) }) : [],
    });
  });

  app.get('/library/:itemId', { config: { access: 'public', publicCache: true }, schema: { params: ItemParams } }, async (request, reply) => {
    const item = await getItem(app.db, request.params.itemId);
    const names = await eventsNamed(
      app.db,
      [item.eventId, item.launchEventId].filter((id): id is string => id !== null),
      {},
    );
    return reply.page('library/item', { title: item.title, item: itemCard(item, names), organiser: Boolean(request.me?.isOrganiser) });
  });

  app.get('/library/:itemId/file', { config: { access: 'public' }, schema: { params: ItemParams } }, async (request, reply) => {
    const file = await libraryFile(app.db, request.params.itemId);
    if (!file) throw new NotFoundError('We could not find that file. It may have been removed.');
    // Uploaded by an organiser and served from the site's own origin: always a download, never a
    // document rendered here, sandboxed should one be opened anyway, and never kept by shared caches.
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename.replace(/[^A-Za-z0-9 ._()-]/g, '_')}"`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'")
      .header('cache-control', 'private, no-cache')
      .send(file.content);
  });

  // ---- Organisers ----

  app.get('/organise/library', { config: { access: 'organiser' } }, async (_request, reply) => {
    const found = await searchLibrary(app.db, { page: 1 });
    const names = await eventsNamed(
      app.db,
      found.items.flatMap((i) => [i.eventId, i.launchEventId].filter((id): id is string => id !== null)),
    );
    return reply.page('library/organise', { title: 'Library', items: found.items.map((i) => itemCard(i, names)), total: found.total });
  });

  async function itemForm(reply: FastifyReply, form: FormState, options: { itemId?: string; hasFile?: boolean }, status = 200) {
    const choices = eventOptions(await eventChoices(app.db));
    const heading = options.itemId ? 'Change a library item' : 'Add to the library';
    return reply.page(
      'library/edit',
      {
        title: `${form.errors.length ? 'Error: ' : ''}${heading}`,
        heading,
        form,
        kinds: kindChoices,
        events: choices,
        postUrl: options.itemId ? `/organise/library/${options.itemId}/edit` : '/organise/library/new',
        hasFile: options.hasFile ?? false,
        acceptedTypes: ACCEPTED_TYPES_WORDS,
        itemId: options.itemId ?? '',
      },
      status,
    );
  }

  app.get('/organise/library/new', { config: { access: 'organiser' } }, async (_request, reply) =>
    itemForm(reply, formState({ kind: 'report', year: String(new Date().getUTCFullYear()) }), {}),
  );

  app.post(
    '/organise/library/new',
    { config: { access: 'organiser' }, schema: { body: ItemForm }, attachValidation: true, preValidation: readFieldsBeforeFile },
    async (request, reply) => {
      const values = itemValues(request.body);
      const file = await readUploadedFile(request);
      return submit(request, reply, {
        values,
        again: (form, status) => itemForm(reply, form, {}, status),
        run: () => saveItem(app.db, { fields: values, file }, signedIn(request)),
        done: (id) => ({ to: `/library/${id}`, notice: 'The item is in the library.' }),
      });
    },
  );

  app.get('/organise/library/:itemId/edit', { config: { access: 'organiser' }, schema: { params: ItemParams } }, async (request, reply) => {
    const item = await getItem(app.db, request.params.itemId);
    return itemForm(
      reply,
      formState({
        title: item.title,
        summary: item.summary,
        kind: item.kind,
        topics: item.topics.join(', '),
        year: String(item.year),
        eventId: item.eventId ?? '',
        launchEventId: item.launchEventId ?? '',
        url: item.url,
      }),
      { itemId: item.id, hasFile: Boolean(item.filename) },
    );
  });

  app.post(
    '/organise/library/:itemId/edit',
    { config: { access: 'organiser' }, schema: { params: ItemParams, body: ItemForm }, attachValidation: true, preValidation: readFieldsBeforeFile },
    async (request, reply) => {
      const { itemId } = request.params;
      const item = await getItem(app.db, itemId);
      const values = itemValues(request.body);
      const file = await readUploadedFile(request);
      return submit(request, reply, {
        values,
        again: (form, status) => itemForm(reply, form, { itemId, hasFile: Boolean(item.filename) }, status),
        run: () => saveItem(app.db, { id: itemId, fields: values, file }, signedIn(request)),
        done: { to: `/library/${itemId}`, notice: 'Your changes are saved.' },
      });
    },
  );

  app.post('/organise/library/:itemId/remove', { config: { access: 'organiser' }, schema: { params: ItemParams } }, async (request, reply) =>
    submit(request, reply, {
      run: () => removeItem(app.db, request.params.itemId, signedIn(request)),
      done: { to: '/organise/library', notice: 'The item is removed from the library.' },
    }),
  );

  // ---- Importing an archive ----

  const importPage = (reply: FastifyReply, form: FormState, status = 200) =>
    reply.page(
      'library/import',
      {
        title: `${form.errors.length ? 'Error: ' : ''}Import an archive into the library`,
        form,
        columns: IMPORT_COLUMNS,
        maxFiles: MAX_IMPORT_FILES,
        acceptedTypes: ACCEPTED_TYPES_WORDS,
        kinds: kindChoices,
      },
      status,
    );

  app.get('/organise/library/import', { config: { access: 'organiser' } }, async (_request, reply) => importPage(reply, formState({})));

  app.get('/organise/library/import/template.csv', { config: { access: 'organiser' } }, async (_request, reply) =>
    sendCsv(reply, 'library-import-template.csv', importTemplate()),
  );

  app.post(
    '/organise/library/import',
    { config: { access: 'organiser' }, schema: { body: ImportForm }, attachValidation: true, preValidation: readFieldsBeforeFile },
    async (request, reply) => {
      let files: Awaited<ReturnType<typeof readUploadedFiles>>;
      try {
        files = await readUploadedFiles(request, { maxTotalBytes: MAX_IMPORT_BYTES });
      } catch (error) {
        if (!(error instanceof UploadsTooLargeError)) throw error;
        return importPage(
          reply,
          formState({}, [{ field: 'files', message: 'The files together must be 200 MB or smaller: import them in several goes' }]),
          400,
        );
      }
      const csv = files.find((f) => f.field === 'csv') ?? null;
      return submit(request, reply, {
        again: (form, status) => importPage(reply, form, status),
        run: () => stageImport(app.db, { csv, files: files.filter((f) => f.field === 'files') }, signedIn(request)),
        done: (id) => ({ to: `/organise/library/imports/${id}` }),
      });
    },
  );

  app.get('/organise/library/imports/:importId', { config: { access: 'organiser' }, schema: { params: ImportParams } }, async (request, reply) => {
    const { importId } = request.params;
    const job = await getImport(app.db, importId);
    const [progress, rows] = await Promise.all([importProgress(app.db, importId), importRows(app.db, importId)]);
    return reply.page('library/import-progress', {
      title: job.status === 'previewed' ? 'Check the import' : 'Importing into the library',
      status: job.status,
      words: progressWords(job.status, progress, job.startedAt),
      progress,
      csvFilename: job.csvFilename,
      rows: rows.map(importRowView),
      postUrl: `/organise/library/imports/${importId}`,
    });
  });

  app.post('/organise/library/imports/:importId/start', { config: { access: 'organiser' }, schema: { params: ImportParams } }, async (request, reply) => {
    const { importId } = request.params;
    return submit(request, reply, {
      run: async () => {
        await startImport(app.db, importId, signedIn(request));
        app.libraryJobs.nudge();
      },
      conflict: { to: `/organise/library/imports/${importId}` },
      done: { to: `/organise/library/imports/${importId}`, notice: 'The import has started. This page shows how far it has got.' },
    });
  });

  app.post('/organise/library/imports/:importId/discard', { config: { access: 'organiser' }, schema: { params: ImportParams } }, async (request, reply) =>
    submit(request, reply, {
      run: () => discardImport(app.db, request.params.importId, signedIn(request)),
      conflict: { to: `/organise/library/imports/${request.params.importId}` },
      done: { to: '/organise/library', notice: 'The import is discarded: nothing was added.' },
    }),
  );
};
