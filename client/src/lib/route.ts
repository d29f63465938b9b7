/**
 * The landing page at /, a room at /r/:roomId, its history at /r/:roomId/history
 * and a replay file at /replay (replay/replayRoute.ts). A room link carries
 * its token in the fragment (`#token=...`), which browsers never send to a server
 * and which does not end up in access logs.
 */
import { signal } from '@preact/signals';
import { ROOM_ID_SOURCE } from '../../../shared/rooms.js';
import { parseReplayPath } from '../replay/replayRoute.js';

export type Route =
  | { page: 'landing' }
  | { page: 'room'; roomId: string; linkToken: string | null }
  | { page: 'replay'; roomId: string | null; linkToken: string | null };

const ROOM_PATH = new RegExp(`^/r/(${ROOM_ID_SOURCE})/?$`);

export function parseRoute(pathname: string, hash: string): Route {
  const replay = parseReplayPath(pathname);
  if (replay) return { page: 'replay', roomId: replay.roomId, linkToken: tokenFromHash(hash) };
  const match = ROOM_PATH.exec(pathname);
  if (!match?.[1]) return { page: 'landing' };
  return { page: 'room', roomId: match[1], linkToken: tokenFromHash(hash) };
}

export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get('token') || null;
}

/** Parses a pasted room link (full URL or `/r/...` path); null when it is not one. */
export function parseRoomLink(input: string): { roomId: string; linkToken: string | null } | null {
  let url: URL;
  try {
    url = new URL(input.trim(), location.origin);
  } catch {
    return null;
  }
  const route = parseRoute(url.pathname, url.hash);
  return route.page === 'room' ? { roomId: route.roomId, linkToken: route.linkToken } : null;
}

export const route = signal<Route>(parseRoute(location.pathname, location.hash));

export function navigate(url: string): void {
  history.pushState(null, '', url);
  route.value = parseRoute(location.pathname, location.hash);
}

addEventListener('popstate', () => (route.value = parseRoute(location.pathname, location.hash)));
addEventListener('hashchange', () => (route.value = parseRoute(location.pathname, location.hash)));
