// Email addresses as people type them: compared and stored in lower case, checked with a message
// for the field they came from. Every form that takes an address uses these.
import { InvalidInputError } from './errors.ts';

const emailPattern = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function checkEmail(raw: string, field = 'email'): string {
  const email = normaliseEmail(raw);
  if (!email) throw new InvalidInputError([{ field, message: 'Enter your email address' }]);
  if (email.length > 320 || !emailPattern.test(email)) {
    throw new InvalidInputError([{ field, message: 'Enter an email address in the right format, like name@example.org' }]);
  }
  return email;
}
