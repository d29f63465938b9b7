/**
 * The room's policy over HTTP: who is in it and what they may do, and the
 * owner's controls (rename, mode, history and chat, editors, kick, end, driver
 * timer). The relay answers each change with the new settings and also sends
 * them to every connection as `roomState`, which is what the pages follow.
 */
import {
  ClosedAnswer,
  RoomAnswer,
  SettingsAnswer,
  type Participant,
  type RoomInfo,
} from '../../../shared/api/answers.js';
import type { RoomPatchBody } from '../../../shared/api/bodies.js';
import type { RoomSettings } from '../../../shared/rooms.js';
import { request } from './api.js';

export type { Participant, RoomInfo };

const roomPath = (roomId: string, rest = '') => `/api/rooms/${encodeURIComponent(roomId)}${rest}`;

export async function getRoom(roomId: string, token: string): Promise<RoomInfo> {
  return request(roomPath(roomId), { method: 'GET', token }, RoomAnswer);
}

/** Owner: renames the room, switches its mode, opens its history to everyone or mutes its chat. */
export function updateRoom(roomId: string, token: string, change: RoomPatchBody): Promise<RoomSettings> {
  return settingsOf(
    request(roomPath(roomId), { method: 'PATCH', token, body: JSON.stringify(change) }, SettingsAnswer),
  );
}

/** Owner, classroom mode: lets `userId` edit (true) or takes it back (false). */
export function setEditor(
  roomId: string,
  token: string,
  userId: string,
  grant: boolean,
): Promise<RoomSettings> {
  const path = roomPath(roomId, `/editors/${encodeURIComponent(userId)}`);
  return settingsOf(request(path, { method: grant ? 'PUT' : 'DELETE', token }, SettingsAnswer));
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
  const body = JSON.stringify({ userId, resetLinks });
  return (await request(path, { method: 'POST', token, body }, ClosedAnswer)).closed;
}

/** Owner: retires every share link made so far; people already in the room stay. */
export async function resetLinks(roomId: string, token: string): Promise<void> {
  await request(roomPath(roomId, '/links/reset'), { method: 'POST', token }, ClosedAnswer);
}

/** Owner: ends the room; it stays readable (and forkable), read-only for everyone. */
export function endRoom(roomId: string, token: string): Promise<RoomSettings> {
  return settingsOf(request(roomPath(roomId, '/end'), { method: 'POST', token }, SettingsAnswer));
}

/** Owner: starts the driver/navigator timer; `userIds` is the driver first. */
export function startDriver(
  roomId: string,
  token: string,
  userIds: [string, string],
  minutes: number,
): Promise<RoomSettings> {
  const body = JSON.stringify({ userIds, minutes });
  return settingsOf(request(roomPath(roomId, '/driver'), { method: 'PUT', token, body }, SettingsAnswer));
}

export function stopDriver(roomId: string, token: string): Promise<RoomSettings> {
  return settingsOf(request(roomPath(roomId, '/driver'), { method: 'DELETE', token }, SettingsAnswer));
}

async function settingsOf(answer: Promise<{ settings: RoomSettings }>): Promise<RoomSettings> {
  return (await answer).settings;
}
