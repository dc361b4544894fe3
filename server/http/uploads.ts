// File uploads (bursary receipts, event resources) without reading a file nobody may send.
//
// A multipart form is read in the order the browser sends it: the text fields (the CSRF token
// first, as every form puts it first) are read into `request.body` before validation, and reading
// stops at the file. The global CSRF check and the route's own check of the sender's right to
// upload there (a preHandler) then run while the file is still unread; only the handler reads it,
// as a stream cut off just past the size limit. A refused upload's connection is closed, so the
// rest of its body is never read.
import multipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface UploadedFile {
  /** The form field it came in. */
  field?: string;
  filename: string;
  /**
   * The file, or its first maxFileBytes + 1 bytes if it was larger: the feature's own size check
   * (`data.length > max`) then refuses it with its message. Empty when no file was chosen.
   */
  data: Buffer;
}

interface Pending {
  parts: AsyncIterator<Multipart>;
  file: MultipartFile | null;
}

const pending = new WeakMap<FastifyRequest, Pending>();

/** Multipart for the routes of one (encapsulated) feature plugin: one file, a few short fields. */
export async function acceptUploads(app: FastifyInstance, limits: { maxFileBytes: number; fields: number; files?: number }): Promise<void> {
  const files = limits.files ?? 1;
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: limits.maxFileBytes + 1, files, fields: limits.fields, fieldSize: 10_000, parts: limits.fields + files },
  });
  app.addHook('onSend', async (request, reply) => {
    // Refused before its file was read (or while its fields were): do not read the rest.
    if (request.isMultipart() && !request.raw.complete) reply.header('connection', 'close');
  });
}

/** Malformed multipart (cut short, broken headers) is the sender's mistake, not a server error. */
function asBadRequest(error: unknown): unknown {
  const e = error as { statusCode?: number };
  return typeof e?.statusCode === 'number' ? error : Object.assign(new Error('Bad request'), { statusCode: 400 });
}

/**
 * A route's preValidation: the form's text fields, up to its file, become `request.body` (the
 * first value of each; NUL removed as for every other form). The file is left unread.
 */
export async function readFieldsBeforeFile(request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) return;
  const parts = request.parts();
  const body: Record<string, string> = Object.create(null);
  let file: MultipartFile | null = null;
  try {
    for (let next = await parts.next(); !next.done; next = await parts.next()) {
      const part = next.value;
      if (part.type === 'file') {
        file = part;
        break;
      }
      if (typeof part.value === 'string' && !(part.fieldname in body)) body[part.fieldname] = part.value.replaceAll('\u0000', '');
    }
  } catch (error) {
    throw asBadRequest(error);
  }
  request.body = body;
  pending.set(request, { parts, file });
}

/**
 * In the handler, once the sender's rights and CSRF token are checked: the file (null if none
 * came), then whatever follows it in the form is read and dropped so the connection can be reused.
 */
export async function readUploadedFile(request: FastifyRequest): Promise<UploadedFile | null> {
  const state = pending.get(request);
  if (!state) return null;
  pending.delete(request);
  let uploaded: UploadedFile | null = null;
  try {
    if (state.file) {
      const chunks: Buffer[] = [];
      for await (const chunk of state.file.file) chunks.push(chunk as Buffer);
      uploaded = { filename: state.file.filename, data: Buffer.concat(chunks) };
    }
    for (let next = await state.parts.next(); !next.done; next = await state.parts.next()) {
      if (next.value.type === 'file') next.value.file.resume();
    }
  } catch (error) {
    throw asBadRequest(error);
  }
  return uploaded;
}

/**
 * Like readUploadedFile, for a form whose file fields take several files (`multiple`): every file
 * sent, in order, each with its field's name. An empty file input sends one empty file: left out.
 * Reading stops, and TooLargeError is thrown, once the files together pass `maxTotalBytes`.
 */
export async function readUploadedFiles(request: FastifyRequest, options: { maxTotalBytes: number }): Promise<UploadedFile[]> {
  const state = pending.get(request);
  if (!state) return [];
  pending.delete(request);
  const files: UploadedFile[] = [];
  let total = 0;
  let file = state.file;
  try {
    while (file) {
      const chunks: Buffer[] = [];
      for await (const chunk of file.file) {
        total += (chunk as Buffer).length;
        if (total > options.maxTotalBytes) throw new UploadsTooLargeError();
        chunks.push(chunk as Buffer);
      }
      const data = Buffer.concat(chunks);
      if (data.length > 0 || file.filename) files.push({ field: file.fieldname, filename: file.filename, data });
      file = null;
      for (let next = await state.parts.next(); !next.done; next = await state.parts.next()) {
        if (next.value.type === 'file') {
          file = next.value;
          break;
        }
      }
    }
  } catch (error) {
    if (error instanceof UploadsTooLargeError) throw error;
    throw asBadRequest(error);
  }
  return files.filter((f) => f.data.length > 0);
}

/** The files sent together were larger than the form allows. */
export class UploadsTooLargeError extends Error {
  override name = 'UploadsTooLargeError';
}
