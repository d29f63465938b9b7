/**
 * `roomState` (type 140), relay -> client: the room's settings and what they mean
 * for this connection. Sent after `welcome` and again whenever the owner changes
 * something (mode, editors, name, end) or the driver timer hands over, so a
 * revoked editor's page turns read-only at once, without reconnecting.
 *
 * Body: varString(JSON). JSON keeps the settings open to new fields; the reader
 * still validates every one of them.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { parseRoomSettings, type RoomSettings } from '../rooms.js';
import { MessageType } from './messageTypes.js';
import { ProtocolError, guard } from './tandem.js';

const BODY_MAX_CHARS = 256 * 1024;
const REASON_MAX_CHARS = 256;

export interface RoomStateMessage {
  type: typeof MessageType.RoomState;
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

export function encodeRoomState(message: RoomStateMessage): Uint8Array {
  const { settings, canEdit, reason, notes, serverTime } = message;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.RoomState);
  encoding.writeVarString(encoder, JSON.stringify({ settings, canEdit, reason, notes, serverTime }));
  return encoding.toUint8Array(encoder);
}

/** Reads the body of a `roomState` whose type the caller has already read. */
export function readRoomState(decoder: decoding.Decoder): RoomStateMessage {
  const text = guard(() => decoding.readVarString(decoder));
  if (decoding.hasContent(decoder)) throw new ProtocolError('trailing bytes after roomState');
  if (text.length > BODY_MAX_CHARS) throw new ProtocolError('roomState too large');
  let body: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    body = value as Record<string, unknown>;
  } catch {
    throw new ProtocolError('roomState is not a JSON object');
  }
  const { settings, canEdit, reason, notes, serverTime } = body;
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
    return {
      type: MessageType.RoomState,
      settings: parseRoomSettings(settings),
      canEdit,
      reason,
      notes,
      serverTime,
    };
  } catch (error) {
    throw new ProtocolError(`roomState.settings: ${(error as Error).message}`);
  }
}

export function decodeRoomState(bytes: Uint8Array): RoomStateMessage {
  const decoder = decoding.createDecoder(bytes);
  const type = guard(() => decoding.readVarUint(decoder));
  if (type !== MessageType.RoomState) throw new ProtocolError(`not a roomState message: ${type}`);
  return readRoomState(decoder);
}
