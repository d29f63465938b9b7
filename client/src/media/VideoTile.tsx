/**
 * One person in the call: their video (or their initials when the camera is
 * off), name, microphone state and a ring while they speak. The media element
 * is always mounted so a peer's audio plays with the camera off.
 */
import { useEffect, useRef } from 'preact/hooks';
import { colorFor, initials } from '../lib/colors.js';
import type { OwnerMute } from '../room/peerWire.js';
import { CameraIcon, MicIcon, MicOffIcon } from '../ui/icons.js';
import type { MediaState } from './PeerLink.js';
import { useSpeaking } from './speaking.js';

export interface TileProps {
  stream: MediaStream;
  name: string;
  userId: string;
  media: MediaState;
  self?: boolean;
  peerId?: string;
  state?: string;
  /** What the owner muted of this person; `media` already has it switched off. */
  ownerMute?: OwnerMute;
  /** Only for the owner, on someone else's tile: mute or unmute them for the room. */
  onOwnerMute?: (mute: OwnerMute) => void;
}

export function VideoTile(props: TileProps) {
  const video = useRef<HTMLVideoElement>(null);
  const { stream, media } = props;
  const audioTrack = media.audio ? (stream.getAudioTracks()[0] ?? null) : null;
  const speaking = useSpeaking(audioTrack);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    element.srcObject = stream;
    element.play().catch(() => playMutedUntilClick(element, !!props.self));
  }, [stream]);

  return (
    <figure
      class={`tile${props.self ? ' self' : ''}${speaking ? ' speaking' : ''}${media.video ? '' : ' no-video'}${media.screen ? ' screen' : ''}`}
      data-testid="video-tile"
      data-name={props.name}
      data-peer-id={props.peerId ?? ''}
      data-state={props.state ?? ''}
    >
      <video ref={video} autoplay playsInline muted={!!props.self} />
      {!media.video && (
        <span class="avatar tile-avatar" style={{ background: colorFor(props.userId) }}>
          {initials(props.name)}
        </span>
      )}
      <figcaption>
        {!media.audio && (
          <span
            class="tile-muted"
            title={props.ownerMute?.audio ? 'Muted by the owner' : 'Microphone off'}
            data-testid="muted"
          >
            <MicOffIcon size={12} />
          </span>
        )}
        <span class="tile-name">{props.self ? `${props.name} (you)` : props.name}</span>
        {media.screen && <span class="tile-badge">screen</span>}
        {props.onOwnerMute && <OwnerControls {...props} onOwnerMute={props.onOwnerMute} />}
      </figcaption>
    </figure>
  );
}

function OwnerControls(props: TileProps & { onOwnerMute: (mute: OwnerMute) => void }) {
  const mute = props.ownerMute ?? { audio: false, video: false };
  return (
    <span class="tile-controls">
      <button
        class={`tile-control${mute.audio ? ' on' : ''}`}
        title={mute.audio ? `Let ${props.name} speak again` : `Mute ${props.name} for everyone`}
        aria-pressed={mute.audio}
        data-testid="owner-mute-mic"
        onClick={() => props.onOwnerMute({ ...mute, audio: !mute.audio })}
      >
        {mute.audio ? <MicOffIcon size={12} /> : <MicIcon size={12} />}
      </button>
      <button
        class={`tile-control${mute.video ? ' on' : ''}`}
        title={
          mute.video ? `Let ${props.name} show video again` : `Turn off ${props.name}'s video for everyone`
        }
        aria-pressed={mute.video}
        data-testid="owner-mute-camera"
        onClick={() => props.onOwnerMute({ ...mute, video: !mute.video })}
      >
        <CameraIcon size={12} />
      </button>
    </span>
  );
}

/** The browser refused to autoplay with sound: play muted and unmute on the next click. */
function playMutedUntilClick(element: HTMLVideoElement, self: boolean): void {
  element.muted = true;
  element.play().catch(() => undefined);
  if (self) return;
  document.addEventListener('pointerdown', () => (element.muted = false), { once: true });
}
