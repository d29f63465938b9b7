/**
 * One handler per message type. Anything that does not decode cleanly — an empty
 * frame, a truncated varint, an unknown type, a crafted update, trailing bytes —
 * throws ProtocolError, which closes that socket with 4400 and a reason; the
 * room and the relay carry on.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType, PROTOCOL_VERSION, SyncStep } from '../../shared/protocol/messageTypes.js';
import { encodePeerMessage, readPeerMessage } from '../../shared/protocol/peers.js';
import { readRunMessage } from '../../shared/protocol/runs.js';
import { canManage } from '../../shared/roles.js';
import { ProtocolError, guard, readTandemMessage } from '../../shared/protocol/tandem.js';
import { chatOf, type ChatEntry } from '../../shared/schema/project.js';
import type { Logger } from '../log.js';
import type { RunService } from '../runs/RunService.js';
import {
  AWARENESS_ROOM_MAX_BYTES,
  AWARENESS_STATE_MAX_BYTES,
  decodeAwarenessUpdate,
} from '../sync/awareness.js';
import { validateUpdate } from '../../shared/sync/validateUpdate.js';
import type { Connection } from './Connection.js';
import { frame, type Room } from './Room.js';

/** A close reason is at most 123 bytes (RFC 6455). */
const CLOSE_REASON_MAX_CHARS = 120;
const READ_ONLY_REASON = 'read-only: this link can view the room but not edit it';

export interface MessageContext {
  runs: RunService;
  stats: RelayStats;
  log: Logger;
}

/** Counters /healthz reports. */
export interface RelayStats {
  /** Signals addressed to no connection of the sender's room (another room's, unknown, left). */
  droppedSignals: number;
}

export function handleMessage(room: Room, conn: Connection, data: Uint8Array, context: MessageContext): void {
  try {
    if (data.byteLength === 0) throw new ProtocolError('empty frame');
    const decoder = decoding.createDecoder(data);
    const type = guard(() => decoding.readVarUint(decoder));
    switch (type) {
      case MessageType.Sync:
        return handleSync(room, conn, decoder);
      case MessageType.Awareness:
        return handleAwareness(room, conn, decoder);
      case MessageType.QueryAwareness:
        return handleQueryAwareness(room, conn, decoder);
      case MessageType.Hello:
        return handleHello(room, conn, decoder);
      case MessageType.SyncStatus:
        return handleSyncStatus(room, conn, decoder);
      case MessageType.RunStart:
      case MessageType.RunInput:
      case MessageType.RunStop:
        return handleRun(room, conn, decoder, type, context.runs);
      case MessageType.Signal:
        return handleSignal(room, conn, decoder, context.stats);
      case MessageType.MediaControl:
        return handleMediaControl(room, conn, decoder);
      case MessageType.ChatSend:
        return handleChatSend(room, conn, decoder, context);
      case MessageType.Auth:
      case MessageType.Welcome:
      case MessageType.Error:
      case MessageType.PeerList:
      case MessageType.PeerJoined:
      case MessageType.PeerLeft:
      case MessageType.RunStarted:
      case MessageType.RunOutput:
      case MessageType.RunExit:
      case MessageType.RunQueued:
      case MessageType.RoomState:
        throw new ProtocolError(`message type ${type} only goes from relay to client`);
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    conn.close(
      CloseCode.MalformedMessage,
      `malformed message: ${error.message}`.slice(0, CLOSE_REASON_MAX_CHARS),
    );
  }
}

function handleSync(room: Room, conn: Connection, decoder: decoding.Decoder): void {
  const step = guard(() => decoding.readVarUint(decoder));
  const payload = guard(() => decoding.readVarUint8Array(decoder));
  expectEnd(decoder);
  switch (step) {
    case SyncStep.Step1: {
      guard(() => Y.decodeStateVector(payload));
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.Sync);
      encoding.writeVarUint(encoder, SyncStep.Step2);
      encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(room.doc, payload));
      conn.send(encoding.toUint8Array(encoder));
      return;
    }
    case SyncStep.Step2:
    case SyncStep.Update: {
      const { structs, deleteRanges } = validateUpdate(payload);
      if (structs === 0 && deleteRanges === 0) return;
      const right = room.editRight(conn.claims);
      if (!right.canEdit) return refuseReadOnly(conn, right.reason ?? READ_ONLY_REASON);
      room.queueUpdate(conn, { update: payload, structs, deleteRanges });
      return;
    }
    default:
      throw new ProtocolError(`unknown sync step ${step}`);
  }
}

function refuseReadOnly(conn: Connection, reason: string): void {
  conn.refuse(ErrorCode.ReadOnly, reason);
}

function handleAwareness(room: Room, conn: Connection, decoder: decoding.Decoder): void {
  const payload = guard(() => decoding.readVarUint8Array(decoder));
  expectEnd(decoder);
  const { accepted, refused, tooLarge } = room.awareness.apply(conn, decodeAwarenessUpdate(payload));
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

function handleQueryAwareness(room: Room, conn: Connection, decoder: decoding.Decoder): void {
  expectEnd(decoder);
  const live = room.awareness.encodeLive();
  if (live) conn.send(frame(MessageType.Awareness, live));
}

function handleHello(room: Room, conn: Connection, decoder: decoding.Decoder): void {
  const hello = readTandemMessage(decoder, MessageType.Hello);
  if (hello.type !== MessageType.Hello) throw new ProtocolError('expected hello');
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    conn.close(
      CloseCode.ProtocolMismatch,
      `protocol version mismatch: relay speaks ${PROTOCOL_VERSION}, client ${hello.protocolVersion}`,
    );
    return;
  }
  const first = !conn.tandem;
  conn.tandem = true;
  const { uid, name, role } = conn.claims;
  conn.sendTandem({
    type: MessageType.Welcome,
    protocolVersion: PROTOCOL_VERSION,
    roomId: room.id,
    userId: uid,
    name,
    role,
  });
  const others = [...room.connections].filter((other) => other.tandem && other !== conn);
  conn.send(
    encodePeerMessage({ type: MessageType.PeerList, self: conn.peer, peers: others.map((o) => o.peer) }),
  );
  conn.send(room.stateFor(conn));
  if (first) room.broadcastTandem(encodePeerMessage({ type: MessageType.PeerJoined, peer: conn.peer }), conn);
  // Mutes stand per user: tell the newcomer who is muted, and everyone if the newcomer is.
  for (const other of room.connections) {
    const muted = other.tandem ? room.mediaMuted.get(other.claims.uid) : undefined;
    if (!muted) continue;
    const control = encodePeerMessage({ type: MessageType.MediaControl, peer: other.peerId, ...muted });
    if (other === conn) room.broadcastTandem(control);
    else conn.send(control);
  }
}

