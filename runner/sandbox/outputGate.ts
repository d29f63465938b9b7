/**
 * Every byte a program writes passes here, whichever stream: the output cap is
 * counted on the bytes as they stream (not on a final buffer), the part up to
 * the cap is delivered, and the first byte past it ends the run. Small writes
 * are coalesced (a flood of one-byte prints becomes a few frames), preserving
 * the order between stdout and stderr. Bytes are never decoded: invalid UTF-8
 * passes through intact.
 */
import type { OutputStreamName } from './types.js';

export const OUTPUT_FLUSH_BYTES = 32 * 1024;
export const OUTPUT_FLUSH_DELAY_MS = 5;

export class OutputGate {
  private total = 0;
  private overflowed = false;
  private closed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingStream: OutputStreamName = 'stdout';
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly limitBytes: number,
    private readonly deliver: (stream: OutputStreamName, bytes: Uint8Array) => void,
    private readonly onOverflow: () => void,
  ) {}

  get bytes(): number {
    return this.total;
  }

  push(stream: OutputStreamName, chunk: Buffer): void {
    if (this.closed || this.overflowed || chunk.length === 0) return;
    const room = this.limitBytes - this.total;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.total += part.length;
    if (part.length > 0) {
      if (stream !== this.pendingStream) this.flush();
      this.pendingStream = stream;
      this.pending.push(part);
      this.pendingBytes += part.length;
    }
    if (chunk.length > room) {
      this.overflowed = true;
      this.flush();
      this.onOverflow();
      return;
    }
    if (this.pendingBytes >= OUTPUT_FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), OUTPUT_FLUSH_DELAY_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pendingBytes === 0) return;
    const bytes =
      this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.deliver(this.pendingStream, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** Delivers what is pending and drops anything pushed later. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
