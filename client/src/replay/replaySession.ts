/**
 * One replay being watched: the engine, the squeezed clock, the events list
 * and the signals the page draws from (where we are, playing or not, which
 * file is shown). Playback advances virtual time every animation frame and
 * moves the engine to the last entry stored by then; scrubbing asks for a
 * position and gets at most one seek per frame, however fast the pointer moves.
 */
import { batch, computed, signal } from '@preact/signals';
import type { Authorship } from '../../../shared/replay/authorship.js';
import type { ReplayBundle, ReplayRun } from '../../../shared/replay/bundle.js';
import type { ReplayEngine } from '../../../shared/replay/engine.js';
import type { ChatPost } from '../../../shared/replay/timeline.js';
import { listAllFiles, type ProjectFile } from '../../../shared/schema/binary.js';
import { AuthorColors, type LegendEntry } from './authorshipPaint.js';
import { buildAuthorship } from './authorshipBuild.js';
import { editBursts } from './editBursts.js';
import { eventRows, stepRow, type EventRow } from './eventRows.js';
import { scaleOf, type TimeScale } from './timeScale.js';

export const SPEEDS = [1, 2, 4, 8, 16] as const;

export type ReplaySource =
  { kind: 'room'; roomId: string; token: string; canEdit: boolean } | { kind: 'file'; fileName: string };

export class ReplaySession {
  readonly scale: TimeScale;
  readonly rows: EventRow[];
  readonly posts: { index: number; post: ChatPost }[] = [];
  /** Where we are: the last entry applied (-1: before the first). */
  readonly position = signal(-1);
  /** Where we are on the squeezed clock, ms from the start. */
  readonly virtual = signal(0);
  /** Bumped whenever the engine's document changes (in place or replaced). */
  readonly revision = signal(0);
  readonly playing = signal(false);
  readonly speed = signal<number>(1);
  /** A file the person picked; null follows the file being edited. */
  readonly picked = signal<string | null>(null);
  readonly showAuthors = signal(false);
  readonly authorship = signal<Authorship | null>(null);
  /** 0..1 while authorship is being built. */
  readonly authorshipProgress = signal<number | null>(null);
  readonly legend = signal<LegendEntry[]>([]);
  readonly openRun = signal<ReplayRun | null>(null);
  readonly colors: AuthorColors;

  readonly files = computed<ProjectFile[]>(() => {
    void this.revision.value;
    return listAllFiles(this.engine.doc);
  });
  /** The file in the editor: the picked one while it exists, else the one edited last. */
  readonly shownFile = computed<ProjectFile | null>(() => {
    const files = this.files.value;
    const byId = (id: string | null | undefined) => (id ? files.find((f) => f.id === id) : undefined);
    const followed = byId(this.lastEdited[this.position.value]);
    return byId(this.picked.value) ?? followed ?? files.find((f) => f.kind === 'text') ?? files[0] ?? null;
  });

  /** Per entry: the file created, edited or renamed last at or before it. */
  private readonly lastEdited: (string | undefined)[] = [];
  private frame = 0;
  private lastFrameAt = 0;
  private scrubTarget: number | null = null;
  private scrubFrame = 0;
  private readonly stop = new AbortController();

  constructor(
    readonly bundle: ReplayBundle,
    readonly engine: ReplayEngine,
    readonly source: ReplaySource,
  ) {
    this.scale = scaleOf(bundle);
    const people = new Set([...Object.keys(bundle.users), ...bundle.runs.map((run) => run.userId)]);
    this.colors = new AuthorColors().assign([...people].sort());
    // One row per person's burst, for the list and for stepping alike.
    this.rows = editBursts(
      eventRows(engine.events, bundle.runs, (t) => engine.indexAt(t)),
      (index) => bundle.entries[index]!.at,
    );
    let last: string | undefined;
    for (const event of engine.events) {
      const touched = event.files.filter((c) => c.kind !== 'deleted').at(-1);
      if (touched) last = touched.fileId;
      this.lastEdited.push(last);
      for (const post of event.chat) this.posts.push({ index: event.index, post });
    }
    this.seek(engine.length - 1);
  }

