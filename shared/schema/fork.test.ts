import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { addBinaryFile, listAllFiles, readBinary } from './binary.js';
import { forkProject } from './fork.js';
import { addFile, foldersOf, listFolders, metaOf, snapshotFiles } from './project.js';

describe('forkProject', () => {
  it('copies current text and binary files and the meta, under a new name, without history', () => {
    const source = new Y.Doc();
    const id = addFile(source, 'src/main.py', 'print(1)\n');
    addFile(source, 'README.md', 'hello');
    addBinaryFile(source, 'logo.png', new Uint8Array([137, 80, 78, 71]));
    metaOf(source).set('language', 'python');
    metaOf(source).set('entry', 'src/main.py');
    foldersOf(source).set('empty/inner', true);
    const text = (source.getMap('files').get(id) as Y.Map<unknown>).get('text') as Y.Text;
    text.insert(0, '# edited\n');
    text.delete(0, 9); // history the fork must not carry

    const fork = new Y.Doc();
    forkProject(source, fork, 'My fork');
    expect(snapshotFiles(fork)).toEqual(snapshotFiles(source));
    const binary = listAllFiles(fork).find((f) => f.kind === 'binary')!;
    expect([...readBinary(fork, binary.id)!]).toEqual([137, 80, 78, 71]);
    expect(listFolders(fork)).toEqual(['empty/inner']);
    expect(metaOf(fork).toJSON()).toEqual({ name: 'My fork', language: 'python', entry: 'src/main.py' });
    // New ids: editing the fork's file never touches the source's.
    expect(listAllFiles(fork).map((f) => f.id)).not.toContain(id);
    // No history travels: every struct of the fork was written by the fork, none by the source.
    const { structs } = Y.decodeUpdate(Y.encodeStateAsUpdate(fork));
    expect(structs.length).toBeGreaterThan(0);
    expect(structs.every((struct) => struct.id.client === fork.clientID)).toBe(true);
  });
});
