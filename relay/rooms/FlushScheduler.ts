/**
 * Flushes every room with queued updates once the socket read that queued
 * them is handled (`process.nextTick`: every frame of one read is in by then,
 * so a burst still leaves as one merged update, and no other I/O runs first;
 * cheaper than `queueMicrotask`, which wraps each callback for async hooks),
 * or, when the relay is busy, at the end of the event loop's turn. Their
 * storing steps then run in one pass, which lets the storage write them
 * together (SqliteStorage journals the appends of one pass with one write).
 */
export interface Flushable {
  /** Applies what it queued (a no-op if it has nothing queued any more). */
  applyPending(): void;
}

/**
 * A flush asked for this soon after the last one means the relay is busy: it
 * waits for the rest of this turn of the event loop (setImmediate), so every
 * socket read in it is applied, journaled with one write and broadcast in one
 * pass. An idle relay flushes at once.
 */
const BUSY_WITHIN_MS = 1;

export class FlushScheduler {
  private readonly dirty = new Set<Flushable>();
  private scheduled = false;
  private lastRunAt = 0;

  schedule(room: Flushable): void {
    this.dirty.add(room);
    if (this.scheduled) return;
    this.scheduled = true;
    if (performance.now() - this.lastRunAt < BUSY_WITHIN_MS) setImmediate(() => this.run());
    else process.nextTick(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    this.lastRunAt = performance.now();
    const rooms = [...this.dirty];
    this.dirty.clear();
    for (const room of rooms) room.applyPending();
  }
}
