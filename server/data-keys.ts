// Personal data too sensitive to keep readable in the database (bank details) is encrypted with
// AES-256-GCM under a data key that only the app processes hold: DATA_KEY, or for the embedded
// database a key made on the first start in DATA_DIR/data.key. Each ciphertext names the key that
// made it, so keys can be rotated: put a new key first in DATA_KEY ("2:<new>,1:<old>"), run
// `npm run data-key -- rotate` to re-encrypt every row under it, then drop the old one. The row's
// own id is bound into each ciphertext, so a ciphertext copied to another row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataKeys, type Config, type DataKey } from './config.ts';

const VERSION = 'v1';

// Per process, like the outbox key: services encrypt inside their own transactions and never see
// the app. Unlike the outbox key there is no throwaway fallback: data encrypted under a key nobody
// keeps would be lost, so encrypting without installed keys is an error.
let installed: DataKey[] | null = null;

export function installDataKeys(keys: DataKey[]): void {
  if (keys.length === 0) throw new Error('At least one data key is needed');
  installed = keys;
}

function keys(): DataKey[] {
  if (!installed) throw new Error('No data key is installed: the app installs DATA_KEY (or DATA_DIR/data.key) when it is built');
  return installed;
}

/** The id of the key new ciphertexts are made with. */
export function currentKeyId(): string {
  return keys()[0]!.id;
}

/** The configured keys, or the one kept in DATA_DIR/data.key (made on the first start). */
export function loadDataKeys(config: Pick<Config, 'dataKeys' | 'dataDir'>): DataKey[] {
  if (config.dataKeys) return config.dataKeys;
  const file = path.join(config.dataDir, 'data.key');
  try {
    const found = dataKeys(fs.readFileSync(file, 'utf8'), file);
    if (found) return found;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx': if another process made it a moment ago, use theirs.
    fs.writeFileSync(file, `1:${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return loadDataKeys(config);
}

/** Encrypts `plaintext` for the row `rowId`; the result names its key: "v1.<keyId>.<iv|tag|body>". */
export function encryptForRow(rowId: string, plaintext: string): { keyId: string; sealed: string } {
  const key = keys()[0]!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(rowId));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: key.id, sealed: `${VERSION}.${key.id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}` };
}

/** Opens what encryptForRow made for this row; throws when its key is not installed or it was tampered with. */
export function decryptForRow(rowId: string, sealed: string): string {
  const [version, keyId, payload] = sealed.split('.');
  if (version !== VERSION || !keyId || !payload) throw new Error('Not a sealed value');
  const key = keys().find((k) => k.id === keyId);
  if (!key) throw new Error(`The data key "${keyId}" that encrypted this is not in DATA_KEY`);
  const bytes = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(rowId));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}
