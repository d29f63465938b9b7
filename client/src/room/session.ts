/**
 * Who this browser is in a room. A link token (from a share link) is exchanged
 * once for a personal token, a fresh user id with the link's role, and kept in
 * localStorage per room and link, so a reload keeps the same identity and cursor
 * colour. Opening another link of the same room (say the view link) gives a
 * separate identity without losing the first.
 */
import { readTokenClaims, type TokenClaims } from '../../../shared/token.js';
import { joinRoom } from '../lib/api.js';
import { loadJson, saveJson } from '../lib/storage.js';

/** Key under which the room's creator keeps the owner identity. */
export const OWNER_LINK = 'owner';
/** Refresh a personal token this long before it expires. */
const EXPIRY_MARGIN_S = 60;

interface StoredSessions {
  /** link token (or OWNER_LINK) -> personal token */
  byLink: Record<string, string>;
  last: string | null;
  links?: { edit: string; view: string; interviewer?: string };
}

export interface Session {
  token: string;
  claims: TokenClaims;
}

const key = (roomId: string) => `tandem.room.${roomId}`;

function load(roomId: string): StoredSessions {
  const stored = loadJson<StoredSessions>(key(roomId));
  return stored && typeof stored.byLink === 'object' ? stored : { byLink: {}, last: null };
}

function usable(token: string | undefined, roomId: string): Session | null {
  if (!token) return null;
  const claims = readTokenClaims(token);
  if (!claims || claims.room !== roomId) return null;
  if (claims.exp - EXPIRY_MARGIN_S < Date.now() / 1000) return null;
  return { token, claims };
}

/** The stored identity for this link (or the last one used when there is no link). */
export function storedSession(roomId: string, linkToken: string | null): Session | null {
  const stored = load(roomId);
  const link = linkToken ?? stored.last;
  return link ? usable(stored.byLink[link], roomId) : null;
}

export function remember(roomId: string, link: string, token: string, links?: StoredSessions['links']): void {
  const stored = load(roomId);
  stored.byLink[link] = token;
  stored.last = link;
  if (links) stored.links = links;
  saveJson(key(roomId), stored);
}

export function forget(roomId: string, link: string): void {
  const stored = load(roomId);
  delete stored.byLink[link];
  if (stored.last === link) stored.last = null;
  saveJson(key(roomId), stored);
}

/** Keeps the share links this browser handed out (null: forget them, they were reset). */
export function rememberLinks(roomId: string, links: StoredSessions['links'] | null): void {
  const stored = load(roomId);
  if (links) stored.links = links;
  else delete stored.links;
  saveJson(key(roomId), stored);
}

export function storedLinks(roomId: string): StoredSessions['links'] | null {
  return load(roomId).links ?? null;
}

/** The identity to open the room with: stored, or exchanged from the link now. */
export async function openSession(roomId: string, linkToken: string | null, name: string): Promise<Session> {
  const stored = storedSession(roomId, linkToken);
  if (stored) {
    remember(roomId, linkToken ?? load(roomId).last ?? OWNER_LINK, stored.token);
    return stored;
  }
  if (!linkToken) throw new Error('This room link has no token. Ask for a new link.');
  // A personal token minted for someone is already an identity: only share links are
  // traded for a new one (and the owner's token for itself under this browser's name).
  const direct = usable(linkToken, roomId);
  if (direct && direct.claims.link === undefined && direct.claims.role !== 'owner') {
    remember(roomId, linkToken, linkToken);
    return direct;
  }
  const token = await joinRoom(roomId, linkToken, name);
  const session = usable(token, roomId);
  if (!session) throw new Error('The server sent a token this page cannot read.');
  remember(roomId, linkToken, token);
  return session;
}
