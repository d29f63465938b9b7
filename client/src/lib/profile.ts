/** The person's display name and recent rooms, kept in this browser only. */
import { signal } from '@preact/signals';
import { NAME_MAX_CHARS } from '../../../shared/token.js';
import { loadJson, loadString, saveJson, saveString } from './storage.js';

const NAME_KEY = 'tandem.name';
const RECENT_KEY = 'tandem.recent';
const RECENT_MAX = 6;

export const displayName = signal(loadString(NAME_KEY) ?? '');

export function setDisplayName(name: string): void {
  displayName.value = cleanName(name);
  saveString(NAME_KEY, displayName.value);
}

export function cleanName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().slice(0, NAME_MAX_CHARS);
}

export interface RecentRoom {
  roomId: string;
  name: string;
  at: number;
}

export function recentRooms(): RecentRoom[] {
  const list = loadJson<RecentRoom[]>(RECENT_KEY);
  return Array.isArray(list) ? list.filter((r) => typeof r?.roomId === 'string').slice(0, RECENT_MAX) : [];
}

export function rememberRoom(roomId: string, name: string): void {
  const rest = recentRooms().filter((r) => r.roomId !== roomId);
  saveJson(RECENT_KEY, [{ roomId, name, at: Date.now() }, ...rest].slice(0, RECENT_MAX));
}
