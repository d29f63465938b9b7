import { describe, expect, it } from 'vitest';
import { SyncTracker } from './syncTracker.js';

describe('SyncTracker', () => {
  it('counts edits until the relay echoes their counter', () => {
    const tracker = new SyncTracker();
    tracker.localEdit();
    tracker.localEdit();
    expect(tracker.unsent).toBe(2);
    expect(tracker.counterToSend()).toBe(2);
    expect(tracker.counterToSend()).toBeNull();
    tracker.localEdit();
    tracker.ack(2);
    expect(tracker.unsent).toBe(1);
    expect(tracker.counterToSend()).toBe(3);
    tracker.ack(3);
    expect(tracker.unsent).toBe(0);
  });

  it('resends after a reconnect what the old connection never confirmed', () => {
    const tracker = new SyncTracker();
    tracker.localEdit();
    expect(tracker.counterToSend()).toBe(1);
    tracker.reconnected();
    expect(tracker.counterToSend()).toBe(1);
    tracker.ack(1);
    expect(tracker.unsent).toBe(0);
  });

  it('keeps edits carried over from an earlier page load until the first echo', () => {
    const tracker = new SyncTracker(5);
    expect(tracker.unsent).toBe(5);
    expect(tracker.counterToSend()).toBe(0);
    tracker.ack(0);
    expect(tracker.unsent).toBe(0);
    expect(tracker.counterToSend()).toBeNull();
  });

  it('ignores an echo of a counter it never sent', () => {
    const tracker = new SyncTracker();
    tracker.ack(7);
    tracker.localEdit();
    expect(tracker.unsent).toBe(1);
  });
});

describe('SyncTracker: the bytes of unconfirmed edits', () => {
  const bytes = (n: number) => new Uint8Array([n]);

  it('keeps the updates the relay has not confirmed, oldest first, and lets go of confirmed ones', () => {
    const tracker = new SyncTracker();
    tracker.localEdit(bytes(1));
    tracker.localEdit(bytes(2));
    tracker.localEdit(bytes(3));
    expect(tracker.counterToSend()).toBe(3);
    tracker.ack(2);
    expect(tracker.unconfirmed()).toEqual({ updates: [bytes(3)], unknown: 0 });
    tracker.ack(3);
    expect(tracker.unconfirmed()).toEqual({ updates: [], unknown: 0 });
  });

  it('counts edits carried over from an earlier load as unknown until the first echo', () => {
    const tracker = new SyncTracker(4);
    tracker.localEdit(bytes(1));
    expect(tracker.unconfirmed()).toEqual({ updates: [bytes(1)], unknown: 4 });
    tracker.ack(0);
    expect(tracker.unconfirmed()).toEqual({ updates: [bytes(1)], unknown: 0 });
  });
});
