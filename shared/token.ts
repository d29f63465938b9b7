/**
 * What a Tandem token carries. Tokens are `base64url(JSON claims).base64url(HMAC)`,
 * signed by the relay; only the relay can verify them. A client may read the
 * claims (to show its own name and role) but must never trust another's.
 */
import { isRole, type Role } from './roles.js';

export interface TokenClaims {
  /** Room id. */
  room: string;
  /** Stable user id. */
  uid: string;
  /** Display name. */
  name: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /**
   * Set on share-link tokens: the room's link generation when it was made. The
   * owner's "reset links" moves the room to the next generation, and links of an
   * earlier one stop working; personal tokens (no `link`) are not affected.
   */
  link?: number;
  /**
   * Set on personal tokens traded for a share link (`POST /join`): that link's
   * generation. After "reset links" such a token still enters only if its user
   * had come in before; one minted and kept unused is retired with the link.
   */
  via?: number;
}

export const NAME_MAX_CHARS = 64;

/** Reads a token's claims without checking its signature; null if it is not shaped like one. */
export function readTokenClaims(token: string): TokenClaims | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  try {
    const json = atob(token.slice(0, dot).replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return parseClaims(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return null;
  }
}

export function parseClaims(value: unknown): TokenClaims | null {
  if (typeof value !== 'object' || value === null) return null;
  const { room, uid, name, role, exp, link, via } = value as Record<string, unknown>;
  if (typeof room !== 'string' || typeof uid !== 'string' || typeof name !== 'string') return null;
  if (!isRole(role) || typeof exp !== 'number' || !Number.isSafeInteger(exp)) return null;
  if (name.length > NAME_MAX_CHARS) return null;
  const claims: TokenClaims = { room, uid, name, role, exp };
  if (link !== undefined) {
    if (!isGeneration(link)) return null;
    claims.link = link;
  }
  if (via !== undefined) {
    if (!isGeneration(via) || link !== undefined) return null;
    claims.via = via;
  }
  return claims;
}

function isGeneration(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
