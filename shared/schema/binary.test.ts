import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addBinaryFile, BINARY_MAX_BYTES, BinaryTooLargeError, listAllFiles, readBinary } from './binary.js';
import { addFile, listFiles } from './project.js';

describe('binary files', () => {
  it('are stored whole, listed with their size, and ignored by listFiles', () => {
    const doc = new Y.Doc();
    addFile(doc, 'main.py', 'print(1)\n', '0000000000000001');
    const id = addBinaryFile(doc, 'logo.png', new Uint8Array([137, 80, 78, 71]));
    expect(readBinary(doc, id)).toEqual(new Uint8Array([137, 80, 78, 71]));
    expect(listFiles(doc).map((f) => f.path)).toEqual(['main.py']);
    expect(listAllFiles(doc)).toEqual([
      { id, path: 'logo.png', size: 4, kind: 'binary' },
      { id: '0000000000000001', path: 'main.py', size: 9, kind: 'text' },
    ]);
  });

  it('refuses files over the cap', () => {
    expect(() => addBinaryFile(new Y.Doc(), 'big.bin', new Uint8Array(BINARY_MAX_BYTES + 1))).toThrow(
      BinaryTooLargeError,
    );
  });

  it('on a taken path, the binary gets a suffix and the text file keeps its path, everywhere', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    addFile(a, 'data', 'text', 'ffffffffffffffff');
    addBinaryFile(b, 'data', new Uint8Array([0]), '0000000000000000');
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    expect(listAllFiles(a)).toEqual(listAllFiles(b));
    expect(listAllFiles(a).map((f) => [f.path, f.kind])).toEqual([
      ['data', 'text'],
      ['data (0000000000000000)', 'binary'],
    ]);
  });
});
