/**
 * A run's output as stored with it: the chunks in order, each `varUint(stream)
 * varUint8Array(bytes)`, capped at a byte budget (the rest is counted, not kept).
 * The reader is shared/protocol/outputLog.ts (replay bundles carry it too).
 */
import * as encoding from 'lib0/encoding';
import type { OutputStream } from '../../shared/protocol/table.js';

export class OutputLog {
  private readonly encoder = encoding.createEncoder();
  private kept = 0;
  truncated = false;
  /** Every byte seen, kept or not. */
  total = 0;

  constructor(private readonly maxBytes: number) {}

  add(stream: OutputStream, bytes: Uint8Array): void {
    this.total += bytes.byteLength;
    const room = this.maxBytes - this.kept;
    if (room <= 0) {
      this.truncated ||= bytes.byteLength > 0;
      return;
    }
    const part = bytes.byteLength > room ? bytes.subarray(0, room) : bytes;
    if (part !== bytes) this.truncated = true;
    encoding.writeVarUint(this.encoder, stream);
    encoding.writeVarUint8Array(this.encoder, part);
    this.kept += part.byteLength;
  }

  toBytes(): Uint8Array {
    return encoding.toUint8Array(this.encoder);
  }
}
