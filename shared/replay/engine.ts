/**
 * Replays a room's log: the project as it was after any entry, fast.
 *
 * Building makes one forward pass over the entries: each is applied to one
 * document in its own transaction (which is how the timeline events are seen,
 * see timeline.ts), and every so often the document's state is encoded as a
 * checkpoint: after `checkpointEntries` entries since the last one, or once the
 * bytes of updates since then reach `checkpointBytes` or the last checkpoint's
 * own size, whichever is larger. (Loading a checkpoint costs about what
 * applying as many bytes of updates does, so checkpoints closer than their own
 * size save little; this keeps a room of large pastes from holding a full copy
 * of its project every few entries.)
 *
 * Seeking loads the nearest checkpoint at or before the target into a fresh
 * document and applies the entries after it in one transaction, so a seek
 * costs one checkpoint load plus at most a checkpoint's worth of entries,
 * wherever it lands. Seeking forward a short way (playback) just applies the
 * next entries to the current document.
 *
 * The document a seek returns is the engine's current one: moving forward a
 * little changes it in place (observers see the entries arrive), any other seek
 * makes a new one. Callers read it (`snapshotFiles`, `listAllFiles`, ...) and
 * must not change it.
 */
import * as Y from 'yjs';
import type { ReplayEntry } from './bundle.js';
import { lastAtOrBefore } from './search.js';
import { ChangeWatcher, type TimelineEvent } from './timeline.js';

export interface ReplayOptions {
  /** A checkpoint at least every this many entries. */
  checkpointEntries?: number;
  /** ...or once this many bytes of updates (or the last checkpoint's size, if larger) were applied since. */
  checkpointBytes?: number;
}

export interface BuildProgress {
  done: number;
  total: number;
}

export interface AsyncBuildOptions extends ReplayOptions {
  /** Work this long, then yield to the event loop (a browser stays responsive). */
  sliceMs?: number;
  onProgress?: (progress: BuildProgress) => void;
  /** Aborts the build: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ReplayStats {
  entries: number;
  checkpoints: number;
  /** Bytes held by checkpoints. */
  checkpointBytes: number;
  buildMs: number;
}

/** Measured with bench/replay.ts: ~10-30 ms of applying small entries, beside ~5 ms to load a checkpoint. */
const DEFAULT_CHECKPOINT_ENTRIES = 2000;
const DEFAULT_CHECKPOINT_BYTES = 256 * 1024;
const DEFAULT_SLICE_MS = 12;

interface Checkpoint {
  /** The state after this entry. */
  index: number;
  state: Uint8Array;
}

export class ReplayEngine {
  /** Builds everything at once (blocking). `entries` must be in seq order, as a parsed bundle's are. */
  static build(entries: readonly ReplayEntry[], options: ReplayOptions = {}): ReplayEngine {
    const builder = new Builder(entries, options);
    builder.run(entries.length);
    return builder.finish();
  }

  /** Builds in slices, yielding between them. */
  static async buildAsync(
    entries: readonly ReplayEntry[],
    options: AsyncBuildOptions = {},
  ): Promise<ReplayEngine> {
    const builder = new Builder(entries, options);
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    while (builder.done < entries.length) {
      options.signal?.throwIfAborted();
      const sliceEnd = performance.now() + sliceMs;
      do builder.run(builder.done + 64);
      while (builder.done < entries.length && performance.now() < sliceEnd);
      options.onProgress?.({ done: builder.done, total: entries.length });
      if (builder.done < entries.length) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    options.signal?.throwIfAborted();
    return builder.finish();
  }

  private current = new Y.Doc();
  private index = -1;
  /** Running maximum of `at`, so time lookups stay right if the relay's clock stepped back. */
  private readonly latestAt: Float64Array;
  private readonly seqs: Float64Array;
  private readonly checkpointIndexes: number[];

  /** @internal Use ReplayEngine.build or buildAsync. */
  constructor(
    readonly entries: readonly ReplayEntry[],
    /** One per entry, same index. */
    readonly events: readonly TimelineEvent[],
    private readonly checkpoints: readonly Checkpoint[],
    private readonly reachEntries: number,
    readonly stats: ReplayStats,
  ) {
    this.latestAt = new Float64Array(entries.length);
    this.seqs = Float64Array.from(entries, (entry) => entry.seq);
    let latest = -Infinity;
    entries.forEach((entry, i) => (this.latestAt[i] = latest = Math.max(latest, entry.at)));
    this.checkpointIndexes = checkpoints.map((checkpoint) => checkpoint.index);
  }

  get length(): number {
    return this.entries.length;
  }

  /** Index of the last entry applied to `doc`; -1 before the first. */
  get position(): number {
    return this.index;
  }

  /** The document at `position`. */
  get doc(): Y.Doc {
    return this.current;
  }

  /** The project after entry `index` (inclusive); -1 is the empty document before the first. */
  seek(index: number): Y.Doc {
    if (!Number.isInteger(index) || index < -1 || index >= this.entries.length) {
      throw new RangeError(
        `seek: index must be a whole number from -1 to ${this.entries.length - 1}, got ${index}`,
      );
    }
    if (index === this.index) return this.current;
    const checkpoint = this.checkpointAtOrBefore(index);
    const from = checkpoint?.index ?? -1;
    // Ahead of the current document and no further from it than from the checkpoint: step.
    if (index > this.index && this.index >= from) return this.step(index - this.index);
    const doc = new Y.Doc();
    if (checkpoint) Y.applyUpdate(doc, checkpoint.state);
    this.current = doc;
    this.index = from;
    return this.step(index - from);
  }

  /** Applies the next `count` entries to the current document, in one transaction (fewer at the end). */
  step(count = 1): Y.Doc {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`step: count must be a whole number from 0, got ${count}`);
    const to = Math.min(this.entries.length - 1, this.index + count);
    if (to <= this.index) return this.current;
    const doc = this.current;
    doc.transact(() => {
      for (let i = this.index + 1; i <= to; i++) Y.applyUpdate(doc, this.entries[i]!.data);
    }, REPLAY_ORIGIN);
    this.index = to;
    return doc;
  }

