import { describe, expect, it } from 'vitest';
import { readZip } from '../../test/zipReader.js';
import { crc32 } from '../../../shared/bytes.js';
import { zip } from './zip.js';

describe('zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('hello'))).toBe(0x3610a686);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('writes entries that read back byte for byte, UTF-8 names included', () => {
    const entries = [
      { path: 'main.py', data: new TextEncoder().encode('print("hi")\n') },
      { path: 'src/données.txt', data: new TextEncoder().encode('é') },
      { path: 'logo.png', data: new Uint8Array([137, 80, 78, 71, 0, 255]) },
      { path: 'empty', data: new Uint8Array() },
    ];
    const read = readZip(zip(entries, new Date(2024, 0, 2, 3, 4, 6)));
    expect([...read.keys()]).toEqual(entries.map((e) => e.path));
    for (const entry of entries) expect(read.get(entry.path)).toEqual(entry.data);
  });
});
