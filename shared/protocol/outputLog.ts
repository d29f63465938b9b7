/**
 * A run's output as the relay stores it (and as replay bundles carry it): the
 * chunks in arrival order, each `varUint(stream) varUint8Array(bytes)`, stream 0
 * stdout, 1 stderr and 2 the stdin someone typed. The writer is
 * relay/runs/outputLog.ts.
 */
import * as decoding from 'lib0/decoding';
import { concatBytes } from '../bytes.js';
import { OutputStream } from './table.js';

/** The streams by name, as the HTTP API and replay files say them. */
const STREAM_OF = {
  stdout: OutputStream.Stdout,
  stderr: OutputStream.Stderr,
  stdin: OutputStream.Input,
} as const satisfies Record<string, OutputStream>;
export type OutputStreamName = keyof typeof STREAM_OF;
export const OUTPUT_STREAM_NAMES = Object.keys(STREAM_OF) as OutputStreamName[];

export function outputStreamName(stream: OutputStream): OutputStreamName {
  return OUTPUT_STREAM_NAMES[stream]!;
}

export function outputStreamOf(name: OutputStreamName): OutputStream {
  return STREAM_OF[name];
}

export interface OutputChunk {
  stream: OutputStream;
  bytes: Uint8Array;
}

/** Reads every chunk; throws on an unknown stream or a truncated chunk. */
export function readOutputLog(bytes: Uint8Array): OutputChunk[] {
  const decoder = decoding.createDecoder(bytes);
  const chunks: OutputChunk[] = [];
  while (decoding.hasContent(decoder)) {
    let stream: number;
    let length: number;
    try {
      stream = decoding.readVarUint(decoder);
      length = decoding.readVarUint(decoder);
    } catch {
      throw new Error('output chunk is truncated');
    }
    if (OUTPUT_STREAM_NAMES[stream] === undefined) {
      throw new Error(`unknown output stream ${stream}`);
    }
    if (length > bytes.byteLength - decoder.pos) throw new Error('output chunk is truncated');
    chunks.push({ stream: stream as OutputStream, bytes: decoding.readUint8Array(decoder, length) });
  }
  return chunks;
}

/**
 * Adjacent chunks of one stream joined: how the output reads, whatever pieces the
 * program's writes arrived in (and no character split between two of them).
 */
export function joinAdjacent(chunks: readonly OutputChunk[]): OutputChunk[] {
  const joined: { stream: OutputStream; parts: Uint8Array[] }[] = [];
  for (const chunk of chunks) {
    const last = joined.at(-1);
    if (last?.stream === chunk.stream) last.parts.push(chunk.bytes);
    else joined.push({ stream: chunk.stream, parts: [chunk.bytes] });
  }
  return joined.map(({ stream, parts }) => ({ stream, bytes: concatBytes(parts) }));
}
