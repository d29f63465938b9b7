import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenClaims } from '../../shared/token.js';
import { TokenSigner, randomId } from './tokens.js';

const SECRET = Buffer.alloc(32, 7);
const EXP = 2_000_000_000;
const CLAIMS: TokenClaims = { room: 'room-1', uid: 'u1', name: 'Zoë 😀', role: 'editor', exp: EXP };
const NOW = (EXP - 60) * 1000;

/** A token whose body is `body` (any text), signed with SECRET the way the relay signs. */
function signRaw(body: string): string {
  const encoded = Buffer.from(body).toString('base64url');
  return `${encoded}.${createHmac('sha256', SECRET).update(encoded).digest('base64url')}`;
}

describe('TokenSigner', () => {
  const signer = new TokenSigner(SECRET);

  it('signs and verifies', () => {
    const token = signer.sign(CLAIMS);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(token, NOW)).toEqual({ ok: true, claims: CLAIMS });
    expect(signRaw(JSON.stringify(CLAIMS))).toBe(token);
  });

  it('refuses a body changed to owner with the old signature', () => {
    const [, signature] = signer.sign(CLAIMS).split('.');
    const body = Buffer.from(JSON.stringify({ ...CLAIMS, role: 'owner' })).toString('base64url');
    expect(signer.verify(`${body}.${signature}`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a changed or missing signature', () => {
    const token = signer.sign(CLAIMS);
    const [body, signature] = token.split('.') as [string, string];
    const flipped = signature[0] === 'A' ? 'B' : 'A';
    for (const bad of [
      `${body}.${flipped}${signature.slice(1)}`,
      `${body}.${signature.slice(0, -1)}`,
      `${body}.${signature}AAAA`,
      `${body}.`,
      `${body}.${'A'.repeat(43)}`,
    ]) {
      expect(signer.verify(bad, NOW), bad).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('accepts only the exact signature string it issued', () => {
    // base64url decoding is lenient (it skips characters outside the alphabet and the
    // spare low bits of the last character), so comparing decoded bytes lets one
    // signature be written many ways.
    const token = signer.sign(CLAIMS);
    const [body, signature] = token.split('.') as [string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variants = [
      `${token}=`,
      `${token}!`,
      `${token} `,
      `${body}.${signature.slice(0, 10)}*${signature.slice(10)}`,
      ...[...alphabet].map((c) => `${body}.${signature.slice(0, -1)}${c}`),
    ].filter((variant) => variant !== token);
    expect(variants.filter((variant) => signer.verify(variant, NOW).ok)).toEqual([]);
  });

  it('refuses expired tokens: exp is in seconds and is exclusive', () => {
    const token = signer.sign(CLAIMS);
    expect(signer.verify(token, EXP * 1000 - 1).ok).toBe(true);
    expect(signer.verify(token, EXP * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify(token, (EXP + 3600) * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify(signer.sign({ ...CLAIMS, exp: 0 }))).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['two dots', 'a.b.c'],
    ['leading dot', '.abc'],
    ['only a dot', '.'],
    ['very long', `${'a'.repeat(5000)}.b`],
  ])('refuses a malformed token: %s', (_label, token) => {
    expect(signer.verify(token, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a non-string', () => {
    expect(signer.verify(undefined as unknown as string, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(signer.verify({} as unknown as string, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a correctly signed body that is not valid claims', () => {
    for (const body of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ ...CLAIMS, role: 'admin' }),
      JSON.stringify({ ...CLAIMS, exp: '2000000000' }),
      JSON.stringify({ ...CLAIMS, name: 'n'.repeat(65) }),
    ]) {
      expect(signer.verify(signRaw(body), NOW), body).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it("two secrets do not verify each other's tokens", () => {
    const other = new TokenSigner(Buffer.alloc(32, 8));
    expect(other.verify(signer.sign(CLAIMS), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(signer.verify(other.sign(CLAIMS), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('TokenSigner.fromDataDir', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-tokens-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the secret with mode 0600 and reuses it on the next start', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const first = TokenSigner.fromDataDir(dataDir);
    const file = join(dataDir, 'token-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const contents = readFileSync(file, 'utf8');
    expect(Buffer.from(contents, 'base64').length).toBeGreaterThanOrEqual(32);

    const second = TokenSigner.fromDataDir(dataDir);
    expect(readFileSync(file, 'utf8')).toBe(contents);
    const token = first.sign(CLAIMS);
    expect(second.sign(CLAIMS)).toBe(token);
    expect(second.verify(token, NOW).ok).toBe(true);
  });

  it('makes a different secret in another data directory', () => {
    const a = TokenSigner.fromDataDir(tempDir());
    const b = TokenSigner.fromDataDir(tempDir());
    expect(a.sign(CLAIMS)).not.toBe(b.sign(CLAIMS));
    expect(b.verify(a.sign(CLAIMS), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a secret file that is too short', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'token-secret'), Buffer.alloc(8).toString('base64'));
    expect(() => TokenSigner.fromDataDir(dataDir)).toThrow(/short/);
  });
});

describe('randomId', () => {
  it('makes base64url ids of the given byte length', () => {
    expect(randomId()).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(randomId(9)).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(new Set(Array.from({ length: 100 }, () => randomId())).size).toBe(100);
  });
});
