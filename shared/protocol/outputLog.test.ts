import { describe, expect, it } from 'vitest';
import { joinAdjacent, outputStreamName, outputStreamOf, readOutputLog } from './outputLog.js';
import { OutputStream } from './table.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('output log', () => {
  it('joins adjacent chunks of one stream, keeping the order between streams', () => {
    const euro = bytes('€'); // three bytes, split across two writes below
    const joined = joinAdjacent([
      { stream: OutputStream.Stdout, bytes: bytes('Hello') },
      { stream: OutputStream.Stdout, bytes: bytes('!\n') },
      { stream: OutputStream.Stderr, bytes: bytes('warn\n') },
      { stream: OutputStream.Stdout, bytes: euro.subarray(0, 1) },
      { stream: OutputStream.Stdout, bytes: euro.subarray(1) },
    ]);
    expect(joined.map((chunk) => [chunk.stream, text(chunk.bytes)])).toEqual([
      [OutputStream.Stdout, 'Hello!\n'],
      [OutputStream.Stderr, 'warn\n'],
      [OutputStream.Stdout, '€'],
    ]);
  });

  it('refuses an unknown stream and a truncated chunk', () => {
    expect(() => readOutputLog(Uint8Array.of(7, 1, 65))).toThrow(/unknown output stream 7/);
    expect(() => readOutputLog(Uint8Array.of(0, 5, 65))).toThrow(/truncated/);
  });
});

describe('output stream names', () => {
  it('name every stream, both ways, typed stdin included', () => {
    for (const stream of Object.values(OutputStream)) {
      expect(outputStreamOf(outputStreamName(stream))).toBe(stream);
    }
    expect(outputStreamName(OutputStream.Input)).toBe('stdin');
    const log = new Uint8Array([2, 2, 104, 105]);
    expect(readOutputLog(log)).toEqual([{ stream: OutputStream.Input, bytes: new Uint8Array([104, 105]) }]);
  });
});
