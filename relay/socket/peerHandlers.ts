/**
 * WebRTC signaling and the owner's media mutes. A signal reaches one
 * connection of the sender's room that said hello (on this relay or another
 * sharing the room), with the sender's peer id
 * in place of the target's, so a sender cannot be forged and nothing crosses
 * rooms; anything else is dropped and counted. Mutes stand per user.
 */
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType, type MessageOf } from '../../shared/protocol/table.js';
import { canManage } from '../../shared/roles.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import type { RelayStats } from './context.js';
import { requireHello } from './sessionHandlers.js';

export function handleSignal(
  room: Room,
  conn: Connection,
  signal: MessageOf<'Signal'>,
  stats: RelayStats,
): void {
  requireHello(conn, 'signals');
  if (!room.signal(conn, signal.peer, signal.data)) stats.droppedSignals++;
}

/** Only the owner mutes others; the state goes to everyone and is kept for newcomers. */
export function handleMediaControl(room: Room, conn: Connection, control: MessageOf<'MediaControl'>): void {
  requireHello(conn, 'mediaControl');
  if (!canManage(conn.claims.role)) {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.Forbidden,
      message: 'only the owner can mute others',
    });
    return;
  }
  const uid = room.peersEverywhere(null).find((peer) => peer.peerId === control.peer)?.userId;
  if (uid !== undefined) room.mute(uid, control.mute);
}
