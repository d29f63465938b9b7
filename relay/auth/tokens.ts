/**
 * Signs and verifies Tandem tokens: `base64url(JSON claims).base64url(HMAC-SHA256)`.
 * The secret is generated into the data directory on first start (mode 0600) and
 * never leaves the relay.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseClaims, type TokenClaims } from '../../shared/token.js';
import { readOrCreateSecret } from './secretFile.js';

const SECRET_FILE = 'token-secret';
const SECRET_BYTES = 32;
const TOKEN_MAX_CHARS = 2048;

export type VerifyResult =
  { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export class TokenSigner {
  constructor(private readonly secret: Buffer) {}

  /** Loads the secret from `dataDir`, creating it on first start. */
  static fromDataDir(dataDir: string): TokenSigner {
    return new TokenSigner(readOrCreateSecret(dataDir, SECRET_FILE, SECRET_BYTES));
  }

  sign(claims: TokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  verify(token: string, nowMs = Date.now()): VerifyResult {
    if (typeof token !== 'string' || token.length > TOKEN_MAX_CHARS)
      return { ok: false, reason: 'malformed' };
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    // Compare the text, not decoded bytes: base64url decoding skips stray characters.
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'bad_signature' };
    }
    let claims: TokenClaims | null;
    try {
      claims = parseClaims(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      claims = null;
    }
    if (!claims) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** A random id: `bytes` random bytes in base64url. */
export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}
