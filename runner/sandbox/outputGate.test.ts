import { describe, expect, it } from 'vitest';
import { OUTPUT_FLUSH_BYTES, OutputGate } from './outputGate.js';
import type { OutputStreamName } from './types.js';

function gate(limit: number) {
  const frames: [OutputStreamName, Buffer][] = [];
  let overflows = 0;
  const g = new OutputGate(
    limit,
    (stream, bytes) => frames.push([stream, Buffer.from(bytes)]),
    () => overflows++,
  );
  return { g, frames, overflows: () => overflows };
}

describe('OutputGate', () => {
  it('coalesces small writes and keeps the order between streams', () => {
    const { g, frames } = gate(1000);
    g.push('stdout', Buffer.from('a'));
    g.push('stdout', Buffer.from('b'));
    g.push('stderr', Buffer.from('E'));
    g.push('stdout', Buffer.from('c'));
    g.flush();
    expect(frames.map(([s, b]) => `${s}:${b}`)).toEqual(['stdout:ab', 'stderr:E', 'stdout:c']);
  });

  it('flushes on its own after a short delay and at the flush size', async () => {
    const { g, frames } = gate(10 * OUTPUT_FLUSH_BYTES);
    g.push('stdout', Buffer.alloc(OUTPUT_FLUSH_BYTES));
    expect(frames).toHaveLength(1);
    g.push('stdout', Buffer.from('late'));
    expect(frames).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(frames[1]?.[1].toString()).toBe('late');
  });

  it('delivers exactly the cap across streams, then reports the overflow once', () => {
    const { g, frames, overflows } = gate(10);
    g.push('stdout', Buffer.from('12345'));
    g.push('stderr', Buffer.from('6789'));
    g.push('stdout', Buffer.from('ABC'));
    g.push('stdout', Buffer.from('more'));
    g.close();
    expect(frames.map(([s, b]) => `${s}:${b}`)).toEqual(['stdout:12345', 'stderr:6789', 'stdout:A']);
    expect(overflows()).toBe(1);
    expect(g.bytes).toBe(10);
  });

  it('passes bytes through undecoded', () => {
    const { g, frames } = gate(100);
    const bytes = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80]);
    g.push('stdout', bytes);
    g.close();
    expect([...frames[0]![1]]).toEqual([...bytes]);
  });

  it('drops output after close', () => {
    const { g, frames } = gate(100);
    g.close();
    g.push('stdout', Buffer.from('x'));
    g.flush();
    expect(frames).toEqual([]);
  });
});
