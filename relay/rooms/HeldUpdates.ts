/**
 * Updates a room holds back because they build on changes it has not received
 * (see shared/sync/inspectUpdate.ts): kept per connection in arrival order, each
 * with the one (client, clock) it waits for, so checking whether anything became
 * applicable costs a lookup per connection, not a re-read of every update.
 *
 * The room's budget is bounded in bytes and in structs. Past it, the connection
 * holding the most is evicted (the room closes it; a real client reconnects and
 * its first sync sends what the relay lacks), so one socket's junk cannot push
 * out other people's updates for long, nor grow without end.
 */
import type { Connection, QueuedUpdate } from './Connection.js';

export interface HeldUpdate extends QueuedUpdate {
  /** It can be tried again once the document has this client's struct at this clock. */
  waitFor: { client: number; clock: number };
}

interface Holder {
  queue: HeldUpdate[];
  bytes: number;
  items: number;
}

export class HeldUpdates {
  private readonly holders = new Map<Connection, Holder>();
  private totalBytes = 0;
  private totalItems = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxItems: number,
  ) {}

  get bytes(): number {
    return this.totalBytes;
  }

  get items(): number {
    return this.totalItems;
  }

  /** Whether `conn` has updates waiting: its later ones must wait behind them. */
  holds(conn: Connection): boolean {
    return this.holders.has(conn);
  }

  /** Holds an update at the end of `conn`'s queue; returns the connections evicted to stay in budget. */
  add(conn: Connection, held: HeldUpdate): Connection[] {
    let holder = this.holders.get(conn);
    if (!holder) {
      holder = { queue: [], bytes: 0, items: 0 };
      this.holders.set(conn, holder);
    }
    holder.queue.push(held);
    this.count(holder, held, 1);
    const evicted: Connection[] = [];
    while (this.totalBytes > this.maxBytes || this.totalItems > this.maxItems) {
      const hog = this.biggest();
      if (!hog) break;
      this.drop(hog);
      evicted.push(hog);
    }
    return evicted;
  }

  /**
   * Takes, per connection, the leading updates whose awaited struct `has` now;
   * the order within a connection is kept (a later update never overtakes).
   */
  takeReady(has: (client: number, clock: number) => boolean): Map<Connection, HeldUpdate[]> {
    const ready = new Map<Connection, HeldUpdate[]>();
    for (const [conn, holder] of this.holders) {
      let taken = 0;
      while (
        taken < holder.queue.length &&
        has(holder.queue[taken]!.waitFor.client, holder.queue[taken]!.waitFor.clock)
      ) {
        taken++;
      }
      if (taken === 0) continue;
      const batch = holder.queue.splice(0, taken);
      for (const held of batch) this.count(holder, held, -1);
      if (holder.queue.length === 0) this.holders.delete(conn);
      ready.set(conn, batch);
    }
    return ready;
  }

  /** Puts updates back at the front of `conn`'s queue, in order (they still wait). */
  putBack(conn: Connection, updates: HeldUpdate[]): void {
    if (updates.length === 0) return;
    let holder = this.holders.get(conn);
    if (!holder) {
      holder = { queue: [], bytes: 0, items: 0 };
      this.holders.set(conn, holder);
    }
    holder.queue.unshift(...updates);
    for (const held of updates) this.count(holder, held, 1);
  }

  /** Forgets everything `conn` holds (it left, was evicted or refused). */
  drop(conn: Connection): void {
    const holder = this.holders.get(conn);
    if (!holder) return;
    this.holders.delete(conn);
    this.totalBytes -= holder.bytes;
    this.totalItems -= holder.items;
  }

  private biggest(): Connection | null {
    let hog: Connection | null = null;
    let most = -1;
    for (const [conn, holder] of this.holders) {
      if (holder.bytes > most) {
        most = holder.bytes;
        hog = conn;
      }
    }
    return hog;
  }

  private count(holder: Holder, held: HeldUpdate, sign: 1 | -1): void {
    const bytes = sign * held.update.byteLength;
    const items = sign * (held.structs + held.deleteRanges);
    holder.bytes += bytes;
    holder.items += items;
    this.totalBytes += bytes;
    this.totalItems += items;
  }
}
