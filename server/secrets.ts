// Secrets behind private links and sessions: 256 random bits each, stored only as a SHA-256 hash,
// so a copy of the database opens nothing (THREATS.md, never 4).
import { createHash, randomBytes } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
