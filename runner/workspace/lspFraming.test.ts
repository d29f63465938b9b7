import { describe, expect, it } from 'vitest';
import { encodeLspMessage, LspFramingError, LspReader, type LspFrame } from './lspFraming.js';

const messages = (frames: LspFrame[]) =>
  frames.map((frame) => (frame.kind === 'message' ? frame.message : frame));

describe('LSP framing (Content-Length)', () => {
  it('encodes the body length in bytes, not characters', () => {
    const bytes = encodeLspMessage({ text: 'é€😀' });
    const text = bytes.toString('utf8');
    const body = JSON.stringify({ text: 'é€😀' });
    expect(text).toBe(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length);
  });

  it('reads messages split at every byte, a multi-byte character included', () => {
    const one = { jsonrpc: '2.0', id: 1, result: { label: 'naïve 😀' } };
    const two = { jsonrpc: '2.0', method: 'x', params: [1, 2] };
    const bytes = Buffer.concat([encodeLspMessage(one), encodeLspMessage(two)]);
    const reader = new LspReader(1024);
    const got: unknown[] = [];
    for (let i = 0; i < bytes.byteLength; i++) got.push(...messages(reader.push(bytes.subarray(i, i + 1))));
    expect(got).toEqual([one, two]);
  });

  it('reads several messages merged into one chunk, and one cut across chunks', () => {
    const frames = [1, 2, 3].map((id) => encodeLspMessage({ id, result: 'x'.repeat(id * 10) }));
    const bytes = Buffer.concat(frames);
    const reader = new LspReader(1024);
    const cut = frames[0]!.byteLength + frames[1]!.byteLength + 5;
    expect(messages(reader.push(bytes.subarray(0, cut))).map((m) => (m as { id: number }).id)).toEqual([
      1, 2,
    ]);
    expect(messages(reader.push(bytes.subarray(cut))).map((m) => (m as { id: number }).id)).toEqual([3]);
  });

  it('accepts a Content-Type header and any case of Content-Length', () => {
    const body = '{"id":7}';
    const reader = new LspReader(1024);
    const bytes = Buffer.from(
      `content-length: ${body.length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`,
    );
    expect(messages(reader.push(bytes))).toEqual([{ id: 7 }]);
  });

  it('skips an oversize message, even arriving in pieces, and reads the next one', () => {
    const big = encodeLspMessage({ id: 1, result: 'y'.repeat(5000) });
    const small = encodeLspMessage({ id: 2, result: 'ok' });
    const reader = new LspReader(1000);
    const bytes = Buffer.concat([big, small]);
    const frames: LspFrame[] = [];
    for (let i = 0; i < bytes.byteLength; i += 700) frames.push(...reader.push(bytes.subarray(i, i + 700)));
    expect(frames).toEqual([
      { kind: 'oversize', bytes: big.byteLength - big.indexOf('{') },
      { kind: 'message', message: { id: 2, result: 'ok' } },
    ]);
  });

  it('refuses a stream that is not LSP', () => {
    expect(() => new LspReader(1000).push(Buffer.from('hello\r\n\r\n{}'))).toThrow(LspFramingError);
    expect(() => new LspReader(1000).push(Buffer.from('Content-Length: ten\r\n\r\n'))).toThrow(
      LspFramingError,
    );
    expect(() => new LspReader(1000).push(Buffer.from('X-Other: 1\r\n\r\n{}'))).toThrow(
      /without Content-Length/,
    );
    expect(() => new LspReader(1000).push(Buffer.from('Content-Length: 2\r\n\r\n{]'))).toThrow(/not JSON/);
    // A header block that never ends.
    expect(() => new LspReader(1000).push(Buffer.alloc(2000, 'a'))).toThrow(/too long/);
  });
});
