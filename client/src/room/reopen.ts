/**
 * Keeps one connection to a document open, and opens it afresh when the page
 * must give up its copy (edits made or lost without the edit right, see
 * discard.ts): the old copy is dropped with its IndexedDB store, a new one is
 * loaded from the relay, and once it has synced `notice` says how many edits
 * did not make it.
 */
import { effect, signal, type ReadonlySignal } from '@preact/signals';
import type { RoomConnection } from './connection.js';
import { countMissing, discardSentence, type Discarded } from './discard.js';

export interface Opened {
  conn: RoomConnection;
  /** Ends whatever was built on the connection (not the connection itself). */
  destroy(): void;
}

export class Reopening<T extends Opened> {
  readonly current: ReadonlySignal<T>;
  /** Bumped on every reopen, so a view keyed on it is built anew. */
  readonly generation = signal(0);
  /** The sentence about discarded edits, until dismissed. */
  readonly notice = signal<string | null>(null);
  private readonly opened;
  private stopWatch: () => void = () => {};
  private destroyed = false;
  /** The opened one that still needs tearing down (null between a discard and the reopen). */
  private live: T | null = null;

  constructor(private readonly make: () => T) {
    this.opened = signal(this.open());
    this.current = this.opened;
  }

  destroy(): void {
    this.destroyed = true;
    this.stopWatch();
    this.live?.destroy();
    this.live?.conn.destroy();
    this.live = null;
  }

  private open(): T {
    const opened = this.make();
    this.live = opened;
    this.stopWatch = effect(() => {
      const discarded = opened.conn.discarded.value;
      if (discarded) queueMicrotask(() => void this.reopen(opened, discarded));
    });
    return opened;
  }

  private async reopen(old: T, discarded: Discarded): Promise<void> {
    if (this.destroyed || this.opened.peek() !== old) return;
    this.stopWatch();
    this.live = null;
    old.destroy();
    await old.conn.discardLocalCopy();
    if (this.destroyed) return;
    const fresh = this.open();
    this.opened.value = fresh;
    this.generation.value++;
    await fresh.conn.whenSynced();
    if (this.destroyed || this.opened.peek() !== fresh) return;
    const lost = countMissing(fresh.conn.doc, discarded.updates) + discarded.unknown;
    if (lost > 0) this.notice.value = discardSentence(lost, discarded.reason, discarded.cause);
  }
}
