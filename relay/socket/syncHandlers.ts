/**
 * The y-protocols messages: sync (step 1 answered with step 2; step 2 and
 * updates validated, checked against the edit right and queued on the room),
 * awareness (owned and stamped by RoomAwareness), query-awareness, and
 * Tandem's syncStatus, echoed once what came before it is stored.
 */
import * as Y from 'yjs';
import { encode } from '../../shared/protocol/codec.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { guard } from '../../shared/protocol/fields.js';
import { MessageType, SyncStep, type MessageOf } from '../../shared/protocol/table.js';
import { validateUpdate } from '../../shared/sync/validateUpdate.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import {
  AWARENESS_ROOM_MAX_BYTES,
  AWARENESS_STATE_MAX_BYTES,
  decodeAwarenessUpdate,
} from '../sync/awareness.js';

const READ_ONLY_REASON = 'read-only: this link can view the room but not edit it';

export function handleSync(room: Room, conn: Connection, { step, payload }: MessageOf<'Sync'>): void {
  if (step === SyncStep.Step1) {
    guard(() => Y.decodeStateVector(payload));
    return room.answerStep1(conn, payload);
  }
  const { structs, deleteRanges } = validateUpdate(payload);
  if (structs === 0 && deleteRanges === 0) return;
  const right = room.controls.editRight(conn.claims);
  if (!right.canEdit) return conn.refuse(ErrorCode.ReadOnly, right.reason ?? READ_ONLY_REASON);
  room.queueUpdate(conn, { update: payload, structs, deleteRanges });
}

export function handleAwareness(room: Room, conn: Connection, { update }: MessageOf<'Awareness'>): void {
  const { accepted, refused, tooLarge } = room.awareness.apply(conn, decodeAwarenessUpdate(update));
  if (accepted.length > 0) room.broadcastAwareness(accepted, conn);
  if (refused > 0) {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.Forbidden,
      message: 'awareness refused: a client id that belongs to another user, or too many client ids',
    });
  }
  if (tooLarge > 0) {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.PayloadTooLarge,
      message: `awareness refused: a state may be at most ${AWARENESS_STATE_MAX_BYTES / 1024} KiB, and a room's together ${AWARENESS_ROOM_MAX_BYTES / 1024} KiB`,
    });
  }
}

export function handleQueryAwareness(room: Room, conn: Connection): void {
  const live = room.awareness.encodeLive();
  if (live) conn.send(encode({ type: MessageType.Awareness, update: live }));
}

export function handleSyncStatus(room: Room, conn: Connection, { counter }: MessageOf<'SyncStatus'>): void {
  room.queueStatus(conn, counter);
}
