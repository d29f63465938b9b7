/**
 * A connection's Tandem session: `hello` (version check, welcome, who is here,
 * the room's state, the owner's mutes) and chat, which the relay writes on the
 * sender's behalf so every entry carries its real author.
 */
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { encode } from '../../shared/protocol/codec.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { ProtocolError } from '../../shared/protocol/fields.js';
import { MessageType, PROTOCOL_VERSION, type MessageOf } from '../../shared/protocol/table.js';
import { chatOf, type ChatEntry } from '../../shared/schema/project.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';

export function handleHello(room: Room, conn: Connection, hello: MessageOf<'Hello'>): void {
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
  conn.send(encode({ type: MessageType.PeerList, self: conn.peer, peers: room.peersEverywhere(conn) }));
  conn.send(room.stateFor(conn));
  room.tellIfNotSaving(conn);
  if (first) {
    room.broadcastTandem(encode({ type: MessageType.PeerJoined, peer: conn.peer }), conn);
    room.sayPresence();
  }
  // Mutes stand per user: tell the newcomer who is muted (on any relay), and everyone if the newcomer is.
  for (const peer of room.peersEverywhere(conn)) {
    const mute = room.controls.mediaMuted.get(peer.userId);
    if (mute) conn.send(encode({ type: MessageType.MediaControl, peer: peer.peerId, mute }));
  }
  const own = room.controls.mediaMuted.get(uid);
  if (own) room.broadcastTandem(encode({ type: MessageType.MediaControl, peer: conn.peerId, mute: own }));
}

/**
 * Posts a chat message on the sender's behalf: the relay writes the entry, so
 * its user id and name are the token's. A flood is refused past a small budget.
 */
export function handleChatSend(room: Room, conn: Connection, message: MessageOf<'ChatSend'>): void {
  requireHello(conn, 'chatSend');
  const text = message.text.trim();
  if (text === '') return;
  const right = room.controls.chatRight(conn.claims);
  if (!right.canEdit) {
    conn.sendTandem({ type: MessageType.Error, code: ErrorCode.ChatClosed, message: right.reason ?? '' });
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
    .catch((error: unknown) => conn.log.warn('room.chat_failed', { err: error }));
}

/** Answers at once, on the same socket: the client's keepalive and round-trip time. */
export function handlePing(conn: Connection, { nonce }: MessageOf<'Ping'>): void {
  requireHello(conn, 'ping');
  conn.sendTandem({ type: MessageType.Pong, nonce });
}

/** Tandem messages other than hello come after it. */
export function requireHello(conn: Connection, what: string): void {
  if (!conn.tandem) throw new ProtocolError(`${what} needs hello first`);
}
