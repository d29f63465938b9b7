/**
 * Who is connected to the room, as the relay tells it (peerList, peerJoined,
 * peerLeft after hello), and WebRTC signals to and from one peer. Identities
 * here come from the relay's token check, so media and the peer path can trust
 * a peer's role (a viewer's document updates are ignored by the others).
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { MessageType, type PeerInfo, type PeerMessage } from '../../../shared/protocol/table.js';
import type { RoomConnection } from './connection.js';

const RELAY_TYPES = [
  MessageType.PeerList,
  MessageType.PeerJoined,
  MessageType.PeerLeft,
  MessageType.Signal,
  MessageType.MediaControl,
] as const;

/** What the owner has muted of one participant's outgoing media. */
export interface OwnerMute {
  audio: boolean;
  video: boolean;
}
export const NOT_MUTED: OwnerMute = { audio: false, video: false };

/** The roster from the relay's peer messages; kept apart from the socket so tests feed it directly. */
export class PeerRoster {
  readonly self = signal<PeerInfo | null>(null);
  readonly peers = signal<PeerInfo[]>([]);
  /**
   * The owner's mutes by peer id. Kept while the relay is away (so nobody gets
   * around a mute by cutting the socket); replaced after the next peerList.
   */
  readonly muted = signal<ReadonlyMap<string, OwnerMute>>(new Map());
  /** This page's peer id as last given; not cleared with `self`, for the same reason. */
  private readonly lastSelfId = signal<string | null>(null);
  /** What the owner has muted of this page's own media. */
  readonly ownMute = computed(() => this.muted.value.get(this.lastSelfId.value ?? '') ?? NOT_MUTED);
  private readonly signalListeners = new Set<(from: PeerInfo, data: unknown) => void>();

  apply(message: PeerMessage): void {
    switch (message.type) {
      case MessageType.PeerList:
        this.self.value = message.self;
        this.peers.value = message.peers;
        this.lastSelfId.value = message.self.peerId;
        this.muted.value = new Map(); // the relay sends the current mutes right after
        return;
      case MessageType.PeerJoined:
        this.peers.value = [
          ...this.peers.peek().filter((p) => p.peerId !== message.peer.peerId),
          message.peer,
        ];
        return;
      case MessageType.PeerLeft:
        this.peers.value = this.peers.peek().filter((p) => p.peerId !== message.peerId);
        return;
      case MessageType.Signal: {
        const from = this.peers.peek().find((p) => p.peerId === message.peer);
        if (!from) return; // a signal from someone who already left
        const data: unknown = JSON.parse(message.data);
        for (const listener of this.signalListeners) listener(from, data);
        return;
      }
      case MessageType.MediaControl: {
        const next = new Map(this.muted.peek());
        if (message.mute.audio || message.mute.video) next.set(message.peer, { ...message.mute });
        else next.delete(message.peer);
        this.muted.value = next;
        return;
      }
    }
  }

  /** The socket dropped: nobody is known to be here until the next peerList. */
  reset(): void {
    this.self.value = null;
    this.peers.value = [];
  }

  onSignal(listener: (from: PeerInfo, data: unknown) => void): () => void {
    this.signalListeners.add(listener);
    return () => this.signalListeners.delete(listener);
  }
}

export interface PeerWire {
  roster: PeerRoster;
  readonly peers: ReadonlySignal<PeerInfo[]>;
  /** False when the socket is not open: the signal was not sent. */
  sendSignal(peerId: string, data: unknown): boolean;
  /** The owner mutes (true) or unmutes a participant's microphone and camera; the relay checks the role. */
  sendMediaControl(peerId: string, mute: OwnerMute): boolean;
}

export function connectPeerWire(conn: RoomConnection): PeerWire {
  const roster = new PeerRoster();
  const apply = (message: PeerMessage) => roster.apply(message);
  for (const type of RELAY_TYPES) conn.channel.on(type, apply);
  conn.channel.onStatus((status) => {
    if (status !== 'connected') roster.reset();
  });
  return {
    roster,
    peers: roster.peers,
    sendSignal: (peerId, data) =>
      conn.channel.send({ type: MessageType.Signal, peer: peerId, data: JSON.stringify(data) }),
    sendMediaControl: (peerId, mute) =>
      conn.channel.send({ type: MessageType.MediaControl, peer: peerId, mute: { ...mute } }),
  };
}
