/**
 * LSP's base protocol on a byte stream: each message is a header block
 * (`Content-Length: N`, maybe `Content-Type`, each line ending in CRLF, then
 * an empty line) and N bytes of UTF-8 JSON. A pipe cuts and joins these
 * anywhere, so the reader keeps what is left over between chunks.
 *
 * A message larger than `maxBytes` is skipped (its bytes are read and
 * dropped as they come) and reported as `oversize`, so one huge answer costs
 * that request, not the server. A header block that never ends or does not
 * say its length is a broken stream: `push` throws and the caller ends the server.
 */

/** Header blocks are a line or two; past this the stream is not LSP. */
const HEADER_MAX_BYTES = 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

export class LspFramingError extends Error {
  override name = 'LspFramingError';
}

export type LspFrame = { kind: 'message'; message: unknown } | { kind: 'oversize'; bytes: number };

export function encodeLspMessage(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii'), body]);
}

export class LspReader {
  private buffered: Buffer = Buffer.alloc(0);
  /** Bytes of an oversize body still to drop. */
  private skipping = 0;

  constructor(private readonly maxBytes: number) {}

  /** The messages completed by `chunk`, in order. */
  push(chunk: Uint8Array): LspFrame[] {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.skipping > 0) {
      const dropped = Math.min(this.skipping, data.byteLength);
      this.skipping -= dropped;
      data = data.subarray(dropped);
    }
    this.buffered = this.buffered.byteLength === 0 ? data : Buffer.concat([this.buffered, data]);
    const frames: LspFrame[] = [];
    for (;;) {
      const end = this.buffered.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffered.byteLength > HEADER_MAX_BYTES) throw new LspFramingError('header block too long');
        break;
      }
      if (end > HEADER_MAX_BYTES) throw new LspFramingError('header block too long');
      const length = contentLength(this.buffered.subarray(0, end).toString('ascii'));
      const start = end + HEADER_END.byteLength;
      if (length > this.maxBytes) {
        frames.push({ kind: 'oversize', bytes: length });
        const available = this.buffered.byteLength - start;
        const dropped = Math.min(length, available);
        this.skipping = length - dropped;
        this.buffered = this.buffered.subarray(start + dropped);
        continue;
      }
      if (this.buffered.byteLength - start < length) break;
      const body = this.buffered.subarray(start, start + length).toString('utf8');
      this.buffered = this.buffered.subarray(start + length);
      let message: unknown;
      try {
        message = JSON.parse(body);
      } catch {
        throw new LspFramingError('a message that is not JSON');
      }
      frames.push({ kind: 'message', message });
    }
    // Keep only what is still needed, not the whole chunk it was cut from.
    if (this.buffered.byteLength > 0 && this.buffered.buffer.byteLength > 4 * this.buffered.byteLength) {
      this.buffered = Buffer.from(this.buffered);
    }
    return frames;
  }
}

function contentLength(header: string): number {
  let length: number | null = null;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) throw new LspFramingError(`a header line without a colon: ${line.slice(0, 80)}`);
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,15}$/.test(value)) throw new LspFramingError(`Content-Length is not a number: ${value}`);
    length = Number(value);
  }
  if (length === null) throw new LspFramingError('a message without Content-Length');
  return length;
}
