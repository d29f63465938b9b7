import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadAt, Heartbeat, HEARTBEAT_DEADLINE_MS, HEARTBEAT_INTERVAL_MS } from './heartbeat.js';

/** The relay's answer takes this long to come back. */
const ROUND_TRIP_MS = 20;

/** A heartbeat whose relay's answers arrive while `alive`. */
function relay() {
  const state = { alive: true, pings: 0, deadAt: null as number | null };
  const beat: Heartbeat = new Heartbeat(
    () => {
      state.pings++;
      setTimeout(() => state.alive && beat.answered(), ROUND_TRIP_MS);
    },
    () => (state.deadAt = performance.now()),
  );
  return { beat, state };
}

describe('Heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('pings every interval and stays quiet while the relay answers', async () => {
    const { beat, state } = relay();
    beat.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.pings).toBe(1 + 60_000 / HEARTBEAT_INTERVAL_MS);
    expect(state.deadAt).toBeNull();
    beat.stop();
  });

  it('has a deadline under five seconds', () => {
    expect(HEARTBEAT_DEADLINE_MS).toBeLessThan(5000);
  });

  it('calls a socket dead within the deadline of the last answer, under five seconds', async () => {
    for (const diesAfter of [1, 19, 21, 1000, 1999, 2001, 3500]) {
      const { beat, state } = relay();
      beat.start();
      await vi.advanceTimersByTimeAsync(10_000);
      const diedAt = performance.now() + diesAfter;
      await vi.advanceTimersByTimeAsync(diesAfter);
      state.alive = false;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(state.deadAt, `died ${diesAfter} ms after a ping`).not.toBeNull();
      expect(state.deadAt! - diedAt).toBeLessThanOrEqual(HEARTBEAT_DEADLINE_MS);
      const pings = state.pings;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(state.pings, 'no pings once dead').toBe(pings);
    }
  });

  it('does not take a tab whose timers slept (a background tab) for a silent relay', async () => {
    // Here the clock jumps a minute while no timer runs; then they run, late.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    let slept = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now() + slept);
    const { beat, state } = relay();
    beat.start();
    await vi.advanceTimersByTimeAsync(3000);
    slept = 60_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.deadAt).toBeNull();
    beat.stop();
  });

  it('stop() ends the pings and the deadline', async () => {
    const { beat, state } = relay();
    beat.start();
    state.alive = false;
    beat.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(state.pings).toBe(1);
    expect(state.deadAt).toBeNull();
  });
});

describe('deadAt', () => {
  it('waits for a ping first', () => {
    expect(deadAt(0, null)).toBeNull();
  });

  it('counts from the last answer', () => {
    expect(deadAt(1000, 3000)).toBe(1000 + HEARTBEAT_DEADLINE_MS);
  });
});
