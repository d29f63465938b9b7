/** A room policy as stored (JSON): defaults for new rooms, validation on the way back. */
import { DEFAULT_SETTINGS, isUserId, parseRoomSettings } from '../../shared/rooms.js';
import type { RoomPolicy } from './Storage.js';

const REMOVED_MAX = 10_000;

export function defaultPolicy(): RoomPolicy {
  return { ...DEFAULT_SETTINGS, editors: [], removed: [], linkGeneration: 0 };
}

/**
 * Validates a stored policy; throws with what is wrong (a corrupt row must not
 * load as "open"). Fields added later default when a stored row predates them.
 */
export function parsePolicy(value: unknown): RoomPolicy {
  const { removed, linkGeneration = 0, ...rest } = (value ?? {}) as Record<string, unknown>;
  const { name: _name, ...settings } = parseRoomSettings({ ...rest, name: '' });
  if (!Array.isArray(removed) || removed.length > REMOVED_MAX || !removed.every(isUserId)) {
    throw new Error('policy.removed must be a list of user ids');
  }
  if (typeof linkGeneration !== 'number' || !Number.isSafeInteger(linkGeneration) || linkGeneration < 0) {
    throw new Error('policy.linkGeneration must be a whole number');
  }
  return { ...settings, removed: [...removed], linkGeneration };
}
