/**
 * The call, in the side panel above People: microphone, camera and screen
 * toggles, device pickers, and a tile for everyone with a microphone or camera
 * on (yours small). Collapsing hides the tiles and keeps the controls, so the
 * editor never moves.
 */
import { useMemo, useState } from 'preact/hooks';
import { canManage } from '../../../shared/roles.js';
import { NOT_MUTED } from '../room/peerWire.js';
import type { RoomState } from '../room/roomState.js';
import { CameraIcon, ChevronIcon, MicIcon, MicOffIcon, ScreenIcon, SettingsIcon } from '../ui/icons.js';
import { VIDEO_PEOPLE_MAX } from './mesh.js';
import { VideoTile } from './VideoTile.js';

export function MediaStrip(props: { room: RoomState }) {
  const { room } = props;
  const { local, mesh, collapsed } = room.media;
  const [settings, setSettings] = useState(false);
  const me = room.conn.me.value;
  const state = local.state.value;
  const tracks = local.tracks.value;
  const ownStream = useMemo(
    () => new MediaStream([tracks.audio, tracks.video].filter((t): t is MediaStreamTrack => t !== null)),
    [tracks.audio, tracks.video],
  );
  const muted = room.peerWire.roster.muted.value;
  const ownerMute = local.ownerMute.value;
  const manage = canManage(me.role);
  // Someone the owner muted keeps a tile, so the owner can unmute them.
  const links = [...mesh.links.value.values()].filter((link) => {
    const media = link.media.value;
    return media.audio || media.video || muted.has(link.peer.peerId);
  });
  const showSelf = state.audio || state.video;
  // Who is in the call: a microphone or camera on. Not the mesh's links: everyone
  // in the room has one to everyone else (cursors and edits ride them too).
  const inCall =
    [...mesh.links.value.values()].filter(({ media }) => media.value.audio || media.value.video).length +
    (showSelf ? 1 : 0);

  return (
    <section class="panel media" aria-label="Call" data-testid="media">
      <h3 class="panel-title">
        <button
          class={`icon-button tiny media-collapse${collapsed.value ? '' : ' open'}`}
          title={collapsed.value ? 'Show video' : 'Hide video'}
          data-testid="media-collapse"
          onClick={() => (collapsed.value = !collapsed.value)}
        >
          <ChevronIcon size={12} />
        </button>
        Call{' '}
        {inCall > 0 && (
          <span class="count" title="In the call">
            {inCall}
          </span>
        )}
        <span class="spacer" />
        <button
          class={`icon-button${state.audio ? ' on' : ''}`}
          title={
            ownerMute.audio
              ? 'The owner muted your microphone'
              : state.audio
                ? 'Mute microphone'
                : 'Turn microphone on'
          }
          aria-pressed={state.audio}
          disabled={ownerMute.audio}
          data-testid="toggle-mic"
          onClick={() => void local.toggleMic()}
        >
          {state.audio ? <MicIcon size={14} /> : <MicOffIcon size={14} />}
        </button>
        <button
          class={`icon-button${local.camera.value ? ' on' : ''}`}
          title={
            ownerMute.video
              ? 'The owner turned your camera off'
              : local.camera.value
                ? 'Turn camera off'
                : 'Turn camera on'
          }
          aria-pressed={!!local.camera.value}
          disabled={ownerMute.video}
          data-testid="toggle-camera"
          onClick={() => void local.toggleCamera()}
        >
          <CameraIcon size={14} />
        </button>
        <button
          class={`icon-button${state.screen ? ' on' : ''}`}
          title={state.screen ? 'Stop sharing the screen' : 'Share the screen'}
          aria-pressed={state.screen}
          disabled={ownerMute.video}
          data-testid="toggle-screen"
          onClick={() => void local.toggleScreen()}
        >
          <ScreenIcon size={14} />
        </button>
        <button
          class={`icon-button${settings ? ' on' : ''}`}
          title="Choose microphone and camera"
          data-testid="media-settings"
          onClick={() => {
            if (!settings) void local.refreshDevices();
            setSettings(!settings);
          }}
        >
          <SettingsIcon size={14} />
        </button>
      </h3>
      {settings && <DevicePickers room={room} />}
      {(ownerMute.audio || ownerMute.video) && (
        <p class="media-note" data-testid="owner-muted">
          {ownerMute.audio && ownerMute.video
            ? 'The owner muted your microphone and turned your camera off.'
            : ownerMute.audio
              ? 'The owner muted your microphone.'
              : 'The owner turned your camera off.'}
        </p>
      )}
      {local.error.value && <p class="media-note error">{local.error.value}</p>}
      {!mesh.videoAllowed.value && (
        <p class="media-note">More than {VIDEO_PEOPLE_MAX} people here: video is off, audio only.</p>
      )}
      {!collapsed.value && (showSelf || links.length > 0) && (
        <div class="tiles">
          {links.map((link) => {
            const mute = muted.get(link.peer.peerId) ?? NOT_MUTED;
            const media = link.media.value;
            const video = media.video && !mute.video;
            return (
              <VideoTile
                key={link.peer.peerId}
                stream={link.stream}
                name={link.peer.name}
                userId={link.peer.userId}
                media={{ audio: media.audio && !mute.audio, video, screen: video && media.screen }}
                peerId={link.peer.peerId}
                state={link.state.value}
                ownerMute={mute}
                onOwnerMute={
                  manage ? (next) => room.peerWire.sendMediaControl(link.peer.peerId, next) : undefined
                }
              />
            );
          })}
          {showSelf && <VideoTile stream={ownStream} name={me.name} userId={me.userId} media={state} self />}
        </div>
      )}
    </section>
  );
}

function DevicePickers(props: { room: RoomState }) {
  const { local } = props.room.media;
  const devices = local.devices.value;
  const picker = (kind: 'audio' | 'video', label: string) => {
    const list = devices.filter((d) => d.kind === `${kind}input`);
    const current = (kind === 'audio' ? local.micId : local.cameraId).value ?? '';
    return (
      <label class="field media-device">
        <span>{label}</span>
        <select value={current} onChange={(e) => void local.chooseDevice(kind, e.currentTarget.value)}>
          <option value="">Default</option>
          {list.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || `${label} ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
    );
  };
  return (
    <div class="media-devices">
      {picker('audio', 'Microphone')}
      {picker('video', 'Camera')}
    </div>
  );
}
