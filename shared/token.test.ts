import { describe, expect, it } from 'vitest';
import { NAME_MAX_CHARS, parseClaims, readTokenClaims, type TokenClaims } from './token.js';

const CLAIMS: TokenClaims = { room: 'room-1', uid: 'u1', name: 'Zoë 😀', role: 'editor', exp: 2_000_000_000 };

/** base64url of the UTF-8 of `text`, unpadded, as the relay writes it. */
function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const token = (body: unknown, signature = 'c2lnbmF0dXJl'): string =>
  `${base64url(typeof body === 'string' ? body : JSON.stringify(body))}.${signature}`;

describe('readTokenClaims', () => {
  it('reads the claims of a well-formed token, non-ASCII name included', () => {
    expect(readTokenClaims(token(CLAIMS))).toEqual(CLAIMS);
  });

  it('reads bodies whose base64url uses - and _', () => {
    // Characters whose standard base64 would contain + or /.
    const claims = { ...CLAIMS, name: '??>>~~~ÿ' };
    const body = base64url(JSON.stringify(claims));
    expect(body).toMatch(/[-_]/);
    expect(readTokenClaims(`${body}.sig`)).toEqual(claims);
  });

  it('ignores extra claims', () => {
    expect(readTokenClaims(token({ ...CLAIMS, admin: true }))).toEqual(CLAIMS);
  });

  it.each([
    ['empty', ''],
    ['no dot', base64url(JSON.stringify(CLAIMS))],
    ['empty body', '.sig'],
    ['not base64', '!!!.sig'],
    ['not JSON', token('not json')],
    ['JSON null', token('null')],
    ['JSON array', token('[1,2]')],
    ['JSON string', token('"claims"')],
    ['truncated JSON', token(JSON.stringify(CLAIMS).slice(0, -1))],
  ])('returns null for a malformed token: %s', (_label, text) => {
    expect(readTokenClaims(text)).toBeNull();
  });
});

describe('parseClaims', () => {
  it('accepts valid claims', () => {
    expect(parseClaims(CLAIMS)).toEqual(CLAIMS);
    for (const role of ['owner', 'editor', 'interviewer', 'viewer'] as const)
      expect(parseClaims({ ...CLAIMS, role })?.role).toBe(role);
    expect(parseClaims({ ...CLAIMS, link: 3 })).toEqual({ ...CLAIMS, link: 3 });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'claims'],
    ['a number', 1],
    ['room missing', { ...CLAIMS, room: undefined }],
    ['room a number', { ...CLAIMS, room: 1 }],
    ['uid null', { ...CLAIMS, uid: null }],
    ['name an object', { ...CLAIMS, name: { first: 'a' } }],
    ['unknown role', { ...CLAIMS, role: 'admin' }],
    ['role in capitals', { ...CLAIMS, role: 'Owner' }],
    ['exp a string', { ...CLAIMS, exp: '2000000000' }],
    ['exp fractional', { ...CLAIMS, exp: 1.5 }],
    ['exp NaN', { ...CLAIMS, exp: Number.NaN }],
    ['exp infinite', { ...CLAIMS, exp: Number.POSITIVE_INFINITY }],
    ['exp unsafe', { ...CLAIMS, exp: 2 ** 53 }],
    ['link negative', { ...CLAIMS, link: -1 }],
    ['link fractional', { ...CLAIMS, link: 0.5 }],
    ['link a string', { ...CLAIMS, link: '1' }],
    ['link null', { ...CLAIMS, link: null }],
  ])('refuses %s', (_label, value) => {
    expect(parseClaims(value)).toBeNull();
  });

  it('refuses a name longer than NAME_MAX_CHARS and accepts one exactly that long', () => {
    expect(parseClaims({ ...CLAIMS, name: 'n'.repeat(NAME_MAX_CHARS) })).not.toBeNull();
    expect(parseClaims({ ...CLAIMS, name: 'n'.repeat(NAME_MAX_CHARS + 1) })).toBeNull();
    expect(readTokenClaims(token({ ...CLAIMS, name: 'n'.repeat(NAME_MAX_CHARS + 1) }))).toBeNull();
  });
});
