/**
 * WebRTC signaling through the relay (types 110-113). After `hello`, the relay
 * tells a connection its peer id and the room's other peers (`peerList`), and
 * everyone of later arrivals and departures (`peerJoined`, `peerLeft`). A client
 * sends `signal { peer: target, data }`; the relay delivers `signal { peer:
 * sender, data }` to that one connection, only if it is in the same room and
 * said hello, so the sender cannot be forged and nothing crosses rooms. `data`
 * is simple-peer's signal object as JSON (offer, answer, candidate).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { isRole, type Role } from '../roles.js';
import { MessageType } from './messageTypes.js';
import { ProtocolError, guard } from './tandem.js';

/**
 * First varUint of a binary frame on the peers' data channel (id 0). Document
 * frames are bare y-protocols sync messages (0 step 1, 1 step 2, 2 update);
 * these follow them. Text frames on that channel are JSON control messages.
 */
export const PeerChannelFrame = {
  /** varUint8Array(awarenessUpdate) holding only the sender's own client id. */
  Awareness: 100,
  /** "send your awareness state again, with a new clock". */
  AwarenessQuery: 101,
} as const;

/** SDP offers with many candidates stay well below this. */
export const SIGNAL_MAX_CHARS = 64 * 1024;
const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const NAME_MAX_CHARS = 256;
const PEERS_MAX = 10_000;

export interface PeerInfo {
  peerId: string;
  userId: string;
  name: string;
  role: Role;
}

export interface PeerList {
  type: typeof MessageType.PeerList;
  self: PeerInfo;
  peers: PeerInfo[];
}
export interface PeerJoined {
  type: typeof MessageType.PeerJoined;
  peer: PeerInfo;
}
export interface PeerLeft {
  type: typeof MessageType.PeerLeft;
  peerId: string;
}
export interface Signal {
  type: typeof MessageType.Signal;
  /** The target when a client sends it; the sender when the relay delivers it. */
  peer: string;
  /** JSON text of the signal. */
  data: string;
}
/**
 * The owner mutes (or unmutes) a participant's outgoing media for the room. The
 * relay accepts it only from the owner, remembers it, and sends it to everyone
 * (the target included, and newcomers after their peerList); every page then
 * stops playing that participant's muted tracks, so a modified client cannot
 * get around it for the others.
 */
export interface MediaControl {
  type: typeof MessageType.MediaControl;
  peer: string;
  /** True: muted by the owner. */
  audio: boolean;
  video: boolean;
}
export type PeerMessage = PeerList | PeerJoined | PeerLeft | Signal | MediaControl;

export function isPeerType(type: number): type is PeerMessage['type'] {
  return type >= MessageType.PeerList && type <= MessageType.MediaControl;
}

export function encodePeerMessage(message: PeerMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, message.type);
  switch (message.type) {
    case MessageType.PeerList:
      writePeer(e, message.self);
      encoding.writeVarUint(e, message.peers.length);
      for (const peer of message.peers) writePeer(e, peer);
      break;
    case MessageType.PeerJoined:
      writePeer(e, message.peer);
      break;
    case MessageType.PeerLeft:
      encoding.writeVarString(e, message.peerId);
      break;
    case MessageType.Signal:
      encoding.writeVarString(e, message.peer);
      encoding.writeVarString(e, message.data);
      break;
    case MessageType.MediaControl:
      encoding.writeVarString(e, message.peer);
      encoding.writeVarUint(e, (message.audio ? 1 : 0) | (message.video ? 2 : 0));
      break;
  }
  return encoding.toUint8Array(e);
}

/** Reads the body of a peer message whose type the caller has already read. */
export function readPeerMessage(d: decoding.Decoder, type: PeerMessage['type']): PeerMessage {
  const message = guard((): PeerMessage => {
    switch (type) {
      case MessageType.PeerList: {
        const self = readPeer(d);
        const count = decoding.readVarUint(d);
        if (count > PEERS_MAX) throw new ProtocolError('too many peers');
        return { type, self, peers: Array.from({ length: count }, () => readPeer(d)) };
      }
      case MessageType.PeerJoined:
        return { type, peer: readPeer(d) };
      case MessageType.PeerLeft:
        return { type, peerId: readPeerId(d) };
      case MessageType.Signal: {
        const peer = readPeerId(d);
        const data = decoding.readVarString(d);
        if (data.length > SIGNAL_MAX_CHARS) throw new ProtocolError('signal too large');
        try {
          JSON.parse(data);
        } catch {
          throw new ProtocolError('signal data is not JSON');
        }
        return { type, peer, data };
      }
      case MessageType.MediaControl: {
        const peer = readPeerId(d);
        const flags = decoding.readVarUint(d);
        if (flags > 3) throw new ProtocolError('unknown media flags');
        return { type, peer, audio: (flags & 1) === 1, video: (flags & 2) === 2 };
      }
    }
  });
  if (decoding.hasContent(d)) throw new ProtocolError(`trailing bytes after message ${type}`);
  return message;
}

export function decodePeerMessage(bytes: Uint8Array): PeerMessage {
  const d = decoding.createDecoder(bytes);
  const type = guard(() => decoding.readVarUint(d));
  if (!isPeerType(type)) throw new ProtocolError(`not a peer message type: ${type}`);
  return readPeerMessage(d, type);
}

function writePeer(e: encoding.Encoder, peer: PeerInfo): void {
  for (const value of [peer.peerId, peer.userId, peer.name, peer.role]) encoding.writeVarString(e, value);
}

function readPeer(d: decoding.Decoder): PeerInfo {
  const peerId = readPeerId(d);
  const userId = readText(d);
  const name = readText(d);
  const role = readText(d);
  if (!isRole(role)) throw new ProtocolError(`unknown role ${role}`);
  return { peerId, userId, name, role };
}

function readPeerId(d: decoding.Decoder): string {
  const value = decoding.readVarString(d);
  if (!PEER_ID_PATTERN.test(value)) throw new ProtocolError('peer id must match [A-Za-z0-9_-]{1,32}');
  return value;
}

function readText(d: decoding.Decoder): string {
  const value = decoding.readVarString(d);
  if (value.length > NAME_MAX_CHARS) throw new ProtocolError('string too long');
  return value;
}
