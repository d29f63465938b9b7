/**
 * The body of `roomState` (type 140), relay -> client: the room's settings and
 * what they mean for this connection. Sent after `welcome` and again whenever
 * the owner changes something (mode, editors, name, end) or the driver timer
 * hands over, so a revoked editor's page turns read-only at once.
 *
 * JSON rather than fields keeps the settings open to new ones; this reader
 * still validates every one of them.
 */
import { parseRoomSettings, type RoomSettings } from '../rooms.js';
import { ProtocolError } from './fields.js';

const REASON_MAX_CHARS = 256;

export interface RoomStatePayload {
  settings: RoomSettings;
  /** The relay's decision for this connection, now. */
  canEdit: boolean;
  /** Why not, when `canEdit` is false. */
  reason: string | null;
  /** This connection's token may open the private notes (`/yjs/:roomId/notes`). */
  notes: boolean;
  /** The relay's clock when it sent this (ms), so a countdown ignores the client's clock. */
  serverTime: number;
}

export function parseRoomStatePayload(value: unknown): RoomStatePayload {
  if (typeof value !== 'object' || value === null) throw new ProtocolError('roomState is not a JSON object');
  const { settings, canEdit, reason, notes, serverTime } = value as Record<string, unknown>;
  if (typeof canEdit !== 'boolean' || typeof notes !== 'boolean') {
    throw new ProtocolError('roomState.canEdit and .notes must be booleans');
  }
  if (reason !== null && (typeof reason !== 'string' || reason.length > REASON_MAX_CHARS)) {
    throw new ProtocolError('roomState.reason must be a short string or null');
  }
  if (typeof serverTime !== 'number' || !Number.isSafeInteger(serverTime)) {
    throw new ProtocolError('roomState.serverTime must be a time');
  }
  try {
    return { settings: parseRoomSettings(settings), canEdit, reason, notes, serverTime };
  } catch (error) {
    throw new ProtocolError(`roomState.settings: ${(error as Error).message}`);
  }
}
