/**
 * The replay's clock. Playback follows the recorded times, but a session has
 * long quiet stretches (lunch, a meeting), so every idle gap longer than
 * IDLE_GAP_MS is squeezed to IDLE_SHOWN_MS on the scrubber and in playback.
 * "Virtual" time is the squeezed one: 0 at the first moment, `total` at the
 * last; "real" time is the relay's clock (ms since the epoch).
 *
 * Moments are the log entries' times and the runs, whose whole span counts as
 * activity (a run of a minute is not idle time).
 */
import type { ReplayBundle } from '../../../shared/replay/bundle.js';

/** Quiet longer than this is squeezed. */
export const IDLE_GAP_MS = 30_000;
/** ...to this long. */
export const IDLE_SHOWN_MS = 1_500;

export interface IdleGap {
  /** Real start and end of the quiet. */
  from: number;
  to: number;
  /** Where it sits in virtual time (its start). */
  at: number;
}

export interface Span {
  start: number;
  end: number;
}

export class TimeScale {
  /** From instants (log entries) and spans (runs), in any order. */
  static of(instants: Iterable<number>, spans: Iterable<Span> = []): TimeScale {
    const all: Span[] = [...spans].filter((s) => s.end >= s.start);
    for (const at of instants) all.push({ start: at, end: at });
    all.sort((a, b) => a.start - b.start);
    // Breakpoints of a piecewise-linear map, real -> virtual.
    const real: number[] = [];
    const virtual: number[] = [];
    const gaps: IdleGap[] = [];
    let end = -Infinity;
    for (const span of all) {
      if (real.length === 0) {
        real.push(span.start);
        virtual.push(0);
      } else if (span.start - end > IDLE_GAP_MS) {
        const at = virtual.at(-1)! + (end - real.at(-1)!);
        gaps.push({ from: end, to: span.start, at });
        real.push(end, span.start);
        virtual.push(at, at + IDLE_SHOWN_MS);
      }
      end = Math.max(end, span.end);
    }
    if (real.length > 0) {
      real.push(end);
      virtual.push(virtual.at(-1)! + (end - real.at(-2)!));
    }
    return new TimeScale(real, virtual, gaps);
  }

  private constructor(
    private readonly real: readonly number[],
    private readonly virtual: readonly number[],
    readonly gaps: readonly IdleGap[],
  ) {}

  /** Real time of the first moment (0 when there is none). */
  get start(): number {
    return this.real[0] ?? 0;
  }

  get end(): number {
    return this.real.at(-1) ?? 0;
  }

  /** Length in virtual ms. */
  get total(): number {
    return this.virtual.at(-1) ?? 0;
  }

  /** Real ms the squeezing leaves out. */
  get skippedMs(): number {
    return this.gaps.reduce((sum, gap) => sum + (gap.to - gap.from - IDLE_SHOWN_MS), 0);
  }

  toVirtual(real: number): number {
    return interpolate(this.real, this.virtual, real);
  }

  toReal(virtual: number): number {
    return interpolate(this.virtual, this.real, virtual);
  }

  /** The squeezed gap that virtual time `virtual` falls in, if any. */
  gapAt(virtual: number): IdleGap | null {
    return this.gaps.find((gap) => virtual >= gap.at && virtual < gap.at + IDLE_SHOWN_MS) ?? null;
  }
}

/** The clock of a replay: its entries and its runs. */
export function scaleOf(bundle: Pick<ReplayBundle, 'entries' | 'runs'>): TimeScale {
  return TimeScale.of(
    bundle.entries.map((entry) => entry.at),
    bundle.runs.map((run) => ({ start: run.startedAt, end: run.endedAt })),
  );
}

/** Piecewise-linear lookup over ascending `xs`, clamped at both ends. */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  if (xs.length === 0) return 0;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs.at(-1)!) return ys.at(-1)!;
  let low = 0;
  let high = xs.length - 1;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (xs[mid]! <= x) low = mid;
    else high = mid;
  }
  const x0 = xs[low]!;
  const x1 = xs[high]!;
  if (x1 === x0) return ys[high]!;
  return ys[low]! + ((x - x0) / (x1 - x0)) * (ys[high]! - ys[low]!);
}

/** "12 min", "1 h 5 min", "45 s": a skipped stretch as people say it. */
export function formatIdle(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
