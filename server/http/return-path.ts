// Where to send someone back to after signing in or saving a form: the one check for every
// return path a request carries (`next`). Browsers strip tabs and newlines from a Location and
// read a backslash as a slash, so "/\t/evil.example" or "/\evil.example" would take a person off
// the site; the path is therefore parsed the way a browser parses it (WHATWG URL, against
// BASE_URL) and kept only when it stays on this site's origin and has nothing a browser or a
// proxy could read another way.

const MAX_LENGTH = 500;
/** Where people go when `next` is missing or refused. */
export const DEFAULT_RETURN_PATH = '/account';

// C0 controls, DEL and the C1 range, and backslashes; encoded C0 controls, DEL and backslashes
// (an encoded C1 control is two UTF-8 bytes, caught once decoded).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\\]/;
const UNSAFE_ENCODED = /%(?:[01][0-9a-f]|7f|5c)/i;
// An encoded slash in the path could be decoded by something on the way into "//host".
const ENCODED_SLASH = /%2f/i;

/**
 * A path and query on this site, or null when `raw` is not one (or is a sign-in page, which
 * would send a person round in a circle).
 */
export function returnPath(raw: string | undefined | null, baseUrl: string): string | null {
  if (!raw || raw.length > MAX_LENGTH || !raw.startsWith('/') || raw.startsWith('//')) return null;
  if (UNSAFE_CHARACTERS.test(raw) || UNSAFE_ENCODED.test(raw)) return null;
  const base = new URL(baseUrl);
  let parsed: URL;
  try {
    parsed = new URL(raw, base);
  } catch {
    return null;
  }
  if (parsed.origin !== base.origin || parsed.username || parsed.password) return null;
  const { pathname, search } = parsed;
  // Dot segments can turn "/.//evil.example" into the path "//evil.example".
  if (!pathname.startsWith('/') || pathname.startsWith('//') || ENCODED_SLASH.test(pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.startsWith('//') || UNSAFE_CHARACTERS.test(decoded)) return null;
  if (pathname === '/sign-in' || pathname.startsWith('/sign-in/') || pathname.startsWith('/sign-out')) return null;
  return pathname + search;
}

/** A return path, or the account page when `raw` is not one. */
export function returnPathOr(raw: string | undefined | null, baseUrl: string, fallback = DEFAULT_RETURN_PATH): string {
  return returnPath(raw, baseUrl) ?? fallback;
}
