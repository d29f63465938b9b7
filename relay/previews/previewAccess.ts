/**
 * Who may open a preview, and where previews live.
 *
 * A preview is one port of one room's workspace, served on an origin of its
 * own (never the editor's: the app's scripts would read everyone's tokens).
 * Its id is derived from the room and the port with the relay's secret, so it
 * is the same after a restart (the app keeps its storage) and cannot be
 * guessed from the room id.
 *
 * The editor page asks for a ticket (`POST .../previews/:previewId/ticket`
 * with the user's token): good for one minute and once. The preview origin
 * trades it for a cookie scoped to that origin only (HttpOnly), which every
 * request then carries; the relay checks it and the person's admission to
 * the room on every request, so removing someone ends their access.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import type { TokenClaims } from '../../shared/token.js';

export const PREVIEW_ID_PATTERN = /^[a-z0-9]{20}$/;
export const TICKET_TTL_MS = 60_000;
export const COOKIE_TTL_MS = 12 * 60 * 60 * 1000;
export const PREVIEW_COOKIE = '__tandem_preview';

const PassSchema = v.object({
  kind: v.picklist(['ticket', 'cookie']),
  previewId: v.pipe(v.string(), v.regex(PREVIEW_ID_PATTERN)),
  roomId: v.string(),
  uid: v.string(),
  link: v.optional(v.number()),
  via: v.optional(v.number()),
  /** ms since the epoch. */
  exp: v.number(),
  nonce: v.string(),
});
export type PreviewPass = v.InferOutput<typeof PassSchema>;

export class PreviewKeys {
  private readonly key: Buffer;
  /** Tickets already traded for a cookie, until they expire. */
  private readonly used = new Map<string, number>();

  /** A secret of their own (not the tokens'): a pass is never a token, nor a token a pass. */
  constructor(secret: Buffer) {
    this.key = createHmac('sha256', secret).update('tandem preview passes').digest();
  }

  previewId(roomId: string, port: number): string {
    const mac = createHmac('sha256', this.key).update(`${roomId}\n${port}`).digest();
    return base32(mac).slice(0, 20);
  }

  issue(
    kind: PreviewPass['kind'],
    previewId: string,
    roomId: string,
    claims: Pick<TokenClaims, 'uid' | 'link' | 'via'>,
    now = Date.now(),
  ): { value: string; exp: number } {
    const pass: PreviewPass = {
      kind,
      previewId,
      roomId,
      uid: claims.uid,
      ...(claims.link !== undefined ? { link: claims.link } : {}),
      ...(claims.via !== undefined ? { via: claims.via } : {}),
      exp: now + (kind === 'ticket' ? TICKET_TTL_MS : COOKIE_TTL_MS),
      nonce: randomBytes(9).toString('base64url'),
    };
    const body = Buffer.from(JSON.stringify(pass)).toString('base64url');
    return { value: `${body}.${this.mac(body)}`, exp: pass.exp };
  }

  /** The pass if `value` is one of ours, of this kind, for this preview, unexpired (and, for a ticket, unused). */
  check(value: string, kind: PreviewPass['kind'], previewId: string, now = Date.now()): PreviewPass | null {
    if (value.length > 2048) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let pass: PreviewPass;
    try {
      pass = v.parse(PassSchema, JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      return null;
    }
    if (pass.kind !== kind || pass.previewId !== previewId || pass.exp <= now) return null;
    if (kind === 'ticket') {
      for (const [nonce, exp] of this.used) if (exp <= now) this.used.delete(nonce);
      if (this.used.has(pass.nonce)) return null;
      this.used.set(pass.nonce, pass.exp);
    }
    return pass;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case base32: a DNS label, so each preview can be a host name of its own. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * Where previews are served: a URL with `{id}` in its host, e.g.
 * `http://{id}.localhost:8081` or `https://{id}.preview.example.com`.
 */
export class PreviewOrigins {
  private readonly hostPattern: RegExp;
  readonly secure: boolean;

  constructor(readonly template: string) {
    const url = new URL(template.replace('{id}', 'placeholder'));
    const host = url.host.replace('placeholder', '{id}');
    if (!host.includes('{id}')) throw new Error('the preview URL needs {id} in its host');
    this.hostPattern = new RegExp(`^${host.split('{id}').map(escapeRegExp).join('([a-z0-9]{20})')}$`, 'i');
    this.secure = url.protocol === 'https:';
  }

  origin(previewId: string): string {
    return this.template.replace('{id}', previewId).replace(/\/+$/, '');
  }

  /** The preview id a request's Host header names, or null. */
  idOf(host: string | undefined): string | null {
    return host ? (this.hostPattern.exec(host)?.[1]?.toLowerCase() ?? null) : null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
