/**
 * Everything the run panel's terminal has been told, kept so a terminal created
 * later (xterm.js loads only when there is output) can replay it. Append-only,
 * with a cap: past it the oldest pieces go, as in a terminal's scrollback.
 */
import { signal } from '@preact/signals';

export type Piece = string | Uint8Array;
/** A piece to write, or null: clear the screen. */
export type TranscriptListener = (piece: Piece | null) => void;

const REPLAY_MAX_CHARS = 2 * 1024 * 1024;
const NEWLINE = 10;

export class Transcript {
  /** True until something is written (and again after clear). */
  readonly empty = signal(true);
  private pieces: Piece[] = [];
  private size = 0;
  private lineStart = true;
  private readonly listeners = new Set<TranscriptListener>();

  write(piece: Piece): void {
    if (piece.length === 0) return;
    this.lineStart = typeof piece === 'string' ? piece.endsWith('\n') : piece[piece.length - 1] === NEWLINE;
    this.append(piece);
  }

  /** An escape sequence that moves nothing (a colour): the line-start state stays as it is. */
  style(sequence: string): void {
    this.append(sequence);
  }

  private append(piece: Piece): void {
    this.pieces.push(piece);
    this.size += piece.length;
    while (this.size > REPLAY_MAX_CHARS && this.pieces.length > 1) this.size -= this.pieces.shift()!.length;
    this.empty.value = false;
    for (const listener of this.listeners) listener(piece);
  }

  /** Writes a line break unless the last piece ended one, so a panel line never joins program output. */
  newLine(): void {
    if (!this.lineStart) this.write('\r\n');
  }

  clear(): void {
    this.pieces = [];
    this.size = 0;
    this.lineStart = true;
    this.empty.value = true;
    for (const listener of this.listeners) listener(null);
  }

  /** Replays what was written so far, then passes on every new piece; returns the unsubscribe. */
  subscribe(listener: TranscriptListener): () => void {
    for (const piece of this.pieces) listener(piece);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
