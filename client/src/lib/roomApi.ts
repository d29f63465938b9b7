/**
 * The room's policy over HTTP: who is in it and what they may do, and the
 * owner's controls (rename, mode, editors, kick, end, driver timer). The relay
 * answers each change with the new settings and also sends them to every
 * connection as `roomState`, which is what the pages follow.
 */
import { isRole, type Role } from '../../../shared/roles.js';
import { parseRoomSettings, type RoomMode, type RoomSettings } from '../../../shared/rooms.js';
import { ApiError, request } from './api.js';

export interface Participant {
  userId: string;
  name: string;
  role: Role;
  online: boolean;
  canEdit: boolean;
}

export interface RoomInfo {
  id: string;
  settings: RoomSettings;
  you: { userId: string; name: string; role: Role; canEdit: boolean; reason: string | null; notes: boolean };
  participants: Participant[];
}

const roomPath = (roomId: string, rest = '') => `/api/rooms/${encodeURIComponent(roomId)}${rest}`;

export async function getRoom(roomId: string, token: string): Promise<RoomInfo> {
  return readRoomInfo(await request<unknown>(roomPath(roomId), { method: 'GET', token }));
}

/** Owner: renames the room or switches its mode. */
export function updateRoom(
  roomId: string,
  token: string,
  change: { name?: string; mode?: RoomMode },
): Promise<RoomSettings> {
  return settingsOf(request(roomPath(roomId), { method: 'PATCH', token, body: JSON.stringify(change) }));
}

/** Owner, classroom mode: lets `userId` edit (true) or takes it back (false). */
export function setEditor(
  roomId: string,
  token: string,
  userId: string,
  grant: boolean,
): Promise<RoomSettings> {
  const path = roomPath(roomId, `/editors/${encodeURIComponent(userId)}`);
  return settingsOf(request(path, { method: grant ? 'PUT' : 'DELETE', token }));
}

/**
 * Owner: closes every connection of `userId` (4410); their token no longer joins.
 * With `resetLinks`, the share links are replaced in the same step, so the link
 * they came in by (and any spare token they made from it) is dead too.
 */
export async function kick(
  roomId: string,
  token: string,
  userId: string,
  resetLinks = true,
): Promise<number> {
  const path = roomPath(roomId, '/kick');
  const result = await request<{ closed?: unknown }>(path, {
    method: 'POST',
    token,
    body: JSON.stringify({ userId, resetLinks }),
  });
  return typeof result.closed === 'number' ? result.closed : 0;
}

/** Owner: retires every share link made so far; people already in the room stay. */
export async function resetLinks(roomId: string, token: string): Promise<void> {
  await request(roomPath(roomId, '/links/reset'), { method: 'POST', token });
}

/** Owner: ends the room; it stays readable (and forkable), read-only for everyone. */
export function endRoom(roomId: string, token: string): Promise<RoomSettings> {
  return settingsOf(request(roomPath(roomId, '/end'), { method: 'POST', token }));
}

/** Owner: starts the driver/navigator timer; `userIds` is the driver first. */
export function startDriver(
  roomId: string,
  token: string,
  userIds: [string, string],
  minutes: number,
): Promise<RoomSettings> {
  const body = JSON.stringify({ userIds, minutes });
  return settingsOf(request(roomPath(roomId, '/driver'), { method: 'PUT', token, body }));
}

export function stopDriver(roomId: string, token: string): Promise<RoomSettings> {
  return settingsOf(request(roomPath(roomId, '/driver'), { method: 'DELETE', token }));
}

async function settingsOf(answer: Promise<unknown>): Promise<RoomSettings> {
  const body = await answer;
  return guard(() => parseRoomSettings((body as { settings?: unknown } | null)?.settings));
}

/** Checks the relay's answer; a broken one is an error with a sentence, not a crash later. */
export function readRoomInfo(value: unknown): RoomInfo {
  return guard(() => {
    const body = value as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null) throw new Error('not an object');
    const you = body.you as Record<string, unknown> | undefined;
    if (!you || typeof you.userId !== 'string' || !isRole(you.role)) throw new Error('bad "you"');
    if (!Array.isArray(body.participants)) throw new Error('participants must be a list');
    return {
      id: String(body.id),
      settings: parseRoomSettings(body.settings),
      you: {
        userId: you.userId,
        name: String(you.name ?? ''),
        role: you.role,
        canEdit: you.canEdit === true,
        reason: typeof you.reason === 'string' ? you.reason : null,
        notes: you.notes === true,
      },
      participants: body.participants.map(readParticipant),
    };
  });
}

function readParticipant(value: unknown): Participant {
  const p = value as Record<string, unknown> | null;
  if (!p || typeof p.userId !== 'string' || typeof p.name !== 'string' || !isRole(p.role)) {
    throw new Error('a participant without userId, name or role');
  }
  return {
    userId: p.userId,
    name: p.name,
    role: p.role,
    online: p.online === true,
    canEdit: p.canEdit === true,
  };
}

function guard<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new ApiError(
      0,
      'internal',
      `The server sent a room this page cannot read: ${(error as Error).message}`,
    );
  }
}