/** Only the owner mutes others; the state goes to everyone and is kept for newcomers. */
function handleMediaControl(room: Room, conn: Connection, decoder: decoding.Decoder): void {
  const control = readPeerMessage(decoder, MessageType.MediaControl);
  if (control.type !== MessageType.MediaControl) throw new ProtocolError('expected mediaControl');
  if (!conn.tandem) throw new ProtocolError('mediaControl needs hello first');
  if (!canManage(conn.claims.role)) {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.Forbidden,
      message: 'only the owner can mute others',
    });
    return;
  }
  const target = room.peer(control.peer);
  if (!target) return;
  const { audio, video } = control;
  const uid = target.claims.uid;
  if (audio || video) room.mediaMuted.set(uid, { audio, video });
  else room.mediaMuted.delete(uid);
  // Every connection of that user: a second tab is the same person.
  for (const conn of room.connections) {
    if (!conn.tandem || conn.claims.uid !== uid) continue;
    room.broadcastTandem(
      encodePeerMessage({ type: MessageType.MediaControl, peer: conn.peerId, audio, video }),
    );
  }
}

/**
 * Forwards a WebRTC signal to one connection of the same room that said hello,
 * with the sender's peer id in place of the target's. Anything else is dropped
 * and counted: the sender learns nothing about other rooms.
 */
function handleSignal(room: Room, conn: Connection, decoder: decoding.Decoder, stats: RelayStats): void {
  const signal = readPeerMessage(decoder, MessageType.Signal);
  if (signal.type !== MessageType.Signal) throw new ProtocolError('expected signal');
  if (!conn.tandem) throw new ProtocolError('signals need hello first');
  const target = room.peer(signal.peer);
  if (!target || target === conn) {
    stats.droppedSignals++;
    return;
  }
  target.send(encodePeerMessage({ type: MessageType.Signal, peer: conn.peerId, data: signal.data }));
}

/**
 * Posts a chat message on the sender's behalf: the relay writes the entry, so
 * its user id and name are the token's. A flood is refused past a small budget.
 */
function handleChatSend(
  room: Room,
  conn: Connection,
  decoder: decoding.Decoder,
  context: MessageContext,
): void {
  const message = readTandemMessage(decoder, MessageType.ChatSend);
  if (message.type !== MessageType.ChatSend) throw new ProtocolError('expected chatSend');
  if (!conn.tandem) throw new ProtocolError('chatSend needs hello first');
  const text = message.text.trim();
  if (text === '') return;
  const right = room.chatRight(conn.claims);
  if (!right.canEdit) {
    conn.sendTandem({ type: MessageType.Error, code: ErrorCode.ReadOnly, message: right.reason ?? '' });
    return;
  }
  if (!conn.chatBudget.take()) {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.RateLimited,
      message: 'too many chat messages at once: wait a moment',
    });
    return;
  }
  const { uid, name } = conn.claims;
  const entry: ChatEntry = { userId: uid, name, text, at: Date.now() };
  room
    .change(uid, (doc) => chatOf(doc).push([entry]))
    .catch((error: unknown) => context.log.warn('room.chat_failed', { room: room.id, error: String(error) }));
}

function handleSyncStatus(room: Room, conn: Connection, decoder: decoding.Decoder): void {
  const status = readTandemMessage(decoder, MessageType.SyncStatus);
  if (status.type !== MessageType.SyncStatus) throw new ProtocolError('expected syncStatus');
  room.queueStatus(conn, status.counter);
}

function handleRun(
  room: Room,
  conn: Connection,
  decoder: decoding.Decoder,
  type: typeof MessageType.RunStart | typeof MessageType.RunInput | typeof MessageType.RunStop,
  runs: RunService,
): void {
  const message = readRunMessage(decoder, type);
  if (!conn.tandem) throw new ProtocolError('run messages need hello first');
  const right = room.editRight(conn.claims);
  if (!right.canEdit) {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.ReadOnly,
      message: `cannot run or steer runs: ${right.reason ?? READ_ONLY_REASON}`,
    });
    return;
  }
  switch (message.type) {
    case MessageType.RunStart: {
      const { runId, language, entry, mode } = message;
      runs.start(room, conn.claims, { runId, language, entry, mode }).catch((error: unknown) =>
        conn.sendTandem({
          type: MessageType.Error,
          code: ErrorCode.Internal,
          message: `run failed: ${String(error)}`,
        }),
      );
      return;
    }
    case MessageType.RunInput:
      return runs.input(room, message.runId, message.bytes, message.eof);
    case MessageType.RunStop:
      return runs.stop(room, message.runId);
  }
}

function expectEnd(decoder: decoding.Decoder): void {
  if (decoding.hasContent(decoder)) throw new ProtocolError('trailing bytes after message');
}
