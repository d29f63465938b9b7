import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64.js';

describe('base64', () => {
  it('encodes and decodes like the standard, at every length and past one chunk', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 100, 6143, 6144, 6145, 20_000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length) & 255);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=');
  });

  it.each(['A', 'AB=', 'AAE*', 'AA=A', '=AAA', 'AAAA=', 'AA\u00e9A', 'AA A', 'A===', '===='])(
    'refuses %j',
    (text) => expect(decodeBase64(text)).toBeNull(),
  );
});
