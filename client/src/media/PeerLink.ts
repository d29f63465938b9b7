/**
 * One WebRTC connection to one peer, directly on RTCPeerConnection (no
 * simple-peer in the browser: its bundle needs Node's Buffer, process and
 * streams, and Vite would need shims for all three). Signals keep simple-peer's
 * JSON shape (`{type: 'offer'|'answer', sdp}`, `{type: 'candidate', candidate}`),
 * which is what the protocol documents; the data channel is a negotiated one
 * (id 0) rather than simple-peer's in-band one.
 *
 * The initiator offers once, with one audio and one video transceiver and a
 * negotiated data channel (id 0); the answerer turns both transceivers to
 * sendrecv. Turning the camera or screen on and off afterwards is only
 * `replaceTrack`, so no renegotiation (and no offer glare) ever happens.
 */
import { signal } from '@preact/signals';
import type { IceConfig } from './iceConfig.js';
import type { PeerInfo } from '../../../shared/protocol/table.js';

export type LinkState = 'connecting' | 'connected' | 'closed';
export interface LocalTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
}
/** What a peer says it sends, over the data channel. */
export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}
export const NO_MEDIA: MediaState = { audio: false, video: false, screen: false };
export interface LinkOptions {
  initiator: boolean;
  ice: () => Promise<IceConfig>;
  sendSignal(data: unknown): void;
  onMessage(link: PeerLink, data: string | ArrayBuffer): void;
  onOpen(link: PeerLink): void;
  onClose(link: PeerLink): void;
}

/** How long a 'disconnected' connection may take to recover before it is closed. */
const DISCONNECTED_GRACE_MS = 5_000;

export class PeerLink {
  readonly state = signal<LinkState>('connecting');
  /** The peer's audio and video tracks, for a media element's srcObject. */
  readonly stream = new MediaStream();
  /** The peer's own word on its microphone, camera and screen. */
  readonly media = signal<MediaState>(NO_MEDIA);
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private chain: Promise<void>;
  private tracks: LocalTracks = { audio: null, video: null };
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** What the owner muted of this peer: those received tracks are disabled (silence, black). */
  private ownerMute = { audio: false, video: false };
  /** True once an offer was applied: a second offer means the peer started over. */
  answered = false;

  constructor(
    readonly peer: PeerInfo,
    private readonly options: LinkOptions,
  ) {
    this.chain = this.start();
  }

  get connection(): RTCPeerConnection | null {
    return this.pc;
  }

  /** Applies a signal from the peer, in order with every other step. */
  signal(data: unknown): void {
    this.enqueue(() => this.apply(data));
  }

  setTracks(tracks: LocalTracks): void {
    this.tracks = tracks;
    this.enqueue(() => this.applyTracks());
  }

  /** False when the data channel is not open. */
  send(data: string | Uint8Array): boolean {
    if (this.channel?.readyState !== 'open') return false;
    if (typeof data === 'string') this.channel.send(data);
    else this.channel.send(data as Uint8Array<ArrayBuffer>);
    return true;
  }

  /**
   * Stops playing what the owner muted, on this page, whatever the peer still
   * sends: a disabled remote track renders as silence or black.
   */
  setOwnerMute(mute: { audio: boolean; video: boolean }): void {
    this.ownerMute = mute;
    for (const track of this.stream.getTracks()) this.applyOwnerMute(track);
  }

  private applyOwnerMute(track: MediaStreamTrack): void {
    track.enabled = !(track.kind === 'audio' ? this.ownerMute.audio : this.ownerMute.video);
  }

  get channelOpen(): boolean {
    return this.channel?.readyState === 'open';
  }

  close(): void {
    if (this.state.peek() === 'closed') return;
    clearTimeout(this.graceTimer);
    this.state.value = 'closed';
    this.channel?.close();
    this.pc?.close();
    for (const track of this.stream.getTracks()) this.stream.removeTrack(track);
    this.options.onClose(this);
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      if (this.state.peek() !== 'closed')
        console.warn(`Tandem: WebRTC step failed for ${this.peer.name}`, error);
    });
  }

  private async start(): Promise<void> {
    const ice = await this.options.ice();
    if (this.state.peek() === 'closed') return;
    const pc = new RTCPeerConnection({
      iceServers: ice.iceServers,
      iceTransportPolicy: ice.iceTransportPolicy,
    });
    this.pc = pc;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.options.sendSignal({ type: 'candidate', candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track }) => {
      for (const old of this.stream.getTracks()) if (old.kind === track.kind) this.stream.removeTrack(old);
      this.applyOwnerMute(track);
      this.stream.addTrack(track);
    };
    pc.onconnectionstatechange = () => this.onConnectionState(pc.connectionState);
    const channel = pc.createDataChannel('tandem', { negotiated: true, id: 0 });
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => this.options.onOpen(this);
    channel.onmessage = ({ data }) => this.options.onMessage(this, data as string | ArrayBuffer);
    this.channel = channel;
    if (this.options.initiator) {
      pc.addTransceiver('audio', { direction: 'sendrecv' });
      pc.addTransceiver('video', { direction: 'sendrecv' });
      await this.applyTracks();
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      this.options.sendSignal({ type: 'offer', sdp: offer.sdp });
    }
  }

  private async apply(data: unknown): Promise<void> {
    const pc = this.pc;
    if (!pc || typeof data !== 'object' || data === null) return;
    const message = data as { type?: unknown; sdp?: unknown; candidate?: RTCIceCandidateInit };
    if (message.type === 'offer' && !this.options.initiator && typeof message.sdp === 'string') {
      this.answered = true;
      await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
      for (const transceiver of pc.getTransceivers()) transceiver.direction = 'sendrecv';
      await this.applyTracks();
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.options.sendSignal({ type: 'answer', sdp: answer.sdp });
    } else if (message.type === 'answer' && this.options.initiator && typeof message.sdp === 'string') {
      if (pc.signalingState !== 'have-local-offer') return;
      await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
    } else if (message.type === 'candidate' && message.candidate && pc.remoteDescription) {
      await pc.addIceCandidate(message.candidate);
    }
  }

  private async applyTracks(): Promise<void> {
    const pc = this.pc;
    if (!pc || this.state.peek() === 'closed') return;
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind as 'audio' | 'video';
      const track = this.tracks[kind];
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
    }
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    clearTimeout(this.graceTimer);
    if (state === 'connected') this.state.value = 'connected';
    else if (state === 'failed' || state === 'closed') this.close();
    else if (state === 'disconnected')
      this.graceTimer = setTimeout(() => this.close(), DISCONNECTED_GRACE_MS);
  }
}