  get length(): number {
    return this.engine.length;
  }

  /** A writer's colour, the same in every part of the page. */
  colorOf(userId: string): string {
    return this.colors.of(userId);
  }

  /** Display name of a user id of this log. */
  nameOf(userId: string): string {
    if (userId === 'system') return 'Tandem';
    if (userId === '') return 'Someone';
    return this.bundle.users[userId]?.name || userId;
  }

  /** Moves to the state after entry `index`, the clock to that entry's time. */
  seek(index: number): void {
    const clamped = Math.max(-1, Math.min(this.engine.length - 1, index));
    const at = clamped >= 0 ? this.bundle.entries[clamped]!.at : this.scale.start;
    batch(() => {
      this.virtual.value = this.scale.toVirtual(at);
      this.moveTo(clamped);
    });
  }

  /** Scrubbing: the clock follows at once, the document at the next frame. */
  scrubTo(virtual: number): void {
    this.pause();
    this.virtual.value = Math.max(0, Math.min(this.scale.total, virtual));
    this.scrubTarget = this.virtual.peek();
    if (this.scrubFrame) return;
    this.scrubFrame = requestAnimationFrame(() => {
      this.scrubFrame = 0;
      const target = this.scrubTarget;
      this.scrubTarget = null;
      if (target !== null) this.moveTo(this.indexAtVirtual(target));
    });
  }

  /** To the next (1) or previous (-1) row of the events list. */
  step(direction: 1 | -1): void {
    this.pause();
    const index = stepRow(this.rows, this.position.peek(), direction);
    if (index !== null) this.seek(index);
  }

  play(): void {
    if (this.playing.peek() || this.engine.length === 0) return;
    if (this.virtual.peek() >= this.scale.total) this.seek(this.indexAtVirtual(0));
    this.playing.value = true;
    this.lastFrameAt = performance.now();
    this.frame = requestAnimationFrame(this.tick);
  }

  pause(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.playing.value = false;
  }

  toggle(): void {
    if (this.playing.peek()) this.pause();
    else this.play();
  }

  /** Builds the authorship the first time it is asked for; it then stays. */
  async loadAuthorship(): Promise<void> {
    if (this.authorship.peek() || this.authorshipProgress.peek() !== null) return;
    this.authorshipProgress.value = 0;
    try {
      this.authorship.value = await buildAuthorship(this.bundle.entries, {
        signal: this.stop.signal,
        onProgress: (done, total) => (this.authorshipProgress.value = done / total),
      });
    } finally {
      this.authorshipProgress.value = null;
    }
  }

  dispose(): void {
    this.pause();
    cancelAnimationFrame(this.scrubFrame);
    this.stop.abort();
  }

  private indexAtVirtual(virtual: number): number {
    return this.engine.indexAt(this.scale.toReal(virtual));
  }

  private moveTo(index: number): void {
    if (index === this.engine.position && index === this.position.peek()) return;
    this.engine.seek(index);
    batch(() => {
      this.position.value = index;
      this.revision.value++;
    });
  }

  private readonly tick = (now: number): void => {
    const elapsed = Math.max(0, now - this.lastFrameAt);
    this.lastFrameAt = now;
    const virtual = this.virtual.peek() + elapsed * this.speed.peek();
    if (virtual >= this.scale.total) {
      batch(() => {
        this.virtual.value = this.scale.total;
        this.moveTo(this.engine.length - 1);
        this.pause();
      });
      return;
    }
    batch(() => {
      this.virtual.value = virtual;
      this.moveTo(this.indexAtVirtual(virtual));
    });
    this.frame = requestAnimationFrame(this.tick);
  };
}
