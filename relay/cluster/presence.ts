/**
 * Who is in a room on the other relays sharing it. Each relay says, on every
 * join, hello and leave and every PRESENCE_EVERY_MS, how many connections it
 * holds in the room and the peers among them (those that said hello: the ones
 * a call or a people list can see). A relay that stops saying so (killed, or
 * cut off from Redis) is forgotten after PRESENCE_STALE_MS: its connections
 * stop counting against the room's limits and its peers leave everyone's list.
 *
 * Payload of BusKind.Presence: varUint(connections) varUint(n), then n frames
 * `peerJoined`, encoded and read by the protocol's own codec.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { decode, encode } from '../../shared/protocol/codec.js';
import { Direction, MessageType, type PeerInfo } from '../../shared/protocol/table.js';

/** How often a relay holding connections in a room says so. */
export const PRESENCE_EVERY_MS = 2_000;
/** A relay silent this long has gone: its connections and peers no longer count. */
export const PRESENCE_STALE_MS = 3 * PRESENCE_EVERY_MS;

export interface Presence {
  connections: number;
  peers: PeerInfo[];
}

export function encodePresence({ connections, peers }: Presence): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, connections);
  encoding.writeVarUint(encoder, peers.length);
  for (const peer of peers)
    encoding.writeVarUint8Array(encoder, encode({ type: MessageType.PeerJoined, peer }));
  return encoding.toUint8Array(encoder);
}

/** Throws on anything but a well-formed presence. */
export function decodePresence(bytes: Uint8Array): Presence {
  const decoder = decoding.createDecoder(bytes);
  const connections = decoding.readVarUint(decoder);
  const count = decoding.readVarUint(decoder);
  const peers: PeerInfo[] = [];
  for (let i = 0; i < count; i++) {
    const message = decode(Direction.RelayToClient, decoding.readVarUint8Array(decoder));
    if (message.type !== MessageType.PeerJoined)
      throw new Error('presence holds a frame that is not peerJoined');
    peers.push(message.peer);
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes after presence');
  return { connections, peers };
}

interface Said {
  connections: number;
  at: number;
  peers: Map<string, PeerInfo>;
}

export interface PresenceEvents {
  joined(peer: PeerInfo): void;
  left(peerId: string): void;
  /**
   * A relay holding connections in the room went silent (killed, or cut
   * off): what it held is gone, and what it stored last may never have been
   * published. (One whose last connection left said so, and said goodbye for
   * each: nothing to do.)
   */
  gone(relayId: string): void;
}

/** What the other relays last said about one room, and the peers that came and went as they said it. */
export class RemotePresence {
  private readonly relays = new Map<string, Said>();

  constructor(private readonly events: PresenceEvents) {}

  /**
   * A relay said what it holds now: its new peers join, the ones it no longer
   * holds leave. True when that relay was not known here (it has just loaded
   * the room, or just come back).
   */
  heard(relayId: string, presence: Presence, now = Date.now()): boolean {
    const known = this.relays.get(relayId);
    const before = known?.peers ?? new Map<string, PeerInfo>();
    const after = new Map(presence.peers.map((peer) => [peer.peerId, peer]));
    // One with no connection left stays known until it is silent a while: a client
    // that comes and goes there does not make every relay greet it again each time.
    this.relays.set(relayId, { connections: presence.connections, at: now, peers: after });
    for (const peerId of before.keys()) if (!after.has(peerId)) this.events.left(peerId);
    for (const [peerId, peer] of after) if (!before.has(peerId)) this.events.joined(peer);
    return known === undefined && presence.connections > 0;
  }

  /** Forgets relays silent past PRESENCE_STALE_MS; the peers of one that held any leave. */
  prune(now = Date.now()): void {
    for (const [relayId, said] of this.relays) {
      if (now - said.at <= PRESENCE_STALE_MS) continue;
      this.relays.delete(relayId);
      if (said.connections === 0) continue; // it said goodbye
      for (const peerId of said.peers.keys()) this.events.left(peerId);
      this.events.gone(relayId);
    }
  }

  /** Connections on the other relays, as they last said. */
  get connections(): number {
    this.prune();
    let count = 0;
    for (const said of this.relays.values()) count += said.connections;
    return count;
  }

  get peers(): PeerInfo[] {
    this.prune();
    return [...this.relays.values()].flatMap((said) => [...said.peers.values()]);
  }

  /** The relay holding a peer, if another one does. */
  relayOf(peerId: string): string | null {
    for (const [relayId, said] of this.relays) if (said.peers.has(peerId)) return relayId;
    return null;
  }
}
