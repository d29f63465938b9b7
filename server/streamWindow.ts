/**
 * Flow control for the preview streams carried over the runner link: each
 * side may have at most `PREVIEW_WINDOW_BYTES` of one stream in flight that
 * the other side has not yet written on (and credited back with
 * `previewCredit`). A stream past its window stops reading its source, so one
 * large download waits for its reader instead of filling the link that also
 * carries shells, file sync and other previews.
 */
import type { Readable } from 'node:stream';

export const PREVIEW_WINDOW_BYTES = 256 * 1024;
/** One `previewData` frame carries at most this much. */
export const PREVIEW_CHUNK_BYTES = 64 * 1024;

export class SendWindow {
  private inFlight = 0;
  private resume: (() => void) | null = null;

  constructor(private readonly windowBytes = PREVIEW_WINDOW_BYTES) {}

  /** Counts bytes sent; false once the window is full (pause until `whenOpen` fires). */
  spend(bytes: number): boolean {
    this.inFlight += bytes;
    return this.inFlight < this.windowBytes;
  }

  /** The receiver wrote `bytes` on: they leave the window. */
  credit(bytes: number): void {
    const wasFull = this.inFlight >= this.windowBytes;
    this.inFlight = Math.max(0, this.inFlight - bytes);
    if (wasFull && this.inFlight < this.windowBytes) {
      const resume = this.resume;
      this.resume = null;
      resume?.();
    }
  }

  /** Calls `resume` once the window has room again. */
  whenOpen(resume: () => void): void {
    this.resume = resume;
  }
}

/**
 * Sends what `source` yields as chunks of at most PREVIEW_CHUNK_BYTES through
 * `send`, pausing the source while the window is full; `end` runs once the
 * source ended (not when it failed: the caller listens for errors).
 */
export function pumpThroughWindow(
  source: Readable,
  window: SendWindow,
  send: (chunk: Uint8Array) => void,
  end: () => void,
): void {
  source.on('data', (data: Buffer) => {
    let open = true;
    for (let at = 0; at < data.byteLength; at += PREVIEW_CHUNK_BYTES) {
      const chunk = data.subarray(at, at + PREVIEW_CHUNK_BYTES);
      send(chunk);
      open = window.spend(chunk.byteLength);
    }
    if (!open) {
      source.pause();
      window.whenOpen(() => source.resume());
    }
  });
  source.once('end', end);
}
