// Private links that name a record by its id and a signature of it (server/mail/sealing.ts), so
// every email can carry one and a later email (a reminder) the same one, without the database
// keeping a usable token. The signature is 128 bits, per purpose: a link for one thing never opens
// another, and changing a character of it opens nothing.
import { timingSafeEqual } from 'node:crypto';
import { linkSignature } from './sealing.ts';

export function signedIdToken(purpose: string, id: string): string {
  const idBytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  return Buffer.concat([idBytes, linkSignature(purpose, id).subarray(0, 16)]).toString('base64url');
}

/** The id a link names, or null for a wrong, changed or foreign link. */
export function idFromSignedToken(purpose: string, token: string): string | null {
  const bytes = Buffer.from(token, 'base64url');
  // Only the one spelling of the bytes: base64 lets a last character's unused bits vary.
  if (bytes.length !== 32 || bytes.toString('base64url') !== token) return null;
  const hex = bytes.subarray(0, 16).toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return timingSafeEqual(bytes.subarray(16), linkSignature(purpose, id).subarray(0, 16)) ? id : null;
}