  /** The last entry stored at or before `timeMs`; -1 if none was. */
  indexAt(timeMs: number): number {
    return lastAtOrBefore(this.latestAt, timeMs);
  }

  /** The index of the entry with this seq, or -1. */
  indexOfSeq(seq: number): number {
    const index = lastAtOrBefore(this.seqs, seq);
    return index >= 0 && this.seqs[index] === seq ? index : -1;
  }

  /** How many entries a seek applies at most after loading a checkpoint. */
  get maxEntriesPerSeek(): number {
    return this.reachEntries;
  }

  private checkpointAtOrBefore(index: number): Checkpoint | null {
    return this.checkpoints[lastAtOrBefore(this.checkpointIndexes, index)] ?? null;
  }
}

/** The origin of the engine's own transactions, for observers that want to tell. */
export const REPLAY_ORIGIN = Symbol('replay');

class Builder {
  done = 0;
  private readonly doc = new Y.Doc();
  private readonly watcher = new ChangeWatcher(this.doc);
  private readonly events: TimelineEvent[] = [];
  private readonly checkpoints: Checkpoint[] = [];
  private readonly everyEntries: number;
  private readonly everyBytes: number;
  private sinceEntries = 0;
  private sinceBytes = 0;
  private lastStateBytes = 0;
  private reach = 0;
  private checkpointBytes = 0;
  private elapsedMs = 0;

  constructor(
    private readonly entries: readonly ReplayEntry[],
    options: ReplayOptions,
  ) {
    this.everyEntries = positive(
      options.checkpointEntries ?? DEFAULT_CHECKPOINT_ENTRIES,
      'checkpointEntries',
    );
    this.everyBytes = positive(options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES, 'checkpointBytes');
  }

  /** Applies entries up to (not including) `end`. */
  run(end: number): void {
    const started = performance.now();
    const last = Math.min(end, this.entries.length);
    for (; this.done < last; this.done++) {
      const entry = this.entries[this.done]!;
      try {
        this.doc.transact(() => Y.applyUpdate(this.doc, entry.data), REPLAY_ORIGIN);
      } catch (error) {
        throw new Error(
          `replay: entry ${this.done} (seq ${entry.seq}) could not be applied: ${String(error)}`,
          { cause: error },
        );
      }
      const { files, chat } = this.watcher.take();
      this.events.push({ index: this.done, seq: entry.seq, at: entry.at, author: entry.author, files, chat });
      this.sinceEntries++;
      this.sinceBytes += entry.data.byteLength;
      const bytesDue = this.sinceBytes >= Math.max(this.everyBytes, this.lastStateBytes);
      if (this.sinceEntries >= this.everyEntries || bytesDue) {
        const state = Y.encodeStateAsUpdate(this.doc);
        this.lastStateBytes = state.byteLength;
        this.checkpoints.push({ index: this.done, state });
        this.checkpointBytes += state.byteLength;
        this.reach = Math.max(this.reach, this.sinceEntries - 1);
        this.sinceEntries = 0;
        this.sinceBytes = 0;
      }
    }
    this.elapsedMs += performance.now() - started;
  }

  finish(): ReplayEngine {
    this.watcher.stop();
    this.doc.destroy();
    const stats: ReplayStats = {
      entries: this.entries.length,
      checkpoints: this.checkpoints.length,
      checkpointBytes: this.checkpointBytes,
      buildMs: this.elapsedMs,
    };
    const reach = Math.max(this.reach, this.sinceEntries);
    return new ReplayEngine(this.entries, this.events, this.checkpoints, reach, stats);
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a whole number from 1`);
  return value;
}
