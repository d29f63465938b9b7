/** A room's call: this person's devices and the mesh to everyone else. */
import { effect, signal } from '@preact/signals';
import type { PeerWire } from '../room/peerWire.js';
import { iceConfigSource } from './iceConfig.js';
import { LocalMedia } from './localMedia.js';
import { PeerMesh } from './mesh.js';

export class MediaSession {
  readonly local = new LocalMedia();
  readonly mesh: PeerMesh;
  /** The tiles are hidden; the controls stay. */
  readonly collapsed = signal(false);

  private readonly stopOwnerMute: () => void;

  constructor(wire: PeerWire, roomId: string, token: string) {
    this.mesh = new PeerMesh(wire, iceConfigSource(roomId, token), this.local);
    this.stopOwnerMute = effect(() => this.local.setOwnerMute(wire.roster.ownMute.value));
  }

  destroy(): void {
    this.stopOwnerMute();
    this.mesh.destroy();
    this.local.destroy();
  }
}
