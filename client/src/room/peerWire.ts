/**
 * Who is connected to the room, as the relay tells it (peerList, peerJoined,
 * peerLeft after hello), and WebRTC signals to and from one peer. Identities
 * here come from the relay's token check, so media and the peer path can trust
 * a peer's role (a viewer's document updates are ignored by the others).
 */
import { signal, type ReadonlySignal } from '@preact/signals';
import type * as decoding from 'lib0/decoding';
import { MessageType } from '../../../shared/protocol/messageTypes.js';
import {
  encodePeerMessage,
  readPeerMessage,
  type PeerInfo,
  type PeerMessage,
} from '../../../shared/protocol/peers.js';
import type { RoomConnection } from './connection.js';

type Handler = (
  encoder: unknown,
  decoder: decoding.Decoder,
  provider: unknown,
  emit: boolean,
  type: number,
) => void;

const RELAY_TYPES = [
  MessageType.PeerList,
  MessageType.PeerJoined,
  MessageType.PeerLeft,
  MessageType.Signal,
] as const;

/** The roster from the relay's peer messages; kept apart from the socket so tests feed it directly. */
export class PeerRoster {
  readonly self = signal<PeerInfo | null>(null);
  readonly peers = signal<PeerInfo[]>([]);
  private readonly signalListeners = new Set<(from: PeerInfo, data: unknown) => void>();

  apply(message: PeerMessage): void {
    switch (message.type) {
      case MessageType.PeerList:
        this.self.value = message.self;
        this.peers.value = message.peers;
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
}

export function connectPeerWire(conn: RoomConnection): PeerWire {
  const roster = new PeerRoster();
  const handlers = conn.provider.messageHandlers as unknown as Handler[];
  const handler: Handler = (_encoder, decoder, _provider, _emit, type) => {
    try {
      roster.apply(readPeerMessage(decoder, type as PeerMessage['type']));
    } catch (error) {
      console.warn('Tandem: ignored a malformed peer message from the relay', error);
    }
  };
  for (const type of RELAY_TYPES) handlers[type] = handler;
  conn.provider.on('status', ({ status }: { status: string }) => {
    if (status !== 'connected') roster.reset();
  });
  return {
    roster,
    peers: roster.peers,
    sendSignal(peerId, data) {
      const ws = conn.provider.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(encodePeerMessage({ type: MessageType.Signal, peer: peerId, data: JSON.stringify(data) }));
      return true;
    },
  };
}
