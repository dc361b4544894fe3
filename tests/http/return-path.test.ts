import { describe, expect, it } from 'vitest';
import { returnPath, returnPathOr } from '../../server/http/return-path.ts';

const base = 'http://convene.test';

// Each of these is read by some browser as another site, a script, or something other than the
// path it looks like.
const hostileReturnPaths = [
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  '/%09/evil.example',
  '/%0a/evil.example',
  '/%0D%0A/evil.example',
  '//evil.example',
  '//evil.example/account',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '/%5Cevil.example',
  '/%2F%2Fevil.example',
  '/%2f/evil.example',
  '/.//evil.example',
  '/./%2F/evil.example',
  '/x/..//evil.example',
  'https://evil.example/',
  'http://convene.test@evil.example/',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' /account',
  'evil.example',
  '/\u0000/evil.example',
  '/\u0085/evil.example',
  '/%C2%85/evil.example',
  '/%E0%A4%A',
  '/sign-in',
  '/sign-in/abc?next=/account',
  `/${'a'.repeat(600)}`,
];

describe('return paths', () => {
  it.each(hostileReturnPaths)('refuses %j', (raw) => {
    expect(returnPath(raw, base)).toBeNull();
    expect(returnPathOr(raw, base)).toBe('/account');
  });

  it('keeps a path and query on this site', () => {
    expect(returnPath('/events?page=2&type=seminar', base)).toBe('/events?page=2&type=seminar');
    expect(returnPath('/calendar/private', base)).toBe('/calendar/private');
    expect(returnPath('/plan/0f8fad5b-d9cb-469f-a165-70867728950e/tasks#new', base)).toBe('/plan/0f8fad5b-d9cb-469f-a165-70867728950e/tasks');
    expect(returnPath('/events/caf%C3%A9-day', base)).toBe('/events/caf%C3%A9-day');
    expect(returnPath('/account', 'https://hub.example.org')).toBe('/account');
  });

  it('treats nothing as nothing', () => {
    expect(returnPath(undefined, base)).toBeNull();
    expect(returnPath('', base)).toBeNull();
    expect(returnPathOr(undefined, base, '/')).toBe('/');
  });
});
