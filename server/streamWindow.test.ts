import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PREVIEW_CHUNK_BYTES, pumpThroughWindow, SendWindow } from './streamWindow.js';

describe('a preview stream window', () => {
  it('pauses its source once the window is full and resumes when credit comes back', async () => {
    const window = new SendWindow(100 * 1024);
    const source = new PassThrough();
    const sent: number[] = [];
    let ended = false;
    pumpThroughWindow(
      source,
      window,
      (chunk) => sent.push(chunk.byteLength),
      () => (ended = true),
    );
    source.write(Buffer.alloc(150 * 1024));
    source.end(Buffer.alloc(10));
    await new Promise((resolve) => setImmediate(resolve));
    // One write of 150 KiB goes out in frames of at most 64 KiB, then the source waits.
    expect(sent).toEqual([PREVIEW_CHUNK_BYTES, PREVIEW_CHUNK_BYTES, 150 * 1024 - 2 * PREVIEW_CHUNK_BYTES]);
    expect(source.isPaused()).toBe(true);
    expect(ended).toBe(false);
    window.credit(100 * 1024);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.at(-1)).toBe(10);
    expect(ended).toBe(true);
  });
});
