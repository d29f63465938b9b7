/**
 * The timeline over the session's squeezed span: how busy each stretch was,
 * markers for runs, chat messages and file operations, hatched idle gaps, and
 * a handle to drag. Dragging seeks at most once a frame (ReplaySession.scrubTo).
 */
import { useMemo, useRef } from 'preact/hooks';
import type { ReplaySession } from './replaySession.js';
import { formatIdle, IDLE_SHOWN_MS } from './timeScale.js';

const ACTIVITY_BARS = 160;
/** Markers of one kind drawn at most (a long session creates many files). */
const MARKERS_MAX = 400;
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

interface Marker {
  kind: 'run' | 'chat' | 'file';
  at: number;
  index: number;
  title: string;
  color: string;
  runId?: string;
}

export function Scrubber(props: { session: ReplaySession }) {
  const { session } = props;
  const { scale } = session;
  const track = useRef<HTMLDivElement>(null);
  const fraction = (virtual: number) => (scale.total > 0 ? virtual / scale.total : 1);
  const percent = (virtual: number) => `${(fraction(virtual) * 100).toFixed(3)}%`;

  const activity = useMemo(() => {
    const bars = new Array<number>(ACTIVITY_BARS).fill(0);
    for (const entry of session.bundle.entries) {
      const bar = Math.min(
        ACTIVITY_BARS - 1,
        Math.floor(fraction(scale.toVirtual(entry.at)) * ACTIVITY_BARS),
      );
      bars[bar]!++;
    }
    const most = Math.max(1, ...bars);
    return bars.map((n) => (n === 0 ? 0 : 0.15 + (0.85 * n) / most));
  }, [session]);

  const markers = useMemo(() => {
    const list: Marker[] = [];
    for (const row of session.rows) {
      const who = session.nameOf(row.author);
      if (row.kind === 'run') {
        const title = `${who} ran ${row.run.entry || 'the project'} · ${clock.format(row.at)}`;
        list.push({
          kind: 'run',
          at: row.at,
          index: row.index,
          title,
          color: session.colorOf(row.author),
          runId: row.run.runId,
        });
      } else if (row.kind === 'chat') {
        list.push({
          kind: 'chat',
          at: row.at,
          index: row.index,
          title: `${who}: ${row.post.text}`,
          color: session.colorOf(row.author),
        });
      } else if (row.kind === 'file') {
        const { change } = row;
        const what =
          change.kind === 'renamed'
            ? `renamed ${change.from} to ${change.path}`
            : `${change.kind} ${change.path}`;
        list.push({
          kind: 'file',
          at: row.at,
          index: row.index,
          title: `${who} ${what}`,
          color: session.colorOf(row.author),
        });
      }
    }
    const byKind = (kind: Marker['kind']) => list.filter((m) => m.kind === kind).slice(0, MARKERS_MAX);
    return [...byKind('file'), ...byKind('chat'), ...byKind('run')];
  }, [session]);

  const virtualAt = (clientX: number) => {
    const box = track.current!.getBoundingClientRect();
    return (Math.max(0, Math.min(box.width, clientX - box.left)) / Math.max(1, box.width)) * scale.total;
  };
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    track.current!.setPointerCapture(e.pointerId);
    session.scrubTo(virtualAt(e.clientX));
  };
  const onPointerMove = (e: PointerEvent) => {
    if (track.current!.hasPointerCapture(e.pointerId)) session.scrubTo(virtualAt(e.clientX));
  };
  const openMarker = (marker: Marker) => {
    session.seek(marker.index);
    if (marker.runId)
      session.openRun.value = session.bundle.runs.find((r) => r.runId === marker.runId) ?? null;
  };

  const virtual = session.virtual.value;
  const realNow = scale.toReal(virtual);
  return (
    <div class="scrubber">
      <div
        class="scrubber-track"
        ref={track}
        role="slider"
        tabIndex={0}
        aria-label="Time in the session"
        aria-valuemin={0}
        aria-valuemax={Math.round(scale.total)}
        aria-valuenow={Math.round(virtual)}
        aria-valuetext={clock.format(realNow)}
        data-testid="scrubber"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
      >
        <div class="scrubber-activity" aria-hidden="true">
          {activity.map((height, i) => (
            <span key={i} style={{ height: `${(height * 100).toFixed(1)}%` }} />
          ))}
        </div>
        {scale.gaps.map((gap) => (
          <span
            key={gap.at}
            class="scrubber-gap"
            style={{ left: percent(gap.at), width: percent(IDLE_SHOWN_MS) }}
            title={`idle ${formatIdle(gap.to - gap.from)} skipped`}
          />
        ))}
        <div class="scrubber-played" style={{ width: percent(virtual) }} />
        <div class="scrubber-handle" style={{ left: percent(virtual) }} />
      </div>
      <div class="scrubber-markers">
        {markers.map((marker, i) => (
          <button
            key={`${marker.kind}-${i}`}
            class={`scrubber-marker ${marker.kind}`}
            style={{ left: percent(scale.toVirtual(marker.at)), '--marker': marker.color }}
            title={marker.title}
            aria-label={marker.title}
            data-kind={marker.kind}
            data-run={marker.runId}
            onPointerDown={(e) => e.stopPropagation()}
            onClick={() => openMarker(marker)}
          />
        ))}
      </div>
    </div>
  );
}
