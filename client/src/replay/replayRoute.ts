/**
 * Where replays live: `/r/:roomId/history` (a room's history, under the room's
 * own path so the token this browser holds for the room applies) and
 * `/replay` (a file opened in the browser). route.ts asks `parseReplayPath`.
 */

import { ROOM_ID_SOURCE } from '../../../shared/rooms.js';

export const REPLAY_FILE_PATH = '/replay';

const REPLAY_PATH = new RegExp(`^/(?:r/(${ROOM_ID_SOURCE})/history|replay)/?$`);

/** The replay a path names: a room's history (roomId) or a file (roomId null); null when it names none. */
export function parseReplayPath(pathname: string): { roomId: string | null } | null {
  const match = REPLAY_PATH.exec(pathname);
  return match ? { roomId: match[1] ?? null } : null;
}

export function historyPath(roomId: string): string {
  return `/r/${encodeURIComponent(roomId)}/history`;
}
