/**
 * This person's microphone, camera and screen. Everything starts off; the
 * browser asks for permission on the first toggle. Turning a device off stops
 * its track (the camera light goes out); the outgoing video is the screen when
 * shared, else the camera.
 */
import { computed, signal } from '@preact/signals';
import { loadJson, saveJson } from '../lib/storage.js';
import type { LocalTracks, MediaState } from './PeerLink.js';

interface SavedDevices {
  mic: string | null;
  camera: string | null;
}
const DEVICES_KEY = 'tandem.mediaDevices';

export class LocalMedia {
  readonly mic = signal<MediaStreamTrack | null>(null);
  readonly camera = signal<MediaStreamTrack | null>(null);
  readonly screen = signal<MediaStreamTrack | null>(null);
  readonly devices = signal<MediaDeviceInfo[]>([]);
  readonly micId = signal<string | null>(null);
  readonly cameraId = signal<string | null>(null);
  /** What the owner muted of this person: those devices are off and cannot be turned on. */
  readonly ownerMute = signal<{ audio: boolean; video: boolean }>({ audio: false, video: false });
  /** A sentence for the last thing that failed (permission denied, no device). */
  readonly error = signal<string | null>(null);
  readonly tracks = computed<LocalTracks>(() => ({
    audio: this.mic.value,
    video: this.screen.value ?? this.camera.value,
  }));
  readonly state = computed<MediaState>(() => ({
    audio: this.mic.value !== null,
    video: this.camera.value !== null || this.screen.value !== null,
    screen: this.screen.value !== null,
  }));

  constructor() {
    const saved = loadJson<SavedDevices>(DEVICES_KEY);
    if (saved) {
      this.micId.value = typeof saved.mic === 'string' ? saved.mic : null;
      this.cameraId.value = typeof saved.camera === 'string' ? saved.camera : null;
    }
  }

  setOwnerMute(mute: { audio: boolean; video: boolean }): void {
    this.ownerMute.value = mute;
    if (mute.audio) this.stop(this.mic);
    if (mute.video) for (const track of [this.camera, this.screen]) this.stop(track);
  }

  async toggleMic(): Promise<void> {
    if (this.mic.peek()) return this.stop(this.mic);
    if (this.ownerMute.peek().audio) return;
    await this.open('audio');
  }

  async toggleCamera(): Promise<void> {
    if (this.camera.peek()) return this.stop(this.camera);
    if (this.ownerMute.peek().video) return;
    await this.open('video');
  }

  async toggleScreen(): Promise<void> {
    if (this.screen.peek()) return this.stop(this.screen);
    if (this.ownerMute.peek().video) return;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const track = stream.getVideoTracks()[0] ?? null;
      if (!track) return;
      if (this.ownerMute.peek().video) return track.stop(); // muted while the picker was open
      track.addEventListener('ended', () => {
        if (this.screen.peek() === track) this.screen.value = null;
      });
      this.screen.value = track;
    } catch (error) {
      this.fail('The screen could not be shared', error);
    }
  }

  async chooseDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    (kind === 'audio' ? this.micId : this.cameraId).value = deviceId || null;
    saveJson(DEVICES_KEY, { mic: this.micId.peek(), camera: this.cameraId.peek() });
    const current = kind === 'audio' ? this.mic : this.camera;
    if (current.peek()) {
      this.stop(current);
      await this.open(kind);
    }
  }

  async refreshDevices(): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices();
    this.devices.value = all.filter((d) => d.kind === 'audioinput' || d.kind === 'videoinput');
  }

  destroy(): void {
    for (const track of [this.mic, this.camera, this.screen]) this.stop(track);
  }

  private async open(kind: 'audio' | 'video'): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.error.value = 'This browser cannot use a camera or microphone here (it needs https).';
      return;
    }
    const id = (kind === 'audio' ? this.micId : this.cameraId).peek();
    const base: MediaTrackConstraints =
      kind === 'video' ? { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } } : {};
    const constraints = id ? { ...base, deviceId: { ideal: id } } : base;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
      const track = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] ?? null;
      if (this.ownerMute.peek()[kind]) return track?.stop(); // muted while permission was asked
      (kind === 'audio' ? this.mic : this.camera).value = track;
      this.error.value = null;
      await this.refreshDevices();
    } catch (error) {
      this.fail(kind === 'audio' ? 'The microphone is not available' : 'The camera is not available', error);
    }
  }

  private stop(track: { peek(): MediaStreamTrack | null; value: MediaStreamTrack | null }): void {
    track.peek()?.stop();
    track.value = null;
  }

  private fail(sentence: string, error: unknown): void {
    const denied = error instanceof DOMException && error.name === 'NotAllowedError';
    this.error.value = denied ? `${sentence}: permission was denied.` : `${sentence}.`;
    console.warn(`Tandem: ${sentence}`, error);
  }
}
