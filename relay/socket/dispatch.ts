/**
 * A frame from a room's socket: decoded once as a client -> relay message
 * (shared/protocol/codec.ts) and handed to its one handler. Anything that does
 * not decode (an empty frame, a truncated varint, an unknown type, one that
 * only travels from the relay, trailing bytes) or breaks a handler's rule
 * throws ProtocolError, which closes that socket with 4400 and a reason; the
 * room and the relay carry on.
 */
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { decode, unhandled } from '../../shared/protocol/codec.js';
import { ProtocolError } from '../../shared/protocol/fields.js';
import { Direction, MessageType } from '../../shared/protocol/table.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import type { MessageContext } from './context.js';
import { handleLspRequest } from './lspHandlers.js';
import { handleMediaControl, handleSignal } from './peerHandlers.js';
import { handleRun } from './runHandlers.js';
import { handleChatSend, handleHello, handlePing } from './sessionHandlers.js';
import { handleWorkspace } from './workspaceHandlers.js';
import { handleAwareness, handleQueryAwareness, handleSync, handleSyncStatus } from './syncHandlers.js';

/** A close reason is at most 123 bytes (RFC 6455). */
const CLOSE_REASON_MAX_CHARS = 120;

export function handleMessage(room: Room, conn: Connection, data: Uint8Array, context: MessageContext): void {
  try {
    const message = decode(Direction.ClientToRelay, data);
    context.metrics.message(message.type, data.byteLength);
    switch (message.type) {
      case MessageType.Sync:
        return handleSync(room, conn, message);
      case MessageType.Awareness:
        return handleAwareness(room, conn, message);
      case MessageType.QueryAwareness:
        return handleQueryAwareness(room, conn);
      case MessageType.Hello:
        handleHello(room, conn, message);
        return context.workspaces.greet(room, conn);
      case MessageType.SyncStatus:
        return handleSyncStatus(room, conn, message);
      case MessageType.Ping:
        return handlePing(conn, message);
      case MessageType.ChatSend:
        return handleChatSend(room, conn, message);
      case MessageType.Signal:
        return handleSignal(room, conn, message, context.stats);
      case MessageType.MediaControl:
        return handleMediaControl(room, conn, message);
      case MessageType.RunStart:
      case MessageType.RunInput:
      case MessageType.RunStop:
        return handleRun(room, conn, message, context.runs);
      case MessageType.WorkspaceStart:
      case MessageType.WorkspaceStop:
      case MessageType.ShellOpen:
      case MessageType.ShellInput:
      case MessageType.ShellResize:
      case MessageType.ShellClose:
      case MessageType.DevServerStart:
      case MessageType.DevServerStop:
        return handleWorkspace(room, conn, message, context.workspaces);
      case MessageType.LspRequest:
        return handleLspRequest(room, conn, message, context.workspaces);
      default:
        return unhandled(message);
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    conn.close(
      CloseCode.MalformedMessage,
      `malformed message: ${error.message}`.slice(0, CLOSE_REASON_MAX_CHARS),
    );
  }
}
