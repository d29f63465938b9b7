/**
 * A full mesh: one PeerLink to every other peer the relay lists. The smaller
 * peer id offers, so two sides never both do. Links survive the relay going
 * away (the roster empties until the next peerList); once the relay is back,
 * links to peer ids it no longer lists are closed and new ones are made (peer
 * ids are per connection, so a returning peer is a new link).
 *
 * Data channel frames: text is JSON control (`{t: 'media', audio, video,
 * screen}`), binary is handed to whoever listens: document sync frames (first
 * byte 0-2, peerDocSync.ts) and awareness frames (100, 101, peerAwareness.ts).
 */
import { computed, effect, signal } from '@preact/signals';
import { NOT_MUTED, type PeerWire } from '../room/peerWire.js';
import type { IceConfig } from './iceConfig.js';
import type { LocalMedia } from './localMedia.js';

/** What the mesh reads of this person's devices. */
export type MeshMedia = Pick<LocalMedia, 'tracks' | 'state'>;
import { PeerLink, type MediaState } from './PeerLink.js';
import type { PeerInfo } from '../../../shared/protocol/table.js';

/** Above this many people in the room, video is off for everyone and only audio flows. */
export const VIDEO_PEOPLE_MAX = 6;
const RETRY_DELAY_MS = 1_500;

type BinaryListener = (link: PeerLink, bytes: Uint8Array) => void;

export class PeerMesh {
  /** Open and opening links, by peer id. */
  readonly links = signal<ReadonlyMap<string, PeerLink>>(new Map());
  readonly videoAllowed = computed(() => this.wire.roster.peers.value.length + 1 <= VIDEO_PEOPLE_MAX);
  private readonly binaryListeners = new Set<BinaryListener>();
  private readonly linkOpenListeners = new Set<(link: PeerLink) => void>();
  private readonly stops: (() => void)[] = [];
  private destroyed = false;

  constructor(
    private readonly wire: PeerWire,
    private readonly ice: () => Promise<IceConfig>,
    private readonly local: MeshMedia,
  ) {
    this.stops.push(
      effect(() => this.reconcile(wire.roster.self.value, wire.roster.peers.value)),
      wire.roster.onSignal((from, data) => this.onSignal(from, data)),
      effect(() => {
        const tracks = this.outgoingTracks();
        for (const link of this.links.value.values()) link.setTracks(tracks);
      }),
      effect(() => {
        const muted = wire.roster.muted.value;
        for (const link of this.links.value.values())
          link.setOwnerMute(muted.get(link.peer.peerId) ?? NOT_MUTED);
      }),
      effect(() => {
        const text = this.stateFrame(local.state.value, this.videoAllowed.value);
        for (const link of this.links.peek().values()) link.send(text);
      }),
    );
  }

  /** Sends bytes to every peer whose data channel is open; returns how many got them. */
  broadcast(bytes: Uint8Array): number {
    let sent = 0;
    for (const link of this.links.peek().values()) if (link.send(bytes)) sent++;
    return sent;
  }

  onBinary(listener: BinaryListener): () => void {
    this.binaryListeners.add(listener);
    return () => this.binaryListeners.delete(listener);
  }

  onLinkOpen(listener: (link: PeerLink) => void): () => void {
    this.linkOpenListeners.add(listener);
    return () => this.linkOpenListeners.delete(listener);
  }

  destroy(): void {
    this.destroyed = true;
    for (const stop of this.stops) stop();
    for (const link of this.links.peek().values()) link.close();
  }

  /** What the others are told we send: no video while the room is too big for it. */
  private stateFrame(state: MediaState, videoAllowed: boolean): string {
    const video = videoAllowed && state.video;
    return JSON.stringify({ t: 'media', audio: state.audio, video, screen: video && state.screen });
  }

  private outgoingTracks() {
    const tracks = this.local.tracks.value;
    return this.videoAllowed.value ? tracks : { audio: tracks.audio, video: null };
  }

  private outgoingTracksNow() {
    const tracks = this.local.tracks.peek();
    return this.videoAllowed.peek() ? tracks : { audio: tracks.audio, video: null };
  }

  private reconcile(self: PeerInfo | null, peers: PeerInfo[]): void {
    if (!self || this.destroyed) return; // relay away: keep what is connected
    const listed = new Set(peers.map((p) => p.peerId));
    for (const [peerId, link] of this.links.peek()) if (!listed.has(peerId)) link.close();
    for (const peer of peers) if (!this.links.peek().has(peer.peerId)) this.open(peer);
  }

  private open(peer: PeerInfo): PeerLink {
    const self = this.wire.roster.self.peek();
    const link: PeerLink = new PeerLink(peer, {
      initiator: !!self && self.peerId < peer.peerId,
      ice: this.ice,
      sendSignal: (data) => this.wire.sendSignal(peer.peerId, data),
      onMessage: (from, data) => this.onMessage(from, data),
      onOpen: (opened) => {
        opened.send(this.stateFrame(this.local.state.peek(), this.videoAllowed.peek()));
        for (const listener of this.linkOpenListeners) listener(opened);
      },
      onClose: (closed) => this.onClose(closed),
    });
    link.setTracks(this.outgoingTracksNow());
    this.links.value = new Map(this.links.peek()).set(peer.peerId, link);
    return link;
  }

  private onSignal(from: PeerInfo, data: unknown): void {
    let link = this.links.peek().get(from.peerId);
    const isOffer = (data as { type?: unknown } | null)?.type === 'offer';
    // A second offer means the peer started over (its side of the link failed).
    if (isOffer && link && (link.answered || link.state.peek() === 'closed')) {
      link.close();
      link = undefined;
    }
    if (!link && isOffer) link = this.open(from);
    link?.signal(data);
  }

  private onMessage(link: PeerLink, data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      for (const listener of this.binaryListeners) listener(link, new Uint8Array(data));
      return;
    }
    try {
      const message = JSON.parse(data) as { t?: unknown } & Partial<MediaState>;
      if (message.t === 'media') {
        link.media.value = { audio: !!message.audio, video: !!message.video, screen: !!message.screen };
      }
    } catch {
      console.warn(`Tandem: ignored a malformed data channel message from ${link.peer.name}`);
    }
  }

  private onClose(link: PeerLink): void {
    const links = this.links.peek();
    if (links.get(link.peer.peerId) !== link) return;
    const next = new Map(links);
    next.delete(link.peer.peerId);
    this.links.value = next;
    // The peer is still listed: try again (the answerer waits for a new offer).
    setTimeout(() => {
      if (this.destroyed) return;
      const peers = this.wire.roster.peers.peek();
      if (peers.some((p) => p.peerId === link.peer.peerId) && !this.links.peek().has(link.peer.peerId)) {
        this.open(peers.find((p) => p.peerId === link.peer.peerId)!);
      }
    }, RETRY_DELAY_MS);
  }
}
