// Verification codes: 128 random bits written in Crockford's base32 (no I, L, O or U, so a code
// read aloud or typed from paper is not mistaken), shown in groups of four.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 26;

export function newCode(): string {
  let value = 0n;
  for (const byte of randomBytes(16)) value = (value << 8n) | BigInt(byte);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) {
    code = ALPHABET[Number(value & 31n)] + code;
    value >>= 5n;
  }
  return code;
}

/** XXXX-XXXX-…: easier to read and copy. */
export function groupedCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** What someone typed or followed, as stored; null if it cannot be a code. */
export function normaliseCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}
