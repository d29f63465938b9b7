import { describe, expect, it } from 'vitest';
import { formatIdle, IDLE_GAP_MS, IDLE_SHOWN_MS, TimeScale } from './timeScale.js';

const T = 1_700_000_000_000;

describe('TimeScale', () => {
  it('maps real time one to one while nothing is idle', () => {
    const scale = TimeScale.of([T + 5000, T, T + 2000]);
    expect(scale.start).toBe(T);
    expect(scale.end).toBe(T + 5000);
    expect(scale.total).toBe(5000);
    expect(scale.gaps).toEqual([]);
    expect(scale.toVirtual(T + 2500)).toBe(2500);
    expect(scale.toReal(2500)).toBe(T + 2500);
    expect(scale.toVirtual(T - 100)).toBe(0);
    expect(scale.toReal(99_999)).toBe(T + 5000);
  });

  it('squeezes an idle gap and maps both ways around it', () => {
    const idle = 12 * 60_000;
    const scale = TimeScale.of([T, T + 1000, T + 1000 + idle, T + 3000 + idle]);
    expect(scale.gaps).toEqual([{ from: T + 1000, to: T + 1000 + idle, at: 1000 }]);
    expect(scale.total).toBe(1000 + IDLE_SHOWN_MS + 2000);
    expect(scale.skippedMs).toBe(idle - IDLE_SHOWN_MS);
    expect(scale.toVirtual(T + 1000 + idle)).toBe(1000 + IDLE_SHOWN_MS);
    expect(scale.toVirtual(T + 2000 + idle)).toBe(2000 + IDLE_SHOWN_MS);
    expect(scale.toReal(2000 + IDLE_SHOWN_MS)).toBe(T + 2000 + idle);
    // Halfway through the squeezed stretch is halfway through the real one.
    expect(scale.toReal(1000 + IDLE_SHOWN_MS / 2)).toBe(T + 1000 + idle / 2);
    expect(scale.gapAt(1000 + 10)).toEqual(scale.gaps[0]);
    expect(scale.gapAt(999)).toBeNull();
    expect(scale.gapAt(1000 + IDLE_SHOWN_MS)).toBeNull();
  });

  it('keeps a gap just at the threshold, and counts a run as activity', () => {
    expect(TimeScale.of([T, T + IDLE_GAP_MS]).gaps).toEqual([]);
    const withRun = TimeScale.of([T, T + 100_000], [{ start: T + 1000, end: T + 90_000 }]);
    expect(withRun.gaps).toEqual([]);
    expect(withRun.total).toBe(100_000);
    const runAfter = TimeScale.of([T], [{ start: T + 100_000, end: T + 101_000 }]);
    expect(runAfter.gaps).toHaveLength(1);
    expect(runAfter.end).toBe(T + 101_000);
  });

  it('is empty without moments and keeps an instant-only session at zero length', () => {
    const empty = TimeScale.of([]);
    expect([empty.start, empty.end, empty.total, empty.toVirtual(T), empty.toReal(5)]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    const one = TimeScale.of([T, T]);
    expect(one.total).toBe(0);
    expect(one.toReal(0)).toBe(T);
  });

  it('is monotonic both ways', () => {
    const times = [T, T + 10, T + 50_000, T + 50_020, T + 400_000, T + 400_001];
    const scale = TimeScale.of(times);
    let last = -1;
    for (let v = 0; v <= scale.total; v += 7) {
      const real = scale.toReal(v);
      expect(real).toBeGreaterThanOrEqual(last);
      expect(scale.toVirtual(real)).toBeCloseTo(v, 3);
      last = real;
    }
  });
});

describe('formatIdle', () => {
  it('says seconds, minutes and hours', () => {
    expect(formatIdle(45_000)).toBe('45 s');
    expect(formatIdle(12 * 60_000)).toBe('12 min');
    expect(formatIdle(65 * 60_000)).toBe('1 h 5 min');
    expect(formatIdle(120 * 60_000)).toBe('2 h');
  });
});
