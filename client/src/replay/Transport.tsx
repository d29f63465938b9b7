/**
 * The player's controls under the workspace: play/pause, step, speed, the
 * moment shown (time, and who made that change), the scrubber, and a line
 * saying that long idle stretches are shortened.
 */
import { PlayIcon } from '../ui/icons.js';
import { ReplayIcon } from './replayIcons.js';
import { SPEEDS, type ReplaySession } from './replaySession.js';
import { Scrubber } from './Scrubber.js';
import { formatIdle, IDLE_GAP_MS } from './timeScale.js';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function Transport(props: { session: ReplaySession }) {
  const { session } = props;
  const { scale } = session;
  const position = session.position.value;
  const playing = session.playing.value;
  const entry = position >= 0 ? session.bundle.entries[position] : undefined;
  const gap = scale.gapAt(session.virtual.value);
  const atEnd = position === session.length - 1;
  return (
    <div
      class="transport"
      data-testid="transport"
      data-position={position}
      data-length={session.length}
      data-playing={playing}
    >
      <div class="transport-controls">
        <button
          class="icon-button"
          aria-label="Previous event"
          title="Previous event (←)"
          onClick={() => session.step(-1)}
          disabled={position <= 0}
        >
          <ReplayIcon name="stepBack" />
        </button>
        <button
          class="button small primary transport-play"
          onClick={() => session.toggle()}
          disabled={session.length === 0}
          data-testid="play"
          title="Play or pause (space)"
        >
          {playing ? <ReplayIcon name="pause" size={12} /> : <PlayIcon size={12} />}
          {playing ? 'Pause' : 'Play'}
        </button>
        <button
          class="icon-button"
          aria-label="Next event"
          title="Next event (→)"
          onClick={() => session.step(1)}
          disabled={atEnd}
        >
          <ReplayIcon name="stepForward" />
        </button>
        <label class="transport-speed" title="Playback speed">
          <span class="muted">Speed</span>
          <select
            class="run-select"
            name="speed"
            value={session.speed.value}
            onChange={(e) => (session.speed.value = Number(e.currentTarget.value))}
          >
            {SPEEDS.map((speed) => (
              <option key={speed} value={speed}>
                {speed}×
              </option>
            ))}
          </select>
        </label>
        <span class="transport-time" data-testid="replay-time">
          <strong>{entry ? clock.format(entry.at) : '—'}</strong>
          <span class="muted">
            {' '}
            {entry ? day.format(entry.at) : 'before the first change'} · {elapsed(session.virtual.value)} of{' '}
            {elapsed(scale.total)}
          </span>
        </span>
        {entry && (
          <span class="transport-author" data-testid="replay-author">
            <span class="replay-dot" style={{ background: session.colorOf(entry.author) }} />
            {session.nameOf(entry.author)}
          </span>
        )}
        <span class="spacer" />
        {gap && (
          <span class="pill transport-idle" data-testid="idle-skipped">
            idle {formatIdle(gap.to - gap.from)} skipped
          </span>
        )}
        <span class="muted transport-note">
          {scale.gaps.length > 0
            ? `Idle stretches over ${formatIdle(IDLE_GAP_MS)} are shortened: ${formatIdle(scale.skippedMs)} skipped`
            : 'Plays at the recorded pace'}
        </span>
      </div>
      <Scrubber session={session} />
    </div>
  );
}
