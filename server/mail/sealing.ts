// Private links in queued email. A sign-in or manage link in `outbox_messages.data` would let
// anyone who reads the database sign in as anyone or take over any booking, so the fields that
// carry one are encrypted (AES-256-GCM) with a key that only the app processes hold, opened by
// the sender at the moment it renders the email, and removed once the email is sent or given up.
// The row's id is bound into the encryption, so sealed links cannot be moved to another row (and
// so to another address).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';

/**
 * Data fields that carry a private link. Any email field holding a token that grants something
 * must be named here, or it would be stored in usable form.
 */
export const SECRET_FIELDS: readonly string[] = ['signInPath', 'managePath', 'invitationPath', 'confirmPath', 'surveyPath', 'preferencesPath', 'leavePath'];

const VERSION = 'v1';

// The key is per process, not per request: services queue email inside their own transactions
// and never see the app. The mail plugin installs it when the app is built. A process that never
// builds the app (a test of a service on its own) seals with a throwaway key: nothing it queues
// can be sent by anyone, which is the safe way to be wrong.
let processKey: Buffer | null = null;

export function installOutboxKey(key: Buffer): void {
  processKey = key;
}

function currentKey(): Buffer {
  processKey ??= randomBytes(32);
  return processKey;
}

/** The configured key, or the one kept in DATA_DIR/outbox.key (made on the first start). */
export function loadOutboxKey(config: Pick<Config, 'outboxKey' | 'dataDir'>): Buffer {
  if (config.outboxKey) return config.outboxKey;
  const file = path.join(config.dataDir, 'outbox.key');
  try {
    const bytes = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
    if (bytes.length === 32) return bytes;
    throw new Error(`${file} does not hold a 32-byte key; remove it to make a new one (queued emails with links will not be sent)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const bytes = randomBytes(32);
  fs.mkdirSync(config.dataDir, { recursive: true });
  // 'wx': if another process made it a moment ago, use theirs.
  try {
    fs.writeFileSync(file, `${bytes.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOutboxKey(config);
    throw error;
  }
  return bytes;
}

/** Splits an email's data into what may be stored as it is and its sealed private links. */
export function sealSecrets(
  messageId: string,
  data: Record<string, unknown>,
  key: Buffer = currentKey(),
): { open: Record<string, unknown>; sealed: string | null } {
  const open: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (SECRET_FIELDS.includes(field)) secrets[field] = value;
    else open[field] = value;
  }
  if (Object.keys(secrets).length === 0) return { open, sealed: null };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(messageId));
  const body = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return { open, sealed: `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}` };
}

/** The private links sealed for this message; throws if the key or the row is not the one it was sealed for. */
export function openSecrets(messageId: string, sealed: string, key: Buffer = currentKey()): Record<string, unknown> {
  const [version, payload] = sealed.split('.');
  if (version !== VERSION || !payload) throw new Error('The private links of this email are in an unknown format');
  const bytes = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(messageId));
  decipher.setAuthTag(bytes.subarray(12, 28));
  try {
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('The private links of this email were sealed with another OUTBOX_KEY and cannot be opened');
  }
}

/**
 * A signature of `value` for one purpose, made with the outbox key: for links that must be
 * written into every email again (a mailing list's "leave" link) and so cannot be a random token
 * kept only as a hash. Changing OUTBOX_KEY makes old links stop working.
 */
export function linkSignature(purpose: string, value: string, key: Buffer = currentKey()): Buffer {
  return createHmac('sha256', key).update(`${purpose}\n${value}`).digest();
}
